"""The benchmark's references: plain SQL that does the same work as the app and writes the same rows.

- `service_rollups`: the daily (touchpoint × day, kind × day), weekly, monthly and all-time service
  rollups with exact percentiles (`percentile_disc`) and the survey rollups, the way a database
  person would write them — a few `CREATE TABLE … AS SELECT … GROUP BY GROUPING SETS` over the raw
  tables, no chunks, no transactions of its own — into `ref_*` tables. Optionally restricted to the
  days an incremental run rebuilds (and the weeks and months holding them).
- `same_rows`: the reference's rows against the app's, row for row, by `EXCEPT` both ways in the
  database (nothing held in Python), over the same restriction.
- `copy_csv`: a CSV file into a typed table of the same columns by `COPY … FROM STDIN (FORMAT csv)`,
  streamed.
"""

from datetime import date, datetime, timedelta
from pathlib import Path

from django.db import connection

THRESHOLDS = (1, 3, 5, 10)
DAY = 86_400
TABLES = ("ref_day", "ref_kind_day", "ref_period", "ref_survey_period")


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _tables():
    from journeys.models import Touchpoint
    from metrics.models import Interaction, ServiceTarget, SurveyResponse

    return {
        "i": _q(Interaction._meta.db_table),
        "tp": _q(Touchpoint._meta.db_table),
        "t": _q(ServiceTarget._meta.db_table),
        "s": _q(SurveyResponse._meta.db_table),
    }


def drop() -> None:
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"DROP TABLE IF EXISTS {table}")


def _counts(as_of: datetime) -> tuple[str, list]:
    """The daily counts of the app's rollups (DAILY_COUNTS), in their order, with their parameters."""
    parts, params = ["count(*) AS opened", "count(i.resolution_seconds) AS resolved"], []
    for t in THRESHOLDS:
        parts.append(f"count(*) FILTER (WHERE i.resolution_seconds <= {t * DAY}) AS within_{t}")
    for t in THRESHOLDS:
        parts.append(f"count(*) FILTER (WHERE i.resolved_at IS NULL AND i.opened_at < %s) AS open_older_{t}")
        params.append(as_of - timedelta(days=t))
    parts += [
        "count(*) FILTER (WHERE t.threshold_days IS NOT NULL AND i.resolution_seconds IS NOT NULL)"
        " AS resolved_with_target",
        f"count(*) FILTER (WHERE i.resolution_seconds <= t.threshold_days * {DAY}) AS within_target",
        "count(*) FILTER (WHERE i.resolved_at IS NULL AND i.opened_at < %s - make_interval(days => t.threshold_days))"
        " AS open_older_target",
        "coalesce(sum(i.resolution_seconds), 0) AS resolution_seconds_sum",
        "count(i.first_response_seconds) AS first_response_n",
        "coalesce(sum(i.first_response_seconds), 0) AS first_response_seconds_sum",
        "count(i.csat) AS csat_n",
        "count(*) FILTER (WHERE i.csat >= 4) AS csat_good",
    ]
    params.append(as_of)
    return ", ".join(parts), params


def _within(column: str, ranges: list[tuple[date, date]] | None) -> tuple[str, list]:
    """SQL: the column's day falls in one of the ranges (end exclusive); TRUE without ranges."""
    if ranges is None:
        return "TRUE", []
    return "(" + " OR ".join(f"({column} >= %s AND {column} < %s)" for _r in ranges) + ")", [
        v for r in ranges for v in r
    ]


def service_rollups(
    as_of: datetime, *, days: list[date] | None = None, periods: list[tuple[date, date]] | None = None
) -> None:
    """Write the reference rollups (as of `as_of`): every day, week, month and all time — or only
    `days` (the daily rows) and the day ranges `periods` (whole weeks and months holding them)."""
    n = _tables()
    counts, count_params = _counts(as_of)
    where_days, day_params = ("TRUE", []) if days is None else ("i.opened_day = ANY(%s)", [days])
    where_periods, period_params = _within("i.opened_day", periods)
    where_surveys, survey_params = _within("s.submitted_day", periods)
    drop()
    with connection.cursor() as cursor:
        cursor.execute("SET work_mem = '256MB'")  # as the app's writers have
        # The daily grain: touchpoint × day (with the target threshold) and kind × day, one pass.
        cursor.execute(
            f"""
            CREATE TABLE ref_days AS
            SELECT i.touchpoint_id, t.threshold_days AS target_days, i.kind, i.opened_day AS day,
                   GROUPING(i.kind) AS by_touchpoint, {counts}
            FROM {n["i"]} i LEFT JOIN {n["t"]} t ON t.touchpoint_id = i.touchpoint_id
            WHERE {where_days}
            GROUP BY GROUPING SETS ((i.touchpoint_id, t.threshold_days, i.opened_day), (i.kind, i.opened_day))
            """,
            [*count_params, *day_params],
        )
        cursor.execute("CREATE TABLE ref_day AS SELECT * FROM ref_days WHERE by_touchpoint = 1")
        cursor.execute("CREATE TABLE ref_kind_day AS SELECT * FROM ref_days WHERE by_touchpoint = 0")
        cursor.execute("DROP TABLE ref_days")
        # Weeks and months, overall and by touchpoint, department, channel and kind, with exact
        # percentiles, in one pass over the interactions.
        groupings = {"touchpoint": "tp.id", "department": "tp.department_id", "channel": "tp.channel", "kind": "i.kind"}
        sets = [f"({period})" for period in ("w", "m")]
        sets += [f"({period}, {column})" for period in ("w", "m") for column in groupings.values()]
        dimension = " ".join(f"WHEN GROUPING({c}) = 0 THEN '{name}'" for name, c in groupings.items())
        key = " ".join(f"WHEN GROUPING({c}) = 0 THEN CAST({c} AS varchar(64))" for c in groupings.values())
        within = ", ".join(f"within_{t}" for t in THRESHOLDS)
        eligible = ", ".join(f"resolved + open_older_{t} AS eligible_{t}" for t in THRESHOLDS)
        cursor.execute(
            f"""
            CREATE TABLE ref_period AS
            SELECT grain, period_start, dimension, key, opened, resolved, {within}, {eligible},
                   within_target, resolved_with_target + open_older_target AS eligible_target,
                   resolution_seconds_sum, p[1] AS resolution_p50, p[2] AS resolution_p80, p[3] AS resolution_p90,
                   first_response_n, first_response_seconds_sum, f[1] AS first_response_p50,
                   f[2] AS first_response_p90, csat_n, csat_good
            FROM (
                SELECT CASE WHEN GROUPING(w) = 0 THEN 'week' ELSE 'month' END AS grain,
                       coalesce(w, m) AS period_start,
                       CASE {dimension} ELSE 'overall' END AS dimension, CASE {key} ELSE '' END AS key,
                       {counts},
                       percentile_disc(ARRAY[0.5, 0.8, 0.9]) WITHIN GROUP (ORDER BY i.resolution_seconds) AS p,
                       percentile_disc(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY i.first_response_seconds) AS f
                FROM {n["i"]} i
                JOIN {n["tp"]} tp ON tp.id = i.touchpoint_id
                LEFT JOIN {n["t"]} t ON t.touchpoint_id = i.touchpoint_id,
                LATERAL (SELECT date_trunc('week', i.opened_day)::date AS w,
                                date_trunc('month', i.opened_day)::date AS m) periods
                WHERE {where_periods}
                GROUP BY GROUPING SETS ({", ".join(sets)})
            ) g
            """,
            [*count_params, *period_params],
        )
        _all_time("ref_period")
        survey_groupings = {"touchpoint": "tp.id", "department": "tp.department_id", "channel": "tp.channel"}
        survey_sets = [f"({period})" for period in ("w", "m")]
        survey_sets += [f"({period}, {c})" for period in ("w", "m") for c in survey_groupings.values()]
        survey_dimension = " ".join(f"WHEN GROUPING({c}) = 0 THEN '{d}'" for d, c in survey_groupings.items())
        survey_key = " ".join(
            f"WHEN GROUPING({c}) = 0 THEN CAST({c} AS varchar(64))" for c in survey_groupings.values()
        )
        cursor.execute(
            f"""
            CREATE TABLE ref_survey_period AS
            SELECT CASE WHEN GROUPING(w) = 0 THEN 'week' ELSE 'month' END AS grain,
                   coalesce(w, m) AS period_start,
                   CASE {survey_dimension} ELSE 'overall' END AS dimension,
                   CASE {survey_key} ELSE '' END AS key,
                   count(s.nps) AS nps_n, count(*) FILTER (WHERE s.nps >= 9) AS promoters,
                   count(*) FILTER (WHERE s.nps <= 6) AS detractors, count(s.csat) AS csat_n,
                   count(*) FILTER (WHERE s.csat >= 4) AS csat_good, count(s.ces) AS ces_n,
                   coalesce(sum(s.ces), 0) AS ces_sum
            FROM {n["s"]} s LEFT JOIN {n["tp"]} tp ON tp.id = s.touchpoint_id,
                 LATERAL (SELECT date_trunc('week', s.submitted_day)::date AS w,
                                 date_trunc('month', s.submitted_day)::date AS m) periods
            WHERE {where_surveys}
            GROUP BY GROUPING SETS ({", ".join(survey_sets)})
            HAVING {" AND ".join(f"(GROUPING({c}) = 1 OR {c} IS NOT NULL)" for c in survey_groupings.values())}
            """,
            survey_params,
        )
        _all_time("ref_survey_period")


def _all_time(table: str) -> None:
    """All-time rows: sums of the month rows, no percentiles — the app's rule. For a restricted
    reference, the months it did not rebuild are the app's own (the same work the app does)."""
    from metrics.models import ServicePeriod, SurveyPeriod

    app = _q((ServicePeriod if table == "ref_period" else SurveyPeriod)._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT column_name FROM information_schema.columns WHERE table_name = '{table}'")
        columns = [c for (c,) in cursor.fetchall() if c not in ("grain", "period_start", "dimension", "key")]
        summed = [c for c in columns if "_p5" not in c and "_p8" not in c and "_p9" not in c]
        cursor.execute(
            f"""
            INSERT INTO {table} (grain, period_start, dimension, key, {", ".join(summed)})
            SELECT 'all', DATE '0001-01-01', dimension, key, {", ".join(f"sum({c})" for c in summed)}
            FROM (
                SELECT dimension, key, {", ".join(summed)} FROM {table} WHERE grain = 'month'
                UNION ALL
                SELECT dimension, {_q("key")}, {", ".join(summed)} FROM {app} a
                WHERE a.grain = 'month'
                  AND NOT EXISTS (SELECT 1 FROM {table} r WHERE r.grain = 'month' AND r.period_start = a.period_start)
            ) months
            GROUP BY dimension, key
            """
        )


def same_rows(*, days: list[date] | None = None, periods: list[tuple[date, date]] | None = None) -> dict[str, int]:
    """The reference's rows against the app's over the same restriction: rows only one side has, per
    table (all zeros: the same rows). Returns {table: differing rows}."""
    from metrics.figures.service_level import DAILY_COUNTS, PERIOD_COUNTS
    from metrics.figures.surveys import SURVEY_COUNTS
    from metrics.models import ServiceDay, ServiceKindDay, ServicePeriod, SurveyPeriod

    period_columns = [
        "grain", "period_start", "dimension", _q("key"), *PERIOD_COUNTS, "resolution_p50", "resolution_p80",
        "resolution_p90", "first_response_p50", "first_response_p90",
    ]  # fmt: skip
    checks = {
        "ServiceDay": (ServiceDay, ["touchpoint_id", "target_days", "day", *DAILY_COUNTS], "ref_day", "day", days),
        "ServiceKindDay": (ServiceKindDay, ["kind", "day", *DAILY_COUNTS], "ref_kind_day", "day", days),
        "ServicePeriod": (ServicePeriod, period_columns, "ref_period", "period_start", None),
        "SurveyPeriod": (SurveyPeriod, ["grain", "period_start", "dimension", _q("key"), *SURVEY_COUNTS],
                         "ref_survey_period", "period_start", None),
    }  # fmt: skip
    differing = {}
    with connection.cursor() as cursor:
        for name, (model, columns, ref, day_column, only_days) in checks.items():
            app = _q(model._meta.db_table)
            where = "TRUE"
            params: list = []
            if only_days is not None:
                where, params = f"{day_column} = ANY(%s)", [only_days]
            elif periods is not None and name in ("ServicePeriod", "SurveyPeriod"):
                # the restricted periods, and all time
                starts = "(" + " OR ".join(f"({day_column} >= %s AND {day_column} < %s)" for _p in periods) + ")"
                where = f"(grain = 'all' OR {starts})"
                params = [v for p in periods for v in p]
            selected = ", ".join(columns)
            ref_selected = selected.replace(_q("key"), "key")
            cursor.execute(
                f"""SELECT (SELECT count(*) FROM (SELECT {selected} FROM {app} WHERE {where}
                                                   EXCEPT ALL SELECT {ref_selected} FROM {ref} WHERE {where}) a),
                           (SELECT count(*) FROM (SELECT {ref_selected} FROM {ref} WHERE {where}
                                                   EXCEPT ALL SELECT {selected} FROM {app} WHERE {where}) b),
                           (SELECT count(*) FROM {ref} WHERE {where})""",
                params * 4 + params,
            )
            only_app, only_ref, compared = cursor.fetchone()
            differing[name] = only_app + only_ref
            differing[f"{name} rows"] = compared
    return differing


COPY_TYPES = {
    "customers": "customer_id text, acquired_at timestamptz, acquisition_cost numeric(14, 2), segment text, "
    "churned_at timestamptz",
    "interactions": "interaction_id text, customer_id text, touchpoint text, kind text, opened_at timestamptz, "
    "first_response_at timestamptz, resolved_at timestamptz, cost numeric(12, 2), csat smallint",
    "transactions": "transaction_id text, customer_id text, occurred_at timestamptz, amount numeric(14, 2)",
    "survey_responses": "response_id text, customer_id text, touchpoint text, journey text, submitted_at timestamptz, "
    "nps smallint, csat smallint, ces smallint, comment text",
}


def copy_csv(kind: str, paths: list[Path]) -> int:
    """`COPY … FROM STDIN (FORMAT csv, HEADER)` of the files into a fresh typed table (streamed in
    1 MB blocks); returns the rows written. The table is dropped afterwards."""
    rows = 0
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS ref_copy")
        cursor.execute(f"CREATE TABLE ref_copy ({COPY_TYPES[kind]})")
        raw = cursor.cursor
        for path in paths:
            with path.open("rb") as source, raw.copy("COPY ref_copy FROM STDIN (FORMAT csv, HEADER true)") as copy:
                while block := source.read(1 << 20):
                    copy.write(block)
            rows += raw.rowcount if raw.rowcount and raw.rowcount > 0 else 0
        cursor.execute("SELECT count(*) FROM ref_copy")
        rows = cursor.fetchone()[0]
        cursor.execute("DROP TABLE ref_copy")
    return rows
