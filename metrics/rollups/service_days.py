"""Writes the daily service rollups (ServiceDay by touchpoint, ServiceKindDay by kind) of a month,
in one pass over its interactions: the counts metrics.figures.service_level derives every service
level from, as of the run's moment."""

from datetime import date, datetime

from django.db import connection

from cxhub.lib.months import next_month

from ..figures.service_level import DAILY_COUNTS, count_sql
from ..models import Interaction, ServiceDay, ServiceKindDay, ServiceTarget
from .sql import work_mem


def rebuild_month(month: date, as_of: datetime, *, days: list[date] | None = None) -> None:
    """Replace the month's ServiceDay and ServiceKindDay rows (or just those of `days`)."""
    end = next_month(month)
    # The planner takes touchpoints × days × targets for independent and expects ~150 times the
    # groups there are (a month at 10M rows: 918,982 for 6,150); with room for that estimate it
    # hashes them (1.8 s) instead of sorting the month's rows on disk (4.1 s). Used: about 11 MB.
    # (A bigger month still sorts, in memory. Pre-aggregating touchpoint × kind × day with
    # sorting disabled hashed every month, but cost 30 % more at 1M rows.)
    work_mem("256MB")
    for model in (ServiceDay, ServiceKindDay):
        rows = model.objects.filter(day__gte=month, day__lt=end)
        (rows if days is None else rows.filter(day__in=days)).delete()
    _insert_counts(month, as_of, days)


def _insert_counts(month: date, as_of: datetime, only: list[date] | None) -> None:
    """Insert the daily rollup rows of the month's interactions (of the days in `only`, when given):
    by touchpoint into ServiceDay, by kind into ServiceKindDay, counted in one pass over the month
    (GROUPING SETS, hashed side by side) and written to both tables from it."""
    q = connection.ops.quote_name
    counts, count_params = count_sql(as_of, sorted(set(ServiceTarget.objects.values_list("threshold_days", flat=True))))
    only_days = "" if only is None else f" AND i.opened_day IN ({', '.join(['%s'] * len(only)) or 'NULL'})"
    source = f"""
        FROM {q(Interaction._meta.db_table)} i
        LEFT JOIN {q(ServiceTarget._meta.db_table)} t ON t.touchpoint_id = i.touchpoint_id
        WHERE i.opened_day >= %s AND i.opened_day < %s{only_days}
    """
    source_params = [month, next_month(month), *(only or ())]
    day_table, kind_table = q(ServiceDay._meta.db_table), q(ServiceKindDay._meta.db_table)
    counted = ", ".join(q(column) for column in DAILY_COUNTS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH counted AS (
                SELECT i.touchpoint_id, t.threshold_days, i.kind, i.opened_day, GROUPING(i.kind) AS by_touchpoint,
                       {", ".join(f"{sql} AS {column}" for sql, column in zip(counts, DAILY_COUNTS, strict=True))}
                {source}
                GROUP BY GROUPING SETS ((i.touchpoint_id, t.threshold_days, i.opened_day), (i.kind, i.opened_day))
            ), by_kind AS (
                INSERT INTO {kind_table} (kind, day, {counted}, as_of)
                SELECT kind, opened_day, {counted}, %s FROM counted WHERE by_touchpoint = 0
            )
            INSERT INTO {day_table} (touchpoint_id, target_days, day, {counted}, as_of)
            SELECT touchpoint_id, threshold_days, opened_day, {counted}, %s FROM counted WHERE by_touchpoint = 1
            """,
            [*count_params, *source_params, as_of, as_of],
        )
