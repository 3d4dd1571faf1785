"""Tell people on the login page that logging out worked."""

from django.contrib import messages
from django.contrib.auth.signals import user_logged_out
from django.dispatch import receiver
from django.utils.translation import gettext as _


@receiver(user_logged_out)
def say_logged_out(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "_messages"):
        messages.info(request, _("You are logged out."))
