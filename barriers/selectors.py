"""Reads of barriers; each function owns its query shape and keeps the number of queries constant."""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Case, Count, F, IntegerField, Prefetch, Q, QuerySet, Value, When, Window
from django.db.models.expressions import OrderBy
from django.db.models.functions import RowNumber
from django.utils import timezone

from cxhub.org.models import Department
from cxhub.org.selectors import department_ids_of
from journeys.models import Step

from .models import OPEN_STATUSES, Activity, Barrier, Status


def _steps_prefetch() -> "Prefetch[Any]":
    return Prefetch(
        "steps",
        queryset=Step.objects.select_related("stage__journey", "touchpoint").order_by(
            "stage__journey__title", "stage__position", "position"
        ),
    )


def barrier_list(*, today: date | None = None) -> QuerySet[Barrier]:
    """Barriers with what every row shows and an `is_overdue` flag; the board filters them with
    barriers.filters.BoardFilter."""
    today = today or timezone.localdate()
    return Barrier.objects.select_related("department", "study", "created_by").annotate(
        is_overdue=Case(
            When(Q(status__in=OPEN_STATUSES, due_date__lt=today), then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
    )


def board_rows(barriers: QuerySet[Barrier] | None = None, *, by_stake: bool = False) -> QuerySet[Barrier]:
    """The board's table of `barriers` (default: all of barrier_list()): overdue first, then severity,
    then due date (or the largest value at stake first); steps (with journeys) prefetched, the value
    at stake joined."""
    urgency: list[str | OrderBy] = [F("is_overdue").desc(), "-severity", F("due_date").asc(nulls_last=True), "pk"]
    order = [F("stake__value").desc(nulls_last=True), *urgency] if by_stake else urgency
    return (
        (barrier_list() if barriers is None else barriers)
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


def board_kanban(barriers: QuerySet[Barrier] | None = None, *, per_column: int = 25) -> list[KanbanColumn]:
    """One column per status of `barriers` (default: all of barrier_list()) with its total and its
    first `per_column` cards, in two queries."""
    base = barrier_list() if barriers is None else barriers
    totals = dict(base.order_by().values_list("status").annotate(n=Count("pk")))
    ranked = base.annotate(
        rank=Window(
            RowNumber(),
            partition_by=[F("status")],
            order_by=[F("is_overdue").desc(), F("severity").desc(), F("due_date").asc(nulls_last=True), F("pk").asc()],
        )
    ).filter(rank__lte=per_column)
    columns: dict[str, KanbanColumn] = {
        s: KanbanColumn(status=s, label=str(Status(s).label), total=totals.get(s, 0)) for s in KANBAN_STATUSES
    }
    for barrier in ranked.order_by("status", "rank"):
        columns[barrier.status].cards.append(barrier)
    return list(columns.values())


@dataclass
class InboxCounts:
    open: int
    overdue: int
    resolved_this_month: int
    awaiting_verification: int


def inbox_rows(user: User, *, today: date | None = None) -> QuerySet[Barrier]:
    """What the user's departments have to work: open barriers and resolved ones awaiting verification,
    overdue first, then by severity and due date."""
    today = today or timezone.localdate()
    return (
        barrier_list(today=today)
        .filter(department_id__in=department_ids_of(user), status__in=[*OPEN_STATUSES, Status.RESOLVED])
        .prefetch_related(_steps_prefetch(), "touchpoints")
        .order_by(F("is_overdue").desc(), "-severity", F("due_date").asc(nulls_last=True), "pk")
    )


def inbox_counts(user: User, *, today: date | None = None) -> InboxCounts:
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
