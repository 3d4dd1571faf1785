"""What the outcome dashboards show, as plain data, from the stored rollups only (a fixed number of
queries whatever the data): the executive dashboard (`executive`) and a department's (`department`).

Periods are whole months — a month, a quarter, a year or a custom run of months — because the
survey rollups are monthly; the figures of a period are those `metrics_report --start --end` gives
for the same days (tests/metrics/test_dashboard.py checks it). Each period is compared with the one
of the same length just before it.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from django.db.models import Count, F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from barriers.models import OPEN_STATUSES, Barrier, Status
from cxhub.org.models import Department
from journeys.models import Step, Touchpoint

from . import customer_days, report
from .loyalty import Link
from .models import (
    THRESHOLD_DAYS,
    CustomerDay,
    Grain,
    LoyaltyLink,
    ServiceDay,
    ServicePeriod,
    ServiceTarget,
    SurveyPeriod,
)
from .selectors import last_full_run, last_run
from .stakes import Stake
from .value import CustomerValue, RepeatPurchase, SurveyScores, repeat_purchase

KINDS = {"month": 1, "quarter": 3, "year": 12}
KIND_LABELS = {"month": _("Month"), "quarter": _("Quarter"), "year": _("Year"), "custom": _("Custom")}
COHORT_MONTHS = 12
STAKES_SHOWN = 10


class PeriodError(ValueError):
    """A period the dashboard cannot show, with the reason (shown above the form)."""


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    kind: str  # month, quarter, year or custom
    start: date  # a month's first day
    end: date  # exclusive, a month's first day

    @property
    def months(self) -> int:
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month

    @property
    def previous(self) -> "Period":
        return Period(self.kind, add_months(self.start, -self.months), self.start)

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    def query(self, segment: str = "") -> str:
        """The query string that selects this period (links, CSV and PDF keep the selection)."""
        params = {"period": self.kind, "start": self.start.strftime("%Y-%m")}
        if self.kind == "custom":
            params["end"] = self.last_day.strftime("%Y-%m")
        if segment:
            params["segment"] = segment
        return urlencode(params)


def latest_month(today: date | None = None) -> date:
    """The month the default period ends with: the last complete month of the computed data."""
    run = last_run()
    last = timezone.localtime(run.as_of).date() if run else today or timezone.localdate()
    return add_months(last.replace(day=1), -1)


def parse_period(params, *, today: date | None = None) -> Period:
    """The period a query string asks for: `period` (month, quarter, year, custom), `start` (YYYY-MM)
    and, for custom, `end` (YYYY-MM, inclusive). Default: the last complete month."""
    kind = params.get("period") or "month"
    if kind not in (*KINDS, "custom"):
        raise PeriodError(_("Unknown period “%(kind)s”: choose month, quarter, year or custom.") % {"kind": kind})
    default = latest_month(today)
    start = _month(params.get("start"), "start") or default
    if kind == "quarter":
        start = start.replace(month=(start.month - 1) // 3 * 3 + 1)
    elif kind == "year":
        start = start.replace(month=1)
    if kind == "custom":
        last = _month(params.get("end"), "end") or max(start, default)
        if last < start:
            raise PeriodError(_("The custom period ends before it starts."))
        end = add_months(last, 1)
        if (end.year - start.year) * 12 + end.month - start.month > 120:
            raise PeriodError(_("A custom period can be at most ten years long."))
        return Period(kind, start, end)
    return Period(kind, start, add_months(start, KINDS[kind]))


def _month(text: str | None, name: str) -> date | None:
    if not text:
        return None
    try:
        year, month = (int(part) for part in text.split("-")[:2])
        return date(year, month, 1)
    except ValueError:
        raise PeriodError(
            _("“%(value)s” in %(name)s is not a month; use YYYY-MM, e.g. 2026-03.") % {"value": text, "name": name}
        ) from None


def period_choices(kind: str, *, last: date, first: date | None) -> list[tuple[str, str]]:
    """(YYYY-MM of the start, label) of the periods of a kind between the data's first month and `last`."""
    first = first or add_months(last, -11)
    step = KINDS.get(kind, 1)
    month = first.replace(month=(first.month - 1) // step * step + 1) if step > 1 else first
    choices = []
    while month <= last:
        if kind == "quarter":
            label = _("Q%(quarter)s %(year)s") % {"quarter": (month.month - 1) // 3 + 1, "year": month.year}
        elif kind == "year":
            label = str(month.year)
        else:
            label = month
        choices.append((month.strftime("%Y-%m"), label))
        month = add_months(month, step)
    return choices[::-1]


def controls(period: Period) -> dict:
    """What the period form offers: the kinds, the periods of the chosen kind, the one selected."""
    first, last = data_months()
    options = period_choices(period.kind, last=last, first=first) if period.kind in KINDS else []
    value = period.start.strftime("%Y-%m")
    if period.kind in KINDS and value not in dict(options):  # a period outside the data, asked for by URL
        label = period_choices(period.kind, last=period.start, first=period.start)[0][1]
        options = sorted([*options, (value, label)], key=lambda option: option[0], reverse=True)
    return {"kinds": KIND_LABELS, "options": options, "value": value, "label": KIND_LABELS[period.kind]}


def data_months() -> tuple[date | None, date]:
    """The first month with computed data (or None) and the last month to offer (one query)."""
    first = ServiceDay.objects.order_by("day").values_list("day", flat=True).first()
    return (first.replace(day=1) if first else None), latest_month()


def segments() -> list[str]:
    """The segments of the customer-value rollup (a few hundred rows, not every customer)."""
    return list(CustomerDay.objects.order_by("segment").values_list("segment", flat=True).distinct())


# The executive dashboard ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Trend:
    """A figure now and in the previous period; `delta` when both exist."""

    now: float | None
    before: float | None
    n: int
    n_before: int
    higher_is_better: bool = True

    @property
    def delta(self) -> float | None:
        return None if self.now is None or self.before is None else self.now - self.before

    @property
    def direction(self) -> str:
        """good, bad or flat (a change below 0.05 % of the figure, or of a share's whole): how the
        change reads for the business."""
        if self.delta is None or abs(self.delta) < 0.0005 * max(1.0, abs(self.before)):
            return "flat"
        return "good" if (self.delta > 0) == self.higher_is_better else "bad"


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
    def below_target(self) -> bool:
        return self.gap is not None and self.gap < 0


def _service_sums(start: date, end: date, previous_start: date) -> dict:
    """Overall counts of the period and the one before, from the monthly rollup (one query: the
    periods are whole months, and a month's row is the sum of its days)."""
    now = Q(period_start__gte=start, period_start__lt=end)
    before = Q(period_start__gte=previous_start, period_start__lt=start)
    names = ["opened", "resolved", "within_target", "eligible_target"]
    names += [f"{part}_{days}" for days in THRESHOLD_DAYS for part in ("within", "eligible")]
    sums = {}
    for suffix, where in (("", now), ("_before", before)):
        sums |= {f"n_{name}{suffix}": Sum(name, filter=where) for name in names}  # aliases may not shadow fields
    row = ServicePeriod.objects.filter(
        grain=Grain.MONTH, dimension="overall", period_start__gte=previous_start, period_start__lt=end
    ).aggregate(**sums)
    return {key.removeprefix("n_"): value or 0 for key, value in row.items()}


def _survey_sums(start: date, end: date, previous_start: date) -> tuple[SurveyScores, SurveyScores]:
    """Overall survey answers of the period and the one before, from the monthly rollup (one query)."""
    fields = ("nps_n", "promoters", "detractors", "csat_n", "csat_good", "ces_n", "ces_sum")
    sums = {}
    for suffix, where in (
        ("", Q(period_start__gte=start, period_start__lt=end)),
        ("_before", Q(period_start__gte=previous_start, period_start__lt=start)),
    ):
        sums |= {f"{name}{suffix}": Sum(name, filter=where) for name in fields}
    row = SurveyPeriod.objects.filter(
        grain=Grain.MONTH, dimension="overall", period_start__gte=previous_start, period_start__lt=end
    ).aggregate(**{f"n_{key}": total for key, total in sums.items()})
    return tuple(SurveyScores(**{name: row[f"n_{name}{suffix}"] or 0 for name in fields}) for suffix in ("", "_before"))


def _value_pair(period: Period, segment: str | None) -> tuple[CustomerValue, CustomerValue, dict]:
    """Customer value now and before (for the segment or overall), and now per segment (two queries)."""
    now = customer_days.values_by_segment(period.start, period.end)
    before = customer_days.values_by_segment(period.previous.start, period.start)
    empty = customer_days.empty_value()
    key = segment if segment else None
    by_segment = {name: value for name, value in now.items() if name is not None}
    return now.get(key, empty), before.get(key, empty), by_segment


def _repeat(period: Period, segment: str | None) -> RepeatPurchase:
    """Repeat purchase is not additive over days: one query over the period's transactions, up to
    the moment the customer figures describe (as metrics_report gives it)."""
    span = report.Window(start=period.start, end=period.end, as_of=_as_of())
    return repeat_purchase(start=span.start_moment, end=span.end_moment, segment=segment)


def _as_of():
    run = last_full_run() or last_run()
    return run.as_of if run else timezone.now()


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
    return sorted(result, key=lambda r: (r.gap is None, r.gap if r.gap is not None else 0, r.name))


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
    return sorted(grouped.values(), key=lambda r: (r.gap is None, r.gap if r.gap is not None else 0, r.name))


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


def top_stakes(*, limit: int = STAKES_SHOWN) -> list[tuple[Barrier, Stake]]:
    """Open barriers ranked by value at stake (one query)."""
    barriers = (
        Barrier.objects.filter(status__in=OPEN_STATUSES, stake__isnull=False)
        .select_related("department", "stake")
        .order_by(F("stake__value").desc(nulls_last=True), F("stake__value_high").desc(nulls_last=True), "pk")[:limit]
    )
    return [(barrier, Stake.of(barrier.stake)) for barrier in barriers]


def loyalty_rows() -> list[tuple[Touchpoint, LoyaltyLink, Link]]:
    """The service–loyalty link per touchpoint, largest uplift first (one query)."""
    rows = LoyaltyLink.objects.select_related("touchpoint__department").order_by("touchpoint__name")
    linked = [(row.touchpoint, row, Link.pooled([row])) for row in rows]
    return sorted(linked, key=lambda item: -(item[2].churn_uplift if item[2].churn_uplift is not None else -2))


def executive(period: Period, *, segment: str = "", today: date | None = None) -> dict:
    """Everything the executive dashboard shows for a period and segment (a fixed number of queries)."""
    today = today or timezone.localdate()
    previous = period.previous
    service = _service_sums(period.start, period.end, previous.start)
    surveys, surveys_before = _survey_sums(period.start, period.end, previous.start)
    value_now, value_before, value_segments = _value_pair(period, segment or None)
    repeat_now, repeat_before = _repeat(period, segment or None), _repeat(previous, segment or None)
    touchpoints = service_by_touchpoint(period.start, period.end)
    attach_journeys(touchpoints)
    last_month = period.last_day.replace(day=1)
    months = customer_days.values_by_month(
        min(period.start, add_months(period.end, -COHORT_MONTHS)), period.end, segment=segment or None
    )

    def share(suffix: str, within: str, eligible: str) -> tuple[float | None, int]:
        n = service[f"{eligible}{suffix}"]
        return (service[f"{within}{suffix}"] / n if n else None), n

    def trend_share(within: str, eligible: str) -> Trend:
        (now, n), (before, n_before) = share("", within, eligible), share("_before", within, eligible)
        return Trend(now, before, n, n_before)

    return {
        "period": period,
        "segment": segment,
        "cards": {
            "clv": Trend(value_now.clv, value_before.clv, value_now.customers, value_before.customers),
            "value": value_now,
            "value_before": value_before,
            "churn": Trend(
                value_now.churn_rate, value_before.churn_rate, value_now.churned, value_before.churned, False
            ),
            "lifetime": Trend(value_now.l, value_before.l, value_now.customers, value_before.customers),
            "repeat": Trend(repeat_now.rate, repeat_before.rate, repeat_now.buyers, repeat_before.buyers),
            "nps": Trend(surveys.nps, surveys_before.nps, surveys.nps_n, surveys_before.nps_n),
            "csat": Trend(surveys.csat, surveys_before.csat, surveys.csat_n, surveys_before.csat_n),
            "target": trend_share("within_target", "eligible_target"),
            "thresholds": {days: trend_share(f"within_{days}", f"eligible_{days}") for days in THRESHOLD_DAYS},
            "opened": Trend(service["opened"], service["opened_before"], service["opened"], service["opened_before"]),
            "barriers": barrier_counts(period, today=today),
        },
        "touchpoints": touchpoints,
        "departments": service_by_department(touchpoints),
        "value_segments": value_segments,
        "value_months": months,
        # The cohorts acquired in the twelve months up to the period's end, whatever its length.
        "cohorts": customer_days.cohorts(
            add_months(last_month, -COHORT_MONTHS + 1), last_month, segment=segment or None
        ),
        "loyalty": loyalty_rows(),
        "stakes": top_stakes(),
    }


# The department dashboard --------------------------------------------------------------------------


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
