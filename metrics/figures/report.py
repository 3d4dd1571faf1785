"""The headline figures of a window, as plain data: `metrics_report --json`, `/api/v1/metrics/…` and
the dashboards read them from here.

Every figure is as of the window's `as_of`, whatever recompute wrote the rollups: the window holds
the interactions and answers opened (submitted) in its days before as_of. Service counts are sums of
ServiceDay over its whole days (exact for any range), as_of's own day and the open cases' part of
eligibility counted from the interactions themselves, judged at as_of
(service_level.counts_as_of); percentiles are the stored ones when the window is exactly a stored
period (an ISO week or a month) that as_of has passed, otherwise one nearest-rank query over the
window's interactions. Survey scores likewise (SurveyPeriod, or one aggregate). Customer value,
repeat purchase and cohorts are SQL aggregates over customers and transactions for the window
(DOMAIN.md; metrics.figures.customer_value).

Every figure carries its n; a figure with n = 0 is null ("no data"), never 0.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone

from cxhub.lib.months import months_between, next_month, week_start
from journeys.models import Touchpoint

from ..models import (
    THRESHOLD_DAYS,
    Customer,
    Dimension,
    Grain,
    Interaction,
    ServicePeriod,
    SurveyPeriod,
    SurveyResponse,
)
from . import customer_value as value
from .runs import last_customer_run, last_run
from .service_level import (
    FIRST_RESPONSE_PERCENTILES,
    PERCENTILES,
    TARGET,
    Share,
    counts_as_of,
    daily_share,
    resolution_percentiles,
)
from .surveys import SURVEY_COUNTS, SurveyScores, survey_scores

DAY = 86_400


class ReportError(ValueError):
    """A window or touchpoint that cannot be reported on, with the reason."""


@dataclass(frozen=True)
class Window:
    start: date
    end: date  # exclusive
    as_of: datetime

    @property
    def start_moment(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.start, time()))

    @property
    def end_moment(self) -> datetime:
        return min(timezone.make_aware(datetime.combine(self.end, time())), self.as_of)


def window(*, as_of: datetime | None = None, start: date | None = None, end: date | None = None) -> Window:
    """The report's window: [start, end) in days, by default the 365 days up to as_of; as_of defaults
    to the last recompute (the moment the stored service figures describe)."""
    if as_of is None:
        run = last_run()
        as_of = run.as_of if run else timezone.now()
    elif timezone.is_naive(as_of):
        as_of = timezone.make_aware(as_of)
    end = end or timezone.localtime(as_of).date() + timedelta(days=1)
    start = start or end - timedelta(days=365)
    if start >= end:
        raise ReportError(f"start ({start}) must be before end ({end}); end is exclusive.")
    return Window(start=start, end=end, as_of=as_of)


def touchpoint_named(name: str) -> Touchpoint:
    """A touchpoint by code or name (case-insensitive), as imports match them."""
    found = Touchpoint.objects.filter(Q(code__iexact=name) | Q(name__iexact=name)).first()
    if found is None:
        raise ReportError(f"No touchpoint with the code or name “{name}”.")
    return found


def report(span: Window, *, touchpoint: Touchpoint | None = None) -> dict[str, Any]:
    run = last_run()
    result = {
        "window": {"start": span.start.isoformat(), "end": span.end.isoformat(), "as_of": _local(span.as_of)},
        "rollups": {
            "as_of": _local(run.as_of) if run else None,
            "finished_at": _local(run.finished_at) if run and run.finished_at else None,
        },
    }
    ids = [touchpoint.pk] if touchpoint else None
    if touchpoint is not None:
        result["touchpoint"] = {
            "id": touchpoint.pk,
            "code": touchpoint.code,
            "name": touchpoint.name,
            "channel": touchpoint.channel,
            "department": touchpoint.department.name,
        }
    result["service"] = service_figures(span, touchpoint_ids=ids)
    result["surveys"] = survey_figures(span, touchpoint_ids=ids)
    if touchpoint is None:
        result.update(customer_figures(span))
    return result


def _local(moment: datetime) -> str:
    return timezone.localtime(moment).isoformat()


def _share(share: Share) -> dict[str, Any]:
    value = share.value
    return {"within": share.within, "eligible": share.eligible, "share": None if value is None else round(value, 4)}


def _score(score: float | None, n: int) -> dict[str, Any]:
    return {"score": None if score is None else round(score, 2), "n": n}


def stored_period(span: Window) -> tuple[str, date] | None:
    """(grain, period start) when the window is exactly a stored ISO week or month."""
    if span.start.day == 1 and span.end == next_month(span.start):
        return Grain.MONTH, span.start
    if span.start == week_start(span.start) and span.end - span.start == timedelta(days=7):
        return Grain.WEEK, span.start
    return None


def service_figures(span: Window, *, touchpoint_ids: list[int] | None = None) -> dict[str, Any]:
    n = counts_as_of(span.as_of, start=span.start, end=span.end, touchpoint_ids=touchpoint_ids)
    resolved, first_n = n["resolved"], n["first_response_n"]
    resolution, first_response = _percentiles(span, touchpoint_ids)
    return {
        "opened": n["opened"],
        "resolved": resolved,
        "service_level": {str(d): _share(daily_share(n, d)) for d in THRESHOLD_DAYS},
        "against_targets": _share(daily_share(n, TARGET)),
        "resolution_days": {
            "n": resolved,
            "mean": round(n["resolution_seconds_sum"] / resolved / DAY, 3) if resolved else None,
            **{f"p{p}": resolution.get(p) for p in PERCENTILES},
        },
        "first_response_hours": {
            "n": first_n,
            "mean": round(n["first_response_seconds_sum"] / first_n / 3600, 3) if first_n else None,
            **{f"p{p}": first_response.get(p) for p in FIRST_RESPONSE_PERCENTILES},
        },
        "interaction_csat": _score(100 * n["csat_good"] / n["csat_n"] if n["csat_n"] else None, n["csat_n"]),
    }


def _group(touchpoint_ids: list[int] | None) -> tuple[str, str]:
    return (Dimension.OVERALL, "") if touchpoint_ids is None else (Dimension.TOUCHPOINT, str(touchpoint_ids[0]))


def _stored(span: Window, touchpoint_ids: list[int] | None, model: type[Interaction | SurveyResponse]) -> bool:
    """Whether the window's stored period answers it: a stored week or month, one group, and nothing
    in it at or after as_of (a period as_of is inside of holds less than the stored row)."""
    if stored_period(span) is None or (touchpoint_ids is not None and len(touchpoint_ids) != 1):
        return False
    return not _held_from_as_of(span, touchpoint_ids, model)


def _held_from_as_of(span: Window, touchpoint_ids: list[int] | None, model: type[Interaction | SurveyResponse]) -> bool:
    """Whether the window holds a row opened (submitted) at or after its as_of, which as_of leaves
    out. Only days from as_of's local day on can: looked for through the day indexes (none when the
    window ends before that day), not in every row of the window."""
    first = max(span.start, timezone.localtime(span.as_of).date())
    if first >= span.end:
        return False
    day, moment = ("opened_day", "opened_at") if model is Interaction else ("submitted_day", "submitted_at")
    later = model.objects.filter(**{f"{day}__gte": first, f"{day}__lt": span.end, f"{moment}__gte": span.as_of})
    if touchpoint_ids is not None:
        later = later.filter(touchpoint_id__in=touchpoint_ids)
    return later.exists()


def _percentiles(span: Window, touchpoint_ids: list[int] | None) -> tuple[dict[int, float], dict[int, float]]:
    """{p: days} of resolution and {p: hours} of first response, stored or queried."""
    stored = stored_period(span)
    if stored is not None and _stored(span, touchpoint_ids, Interaction):
        grain, start = stored
        dimension, key = _group(touchpoint_ids)
        row = ServicePeriod.objects.filter(grain=grain, period_start=start, dimension=dimension, key=key).first()
        if row is None:
            return {}, {}
        stored_resolution = {p: getattr(row, f"resolution_p{p}") for p in PERCENTILES}
        stored_first = {p: getattr(row, f"first_response_p{p}") for p in FIRST_RESPONSE_PERCENTILES}
        return (
            {p: round(s / DAY, 3) for p, s in stored_resolution.items() if s is not None},
            {p: round(s / 3600, 3) for p, s in stored_first.items() if s is not None},
        )
    # Cut at as_of only when some row needs it: without the cut, a touchpoint's durations are read
    # from its covering index alone rather than from a heap page per case (1.15 s at 10M rows).
    before = span.as_of if _held_from_as_of(span, touchpoint_ids, Interaction) else None
    resolution = resolution_percentiles(start=span.start, end=span.end, touchpoint_ids=touchpoint_ids, before=before)
    first = resolution_percentiles(
        start=span.start,
        end=span.end,
        touchpoint_ids=touchpoint_ids,
        column="first_response_seconds",
        percentiles=FIRST_RESPONSE_PERCENTILES,
        before=before,
    )
    return (
        {p: round(d, 3) for p, d in resolution.get(None, {}).items()},
        {p: round(d * 24, 3) for p, d in first.get(None, {}).items()},
    )


def survey_figures(span: Window, *, touchpoint_ids: list[int] | None = None) -> dict[str, Any]:
    stored = stored_period(span)
    if stored is not None and _stored(span, touchpoint_ids, SurveyResponse):
        grain, start = stored
        dimension, key = _group(touchpoint_ids)
        row = SurveyPeriod.objects.filter(grain=grain, period_start=start, dimension=dimension, key=key).first()
        scores = SurveyScores(**{f: getattr(row, f) if row else 0 for f in SURVEY_COUNTS})
    else:
        scores = survey_scores(start=span.start, end=span.end, touchpoint_ids=touchpoint_ids, before=span.as_of)
    return {
        "nps": {**_score(scores.nps, scores.nps_n), "promoters": scores.promoters, "detractors": scores.detractors},
        "csat": _score(scores.csat, scores.csat_n),
        "ces": _score(scores.ces, scores.ces_n),
    }


def _value(figures: value.CustomerValue) -> dict[str, Any]:
    def rounded(number: float | None, digits: int = 2) -> float | None:
        return None if number is None else round(number, digits)

    return {
        "customers": figures.customers,
        "exposure_years": round(figures.exposure_years, 3),
        "R": rounded(figures.r),
        "S": rounded(figures.s),
        "A": rounded(figures.a),
        "A_n": figures.acquired,
        "L": rounded(figures.l, 3),
        "lifetime_capped": figures.lifetime_capped,
        "churned": figures.churned,
        "churn_rate": rounded(figures.churn_rate, 4),
        "CLV": rounded(figures.clv),
    }


def customer_figures(span: Window) -> dict[str, Any]:
    """Customer value (overall and per segment), repeat purchase and cohorts of the window.

    They come from the customer-value rollup (metrics.rollups.customer_days) of the last full recompute when
    it answers the window exactly — the window ends at a midnight the rollup has passed, or it is the
    default window up to the last recompute, which the rollup then describes up to its own as_of —
    and straight from customers and transactions otherwise (an explicit --as-of the rollup cannot give)."""
    start, end = span.start_moment, span.end_moment
    first_month = span.start.replace(day=1)
    last_month = (span.end - timedelta(days=1)).replace(day=1)
    full, latest = last_customer_run(), last_run()
    if full is not None and (
        end == full.as_of
        or (end < full.as_of and timezone.localtime(end).time() == time())
        or (latest is not None and span.as_of == latest.as_of)
    ):
        by_segment = value.values_by_segment(span.start, span.end)
        overall = by_segment.pop(None)
        cohorts = value.cohorts(first_month, last_month)
        repeat_end = as_of = min(end, full.as_of)
        basis = "last_recompute"  # the rollup: as of its run, or of the window's end before it
    else:
        segments = sorted(set(Customer.objects.values_list("segment", flat=True)))
        overall = value.customer_value(start=start, end=end)
        by_segment = {s: value.customer_value(start=start, end=end, segment=s) for s in segments}
        cohorts = value.cohort_retention(first_month=first_month, last_month=last_month)
        repeat_end = as_of = end
        basis = "window"
    repeat = value.repeat_purchase(start=start, end=repeat_end)
    return {
        "customer_value": {
            "as_of": _local(as_of),
            "as_of_kind": basis,
            "overall": _value(overall),
            "segments": {name: _value(figures) for name, figures in by_segment.items()},
        },
        "repeat_purchase": {
            "buyers": repeat.buyers,
            "repeat_buyers": repeat.repeat_buyers,
            "rate": None if repeat.rate is None else round(repeat.rate, 4),
        },
        "cohorts": [
            {
                "month": cohort.month.isoformat(),
                "size": cohort.size,
                "retention": [
                    round(cohort.retention(k) or 0.0, 4)  # a cohort has a size: retention is a number
                    for k in range(months_between(cohort.month, last_month) + 1)
                ],
            }
            for cohort in cohorts
        ],
    }
