from django import forms
from django.utils.translation import gettext_lazy as _

from cxhub.lib.forms import DateInput, version_field, versioned
from cxhub.org.models import Department
from journeys.models import Stage, Step, Touchpoint

from .models import Barrier, Evidence, Method, ResearchStudy


def styled(form: forms.Form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select | forms.SelectMultiple):
            widget.attrs.setdefault("class", "form-select")
        elif not isinstance(widget, forms.HiddenInput):
            widget.attrs.setdefault("class", "form-control")


class StepChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, step: Step) -> str:
        return f"{step.stage.journey.title} › {step.stage.name} › {step}"


class StageChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, stage: Stage) -> str:
        return f"{stage.journey.title} › {stage.name}"


class BarrierForm(forms.ModelForm):
    """Everything about a barrier (CX leads). On creation, the first piece of evidence can come with it."""

    steps = StepChoiceField(
        label=_("Journey steps"),
        required=False,
        queryset=Step.objects.select_related("stage__journey").order_by(
            "stage__journey__title", "stage__position", "position"
        ),
        help_text=_("The steps of the journey maps where customers meet it."),
    )
    touchpoints = forms.ModelMultipleChoiceField(
        label=_("Touchpoints"),
        required=False,
        queryset=Touchpoint.objects.order_by("name"),
        help_text=_("Where it happens, if not (only) on a mapped step."),
    )
    department = forms.ModelChoiceField(
        label=_("Assigned department"),
        required=False,
        queryset=Department.objects.order_by("name"),
        empty_label=_("The owner of its touchpoint"),
    )
    source = forms.ChoiceField(label=_("Source"), required=False, choices=[("", _("From the study")), *Method.choices])
    evidence_text = forms.CharField(
        label=_("Evidence"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("A quote or observation."),
    )
    evidence_source = forms.CharField(label=_("Evidence source"), required=False, max_length=200)

    class Meta:
        model = Barrier
        fields = [
            "title",
            "description",
            "type",
            "severity",
            "customers_affected",
            "steps",
            "touchpoints",
            "study",
            "source",
            "department",
            "due_date",
            "resolution_plan",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "resolution_plan": forms.Textarea(attrs={"rows": 2}),
            "due_date": DateInput(),
        }

    def __init__(self, *args, creating: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["study"].queryset = ResearchStudy.objects.order_by("-period_start", "title")
        if not creating:
            del self.fields["evidence_text"]
            del self.fields["evidence_source"]
            self.fields["department"].required = True
            self.fields["department"].empty_label = None
            self.fields["source"].required = True
            self.fields["source"].choices = Method.choices
        styled(self)
        self.fields["steps"].widget.attrs["size"] = 8

    def _post_clean(self) -> None:
        """No model validation here: the services validate the barrier they build (department defaults)."""

    def clean(self):
        data = super().clean()
        if not data.get("source") and not data.get("study"):
            self.add_error("source", _("Say where it was found, or pick its research study."))
        return data

    def evidence(self) -> list[dict[str, str]]:
        text = (self.cleaned_data.get("evidence_text") or "").strip()
        if not text:
            return []
        return [{"kind": Evidence.Kind.QUOTE, "text": text, "source": self.cleaned_data.get("evidence_source", "")}]


class PlanForm(forms.Form):
    resolution_plan = forms.CharField(
        label=_("Resolution plan"), required=False, widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"})
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class TransitionForm(forms.Form):
    action = forms.CharField()
    version = forms.IntegerField()
    text = forms.CharField(required=False, max_length=5000)


class CommentForm(forms.Form):
    text = forms.CharField(
        label=_("Comment"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"})
    )


class EvidenceForm(forms.ModelForm):
    class Meta:
        model = Evidence
        fields = ["kind", "text", "source"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        styled(self)


class BulkAssignForm(forms.Form):
    barriers = forms.ModelMultipleChoiceField(queryset=Barrier.objects.all())
    department = forms.ModelChoiceField(
        label=_("Assign to"), queryset=Department.objects.order_by("name"), empty_label=_("Choose a department")
    )
    due_date = forms.DateField(
        label=_("Due date"),
        required=False,
        widget=DateInput(attrs={"id": "bulk-due", "class": "form-control form-control-sm w-auto bulk-due"}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        styled(self)


class StudyForm(forms.ModelForm):
    version = version_field()

    class Meta:
        model = ResearchStudy
        fields = ["title", "method", "period_start", "period_end", "summary"]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 4}),
            "period_start": DateInput(),
            "period_end": DateInput(),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        styled(self)
        versioned(self)

    def texts(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields or ()}


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, PNG, JPEG, DOCX, XLSX, TXT or CSV, up to 20 MB."),
        widget=forms.ClearableFileInput(attrs={"class": "form-control"}),
    )
