from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cxhub.lib.forms import version_field, versioned
from cxhub.org.models import Department

from .models import Channel, Journey, JourneyTemplate, Persona, Step, Touchpoint


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


class JourneyFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    persona = forms.ModelChoiceField(
        label=_("Persona"),
        required=False,
        queryset=Persona.objects.order_by("is_archived", "name"),
        empty_label=_("All personas"),
    )
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("As-is and to-be")), *Journey.State.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Draft and published")), *Journey.Status.choices]
    )
    owner = forms.ModelChoiceField(
        label=_("Owner"),
        required=False,
        queryset=get_user_model().objects.filter(owned_journeys__isnull=False).distinct().order_by("last_name"),
        empty_label=_("Anyone"),
    )
    due = forms.BooleanField(label=_("Due for review only"), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in ("persona", "state", "status", "owner"):
            self.fields[name].widget.attrs["class"] = "form-select"
        self.fields["q"].widget.attrs.update({"class": "form-control", "type": "search"})


class JourneyForm(forms.ModelForm):
    class Meta:
        model = Journey
        fields = ["title", "persona", "state", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name, f in self.fields.items():
            f.widget.attrs["class"] = "form-select" if name in ("persona", "state") else "form-control"
        self.fields["title"].widget.attrs.update({"autofocus": True, "data-testid": "journey-title"})
        # An archived persona is offered only to the journey already drawn for it.
        current = self.instance.persona_id if self.instance.pk else None
        persona_field = self.fields["persona"]
        assert isinstance(persona_field, forms.ModelChoiceField)
        persona_field.queryset = Persona.objects.filter(Q(is_archived=False) | Q(pk=current)).order_by("name")


def _person(user: Any) -> str:
    return str(user.get_full_name() or user.get_username())


class ReviewSettingsForm(forms.Form):
    """Who owns a map and how often it is checked against reality."""

    owner = forms.ModelChoiceField(
        label=_("Owner"), queryset=get_user_model().objects.none(), empty_label=_("Nobody"), required=False
    )
    review_cadence = forms.ChoiceField(label=_("Review"), choices=Journey.Cadence.choices)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        assert isinstance(owner, forms.ModelChoiceField)
        owner.queryset = (
            get_user_model().objects.filter(is_active=True, groups__name="CX lead").order_by("first_name", "last_name")
        )
        owner.label_from_instance = _person  # type: ignore[method-assign,assignment]
        owner.widget.attrs.update({"class": "form-select form-select-sm", "data-testid": "review-owner"})
        self.fields["review_cadence"].widget.attrs.update(
            {"class": "form-select form-select-sm", "data-testid": "review-cadence"}
        )


class PersonaForm(forms.ModelForm):
    """A persona's profile; the photo is checked (type by its first bytes, size) by the service."""

    photo = forms.FileField(
        label=_("Photo"),
        required=False,
        help_text=_("PNG or JPEG, at most 5 MB. A square picture looks best."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
    )
    remove_photo = forms.BooleanField(label=_("Remove the photo"), required=False)
    version = version_field()

    class Meta:
        model = Persona
        fields = ["name", "description", "quote", "goals", "frustrations"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "goals": forms.Textarea(attrs={"rows": 4}),
            "frustrations": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "goals": _("What this customer wants to get done; one per line."),
            "frustrations": _("What gets in their way today; one per line."),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name, f in self.fields.items():
            f.widget.attrs["class"] = "form-check-input" if name == "remove_photo" else "form-control"
        self.fields["photo"].widget = forms.FileInput(attrs={"accept": "image/png,image/jpeg", "class": "form-control"})
        versioned(self)

    def validate_constraints(self) -> None:
        """The service checks the name (in any case) and says so in words on the name field."""

    def texts(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields or ()}


class StageNameForm(forms.Form):
    name = forms.CharField(label=_("Stage name"), max_length=120)
    version = forms.IntegerField(widget=forms.HiddenInput)


STEP_TEXT_FIELDS = ("action", "expectation", "reality", "notes")
STEP_EDITABLE_FIELDS = (*STEP_TEXT_FIELDS, "touchpoint", "emotion", "is_moment_of_truth")


EMOTION_CHOICES = [
    (2, _("+2 delighted")),
    (1, _("+1 pleased")),
    (0, _("0 neutral")),
    (-1, _("−1 annoyed")),
    (-2, _("−2 angry")),
]


class StepCellForm(forms.ModelForm):
    """Edits one cell of a step; the version it was based on travels with it."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    emotion = forms.TypedChoiceField(
        label=_("Emotion"),
        choices=EMOTION_CHOICES,
        coerce=int,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    # What the map's editor sends: a name typed with type-ahead over the catalogue (or a new one).
    touchpoint_name = forms.CharField(label=_("Touchpoint"), required=False, max_length=160)
    new_touchpoint_name = forms.CharField(label=_("New touchpoint"), required=False, max_length=160)
    new_touchpoint_channel = forms.ChoiceField(label=_("Channel"), required=False, choices=Channel.choices)
    new_touchpoint_department = forms.ModelChoiceField(
        label=_("Department"), required=False, queryset=Department.objects.order_by("name")
    )

    class Meta:
        model = Step
        fields = list(STEP_EDITABLE_FIELDS)
        widgets = {
            **{
                name: forms.Textarea(attrs={"rows": 3, "class": "form-control form-control-sm"})
                for name in STEP_TEXT_FIELDS
            },
            "touchpoint": forms.Select(attrs={"class": "form-select form-select-sm"}),
        }

    def __init__(self, *args, field: str, **kwargs) -> None:
        instance = kwargs.get("instance")
        if instance is not None:
            kwargs.setdefault("auto_id", f"step{instance.pk}_%s")  # several steps may be open at once
        super().__init__(*args, **kwargs)
        self.cell = field
        keep = {field, "version"}
        if field == "touchpoint":
            keep |= {"touchpoint_name", "new_touchpoint_name", "new_touchpoint_channel", "new_touchpoint_department"}
            self.catalogue = Touchpoint.objects.select_related("department").order_by("name")
            self.fields["touchpoint"].queryset = self.catalogue
            self.fields["touchpoint"].required = False
            if instance is not None and instance.touchpoint_id and not self.is_bound:
                self.initial["touchpoint_name"] = instance.touchpoint.name
            self.fields["touchpoint_name"].widget.attrs.update(
                {
                    "class": "form-control form-control-sm cell-input",
                    "list": f"touchpoints-{instance.pk if instance else 'new'}",
                    "autocomplete": "off",
                    "autofocus": True,
                    "placeholder": _("Type a name, channel or department"),
                }
            )
            self.fields["new_touchpoint_channel"].widget.attrs["class"] = "form-select form-select-sm"
            self.fields["new_touchpoint_department"].widget.attrs["class"] = "form-select form-select-sm"
            channel_field = self.fields["new_touchpoint_channel"]
            department_field = self.fields["new_touchpoint_department"]
            assert isinstance(channel_field, forms.ChoiceField)
            assert isinstance(department_field, forms.ModelChoiceField)
            channel_field.choices = [("", _("Channel…")), *Channel.choices]
            department_field.empty_label = _("Department…")
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        # The editor opens with the caret in it (htmx focuses [autofocus] after the swap).
        if field != "touchpoint":
            self.fields[field].widget.attrs.update({"autofocus": True, "class": f"{self._css(field)} cell-input"})

    @staticmethod
    def _css(field: str) -> str:
        if field in ("touchpoint", "emotion"):
            return "form-select form-select-sm"
        if field == "is_moment_of_truth":
            return "form-check-input"
        return "form-control form-control-sm"

    def clean(self):
        data = super().clean()
        if self.cell == "touchpoint" and "touchpoint_name" in self.data:
            self._resolve_typed_touchpoint(data)
        if self.cell == "touchpoint" and data.get("new_touchpoint_name"):
            if not data.get("new_touchpoint_department"):
                self.add_error("new_touchpoint_department", _("Choose the department that owns the new touchpoint."))
            if Touchpoint.objects.filter(name__iexact=data["new_touchpoint_name"]).exists():
                self.add_error("new_touchpoint_name", _("A touchpoint with this name already exists: pick it above."))
        return data

    def _resolve_typed_touchpoint(self, data: dict) -> None:
        """The typed name: empty clears the touchpoint; a name or code in the catalogue (any case)
        picks it; another name becomes a new touchpoint when its channel and department are given."""
        typed = (data.get("touchpoint_name") or "").strip()
        data["touchpoint"] = None
        if not typed:
            return
        match = Touchpoint.objects.filter(Q(name__iexact=typed) | Q(code__iexact=typed)).first()
        if match is not None:
            data["touchpoint"] = match
        elif data.get("new_touchpoint_channel") and data.get("new_touchpoint_department"):
            data["new_touchpoint_name"] = typed
        else:
            self.add_error(
                "touchpoint_name",
                _(
                    "No touchpoint is called “%(name)s”: pick one from the list, or give its channel and department "
                    "to add it."
                )
                % {"name": typed},
            )

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in STEP_EDITABLE_FIELDS if name in self.fields}


class JourneyImportForm(forms.Form):
    file = forms.FileField(
        label=_("Journey file (JSON)"),
        help_text=_("A file made with “Export → JSON” on a journey map, here or on another CX Hub."),
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".json,application/json"}),
    )


class TemplateUseForm(forms.Form):
    """Start a journey from a template: its title (default: the template's name) and persona."""

    title = forms.CharField(label=_("Title of the new journey"), max_length=200, required=False)
    persona = forms.ModelChoiceField(
        label=_("Persona"),
        required=False,
        queryset=Persona.objects.filter(is_archived=False).order_by("name"),
        empty_label=_("No persona yet"),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["title"].widget.attrs.update({"class": "form-control", "data-testid": "use-template-title"})
        self.fields["persona"].widget.attrs["class"] = "form-select"


class TemplateSaveForm(forms.Form):
    """Keep a journey as a template."""

    name = forms.CharField(label=_("Template name"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    language = forms.ChoiceField(
        label=_("Language of the texts"),
        choices=JourneyTemplate.Language.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["class"] = "form-control"
        self.fields["description"].widget.attrs["class"] = "form-control"
