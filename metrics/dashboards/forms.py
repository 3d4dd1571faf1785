"""Forms of the figures pages: the observed journeys' gap (the dashboards' period: periods.PeriodForm)."""

from django import forms
from django.utils.translation import gettext_lazy as _


class ObservedGapForm(forms.Form):
    gap_days = forms.IntegerField(
        label=_("Next contact within (days)"),
        min_value=1,
        max_value=365,
        help_text=_("Two contacts of a customer belong to one path when the second comes within this many days."),
    )
