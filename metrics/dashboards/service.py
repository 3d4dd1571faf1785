"""Service against target by touchpoint and department, and barrier counts: the parts the
executive and the department dashboards share (from the monthly rollup; a fixed number of queries)."""

from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.db.models import Count, Q, Sum
from django.utils import timezone

from barriers.models import OPEN_STATUSES, Barrier
from journeys.models import Step

from ..figures.samples import too_few
from ..models import Grain, ServicePeriod, ServiceTarget
from .periods import Period


@dataclass
class ServiceRow:
    """A department's or touchpoint's cases within their targets in the period."""

    id: int
    name: str
    within: int
    eligible: int
    target: float | None  # target share, 0–1 (a department's: its touchpoints' weighted by eligible cases)
    department: str = ""
    department_id: int | None = None
    threshold_days: int | None = None
    journeys: list = field(default_factory=list)  # (id, title) of the journeys a touchpoint's steps are on

    @property
    def share(self) -> float | None:
        return self.within / self.eligible if self.eligible else None

    @property
    def gap(self) -> float | None:
        return None if self.share is None or self.target is None else self.share - self.target

    @property
    def too_few(self) -> bool:
        """Too few cases to judge (figures.samples): shown greyed, never ranked or flagged."""
        return too_few(self.eligible)

    @property
    def below_target(self) -> bool:
        return self.gap is not None and self.gap < 0 and not self.too_few

    @property
    def rank(self) -> tuple:
        """Worst gap first; rows without a share or with too few cases after them, by name."""
        return (
            self.too_few or self.gap is None,
            self.gap if self.gap is not None and not self.too_few else 0,
            self.name,
        )


def service_by_touchpoint(start: date, end: date, *, department_id: int | None = None) -> list[ServiceRow]:
    """Touchpoints with a target, their cases within it in the months [start, end), worst gap first
    (two queries, on the monthly rollup)."""
    targets = ServiceTarget.objects.select_related("touchpoint__department")
    if department_id is not None:
        targets = targets.filter(touchpoint__department_id=department_id)
    targets = {str(t.touchpoint_id): t for t in targets}
    rows = (
        ServicePeriod.objects.filter(
            grain=Grain.MONTH, dimension="touchpoint", key__in=list(targets), period_start__gte=start,
            period_start__lt=end,
        )
        .values("key")
        .annotate(within=Sum("within_target"), eligible=Sum("eligible_target"))
        .order_by()
    )  # fmt: skip
    result = []
    for row in rows:
        target = targets[row["key"]]
        touchpoint = target.touchpoint
        result.append(
            ServiceRow(
                id=touchpoint.pk,
                name=touchpoint.name,
                department=touchpoint.department.name,
                department_id=touchpoint.department_id,
                within=row["within"] or 0,
                eligible=row["eligible"] or 0,
                target=float(target.target_share),
                threshold_days=target.threshold_days,
            )
        )
    return sorted(result, key=lambda r: r.rank)


def service_by_department(touchpoints: list[ServiceRow]) -> list[ServiceRow]:
    """Departments from their touchpoints' rows: cases within their touchpoint's target, and the
    target those cases were held to on average (no query)."""
    grouped: dict[str, ServiceRow] = {}
    for row in touchpoints:
        group = grouped.setdefault(
            row.department, ServiceRow(id=0, name=row.department, within=0, eligible=0, target=0)
        )
        group.within += row.within
        group.eligible += row.eligible
        group.target += row.target * row.eligible
    for group in grouped.values():
        group.target = group.target / group.eligible if group.eligible else None
    return sorted(grouped.values(), key=lambda r: r.rank)


def attach_journeys(rows: list[ServiceRow]) -> None:
    """Give each touchpoint row the live journeys its steps are on (one query)."""
    below = {row.id: row for row in rows}
    if not below:
        return
    pairs = (
        Step.objects.filter(touchpoint_id__in=below)
        .exclude(stage__journey__status="archived")
        .values_list("touchpoint_id", "stage__journey_id", "stage__journey__title")
        .distinct()
        .order_by("stage__journey__title")
    )
    for touchpoint_id, journey_id, title in pairs:
        below[touchpoint_id].journeys.append((journey_id, title))


def barrier_counts(period: Period, *, today: date, department_id: int | None = None) -> dict:
    """Open and overdue now, resolved in the period (one query)."""
    barriers = Barrier.objects.all() if department_id is None else Barrier.objects.filter(department_id=department_id)
    resolved = Q(resolved_at__gte=_midnight(period.start), resolved_at__lt=_midnight(period.end))
    return barriers.aggregate(
        open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        overdue=Count("pk", filter=Q(status__in=OPEN_STATUSES, due_date__lt=today)),
        resolved=Count("pk", filter=resolved),
    )


def _midnight(day: date):
    return timezone.make_aware(datetime.combine(day, time()))
