"""The period rollups (ServicePeriod, SurveyPeriod): every service figure by ISO week, month and all
time, overall and by touchpoint, department, channel and kind — the last chunk of a recompute run.

Counts are sums of the daily rollups (ServiceDay, ServiceKindDay), so shares stay exact and the raw
table is not scanned once per grouping for them. Percentiles need the durations themselves: one pass
per grain over the interactions of the periods being ranked, every grouping in one GROUPING SETS
(nearest rank: the ⌈p·n/100⌉-th smallest), read from the covering (touchpoint, day) index; each
period row is then written once, counts and percentiles together. All-time rows are sums of the
month rows and carry no percentiles: those would sort every interaction on every run, incremental
ones included; reports compute them on request.

A run rebuilds the weeks and months that overlap its months, plus all time; a full run, everything.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import connection

from cxhub.lib.months import month_start, next_month, week_start
from journeys.models import Touchpoint

from ..figures.service_level import FIRST_RESPONSE_PERCENTILES, PERCENTILES, PERIOD_COUNTS, TARGET, eligible_sql
from ..figures.surveys import SURVEY_COUNTS
from ..models import (
    ALL_TIME,
    THRESHOLD_DAYS,
    Dimension,
    Grain,
    Interaction,
    ServiceDay,
    ServiceKindDay,
    ServicePeriod,
    SurveyPeriod,
    SurveyResponse,
)
from .sql import work_mem


@dataclass(frozen=True)
class DayRange:
    start: date
    end: date  # exclusive


def rebuild(months: list[date] | None, as_of: datetime, *, percentile_days: list[date] | None = None) -> None:
    """Replace the period rollups the given months touch (None: all of them). Run in a transaction.

    Percentiles depend only on the interactions themselves (not on as_of), so with `percentile_days`
    (the days an import changed) only the periods holding one of them are ranked again; the other
    rebuilt periods keep the percentiles they had."""
    work_mem("256MB")  # percentiles sort every group: in memory, not on disk
    for grain in (Grain.WEEK, Grain.MONTH):
        for span in _spans(grain, months):
            ranked = None if percentile_days is None or span is None else _periods_of(grain, span, percentile_days)
            _rank(grain, span, ranked)
            _delete(grain, span)
            _insert_service(grain, span, as_of)  # with the percentiles just ranked or kept
            _insert_surveys(grain, span, as_of)  # survey answers have no interaction kind
    _delete(Grain.ALL, None)
    _insert_all_time(as_of)


def _periods_of(grain: str, span: DayRange, days: list[date]) -> list[DayRange]:
    """The periods of a grain inside `span` that hold one of `days`, adjacent ones merged."""
    starts = set()
    for day in days:
        if span.start <= day < span.end:
            starts.add(week_start(day) if grain == Grain.WEEK else month_start(day))
    ranges: list[DayRange] = []
    for start in sorted(starts):
        end = start + timedelta(days=7) if grain == Grain.WEEK else next_month(start)
        if ranges and ranges[-1].end == start:
            ranges[-1] = DayRange(ranges[-1].start, end)
        else:
            ranges.append(DayRange(start, end))
    return ranges


PERCENTILE_COLUMNS = [f"resolution_p{p}" for p in PERCENTILES] + [
    f"first_response_p{p}" for p in FIRST_RESPONSE_PERCENTILES
]


def _rank(grain: str, span: DayRange | None, ranked: list[DayRange] | None) -> None:
    """The percentiles of the span's periods, in a temporary table (ranked_percentiles) the period
    rows are then inserted with — written once, not inserted and then updated. With `ranked`, only
    those periods are ranked again; the span's other periods keep the percentiles they have."""
    q = connection.ops.quote_name
    table = q(ServicePeriod._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS ranked_percentiles")
        cursor.execute(
            f"""
            CREATE TEMP TABLE ranked_percentiles ON COMMIT DROP AS
            SELECT period_start AS period, dimension, {q("key")} AS key, {", ".join(PERCENTILE_COLUMNS)}
            FROM {table} WITH NO DATA
            """
        )
        if ranked is not None and span is not None:
            fresh = " OR ".join("(period_start >= %s AND period_start < %s)" for _part in ranked) or "1 = 0"
            cursor.execute(
                f"""
                INSERT INTO ranked_percentiles
                SELECT period_start, dimension, {q("key")}, {", ".join(PERCENTILE_COLUMNS)}
                FROM {table}
                WHERE grain = %s AND period_start >= %s AND period_start < %s AND NOT ({fresh})
                """,
                [grain, span.start, span.end, *(value for part in ranked for value in (part.start, part.end))],
            )
        for part in [span] if ranked is None else ranked:
            _rank_percentiles(grain, part)
        cursor.execute("ANALYZE ranked_percentiles")


def _insert_all_time(as_of: datetime) -> None:
    """All-time rows are sums of the month rows just written: a few rows per group, not every day."""
    q = connection.ops.quote_name
    counted = {ServicePeriod: PERIOD_COUNTS, SurveyPeriod: SURVEY_COUNTS}
    with connection.cursor() as cursor:
        for model, columns in counted.items():
            table = q(model._meta.db_table)
            cursor.execute(
                f"""
                INSERT INTO {table} (grain, period_start, dimension, {q("key")}, as_of, {", ".join(columns)})
                SELECT %s, %s, dimension, {q("key")}, %s, {", ".join(f"SUM({c})" for c in columns)}
                FROM {table} WHERE grain = %s
                GROUP BY dimension, {q("key")}
                """,
                [Grain.ALL, ALL_TIME, as_of, Grain.MONTH],
            )


def _spans(grain: str, months: list[date] | None) -> list[DayRange | None]:
    """The day ranges whose periods are rebuilt, whole periods each (None: no bound)."""
    if months is None:
        return [None]
    ranges = []
    for month in sorted(months):
        end = next_month(month)
        if grain == Grain.WEEK:
            start = week_start(month)
            last = end - timedelta(days=1)
            end = week_start(last) + timedelta(days=7)
        else:
            start = month
        if ranges and start <= ranges[-1].end:
            ranges[-1] = DayRange(ranges[-1].start, max(end, ranges[-1].end))
        else:
            ranges.append(DayRange(start, end))
    return ranges


def _period(grain: str, column: str) -> str:
    """SQL for the start of the (ISO) week or month a date column falls in."""
    return f"CAST(date_trunc('{grain}', CAST({column} AS timestamp)) AS date)"


# The groupings of the period rollups that hang off the touchpoint (kind is the interaction's own).
BY_TOUCHPOINT: dict[str, str] = {
    Dimension.TOUCHPOINT: "tp.id",
    Dimension.DEPARTMENT: "tp.department_id",
    Dimension.CHANNEL: "tp.channel",
}


def _grouping_sets(period: str, groupings: dict[str, str]) -> tuple[str, str, str]:
    """GROUPING SETS of the period alone (overall) and the period with each grouping's column, and
    SQL naming each result row's dimension and key (its column as text; '' overall). Raw columns
    group faster than their text, and PostgreSQL refuses constants in GROUP BY."""
    dimension = "CASE " + " ".join(f"WHEN GROUPING({column}) = 0 THEN '{name}'" for name, column in groupings.items())
    dimension += f" ELSE '{Dimension.OVERALL}' END"
    key = "CASE " + " ".join(
        f"WHEN GROUPING({column}) = 0 THEN CAST({column} AS varchar(64))" for column in groupings.values()
    )
    key += " ELSE '' END"
    sets = ", ".join([f"({period})", *(f"({period}, {column})" for column in groupings.values())])
    return f"GROUP BY GROUPING SETS ({sets})", dimension, key


def _where_days(column: str, span: DayRange | None) -> tuple[str, list]:
    if span is None:
        return "1 = 1", []
    return f"{column} >= %s AND {column} < %s", [span.start, span.end]


def _delete(grain: str, span: DayRange | None) -> None:
    for model in (ServicePeriod, SurveyPeriod):
        rows = model.objects.filter(grain=grain)
        if span is not None:
            rows = rows.filter(period_start__gte=span.start, period_start__lt=span.end)
        rows.delete()


def _insert_service(grain: str, span: DayRange | None, as_of: datetime) -> None:
    """The counts of every grouping of a grain, summed from ServiceDay (overall and by touchpoint,
    department and channel, in one GROUPING SETS pass) and ServiceKindDay (by kind), written with
    the percentiles _rank put in ranked_percentiles."""
    q = connection.ops.quote_name
    where, params = _where_days("sd.day", span)
    sums = {
        "opened": "SUM(sd.opened)",
        "resolved": "SUM(sd.resolved)",
        **{f"within_{d}": f"SUM(sd.within_{d})" for d in THRESHOLD_DAYS},
        **{f"eligible_{d}": eligible_sql(d) for d in THRESHOLD_DAYS},
        "within_target": "SUM(sd.within_target)",
        "eligible_target": eligible_sql(TARGET),
        "resolution_seconds_sum": "SUM(sd.resolution_seconds_sum)",
        "first_response_n": "SUM(sd.first_response_n)",
        "first_response_seconds_sum": "SUM(sd.first_response_seconds_sum)",
        "csat_n": "SUM(sd.csat_n)",
        "csat_good": "SUM(sd.csat_good)",
    }
    period = _period(grain, "sd.day")
    by_touchpoint, dimension, key = _grouping_sets(period, BY_TOUCHPOINT)
    sources = [
        (
            f"{q(ServiceDay._meta.db_table)} sd JOIN {q(Touchpoint._meta.db_table)} tp ON tp.id = sd.touchpoint_id",
            dimension,
            key,
            by_touchpoint,
        ),
        (q(ServiceKindDay._meta.db_table) + " sd", f"'{Dimension.KIND}'", "sd.kind", f"GROUP BY {period}, sd.kind"),
    ]
    columns = ["grain", "as_of", "period_start", "dimension", "key", *sums, *PERCENTILE_COLUMNS]
    with connection.cursor() as cursor:
        for source, dimension, key, grouped in sources:
            cursor.execute(
                f"""
                INSERT INTO {q(ServicePeriod._meta.db_table)} ({", ".join(q(c) for c in columns)})
                SELECT %s, %s, c.period, c.dimension, c.key, {", ".join(f"c.{name}" for name in sums)},
                       {", ".join(f"p.{name}" for name in PERCENTILE_COLUMNS)}
                FROM (
                    SELECT {period} AS period, {dimension} AS dimension, {key} AS key,
                           {", ".join(f"{expression} AS {name}" for name, expression in sums.items())}
                    FROM {source}
                    WHERE {where}
                    {grouped}
                ) c
                LEFT JOIN ranked_percentiles p ON p.period = c.period AND p.dimension = c.dimension AND p.key = c.key
                """,
                [grain, as_of, *params],
            )


def _rank_percentiles(grain: str, span: DayRange | None) -> None:
    """The percentiles of every grouping of a grain from one scan of its interactions;
    percentile_disc(p) is the ⌈p·n⌉-th smallest value, i.e. nearest rank."""
    q = connection.ops.quote_name
    period = _period(grain, "i.opened_day")
    where, params = _where_days("i.opened_day", span)
    # Every touchpoint named, so the days are bounds of the (touchpoint, day) index read for each one:
    # the month is read from the index alone, in touchpoint order, not from a heap page per case.
    where += f" AND i.touchpoint_id = ANY(ARRAY(SELECT id FROM {q(Touchpoint._meta.db_table)}))"
    grouped, dimension, key = _grouping_sets(period, {**BY_TOUCHPOINT, Dimension.KIND: "i.kind"})
    chosen = [
        f"percentile_disc({p / 100}) WITHIN GROUP (ORDER BY i.{column}) AS {column.removesuffix('_seconds')}_p{p}"
        for column, percentiles in (
            ("resolution_seconds", PERCENTILES),
            ("first_response_seconds", FIRST_RESPONSE_PERCENTILES),
        )
        for p in percentiles
    ]
    sql = f"""
        INSERT INTO ranked_percentiles
        SELECT {period}, {dimension}, {key}, {", ".join(chosen)}
        FROM {q(Interaction._meta.db_table)} i
        JOIN {q(Touchpoint._meta.db_table)} tp ON tp.id = i.touchpoint_id
        WHERE {where}
        {grouped}
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _insert_surveys(grain: str, span: DayRange | None, as_of: datetime) -> None:
    """Survey scores of every grouping of a grain (overall and by touchpoint, department and
    channel) in one GROUPING SETS pass; answers tied to no touchpoint count overall only."""
    q = connection.ops.quote_name
    where, params = _where_days("s.submitted_day", span)
    sums = {
        "nps_n": "COUNT(s.nps)",
        "promoters": "SUM(CASE WHEN s.nps >= 9 THEN 1 ELSE 0 END)",
        "detractors": "SUM(CASE WHEN s.nps <= 6 THEN 1 ELSE 0 END)",
        "csat_n": "COUNT(s.csat)",
        "csat_good": "SUM(CASE WHEN s.csat >= 4 THEN 1 ELSE 0 END)",
        "ces_n": "COUNT(s.ces)",
        "ces_sum": "COALESCE(SUM(s.ces), 0)",
    }
    period = _period(grain, "s.submitted_day")
    grouped, dimension, key = _grouping_sets(period, BY_TOUCHPOINT)
    columns = ["grain", "as_of", "period_start", "dimension", "key", *sums]
    sql = f"""
        INSERT INTO {q(SurveyPeriod._meta.db_table)} ({", ".join(q(c) for c in columns)})
        SELECT %s, %s, period, dimension, key, {", ".join(sums)}
        FROM (
            SELECT {period} AS period, {dimension} AS dimension, {key} AS key,
                   {", ".join(f"{expression} AS {name}" for name, expression in sums.items())}
            FROM {q(SurveyResponse._meta.db_table)} s
            LEFT JOIN {q(Touchpoint._meta.db_table)} tp ON tp.id = s.touchpoint_id
            WHERE {where}
            {grouped}
        ) scores
        WHERE key IS NOT NULL  -- the groups of answers without a touchpoint, beyond overall
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [grain, as_of, *params])
