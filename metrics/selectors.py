"""Reads of the stored figures (rollups only: pages never scan raw interactions)."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, IntegerField, Max, Sum
from django.db.models.functions import Cast
from django.utils import timezone

from .models import THRESHOLD_DAYS, MetricsRun, ServiceDay, ServiceTarget
from .value import SurveyScores


@dataclass(frozen=True)
class Share:
    """within / eligible, with its n; no data (None) when nothing is eligible — never 0 %."""

    within: int
    eligible: int

    @property
    def value(self) -> float | None:
        return self.within / self.eligible if self.eligible else None


@dataclass(frozen=True)
class ServiceLevel:
    opened: int
    resolved: int
    by_threshold: dict[int, Share]
    target_days: int | None
    target_share: Decimal | None
    against_target: Share | None
    mean_resolution_days: float | None

    @property
    def meets_target(self) -> bool | None:
        if self.against_target is None or self.against_target.value is None or self.target_share is None:
            return None
        return self.against_target.value >= float(self.target_share)


def last_run() -> MetricsRun | None:
    return MetricsRun.objects.filter(status=MetricsRun.Status.SUCCEEDED).order_by("-finished_at").first()


def last_full_run() -> MetricsRun | None:
    """The run the customer-value rollups, the service–loyalty link and value at stake are as of."""
    return MetricsRun.objects.filter(status=MetricsRun.Status.SUCCEEDED, full=True).order_by("-finished_at").first()


def service_levels_by_touchpoint(touchpoint_ids: list[int], *, start: date, end: date) -> dict[int, ServiceLevel]:
    """SL at 1, 3, 5, 10 days and against each touchpoint's target, for interactions opened in
    [start, end), from the daily rollup — two queries whatever the number of touchpoints."""
    sums = {f"within_{d}": Sum(f"within_{d}") for d in THRESHOLD_DAYS} | {
        f"open_older_{d}": Sum(f"open_older_{d}") for d in THRESHOLD_DAYS
    }
    rows = (
        ServiceDay.objects.filter(touchpoint_id__in=touchpoint_ids, day__gte=start, day__lt=end)
        .values("touchpoint_id")
        .annotate(
            opened_n=Sum("opened"),
            resolved_n=Sum("resolved"),
            within_target_n=Sum("within_target"),
            open_older_target_n=Sum("open_older_target"),
            resolution_sum=Sum("resolution_seconds_sum"),
            target=Max("target_days"),
            **sums,
        )
    )
    targets = {t.touchpoint_id: t for t in ServiceTarget.objects.filter(touchpoint_id__in=touchpoint_ids)}
    result = {}
    for row in rows:
        resolved = row["resolved_n"] or 0
        target = targets.get(row["touchpoint_id"])
        against = None
        if target is not None and row["target"] == target.threshold_days:
            against = Share(row["within_target_n"], resolved + row["open_older_target_n"])
        result[row["touchpoint_id"]] = ServiceLevel(
            opened=row["opened_n"] or 0,
            resolved=resolved,
            by_threshold={d: Share(row[f"within_{d}"], resolved + row[f"open_older_{d}"]) for d in THRESHOLD_DAYS},
            target_days=target.threshold_days if target else None,
            target_share=target.target_share if target else None,
            against_target=against,
            mean_resolution_days=(row["resolution_sum"] / resolved / 86_400) if resolved else None,
        )
    return result


def recent_window(*, days: int = 90, today: date | None = None) -> tuple[date, date]:
    """The last `days` days up to the last recompute (or today)."""
    run = last_run()
    last = timezone.localtime(run.as_of).date() if run else today or timezone.localdate()
    end = last + timedelta(days=1)
    return end - timedelta(days=days), end


def attach_service_levels(steps: list, *, days: int = 90) -> None:
    """Give each step `service`: its touchpoint's service level over the last `days` days (or None)."""
    touchpoint_ids = sorted({step.touchpoint_id for step in steps if step.touchpoint_id})
    levels = {}
    start, end = recent_window(days=days)
    if touchpoint_ids:
        levels = service_levels_by_touchpoint(touchpoint_ids, start=start, end=end)
    for step in steps:
        step.service = levels.get(step.touchpoint_id)
    attach_overlays(steps, since=start.replace(day=1))


@dataclass(frozen=True)
class StepStake:
    """Value at stake of a step's open barriers, summed (they may share customers: an upper bound)."""

    barriers: int  # open barriers with a figure
    value: float
    low: float
    high: float
    small_n: bool


def attach_overlays(steps: list, *, since: date) -> None:
    """Give each step `surveys` (NPS and CSAT at its touchpoint, from the monthly rollup, in the
    months the recent window touches) and `stake` (its open barriers' value at stake), two queries."""
    from barriers.models import OPEN_STATUSES, Barrier

    from .models import Grain, SurveyPeriod

    touchpoint_ids = sorted({step.touchpoint_id for step in steps if step.touchpoint_id})
    surveys: dict[int, SurveyScores] = {}
    if touchpoint_ids:
        rows = (
            SurveyPeriod.objects.filter(
                grain=Grain.MONTH, dimension="touchpoint", key__in=[str(pk) for pk in touchpoint_ids],
                period_start__gte=since,
            )
            .values("key")
            .annotate(n_nps=Sum("nps_n"), n_promoters=Sum("promoters"), n_detractors=Sum("detractors"),
                      n_csat=Sum("csat_n"), n_good=Sum("csat_good"))
        )  # fmt: skip
        for row in rows:
            surveys[int(row["key"])] = SurveyScores(
                row["n_nps"], row["n_promoters"], row["n_detractors"], row["n_csat"], row["n_good"], 0, 0
            )
    stakes: dict[int, StepStake] = {}
    step_ids = [step.pk for step in steps if step.pk]
    if step_ids:
        rows = (
            Barrier.steps.through.objects.filter(
                step_id__in=step_ids, barrier__status__in=OPEN_STATUSES, barrier__stake__value__isnull=False
            )
            .values("step_id")
            .annotate(
                n=Count("barrier_id"),
                total=Sum("barrier__stake__value"),
                low=Sum("barrier__stake__value_low"),
                high=Sum("barrier__stake__value_high"),
                small=Max(Cast("barrier__stake__small_n", IntegerField())),
            )
            .order_by()
        )
        for row in rows:
            stakes[row["step_id"]] = StepStake(row["n"], row["total"], row["low"], row["high"], bool(row["small"]))
    for step in steps:
        step.surveys = surveys.get(step.touchpoint_id)
        step.stake = stakes.get(step.pk)


@dataclass(frozen=True)
class PeriodFigures:
    """One week or month of a touchpoint, from the period rollups; shares and scores carry their n."""

    start: date
    opened: int
    resolved: int
    by_threshold: dict[int, Share]
    against_target: Share
    percentiles_days: dict[int, float | None]
    nps: Share | None  # within = promoters − detractors, eligible = answers
    csat: Share | None

    @property
    def nps_score(self) -> float | None:
        return 100 * self.nps.value if self.nps and self.nps.value is not None else None


PERIODS_SHOWN = {"month": 12, "week": 26}


def period_starts(grain: str, *, run: MetricsRun | None, count: int | None = None) -> list[date]:
    """The last `count` week or month starts up to the given recompute (or today), oldest first."""
    last = timezone.localtime(run.as_of).date() if run else timezone.localdate()
    count = count or PERIODS_SHOWN[grain]
    if grain == "week":
        monday = last - timedelta(days=last.weekday())
        return [monday - timedelta(weeks=n) for n in range(count - 1, -1, -1)]
    starts, month = [], last.replace(day=1)
    for _n in range(count):
        starts.append(month)
        month = (month - timedelta(days=1)).replace(day=1)
    return starts[::-1]


def touchpoint_periods(touchpoint_id: int, *, grain: str, starts: list[date]) -> list[PeriodFigures]:
    """A touchpoint's figures per period (every start listed, empty periods included): two queries."""
    from .models import ServicePeriod, SurveyPeriod

    wanted = {"grain": grain, "dimension": "touchpoint", "key": str(touchpoint_id), "period_start__in": starts}
    service = {row.period_start: row for row in ServicePeriod.objects.filter(**wanted)}
    surveys = {row.period_start: row for row in SurveyPeriod.objects.filter(**wanted)}
    result = []
    for start in starts:
        row, answers = service.get(start), surveys.get(start)
        result.append(
            PeriodFigures(
                start=start,
                opened=row.opened if row else 0,
                resolved=row.resolved if row else 0,
                by_threshold={
                    d: Share(getattr(row, f"within_{d}"), getattr(row, f"eligible_{d}")) if row else Share(0, 0)
                    for d in THRESHOLD_DAYS
                },
                against_target=Share(row.within_target, row.eligible_target) if row else Share(0, 0),
                percentiles_days={p: _days(getattr(row, f"resolution_p{p}", None)) for p in (50, 80, 90)},
                nps=Share(answers.promoters - answers.detractors, answers.nps_n) if answers else None,
                csat=Share(answers.csat_good, answers.csat_n) if answers else None,
            )
        )
    return result


def _days(seconds: int | None) -> float | None:
    return None if seconds is None else seconds / 86_400
