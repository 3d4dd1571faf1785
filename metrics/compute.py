"""Recomputing the service rollups from interactions, in SQL: ServiceDay month by month, then the
period rollups (metrics.periods) derived from it.

A run is split into chunks, one per month of opened days, and a last one for the periods. A month
chunk deletes and re-inserts its slice of ServiceDay (and ServiceKindDay) with INSERT … SELECT and sets
its done-marker, all in one transaction: a worker killed mid-way leaves either the old slice or the
new one, never half, and a rerun of the same run (same `as_of`)
skips done chunks and redoes the rest — the same figures.

Incremental runs (after an import) rebuild the days the import touched plus every day with open
interactions young enough for their eligibility to have changed with `as_of` (one chunk per month
they fall in); other days keep their rows, and the periods re-rank percentiles only where
interactions changed. The service–loyalty link and the barriers' value at stake (metrics.loyalty,
metrics.stakes) are rebuilt by full runs only.
"""

import logging
import time
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Min
from django.utils import timezone

from . import customer_days, loyalty, observed, periods, stakes
from .models import THRESHOLD_DAYS, Interaction, MetricsChunk, MetricsRun, ServiceDay, ServiceKindDay, ServiceTarget

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
DAY = 86_400


class ChunkFailed(Exception):
    pass


def start_run(
    *,
    full: bool = True,
    months: set[date] | None = None,
    days: set[date] | None = None,
    as_of: datetime | None = None,
) -> MetricsRun:
    """Record a run and its chunks (nothing is computed yet). An incremental run rebuilds whole
    `months`, or just the `days` an import touched — plus, either way, the days whose open
    interactions may have crossed a threshold since their rows were written."""
    as_of = as_of or timezone.now()
    touched_days = None  # the periods to re-rank percentiles in: None, all of those rebuilt
    if full:
        chunks = {month: None for month in _months_with_interactions() | _months_in_rollup()}  # the latter clears
    else:
        whole = {m.replace(day=1) for m in (months or set())}
        chunks = {month: None for month in whole}
        for day in sorted(set(days or ()) | _days_with_open_interactions(as_of)):
            if day.replace(day=1) not in whole:
                chunks.setdefault(day.replace(day=1), []).append(day.isoformat())
        if days is not None and not months:
            touched_days = sorted(day.isoformat() for day in days)
    run = MetricsRun.objects.create(full=full, as_of=as_of, chunks_total=len(chunks) + 1, touched_days=touched_days)
    MetricsChunk.objects.bulk_create(
        [MetricsChunk(run=run, month=month, days=chunks[month]) for month in sorted(chunks)]
        + [MetricsChunk(run=run, month=None)]  # None: the periods
    )
    return run


def execute(run: MetricsRun) -> MetricsRun:
    """Do the chunks of a run that are not done yet; a chunk failing MAX_ATTEMPTS times fails the run."""
    for chunk in run.chunks.filter(done_at__isnull=True).order_by(F("month").asc(nulls_last=True)):
        MetricsChunk.objects.filter(pk=chunk.pk).update(attempts=F("attempts") + 1)
        chunk.refresh_from_db()
        if chunk.attempts > MAX_ATTEMPTS:
            return _fail(run, f"{_chunk_name(chunk)} failed {MAX_ATTEMPTS} times; see the worker log")
        try:
            with transaction.atomic():
                if chunk.month is None:
                    touched = None if run.touched_days is None else [date.fromisoformat(d) for d in run.touched_days]
                    periods.rebuild(None if run.full else _run_months(run), run.as_of, percentile_days=touched)
                    if run.full:  # follows customers for a year: a day's import hardly moves it
                        customer_days.rebuild(run.as_of)
                        loyalty.rebuild(run.as_of)
                        stakes.rebuild(run.as_of)
                        observed.execute(observed.start(as_of=run.as_of))
                else:
                    days = None if chunk.days is None else [date.fromisoformat(day) for day in chunk.days]
                    _rebuild_month(chunk.month, run.as_of, days=days)
                MetricsChunk.objects.filter(pk=chunk.pk).update(done_at=timezone.now())
                MetricsRun.objects.filter(pk=run.pk).update(chunks_done=F("chunks_done") + 1)
            if settings.METRICS_CHUNK_PAUSE_SECONDS:
                time.sleep(settings.METRICS_CHUNK_PAUSE_SECONDS)
        except Exception as error:
            logger.exception("metrics run %s, %s", run.pk, _chunk_name(chunk))
            if chunk.attempts >= MAX_ATTEMPTS:
                return _fail(run, f"{_chunk_name(chunk)} failed {chunk.attempts} times: {error}")
            raise ChunkFailed(str(error)) from error
    MetricsRun.objects.filter(pk=run.pk).update(status=MetricsRun.Status.SUCCEEDED, finished_at=timezone.now())
    run.refresh_from_db()
    return run


def recompute(*, full: bool = True, months: set[date] | None = None, as_of: datetime | None = None) -> MetricsRun:
    """Start and finish a run here (the command line, tests, eager Celery)."""
    run = start_run(full=full, months=months, as_of=as_of)
    for _attempt in range(MAX_ATTEMPTS + 1):
        try:
            return execute(run)
        except ChunkFailed:
            continue
    return _fail(run, "gave up after repeated failures")


def after_import(data_import) -> MetricsRun | None:
    """The incremental run an interactions or survey import calls for (not yet executed), or None:
    the days it touched (imports recorded before days were: their months)."""
    from .models import DataImport

    if data_import.status != DataImport.Status.SUCCEEDED or data_import.kind not in (
        DataImport.Kind.INTERACTIONS,
        DataImport.Kind.SURVEY_RESPONSES,
    ):
        return None
    if data_import.touched_days or not data_import.touched_months:
        return start_run(full=False, days={date.fromisoformat(day) for day in data_import.touched_days})
    return start_run(full=False, months={date.fromisoformat(month) for month in data_import.touched_months})


def _chunk_name(chunk: MetricsChunk) -> str:
    return "the period rollups" if chunk.month is None else f"month {chunk.month:%Y-%m}"


def _run_months(run: MetricsRun) -> list[date]:
    return list(run.chunks.filter(month__isnull=False).values_list("month", flat=True))


def _fail(run: MetricsRun, message: str) -> MetricsRun:
    MetricsRun.objects.filter(pk=run.pk).update(
        status=MetricsRun.Status.FAILED, message=message, finished_at=timezone.now()
    )
    run.refresh_from_db()
    return run


def _months_with_interactions() -> set[date]:
    return {d.replace(day=1) for d in Interaction.objects.dates("opened_day", "month")}


def _months_in_rollup() -> set[date]:
    return {d.replace(day=1) for d in ServiceDay.objects.dates("day", "month")}


def _days_with_open_interactions(as_of: datetime) -> set[date]:
    """Days whose open interactions may have crossed a threshold since their rows were written: an
    open case counts as eligible at T once it is older than T, so one opened more than the longest
    threshold before the oldest stored as_of was already counted at every T and cannot change."""
    horizon = max([*THRESHOLD_DAYS, *ServiceTarget.objects.values_list("threshold_days", flat=True)])
    oldest = ServiceDay.objects.aggregate(oldest=Min("as_of"))["oldest"]
    still_open = Interaction.objects.filter(resolved_at__isnull=True)
    if oldest is not None:
        still_open = still_open.filter(opened_at__gte=min(oldest, as_of) - timedelta(days=horizon + 1))
    return set(still_open.order_by().values_list("opened_day", flat=True).distinct())


def _next_month(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def _rebuild_month(month: date, as_of: datetime, *, days: list[date] | None = None) -> None:
    """Replace the month's ServiceDay and ServiceKindDay rows (or just those of `days`)."""
    end = _next_month(month)
    # The planner takes touchpoints × days × targets for independent and expects ~150 times the
    # groups there are (a month at 10M rows: 918,982 for 6,150); with room for that estimate it
    # hashes them (1.8 s) instead of sorting the month's rows on disk (4.1 s). Used: about 11 MB.
    # (A bigger month still sorts, in memory. Pre-aggregating touchpoint × kind × day with
    # sorting disabled hashed every month, but cost 30 % more at 1M rows.)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '256MB'")
    for model in (ServiceDay, ServiceKindDay):
        rows = model.objects.filter(day__gte=month, day__lt=end)
        (rows if days is None else rows.filter(day__in=days)).delete()
    _insert_counts(month, as_of, days)


COUNTED = [
    "opened", "resolved",
    *(f"within_{d}" for d in THRESHOLD_DAYS), *(f"open_older_{d}" for d in THRESHOLD_DAYS),
    "resolved_with_target", "within_target", "open_older_target", "resolution_seconds_sum",
    "first_response_n", "first_response_seconds_sum", "csat_n", "csat_good",
]  # fmt: skip


def _insert_counts(month: date, as_of: datetime, only: list[date] | None) -> None:
    """Insert the daily rollup rows of the month's interactions (of the days in `only`, when given):
    by touchpoint into ServiceDay, by kind into ServiceKindDay, counted in one pass over the month
    (GROUPING SETS, hashed side by side) and written to both tables from it."""
    q = connection.ops.quote_name
    target_thresholds = sorted(set(ServiceTarget.objects.values_list("threshold_days", flat=True)))
    target_open = (
        " OR ".join(f"(t.threshold_days = {days} AND i.opened_at < %s)" for days in target_thresholds) or "1 = 0"
    )
    counts = [  # in the order of COUNTED
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
    count_params = [as_of - timedelta(days=days) for days in [*THRESHOLD_DAYS, *target_thresholds]]
    only_days = "" if only is None else f" AND i.opened_day IN ({', '.join(['%s'] * len(only)) or 'NULL'})"
    source = f"""
        FROM {q(Interaction._meta.db_table)} i
        LEFT JOIN {q(ServiceTarget._meta.db_table)} t ON t.touchpoint_id = i.touchpoint_id
        WHERE i.opened_day >= %s AND i.opened_day < %s{only_days}
    """
    source_params = [month, _next_month(month), *(only or ())]
    day_table, kind_table = q(ServiceDay._meta.db_table), q(ServiceKindDay._meta.db_table)
    counted = ", ".join(q(column) for column in COUNTED)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH counted AS (
                SELECT i.touchpoint_id, t.threshold_days, i.kind, i.opened_day, GROUPING(i.kind) AS by_touchpoint,
                       {", ".join(f"{sql} AS {column}" for sql, column in zip(counts, COUNTED, strict=True))}
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
