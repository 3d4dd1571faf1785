from django import forms
from django.utils.translation import gettext_lazy as _

from cxhub.org.models import Department

from .models import Channel


class TouchpointFilterForm(forms.Form):
    """The filter bar above the touchpoint catalogue; invalid values are reported, not ignored."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    channel = forms.ChoiceField(label=_("Channel"), required=False, choices=[("", _("All channels")), *Channel.choices])
    department = forms.ModelChoiceField(
        label=_("Department"),
        required=False,
        queryset=Department.objects.order_by("name"),
        empty_label=_("All departments"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
