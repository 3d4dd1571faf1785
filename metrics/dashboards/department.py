"""What a department head sees on the department dashboard, as plain data (a fixed number of queries)."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count
from django.utils import timezone

from barriers.models import OPEN_STATUSES, Barrier, Status
from cxhub.lib.months import add_months
from cxhub.org.models import Department
from journeys.models import Step, Touchpoint

from ..models import Grain, ServicePeriod, ServiceTarget, SurveyPeriod
from .executive import COHORT_MONTHS
from .periods import Period
from .service import attach_journeys, barrier_counts, service_by_touchpoint


@dataclass
class TouchpointSeries:
    """A touchpoint's monthly cases within its target (share per month, None without cases)."""

    touchpoint: Touchpoint
    target: ServiceTarget | None
    shares: list[float | None]
    eligible: list[int]


def department(dept: Department, period: Period, *, today: date | None = None) -> dict:
    """What a department head sees: their touchpoints' service over the twelve months to the period's
    end against target, the department's percentiles, volumes and CSAT by month, their barriers by
    status and overdue, and the journey steps at their touchpoints (a fixed number of queries)."""
    today = today or timezone.localdate()
    first = add_months(period.end, -COHORT_MONTHS)
    months = [add_months(first, k) for k in range(COHORT_MONTHS)]
    touchpoints = list(Touchpoint.objects.filter(department=dept).select_related("service_target").order_by("name"))
    keys = [str(t.pk) for t in touchpoints]
    by_touchpoint = {
        (row.key, row.period_start): row
        for row in ServicePeriod.objects.filter(
            grain=Grain.MONTH,
            dimension="touchpoint",
            key__in=keys,
            period_start__gte=first,
            period_start__lt=period.end,
        )
    }
    dept_rows = {
        row.period_start: row
        for row in ServicePeriod.objects.filter(
            grain=Grain.MONTH, dimension="department", key=str(dept.pk), period_start__gte=first,
            period_start__lt=period.end,
        )
    }  # fmt: skip
    csat_rows = {
        row.period_start: row
        for row in SurveyPeriod.objects.filter(
            grain=Grain.MONTH, dimension="department", key=str(dept.pk), period_start__gte=first,
            period_start__lt=period.end,
        )
    }  # fmt: skip
    series = []
    for touchpoint in touchpoints:
        target = getattr(touchpoint, "service_target", None)
        rows = [by_touchpoint.get((str(touchpoint.pk), month)) for month in months]
        series.append(
            TouchpointSeries(
                touchpoint=touchpoint,
                target=target,
                shares=[r.within_target / r.eligible_target if r and r.eligible_target else None for r in rows],
                eligible=[r.eligible_target if r else 0 for r in rows],
            )
        )
    current = service_by_touchpoint(period.start, period.end, department_id=dept.pk)
    attach_journeys(current)
    barriers = Barrier.objects.filter(department=dept)
    by_status = dict(barriers.values_list("status").annotate(n=Count("pk")).order_by())
    overdue = list(
        barriers.filter(status__in=OPEN_STATUSES, due_date__lt=today)
        .select_related("department")
        .order_by("due_date", "pk")[:20]
    )
    steps = list(
        Step.objects.filter(touchpoint__department=dept)
        .exclude(stage__journey__status="archived")
        .select_related("stage__journey", "touchpoint")
        .order_by("stage__journey__title", "stage__position", "position")[:100]
    )

    def month_value(rows: dict, month: date, pick):
        row = rows.get(month)
        return pick(row) if row is not None else None

    return {
        "department": dept,
        "period": period,
        "months": months,
        "series": series,
        "current": current,
        "percentiles": {
            p: [month_value(dept_rows, m, lambda r, p=p: _days(getattr(r, f"resolution_p{p}"))) for m in months]
            for p in (50, 80, 90)
        },
        "opened": [month_value(dept_rows, m, lambda r: r.opened) or 0 for m in months],
        "resolved": [month_value(dept_rows, m, lambda r: r.resolved) or 0 for m in months],
        "csat": [
            month_value(csat_rows, m, lambda r: round(100 * r.csat_good / r.csat_n, 1) if r.csat_n else None)
            for m in months
        ],
        "csat_n": [month_value(csat_rows, m, lambda r: r.csat_n) or 0 for m in months],
        "by_status": [(status, by_status.get(status.value, 0)) for status in Status],
        "overdue": overdue,
        "counts": barrier_counts(period, today=today, department_id=dept.pk),
        "steps": steps,
        "has_service": any(dept_rows[m].opened for m in dept_rows),
    }


def _days(seconds: int | None) -> float | None:
    return None if seconds is None else round(seconds / 86_400, 2)
