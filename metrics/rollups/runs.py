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
interactions changed. After an import of customers, transactions or interactions they update the
customer-value rollup by the customers and days it touched (rollups.customer_days) and rebuild the
barriers' value at stake too; the service–loyalty link (which follows
customers for a year) and observed journeys are rebuilt by full runs only.

One run at a time (`request`): a run is recorded before any task is queued for it; under a
transaction-level advisory lock, a request while a run is going joins the queued run (or, when it
only asks for what the running full run does anyway, the running one), so runs never overlap. The
worker doing a run holds its advisory lock (cxhub.lib.jobs) and sets a heartbeat per chunk; `sweep`
(Celery beat, every minute) resumes a run whose worker is gone from its last finished chunk.
"""

import logging
import time
from datetime import date, datetime, timedelta
from typing import TypedDict

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import F, Min
from django.utils import timezone

from cxhub.lib import jobs

from ..models import (
    THRESHOLD_DAYS,
    CohortActivity,
    CustomerDay,
    CustomerTouch,
    DataImport,
    Interaction,
    MetricsChunk,
    MetricsRun,
    ServiceDay,
    ServiceKindDay,
    ServicePeriod,
    ServiceTarget,
    SurveyPeriod,
)
from . import customer_days, loyalty, observed, periods, service_days, stakes
from .sql import Timings

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
Status = MetricsRun.Status


class ChunkFailed(Exception):
    pass


class Busy(Exception):
    """Another live worker is doing this run (a redelivered task message): leave it to that one."""


def request(
    *,
    full: bool = True,
    months: set[date] | None = None,
    days: set[date] | None = None,
    as_of: datetime | None = None,
    join_running: bool = False,
    customers: bool = False,
    customers_full: bool = False,
    money_days: set[date] | None = None,
) -> tuple[MetricsRun, bool]:
    """The one way a recompute is asked for. Returns the run that will do it and whether it is a new
    running run that the caller must execute or queue a task for (otherwise it is already queued or
    running). While a run is going, the request joins the one queued run — which starts, planned
    afresh, when the running one ends — or, with `join_running` (nothing in the data changed: "Recompute
    now", the nightly run), a running full run.

    `customers`: the customer figures too — updated by the customers imports touched and the money
    on `money_days` and `days` (or rebuilt whole, with `customers_full`)."""
    customers = customers or customers_full
    money_days = (set(money_days or ()) | set(days or ())) if customers else set()
    asked = _CustomerPart(customers=customers, customers_full=customers_full, money_days=money_days)
    with transaction.atomic():
        _lock_requests()
        queued = MetricsRun.objects.select_for_update().filter(status=Status.QUEUED).first()
        if queued is not None:
            _join(queued, full=full, months=months, days=days, **asked)
            return queued, False
        running = MetricsRun.objects.filter(status=Status.RUNNING).first()
        if running is not None:
            if join_running and full and running.full:
                return running, False
            waiting = MetricsRun(
                status=Status.QUEUED, full=full, as_of=as_of or timezone.now(), as_of_asked=as_of is not None
            )
            _join(waiting, full=full, months=months, days=days, **asked)
            return waiting, False
        return start_run(full=full, months=months, days=days, as_of=as_of, **asked), True


class _CustomerPart(TypedDict):
    customers: bool
    customers_full: bool
    money_days: set[date]


def _lock_requests() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, 0)", [jobs.RECOMPUTE_RUN])


def _join(
    run: MetricsRun,
    *,
    full: bool,
    months: set[date] | None,
    days: set[date] | None,
    customers: bool,
    customers_full: bool,
    money_days: set[date],
) -> None:
    """Add a request to a queued run: full wins; otherwise the days and months add up."""
    run.customers = run.customers or customers
    run.customers_full = run.customers_full or customers_full
    run.money_days = sorted(set(run.money_days or []) | {d.isoformat() for d in money_days})
    if full or run.full:
        run.full, run.requested_days, run.requested_months = True, None, None
    else:
        run.requested_days = sorted(set(run.requested_days or []) | {d.isoformat() for d in days or ()})
        run.requested_months = sorted(set(run.requested_months or []) | {m.isoformat() for m in months or ()})
    run.save()


def promote_next() -> MetricsRun | None:
    """Start the queued run when none is running: plan it as of now (unless it was asked for another
    moment) and return it, to be executed; None when there is nothing to start."""
    with transaction.atomic():
        _lock_requests()
        if MetricsRun.objects.filter(status=Status.RUNNING).exists():
            return None
        run = MetricsRun.objects.filter(status=Status.QUEUED).first()
        if run is None:
            return None
        run.status, run.as_of = Status.RUNNING, run.as_of if run.as_of_asked else timezone.now()
        run.save(update_fields=["status", "as_of"])
        _plan(
            run,
            months={date.fromisoformat(m) for m in run.requested_months or ()},
            days=None if run.requested_days is None else {date.fromisoformat(d) for d in run.requested_days},
        )
        return run


def start_run(
    *,
    full: bool = True,
    months: set[date] | None = None,
    days: set[date] | None = None,
    as_of: datetime | None = None,
    customers: bool = False,
    customers_full: bool = False,
    money_days: set[date] | None = None,
) -> MetricsRun:
    """Record a running run and its chunks (nothing is computed yet; `request` decides whether one may
    start). An incremental run rebuilds whole `months`, or just the `days` an import touched — plus,
    either way, the days whose open interactions may have crossed a threshold since their rows were
    written."""
    run = MetricsRun.objects.create(
        full=full,
        customers=customers,
        customers_full=customers_full,
        money_days=sorted(day.isoformat() for day in money_days or ()),
        as_of=as_of or timezone.now(),
    )
    _plan(run, months=months, days=days)
    return run


def _plan(run: MetricsRun, *, months: set[date] | None, days: set[date] | None) -> None:
    touched_days = None  # the periods to re-rank percentiles in: None, all of those rebuilt
    chunks: dict[date, list[str] | None]
    if run.full:
        chunks = {month: None for month in _months_with_interactions() | _months_in_rollup()}  # the latter clears
    else:
        whole = {m.replace(day=1) for m in (months or set())}
        chunks = {month: None for month in whole}
        for day in sorted(set(days or ()) | _days_with_open_interactions(run.as_of)):
            if day.replace(day=1) not in whole:
                chunks.setdefault(day.replace(day=1), []).append(day.isoformat())  # type: ignore[union-attr]
        if days is not None and not months:
            touched_days = sorted(day.isoformat() for day in days)
    MetricsRun.objects.filter(pk=run.pk).update(chunks_total=len(chunks) + 1, touched_days=touched_days)
    run.chunks_total, run.touched_days = len(chunks) + 1, touched_days
    MetricsChunk.objects.bulk_create(
        [MetricsChunk(run=run, month=month, days=chunks[month]) for month in sorted(chunks)]
        + [MetricsChunk(run=run, month=None)]  # None: the periods
    )


def execute(run: MetricsRun, *, budget_seconds: float | None = None) -> MetricsRun:
    """Do the chunks of a run that are not done yet, holding the run's advisory lock (Busy when another
    live worker holds it); a chunk failing MAX_ATTEMPTS times fails the run. With a budget, stops
    between chunks once it is spent and returns the run still running (the task queues the rest)."""
    with jobs.held(jobs.RECOMPUTE_RUN, run.pk) as mine:
        if not mine:
            raise Busy(f"run {run.pk}")
        run.refresh_from_db()
        if run.status != Status.RUNNING:
            return run
        return _execute(run, budget_seconds)


def _execute(run: MetricsRun, budget_seconds: float | None) -> MetricsRun:
    began, done = time.monotonic(), 0
    timings = Timings(parts=dict(run.timings or {}))
    for chunk in run.chunks.filter(done_at__isnull=True).order_by(F("month").asc(nulls_last=True)):
        if done and budget_seconds is not None and time.monotonic() - began >= budget_seconds:
            return run  # at least one chunk per call, so a run always moves on
        MetricsRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now())
        MetricsChunk.objects.filter(pk=chunk.pk).update(attempts=F("attempts") + 1)
        chunk.refresh_from_db()
        if chunk.attempts > MAX_ATTEMPTS:
            return _fail(run, f"{_chunk_name(chunk)} failed {MAX_ATTEMPTS} times; see the worker log")
        try:
            with transaction.atomic():
                if chunk.month is None:
                    _last_chunk(run, timings)
                else:
                    days = None if chunk.days is None else [date.fromisoformat(day) for day in chunk.days]
                    with timings.part("daily"):
                        service_days.rebuild_month(chunk.month, run.as_of, days=days)
                MetricsChunk.objects.filter(pk=chunk.pk).update(done_at=timezone.now())
                MetricsRun.objects.filter(pk=run.pk).update(chunks_done=F("chunks_done") + 1, timings=timings.parts)
            done += 1
            if settings.METRICS_CHUNK_PAUSE_SECONDS:
                time.sleep(settings.METRICS_CHUNK_PAUSE_SECONDS)
        except Exception as error:
            logger.exception("metrics run %s, %s", run.pk, _chunk_name(chunk))
            if chunk.attempts >= MAX_ATTEMPTS:
                return _fail(run, f"{_chunk_name(chunk)} failed {chunk.attempts} times: {error}")
            raise ChunkFailed(str(error)) from error
    if run.full:
        with timings.part("vacuum"):
            _vacuum_rollups()
    MetricsRun.objects.filter(pk=run.pk).update(
        status=Status.SUCCEEDED, finished_at=timezone.now(), timings=timings.parts
    )
    run.refresh_from_db()
    return run


def _last_chunk(run: MetricsRun, timings: Timings) -> None:
    """The periods and, as the run calls for them, the customer figures, the service–loyalty link,
    value at stake and observed journeys — each part timed."""
    touched = None if run.touched_days is None else [date.fromisoformat(d) for d in run.touched_days]
    with timings.part("periods"):
        periods.rebuild(None if run.full else _run_months(run), run.as_of, percentile_days=touched)
    if run.full or run.customers:
        with timings.part("customer_value"):
            money_days = {date.fromisoformat(day) for day in run.money_days or ()}
            if run.full or run.customers_full or not customer_days.update(run.as_of, money_days=money_days):
                customer_days.rebuild(run.as_of)
    if run.full:  # follows customers for a year: a day's import hardly moves it
        with timings.part("loyalty_link"):
            loyalty.rebuild(run.as_of)
    if run.full or run.customers:  # its CLV is the rollup's, its link the last full run's
        with timings.part("value_at_stake"):
            stakes.rebuild(run.as_of)
    if run.full:
        with timings.part("observed_journeys"):
            observed.execute(observed.start(as_of=run.as_of))


ROLLUPS = (ServiceDay, ServiceKindDay, ServicePeriod, SurveyPeriod, CustomerDay, CohortActivity)


def _vacuum_rollups() -> None:
    """A full run deletes and re-inserts every rollup row: without a vacuum the tables bloat (at 10M
    interactions, 329,000 dead rows against 110,000 live after six runs) until autovacuum — if it is
    on — gets round to them, and every page's read of them slows. VACUUM cannot run in a transaction
    (the caller's, in tests): skipped there."""
    if connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        for model in ROLLUPS:
            try:
                cursor.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(model._meta.db_table)}")
            except DatabaseError:  # the run has succeeded; this only keeps reads fast
                logger.warning("vacuum of %s after run failed", model.__name__, exc_info=True)


def recompute(*, full: bool = True, months: set[date] | None = None, as_of: datetime | None = None) -> MetricsRun:
    """Ask for a run and see it finished here (the command line, tests)."""
    return finish(request(full=full, months=months, as_of=as_of)[0])


def finish(run: MetricsRun, *, poll_seconds: float = 1.0) -> MetricsRun:
    """See a requested run finished, in this process: wait while a live worker does it or the run it
    is queued behind; do here what no live worker is doing. Returns it finished."""
    while True:
        run.refresh_from_db()
        if run.status in (Status.SUCCEEDED, Status.FAILED):
            return run
        current = run if run.status == Status.RUNNING else MetricsRun.objects.filter(status=Status.RUNNING).first()
        if current is None:
            promote_next()
        elif jobs.is_alive(jobs.RECOMPUTE_RUN, current.pk):
            time.sleep(poll_seconds)
        else:
            _finish_here(current)
            if current.pk != run.pk:
                promote_next()


def _finish_here(run: MetricsRun) -> None:
    for _attempt in range(MAX_ATTEMPTS + 1):
        try:
            if execute(run).status != Status.RUNNING:
                return
        except ChunkFailed:
            continue
        except Busy:
            return  # a worker took it meanwhile: `finish` waits for it
    _fail(run, "gave up after repeated failures")


def sweep(*, stale_seconds: float | None = None) -> list[MetricsRun]:
    """The runs to start a task for: a running one whose worker is gone — advisory lock free and no
    chunk started for `stale_seconds` (it resumes from its last finished chunk) — and the queued one
    when nothing runs. Its heartbeat is set, so the next sweep leaves the new task time to start."""
    stale = jobs.stale_since(stale_seconds)
    found = []
    for run in MetricsRun.objects.filter(status=Status.RUNNING):
        if jobs.is_lost(jobs.RECOMPUTE_RUN, run.pk, run.heartbeat_at or run.started_at, stale):
            logger.warning("metrics run %s: its worker is gone; resuming it after chunk %s", run.pk, run.chunks_done)
            MetricsRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now())
            found.append(run)
    waiting = promote_next()
    return [*found, *([waiting] if waiting else [])]


def after_import(data_import) -> tuple[MetricsRun, bool] | None:
    """Ask for the incremental run an import calls for (see `request`), or None when it failed: the
    days an interactions or survey import touched (imports recorded before days were: their months);
    and, after customers, transactions or interactions, the customer figures and value at stake — by
    the customers and days the import touched, or whole after a file too big for its customers to
    have been recorded (CustomerTouch.LIMIT)."""
    if data_import.status != DataImport.Status.SUCCEEDED:
        return None
    kinds = DataImport.Kind
    customers = data_import.kind in (kinds.CUSTOMERS, kinds.TRANSACTIONS, kinds.INTERACTIONS)
    days = {date.fromisoformat(day) for day in data_import.touched_days or ()}
    customers_full = data_import.kind in (kinds.CUSTOMERS, kinds.TRANSACTIONS) and (
        (data_import.rows_total or 0) > CustomerTouch.LIMIT
    )
    if data_import.kind not in (kinds.INTERACTIONS, kinds.SURVEY_RESPONSES):
        return request(full=False, days=set(), customers=customers, customers_full=customers_full, money_days=days)
    if data_import.touched_days or not data_import.touched_months:
        return request(full=False, days=days, customers=customers)
    months = {date.fromisoformat(month) for month in data_import.touched_months}
    return request(full=False, months=months, customers=customers, customers_full=customers)


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
