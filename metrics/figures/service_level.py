"""Service level — the one definition (DOMAIN.md), and every reader of it.

For a threshold T and a set of interactions, as of a moment *now*:

- eligible(T) = resolved interactions + unresolved ones opened more than T before *now* (an open
  case younger than T is not decided yet and is left out);
- within(T) = resolved interactions with resolved_at − opened_at ≤ T;
- SL(T) = within(T) / eligible(T); with nothing eligible it is "no data", never 0 %.

The daily rollups (ServiceCounts: ServiceDay, ServiceKindDay) store, per day and group, `resolved`,
`within_T` and `open_older_T` (open and opened more than T before the recompute's as_of), so
eligible(T) = resolved + open_older_T exactly, at any coarser grouping — `eligible_sql` and
`daily_share` are that rule; the period rollups (ServicePeriod) store eligible_T summed that way.
The same against each touchpoint's target: within_target / (resolved_with_target + open_older_target).
`count_sql` is the SQL of those counts, for the rollup writer and for `counts_as_of`, which gives
them as of any moment (the open cases judged at that moment, not at the last recompute's).

Resolution time is shown as nearest-rank percentiles (p50/p80/p90: the smallest duration d such
that at least p % of the resolved durations are ≤ d), with the mean beside them for contrast.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.postgres.fields import ArrayField
from django.db import connection
from django.db.models import Aggregate, BigIntegerField, Max, Q, QuerySet, Sum
from django.utils import timezone

from cxhub.lib.months import add_months, week_start

from ..models import THRESHOLD_DAYS, Interaction, MetricsRun, ServiceDay, ServicePeriod, ServiceTarget, SurveyPeriod

DAY = 86_400
TARGET = "target"  # the threshold of each touchpoint's own target, in place of a number of days


@dataclass(frozen=True)
class Share:
    """within / eligible, with its n; no data (None) when nothing is eligible — never 0 %."""

    within: int
    eligible: int

    @property
    def value(self) -> float | None:
        return self.within / self.eligible if self.eligible else None


def eligible_sql(threshold: int | str, table: str = "sd") -> str:
    """SQL for eligible(T) of summed daily rollup rows (`table` is their alias)."""
    if threshold == TARGET:
        return f"SUM({table}.resolved_with_target + {table}.open_older_target)"
    return f"SUM({table}.resolved + {table}.open_older_{threshold})"


def daily_share(counts: Mapping[str, int], threshold: int | str) -> Share:
    """SL(T) from summed daily rollup columns (`sum_counts` over ServiceDay or ServiceKindDay)."""
    if threshold == TARGET:
        return Share(counts["within_target"], counts["resolved_with_target"] + counts["open_older_target"])
    return Share(counts[f"within_{threshold}"], counts["resolved"] + counts[f"open_older_{threshold}"])


def period_share(counts: Mapping[str, int], threshold: int | str) -> Share:
    """SL(T) from period rollup columns (ServicePeriod rows or their sums), which store eligible(T)."""
    return Share(counts[f"within_{threshold}"], counts[f"eligible_{threshold}"])


DAILY_COUNTS = [
    "opened", "resolved",
    *(f"within_{d}" for d in THRESHOLD_DAYS), *(f"open_older_{d}" for d in THRESHOLD_DAYS),
    "resolved_with_target", "within_target", "open_older_target", "resolution_seconds_sum",
    "first_response_n", "first_response_seconds_sum", "csat_n", "csat_good",
]  # fmt: skip
PERIOD_COUNTS = [
    "opened", "resolved",
    *(f"within_{d}" for d in THRESHOLD_DAYS), *(f"eligible_{d}" for d in THRESHOLD_DAYS),
    "within_target", "eligible_target", "resolution_seconds_sum", "first_response_n",
    "first_response_seconds_sum", "csat_n", "csat_good",
]  # fmt: skip


OPEN_COUNTS = [*(f"open_older_{d}" for d in THRESHOLD_DAYS), "open_older_target"]  # the part as_of moves


def count_sql(as_of: datetime, target_thresholds: list[int] | None = None) -> tuple[list[str], list[datetime]]:
    """The SQL of each of DAILY_COUNTS (in that order) over interactions `i` LEFT JOIN ServiceTarget `t`
    as of a moment, and its parameters: the one definition the rollup writer and `counts_as_of` share.
    An open case is judged against its own touchpoint's target: with `target_thresholds` (the distinct
    thresholds) by a comparison with a constant per threshold, which a month's pass over millions of
    rows does faster; without them, by date arithmetic per row."""
    if target_thresholds is None:
        target_open, target_params = "i.opened_at < %s - make_interval(days => t.threshold_days)", [as_of]
    else:
        target_open = (
            " OR ".join(f"(t.threshold_days = {days} AND i.opened_at < %s)" for days in target_thresholds) or "1 = 0"
        )
        target_params = [as_of - timedelta(days=days) for days in target_thresholds]
    sql = [
        "COUNT(*)",
        "COUNT(i.resolution_seconds)",
        *(f"COUNT(*) FILTER (WHERE i.resolution_seconds <= {days * DAY})" for days in THRESHOLD_DAYS),
        *("COUNT(*) FILTER (WHERE i.resolved_at IS NULL AND i.opened_at < %s)" for _days in THRESHOLD_DAYS),
        "COUNT(*) FILTER (WHERE t.threshold_days IS NOT NULL AND i.resolution_seconds IS NOT NULL)",
        f"COUNT(*) FILTER (WHERE i.resolution_seconds <= t.threshold_days * {DAY})",
        f"COUNT(*) FILTER (WHERE i.resolved_at IS NULL AND ({target_open}))",
        "COALESCE(SUM(i.resolution_seconds), 0)",
        "COUNT(i.first_response_seconds)",
        "COALESCE(SUM(i.first_response_seconds), 0)",
        "COUNT(i.csat)",
        "COUNT(*) FILTER (WHERE i.csat >= 4)",
    ]
    return sql, [*(as_of - timedelta(days=days) for days in THRESHOLD_DAYS), *target_params]


def counts_as_of(as_of: datetime, *, start: date, end: date, touchpoint_ids: list[int] | None = None) -> dict[str, int]:
    """DAILY_COUNTS of the interactions opened in [start, end) before `as_of`, as of `as_of` — whatever
    recompute wrote the rollup. Whole days before as_of's day come from the daily rollup, except their
    open-case part; as_of's own day comes from the interactions themselves; the open-case part
    (open_older_T: open and opened more than T before as_of) is counted from the open interactions,
    about 1 % of the rows and indexed apart. Two queries."""
    last_day = timezone.localtime(as_of).date()
    days = ServiceDay.objects.filter(day__gte=start, day__lt=min(end, last_day))
    if touchpoint_ids is not None:
        days = days.filter(touchpoint_id__in=touchpoint_ids)
    counts = sum_counts(days, DAILY_COUNTS)
    today, open_now = _interaction_counts(
        as_of, start=start, end=min(end, last_day + timedelta(days=1)), day=last_day, ids=touchpoint_ids
    )
    return {
        **{column: counts[column] + today[column] for column in DAILY_COUNTS},
        **{column: open_now[column] for column in OPEN_COUNTS},
    }


def _interaction_counts(
    as_of: datetime, *, start: date, end: date, day: date, ids: list[int] | None
) -> tuple[dict[str, int], dict[str, int]]:
    """DAILY_COUNTS, as of `as_of`, of the interactions opened on `day` before as_of (none unless
    start ≤ day < end) and of those opened in [start, end) before as_of that are open: one query."""
    q = connection.ops.quote_name
    sql, params = count_sql(as_of)
    with connection.cursor() as cursor:
        by_touchpoint = "" if ids is None else f" AND touchpoint_id IN ({', '.join(['%s'] * len(ids)) or 'NULL'})"
        table, columns = (
            q(Interaction._meta.db_table),
            ("touchpoint_id, opened_at, resolved_at, resolution_seconds, first_response_seconds, csat"),
        )
        cursor.execute(
            f"""
            WITH picked AS (
                SELECT TRUE AS today, {columns} FROM {table}
                WHERE opened_day = %s AND opened_day >= %s AND opened_day < %s AND opened_at < %s{by_touchpoint}
                UNION ALL
                SELECT FALSE, {columns} FROM {table}
                WHERE resolved_at IS NULL AND opened_at < %s AND opened_day >= %s AND opened_day < %s{by_touchpoint}
            )
            SELECT i.today, {", ".join(sql)}
            FROM picked i LEFT JOIN {q(ServiceTarget._meta.db_table)} t ON t.touchpoint_id = i.touchpoint_id
            GROUP BY i.today
            """,
            [day, start, end, as_of, *(ids or ()), as_of, start, end, *(ids or ()), *params],
        )
        found = {
            today: dict(zip(DAILY_COUNTS, (int(v or 0) for v in values), strict=True)) for today, *values in cursor
        }
    none = dict.fromkeys(DAILY_COUNTS, 0)
    return found.get(True, none), found.get(False, none)


def sum_counts(rows: QuerySet[Any], columns: list[str], *, windows: Mapping[str, Q] | None = None) -> dict[str, int]:
    """The one way rollup counts are summed: SUM of each column over `rows` (one query), a missing
    sum as 0. With `windows` ({suffix: condition}) each column is summed under every condition, as
    `column + suffix`."""
    return _plain(rows.aggregate(**_sums(columns, windows or {"": Q()})))


def sum_counts_by(
    rows: QuerySet[Any], by: str, columns: list[str], *, extra: Mapping[str, Aggregate] | None = None
) -> list[dict[str, Any]]:
    """sum_counts per value of the column `by` (under its own name), with `extra` aggregates under
    theirs (one query)."""
    aggregates: dict[str, Aggregate] = {**_sums(columns, {"": Q()}), **(extra or {})}
    return [_plain(row) for row in rows.values(by).annotate(**aggregates).order_by()]


def _sums(columns: list[str], windows: Mapping[str, Q]) -> dict[str, Aggregate]:
    # Aliases may not shadow the model's fields: sum under n_<name>, hand back <name> (_plain).
    return {f"n_{c}{suffix}": Sum(c, filter=where or None) for c in columns for suffix, where in windows.items()}


def _plain(row: Mapping[str, Any]) -> dict[str, Any]:
    return {key.removeprefix("n_"): (value or 0) if key.startswith("n_") else value for key, value in row.items()}


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


def service_levels_by_touchpoint(touchpoint_ids: list[int], *, start: date, end: date) -> dict[int, ServiceLevel]:
    """SL at 1, 3, 5, 10 days and against each touchpoint's target, for interactions opened in
    [start, end), from the daily rollup — two queries whatever the number of touchpoints."""
    days = ServiceDay.objects.filter(touchpoint_id__in=touchpoint_ids, day__gte=start, day__lt=end)
    # With the target threshold the rows were written with: "against target" only when it is still the target's.
    rows = sum_counts_by(days, "touchpoint_id", DAILY_COUNTS, extra={"written_with": Max("target_days")})
    targets = {t.touchpoint_id: t for t in ServiceTarget.objects.filter(touchpoint_id__in=touchpoint_ids)}
    result = {}
    for counts in rows:
        touchpoint_id, resolved = counts["touchpoint_id"], counts["resolved"]
        target = targets.get(touchpoint_id)
        current = target is not None and counts["written_with"] == target.threshold_days
        result[touchpoint_id] = ServiceLevel(
            opened=counts["opened"],
            resolved=resolved,
            by_threshold={d: daily_share(counts, d) for d in THRESHOLD_DAYS},
            target_days=target.threshold_days if target else None,
            target_share=target.target_share if target else None,
            against_target=daily_share(counts, TARGET) if current else None,
            mean_resolution_days=(counts["resolution_seconds_sum"] / resolved / DAY) if resolved else None,
        )
    return result


PERCENTILES = (50, 80, 90)
FIRST_RESPONSE_PERCENTILES = (50, 90)


class _PercentilesDisc(Aggregate):
    """PostgreSQL: percentile_disc(ARRAY[f, …]) WITHIN GROUP (ORDER BY column), the values at several
    nearest ranks from one sort."""

    function = "percentile_disc"
    template = "%(function)s(ARRAY[%(fractions)s]::float8[]) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression: str, fractions: list[float]) -> None:
        super().__init__(
            expression, fractions=", ".join(repr(f) for f in fractions), output_field=ArrayField(BigIntegerField())
        )


def resolution_percentiles(
    *,
    start: date,
    end: date,
    touchpoint_ids: list[int] | None = None,
    by_touchpoint: bool = False,
    column: str = "resolution_seconds",
    percentiles: tuple[int, ...] = PERCENTILES,
    before: datetime | None = None,
) -> dict[int | None, dict[int, float]]:
    """Nearest-rank percentiles of resolution time (or another duration column) in days — the smallest
    duration d such that at least p % of the known durations are ≤ d — for interactions opened in
    [start, end) (and before the moment `before`, when given), overall (key None) or per touchpoint.
    One query: percentile_disc(f) is the ⌈f·n⌉-th smallest value, the same nearest rank, one sort per
    group (a touchpoint's year at 10M cases: 0.05 s)."""
    qs = Interaction.objects.filter(opened_day__gte=start, opened_day__lt=end, **{f"{column}__isnull": False})
    if touchpoint_ids is not None:
        qs = qs.filter(touchpoint_id__in=touchpoint_ids)
    if before is not None:
        qs = qs.filter(opened_at__lt=before)
    pick = _PercentilesDisc(column, [p / 100 for p in percentiles])
    rows: list[tuple[int | None, list[int]]]
    if by_touchpoint:
        rows = list(qs.values("touchpoint_id").order_by().annotate(v=pick).values_list("touchpoint_id", "v"))
    else:
        found = qs.aggregate(v=pick)["v"]
        rows = [(None, found)] if found else []
    return {key: {p: s / 86_400 for p, s in zip(percentiles, found, strict=True)} for key, found in rows}


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
        return [week_start(last) - timedelta(weeks=n) for n in range(count - 1, -1, -1)]
    return [add_months(last, -n) for n in range(count - 1, -1, -1)]


def touchpoint_periods(touchpoint_id: int, *, grain: str, starts: list[date]) -> list[PeriodFigures]:
    """A touchpoint's figures per period (every start listed, empty periods included): two queries."""
    wanted = {"grain": grain, "dimension": "touchpoint", "key": str(touchpoint_id), "period_start__in": starts}
    service = {row.period_start: row for row in ServicePeriod.objects.filter(**wanted)}
    surveys = {row.period_start: row for row in SurveyPeriod.objects.filter(**wanted)}
    result = []
    for start in starts:
        row, answers = service.get(start), surveys.get(start)
        counts = {c: getattr(row, c) if row else 0 for c in PERIOD_COUNTS}
        result.append(
            PeriodFigures(
                start=start,
                opened=row.opened if row else 0,
                resolved=row.resolved if row else 0,
                by_threshold={d: period_share(counts, d) for d in THRESHOLD_DAYS},
                against_target=period_share(counts, TARGET),
                percentiles_days={p: _days(getattr(row, f"resolution_p{p}", None)) for p in (50, 80, 90)},
                nps=Share(answers.promoters - answers.detractors, answers.nps_n) if answers else None,
                csat=Share(answers.csat_good, answers.csat_n) if answers else None,
            )
        )
    return result


def _days(seconds: int | None) -> float | None:
    return None if seconds is None else seconds / DAY
