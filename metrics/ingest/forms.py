"""The data page's import form."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import DataImport


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the file holds"), choices=DataImport.Kind.choices)
    file = forms.FileField(
        label=_("File"),
        help_text=_("CSV (UTF-8, comma or semicolon) or XLSX with the template's header row."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )
    valid_rows_only = forms.BooleanField(
        label=_("Import valid rows only"),
        required=False,
        help_text=_("Otherwise a file with any error imports nothing."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].widget.attrs["class"] = "form-select"
        self.fields["file"].widget.attrs["class"] = "form-control"
        self.fields["valid_rows_only"].widget.attrs["class"] = "form-check-input"
