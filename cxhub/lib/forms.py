"""What edit forms share."""

from datetime import date

from django import forms
from django.utils import formats
from django.utils.translation import gettext


def version_field() -> forms.IntegerField:
    """The version the page was read at: a save over someone else's newer change is refused."""
    return forms.IntegerField(widget=forms.HiddenInput, required=False)


def versioned(form: forms.ModelForm) -> None:
    """An edit form must carry the version it was read at; a form for a new object has none."""
    if form.instance.pk:
        form.fields["version"].required = True
        form.fields["version"].initial = form.instance.version


# strptime directives → air-datepicker's tokens (static/js/dates.js writes what the field reads back).
_PICKER_TOKENS = {"%d": "dd", "%m": "MM", "%Y": "yyyy", "%y": "yy", "%b": "MMM", "%B": "MMMM"}


class DateInput(forms.DateInput):
    """A date in the reader's language's format ("30.11.2026", "30 Nov 2026", FORMAT_MODULE_PATH)
    with a keyboard-friendly calendar (static/js/dates.js). The browser's own date input shows the
    browser's locale instead ("11/30/2026" on a Russian page), so it is not used. ISO 8601 is
    accepted too."""

    input_type = "text"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs={"autocomplete": "off", "inputmode": "numeric", **(attrs or {})})

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        shown = formats.get_format("DATE_INPUT_FORMATS")[0]
        picker = shown
        for directive, token in _PICKER_TOKENS.items():
            picker = picker.replace(directive, token)
        widget_attrs = context["widget"]["attrs"]
        widget_attrs.setdefault("placeholder", date(2026, 11, 30).strftime(shown))
        if "%b" in shown:
            widget_attrs["inputmode"] = "text"
        widget_attrs.update({
            "data-date-input": picker,
            "data-date-today": gettext("Today"),
            "data-date-clear": gettext("Clear"),
        })  # fmt: skip
        return context
