"""Reads of barriers; each function owns its query shape and keeps the number of queries constant."""

from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Case, Count, F, IntegerField, Prefetch, Q, QuerySet, Value, When, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from cxhub.org.models import Department
from cxhub.org.selectors import department_ids_of
from journeys.models import Step

from .models import OPEN_STATUSES, Activity, Barrier, Status


@dataclass
class BoardFilters:
    journey_id: int | None = None
    stage_id: int | None = None
    step_id: int | None = None
    touchpoint_id: int | None = None
    department_id: int | None = None
    type: str = ""
    severity: int | None = None
    source: str = ""
    study_id: int | None = None
    status: str = ""
    overdue: bool = False
    query: str = ""
    by_stake: bool = False  # rank by value at stake (metrics.stakes) instead of urgency


def _steps_prefetch() -> Prefetch:
    return Prefetch(
        "steps",
        queryset=Step.objects.select_related("stage__journey", "touchpoint").order_by(
            "stage__journey__title", "stage__position", "position"
        ),
    )


def barrier_list(filters: BoardFilters | None = None, *, today: date | None = None) -> QuerySet[Barrier]:
    """Barriers matching the board's filters, with what every row shows; an `is_overdue` flag."""
    filters = filters or BoardFilters()
    today = today or timezone.localdate()
    qs = Barrier.objects.select_related("department", "study", "created_by").annotate(
        is_overdue=Case(
            When(Q(status__in=OPEN_STATUSES, due_date__lt=today), then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
    )
    # Many-to-many filters go through a subquery so a barrier on two matching steps is listed once.
    if filters.journey_id:
        qs = qs.filter(
            pk__in=Barrier.steps.through.objects.filter(step__stage__journey_id=filters.journey_id).values("barrier_id")
        )
    if filters.stage_id:
        qs = qs.filter(
            pk__in=Barrier.steps.through.objects.filter(step__stage_id=filters.stage_id).values("barrier_id")
        )
    if filters.step_id:
        qs = qs.filter(pk__in=Barrier.steps.through.objects.filter(step_id=filters.step_id).values("barrier_id"))
    if filters.touchpoint_id:
        via_steps = Barrier.steps.through.objects.filter(step__touchpoint_id=filters.touchpoint_id).values("barrier_id")
        direct = Barrier.touchpoints.through.objects.filter(touchpoint_id=filters.touchpoint_id).values("barrier_id")
        qs = qs.filter(Q(pk__in=via_steps) | Q(pk__in=direct))
    if filters.department_id:
        qs = qs.filter(department_id=filters.department_id)
    if filters.type:
        qs = qs.filter(type=filters.type)
    if filters.severity:
        qs = qs.filter(severity=filters.severity)
    if filters.source:
        qs = qs.filter(source=filters.source)
    if filters.study_id:
        qs = qs.filter(study_id=filters.study_id)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.overdue:
        qs = qs.filter(status__in=OPEN_STATUSES, due_date__lt=today)
    if filters.query:
        qs = qs.filter(Q(title__icontains=filters.query) | Q(description__icontains=filters.query))
    return qs


def board_rows(filters: BoardFilters | None = None, *, today: date | None = None) -> QuerySet[Barrier]:
    """The board's table: overdue first, then severity, then due date (or the largest value at stake
    first); steps (with journeys) prefetched, the value at stake joined."""
    urgency = ["-is_overdue", "-severity", F("due_date").asc(nulls_last=True), "pk"]
    order = [F("stake__value").desc(nulls_last=True), *urgency] if filters and filters.by_stake else urgency
    return (
        barrier_list(filters, today=today)
        .select_related("stake")
        .prefetch_related(_steps_prefetch(), "touchpoints")
        .order_by(*order)
    )


@dataclass
class KanbanColumn:
    status: str
    label: str
    total: int
    cards: list[Barrier] = field(default_factory=list)


KANBAN_STATUSES = [
    Status.NEW,
    Status.ACCEPTED,
    Status.IN_PROGRESS,
    Status.REOPENED,
    Status.RESOLVED,
    Status.VERIFIED,
    Status.REJECTED,
]


def board_kanban(
    filters: BoardFilters | None = None, *, per_column: int = 25, today: date | None = None
) -> list[KanbanColumn]:
    """One column per status with its total and its first `per_column` cards, in two queries."""
    base = barrier_list(filters, today=today)
    totals = dict(base.order_by().values_list("status").annotate(n=Count("pk")))
    ranked = base.annotate(
        rank=Window(
            RowNumber(),
            partition_by=[F("status")],
            order_by=[F("is_overdue").desc(), F("severity").desc(), F("due_date").asc(nulls_last=True), F("pk").asc()],
        )
    ).filter(rank__lte=per_column)
    columns = {s: KanbanColumn(status=s, label=Status(s).label, total=totals.get(s, 0)) for s in KANBAN_STATUSES}
    for barrier in ranked.order_by("status", "rank"):
        columns[barrier.status].cards.append(barrier)
    return list(columns.values())


@dataclass
class InboxCounts:
    open: int
    overdue: int
    resolved_this_month: int
    awaiting_verification: int


def inbox_rows(user: AbstractBaseUser, *, today: date | None = None) -> QuerySet[Barrier]:
    """What the user's departments have to work: open barriers and resolved ones awaiting verification,
    overdue first, then by severity and due date."""
    today = today or timezone.localdate()
    return (
        barrier_list(today=today)
        .filter(department_id__in=department_ids_of(user), status__in=[*OPEN_STATUSES, Status.RESOLVED])
        .prefetch_related(_steps_prefetch(), "touchpoints")
        .order_by("-is_overdue", "-severity", F("due_date").asc(nulls_last=True), "pk")
    )


def inbox_counts(user: AbstractBaseUser, *, today: date | None = None) -> InboxCounts:
    today = today or timezone.localdate()
    month_start = today.replace(day=1)
    counts = Barrier.objects.filter(department_id__in=department_ids_of(user)).aggregate(
        open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        overdue=Count("pk", filter=Q(status__in=OPEN_STATUSES, due_date__lt=today)),
        resolved_this_month=Count("pk", filter=Q(resolved_at__date__gte=month_start)),
        awaiting_verification=Count("pk", filter=Q(status=Status.RESOLVED)),
    )
    return InboxCounts(**counts)


def barrier_detail(*, barrier_id: int) -> Barrier:
    """One barrier with everything its page shows, in a fixed number of queries."""
    return (
        Barrier.objects.select_related("department__head", "study", "created_by", "updated_by")
        .prefetch_related(
            _steps_prefetch(),
            "touchpoints__department",
            "evidence__created_by",
            "comments__author",
            Prefetch("activity", queryset=Activity.objects.select_related("actor").order_by("-at", "-pk")),
        )
        .get(pk=barrier_id)
    )


def barriers_by_step(step_ids: list[int]) -> dict[int, list[Barrier]]:
    """The barriers on each of these steps (the map's barriers lane), in one query."""
    through = (
        Barrier.steps.through.objects.filter(step_id__in=step_ids)
        .select_related("barrier")
        .order_by("-barrier__severity", "barrier__pk")
    )
    result: dict[int, list[Barrier]] = {}
    for link in through:
        result.setdefault(link.step_id, []).append(link.barrier)
    return result


def overdue_by_department(*, today: date) -> list[tuple[Department, list[Barrier]]]:
    """Overdue open barriers grouped by department (the morning digest), in one query."""
    overdue = (
        Barrier.objects.filter(status__in=OPEN_STATUSES, due_date__lt=today)
        .select_related("department__head")
        .order_by("department__name", "-severity", "due_date", "pk")
    )
    groups: dict[int, tuple[Department, list[Barrier]]] = {}
    for barrier in overdue:
        groups.setdefault(barrier.department_id, (barrier.department, []))[1].append(barrier)
    return list(groups.values())
