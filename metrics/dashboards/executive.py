"""What the executive outcome dashboard shows for a period and segment, as plain data, from the
stored rollups only (a fixed number of queries whatever the data). The figures of a period are those
`metrics_report --start --end` gives for the same days (tests/metrics/test_dashboard.py checks it)."""

from dataclasses import dataclass
from datetime import date

from django.db.models import F, Q
from django.utils import timezone

from barriers.models import OPEN_STATUSES, Barrier
from cxhub.lib.months import add_months
from journeys.models import Touchpoint

from ..figures import customer_value, report
from ..figures.customer_value import CustomerValue, RepeatPurchase, repeat_purchase
from ..figures.loyalty import Link
from ..figures.runs import last_customer_run, last_run
from ..figures.samples import too_few
from ..figures.service_level import PERIOD_COUNTS, TARGET, period_share, sum_counts
from ..figures.stakes import Stake
from ..figures.surveys import SURVEY_COUNTS, JourneyScores, SurveyScores, scores_by_journey
from ..models import THRESHOLD_DAYS, Grain, LoyaltyLink, ServicePeriod, SurveyPeriod
from .periods import Period
from .service import attach_journeys, barrier_counts, service_by_department, service_by_touchpoint

COHORT_MONTHS = 12
STAKES_SHOWN = 10


@dataclass(frozen=True)
class Trend:
    """A figure now and in the previous period; `delta` when both exist."""

    now: float | None
    before: float | None
    n: int
    n_before: int
    higher_is_better: bool = True

    @property
    def too_few(self) -> bool:
        """Too small a sample for a headline (figures.samples): shown greyed with its n."""
        return too_few(self.n)

    @property
    def comparable(self) -> bool:
        """Both periods have enough cases for the change to mean something."""
        return not too_few(self.n) and not too_few(self.n_before)

    @property
    def delta(self) -> float | None:
        return None if self.now is None or self.before is None else self.now - self.before

    @property
    def flat(self) -> bool:
        """No change worth an arrow: below 0.05 % of the figure, or of a share's whole."""
        return self.delta is None or abs(self.delta) < 0.0005 * max(1.0, abs(self.before or 0.0))

    @property
    def movement(self) -> str:
        """up, down or flat: which way the number went (the arrow)."""
        if self.flat:
            return "flat"
        return "up" if (self.delta or 0.0) > 0 else "down"

    @property
    def direction(self) -> str:
        """good, bad or flat: how the change reads for the business (the colour) — churn going
        down is good."""
        if self.flat:
            return "flat"
        return "good" if (self.movement == "up") == self.higher_is_better else "bad"


def _windows(start: date, end: date, previous_start: date) -> dict[str, Q]:
    return {
        "": Q(period_start__gte=start, period_start__lt=end),
        "_before": Q(period_start__gte=previous_start, period_start__lt=start),
    }


def _service_sums(start: date, end: date, previous_start: date) -> dict:
    """Overall counts of the period and the one before (`name_before`), from the monthly rollup (one
    query: the periods are whole months, and a month's row is the sum of its days)."""
    months = ServicePeriod.objects.filter(
        grain=Grain.MONTH, dimension="overall", period_start__gte=previous_start, period_start__lt=end
    )
    return sum_counts(months, PERIOD_COUNTS, windows=_windows(start, end, previous_start))


def _survey_sums(start: date, end: date, previous_start: date) -> tuple[SurveyScores, SurveyScores]:
    """Overall survey answers of the period and the one before, from the monthly rollup (one query)."""
    months = SurveyPeriod.objects.filter(
        grain=Grain.MONTH, dimension="overall", period_start__gte=previous_start, period_start__lt=end
    )
    sums = sum_counts(months, SURVEY_COUNTS, windows=_windows(start, end, previous_start))
    now, before = (
        SurveyScores(**{name: sums[f"{name}{suffix}"] for name in SURVEY_COUNTS}) for suffix in ("", "_before")
    )
    return now, before


def _value_pair(period: Period, segment: str | None) -> tuple[CustomerValue, CustomerValue, dict]:
    """Customer value now and before (for the segment or overall), and now per segment (two queries)."""
    now = customer_value.values_by_segment(period.start, period.end)
    before = customer_value.values_by_segment(period.previous.start, period.start)
    empty = customer_value.empty_value()
    key = segment if segment else None
    by_segment = {name: value for name, value in now.items() if name is not None}
    return now.get(key, empty), before.get(key, empty), by_segment


def _repeat(period: Period, segment: str | None) -> RepeatPurchase:
    """Repeat purchase is not additive over days: one query over the period's transactions, up to
    the moment the customer figures describe (as metrics_report gives it)."""
    span = report.Window(start=period.start, end=period.end, as_of=_as_of())
    return repeat_purchase(start=span.start_moment, end=span.end_moment, segment=segment)


def _as_of():
    run = last_customer_run() or last_run()
    return run.as_of if run else timezone.now()


def top_stakes(*, limit: int = STAKES_SHOWN) -> list[tuple[Barrier, Stake]]:
    """Open barriers ranked by value at stake (one query)."""
    barriers = (
        Barrier.objects.filter(status__in=OPEN_STATUSES, stake__isnull=False)
        .select_related("department", "stake")
        .order_by(F("stake__value").desc(nulls_last=True), F("stake__value_high").desc(nulls_last=True), "pk")[:limit]
    )
    return [(barrier, Stake.of(barrier.stake)) for barrier in barriers]


def journey_surveys(period: Period) -> list[JourneyScores]:
    """NPS, CSAT and CES of the answers tied to each journey in the period, up to the moment the
    service figures describe (one query); journeys with too few answers after the others."""
    span = report.Window(start=period.start, end=period.end, as_of=_as_of())
    rows = scores_by_journey(start=period.start, end=period.end, before=span.end_moment)
    return sorted(rows, key=lambda row: (too_few(row.scores.nps_n), -(row.scores.nps_n)))


def loyalty_rows() -> list[tuple[Touchpoint, LoyaltyLink, Link]]:
    """The service–loyalty link per touchpoint, largest uplift first; touchpoints with too few
    customers in either group after them, unranked, by name (one query)."""
    rows = LoyaltyLink.objects.select_related("touchpoint__department").order_by("touchpoint__name")
    linked = [(row.touchpoint, row, Link.pooled([row])) for row in rows]

    def rank(item: tuple[Touchpoint, LoyaltyLink, Link]) -> tuple:
        link = item[2]
        ranked = link.churn_uplift is not None and not link.too_few
        return (not ranked, -(link.churn_uplift or 0.0) if ranked else 0.0, item[0].name)

    return sorted(linked, key=rank)


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
    months = customer_value.values_by_month(
        min(period.start, add_months(period.end, -COHORT_MONTHS)), period.end, segment=segment or None
    )

    before = {name.removesuffix("_before"): n for name, n in service.items() if name.endswith("_before")}

    def trend_share(threshold: int | str) -> Trend:
        now, then = period_share(service, threshold), period_share(before, threshold)
        return Trend(now.value, then.value, now.eligible, then.eligible)

    return {
        "period": period,
        "segment": segment,
        "cards": {
            "clv": Trend(value_now.clv, value_before.clv, value_now.customers, value_before.customers),
            "value": value_now,
            "value_before": value_before,
            # n: the customers the rate is over (a low churn among many customers is a sound figure).
            "churn": Trend(
                value_now.churn_rate, value_before.churn_rate, value_now.customers, value_before.customers, False
            ),
            "lifetime": Trend(value_now.l, value_before.l, value_now.customers, value_before.customers),
            "repeat": Trend(repeat_now.rate, repeat_before.rate, repeat_now.buyers, repeat_before.buyers),
            "nps": Trend(surveys.nps, surveys_before.nps, surveys.nps_n, surveys_before.nps_n),
            "csat": Trend(surveys.csat, surveys_before.csat, surveys.csat_n, surveys_before.csat_n),
            # CES: the mean effort score, 1 (no effort) to 7 (a great deal): lower is better.
            "ces": Trend(surveys.ces, surveys_before.ces, surveys.ces_n, surveys_before.ces_n, False),
            "target": trend_share(TARGET),
            "thresholds": {days: trend_share(days) for days in THRESHOLD_DAYS},
            "opened": Trend(service["opened"], service["opened_before"], service["opened"], service["opened_before"]),
            "barriers": barrier_counts(period, today=today),
        },
        "touchpoints": touchpoints,
        "departments": service_by_department(touchpoints),
        "value_segments": value_segments,
        "value_months": months,
        # The cohorts acquired in the twelve months up to the period's end, whatever its length.
        "cohorts": customer_value.cohorts(
            add_months(last_month, -COHORT_MONTHS + 1), last_month, segment=segment or None
        ),
        "loyalty": loyalty_rows(),
        "journey_surveys": journey_surveys(period),
        "stakes": top_stakes(),
    }
