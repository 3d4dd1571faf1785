"""The board's filters: one FilterSet behind the board page (table and kanban), the API's list and its
OpenAPI schema."""

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from cxhub.org.models import Department
from journeys.models import Journey, Stage, Step, Touchpoint

from .forms import StageChoiceField, styled
from .models import OPEN_STATUSES, Barrier, BarrierType, Method, Severity, Status

ANY = _("Any")


class StageFilter(django_filters.ModelChoiceFilter):
    field_class = StageChoiceField  # "Journey › Stage" labels


class BoardFilter(django_filters.FilterSet):
    """Filters of barrier_list(); many-to-many ones go through a subquery, so a barrier on two matching
    steps is listed once. `sort=stake` ranks by value at stake instead of urgency (selectors.board_rows)."""

    q = django_filters.CharFilter(label=_("Search"), method="search", max_length=100)
    journey = django_filters.ModelChoiceFilter(
        label=_("Journey"), queryset=Journey.objects.active().order_by("title"), empty_label=ANY, method="on_journey"
    )
    stage = StageFilter(
        label=_("Stage"),
        queryset=Stage.objects.select_related("journey").order_by("journey__title", "position"),
        empty_label=ANY,
        method="on_stage",
    )
    touchpoint = django_filters.ModelChoiceFilter(
        label=_("Touchpoint"), queryset=Touchpoint.objects.order_by("name"), empty_label=ANY, method="on_touchpoint"
    )
    step = django_filters.ModelChoiceFilter(
        label=_("Step"),
        queryset=Step.objects.select_related("stage__journey"),
        widget=forms.HiddenInput,  # set by the map's "+N more" link
        method="on_step",
    )
    department = django_filters.ModelChoiceFilter(
        label=_("Department"), queryset=Department.objects.order_by("name"), empty_label=ANY
    )
    type = django_filters.ChoiceFilter(label=_("Type"), choices=BarrierType.choices, empty_label=ANY)
    severity = django_filters.ChoiceFilter(label=_("Severity"), choices=Severity.choices, empty_label=ANY)
    source = django_filters.ChoiceFilter(label=_("Source"), choices=Method.choices, empty_label=ANY)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Status.choices, empty_label=ANY)
    overdue = django_filters.BooleanFilter(label=_("Overdue only"), widget=forms.CheckboxInput, method="only_overdue")
    sort = django_filters.ChoiceFilter(
        label=_("Order"), choices=[("stake", _("Value at stake"))], empty_label=_("Urgency"), method="keep"
    )

    class Meta:
        model = Barrier
        fields: list[str] = []

    @property
    def form(self) -> forms.Form:
        form = super().form
        styled(form)
        form.fields["q"].widget.attrs["type"] = "search"
        return form

    @property
    def by_stake(self) -> bool:
        return self.is_valid() and self.form.cleaned_data.get("sort") == "stake"

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(Q(title__icontains=value) | Q(description__icontains=value))

    @extend_schema_field(OpenApiTypes.INT)  # an id
    def on_journey(self, queryset: QuerySet, name: str, value: Journey) -> QuerySet:
        return queryset.filter(pk__in=_on_steps(step__stage__journey=value))

    @extend_schema_field(OpenApiTypes.INT)  # an id
    def on_stage(self, queryset: QuerySet, name: str, value: Stage) -> QuerySet:
        return queryset.filter(pk__in=_on_steps(step__stage=value))

    @extend_schema_field(OpenApiTypes.INT)  # an id
    def on_step(self, queryset: QuerySet, name: str, value: Step) -> QuerySet:
        return queryset.filter(pk__in=_on_steps(step=value))

    @extend_schema_field(OpenApiTypes.INT)  # an id
    def on_touchpoint(self, queryset: QuerySet, name: str, value: Touchpoint) -> QuerySet:
        direct = Barrier.touchpoints.through.objects.filter(touchpoint=value).values("barrier_id")
        return queryset.filter(Q(pk__in=_on_steps(step__touchpoint=value)) | Q(pk__in=direct))

    def only_overdue(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        if not value:
            return queryset
        return queryset.filter(status__in=OPEN_STATUSES, due_date__lt=timezone.localdate())

    def keep(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset  # an order, not a filter: board_rows applies it


def _on_steps(**condition) -> QuerySet:
    return Barrier.steps.through.objects.filter(**condition).values("barrier_id")
