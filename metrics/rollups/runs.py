"""Recompute runs: the one orchestration of every rollup writer. The daily service rollups month by
month (rollups.service_days), then the period rollups derived from them (rollups.periods) and, in
full runs, customer value, the service–loyalty link, value at stake and observed journeys.

A run is split into chunks, one per month of opened days, and a last one for the periods. A month
chunk deletes and re-inserts its slice of ServiceDay (and ServiceKindDay) with INSERT … SELECT and sets
its done-marker, all in one transaction: a worker killed mid-way leaves either the old slice or the
new one, never half, and a rerun of the same run (same `as_of`)
skips done chunks and redoes the rest — the same figures.

Incremental runs (after an import) rebuild the days the import touched plus every day with open
interactions young enough for their eligibility to have changed with `as_of` (one chunk per month
they fall in); other days keep their rows, and the periods re-rank percentiles only where
interactions changed. The customer-value rollup, the service–loyalty link, the barriers' value at
stake and observed journeys are rebuilt by full runs only.
"""

import logging
import time
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Min
from django.utils import timezone

from ..models import THRESHOLD_DAYS, DataImport, Interaction, MetricsChunk, MetricsRun, ServiceDay, ServiceTarget
from . import customer_days, loyalty, observed, periods, service_days, stakes

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3


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
                    service_days.rebuild_month(chunk.month, run.as_of, days=days)
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
