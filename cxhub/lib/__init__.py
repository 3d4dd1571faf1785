"""Shared non-domain helpers."""

from django.utils.translation import gettext_noop

# Django 6.1's blank choice label has no Russian in Django's own catalogue yet; ours supplies it.
gettext_noop("- Select an option -")
