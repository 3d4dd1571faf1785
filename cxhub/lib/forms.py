"""What edit forms share."""

from django import forms


def version_field() -> forms.IntegerField:
    """The version the page was read at: a save over someone else's newer change is refused."""
    return forms.IntegerField(widget=forms.HiddenInput, required=False)


def versioned(form: forms.ModelForm) -> None:
    """An edit form must carry the version it was read at; a form for a new object has none."""
    if form.instance.pk:
        form.fields["version"].required = True
        form.fields["version"].initial = form.instance.version
