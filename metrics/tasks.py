"""Metrics jobs for Celery; thin: the work is in metrics.ingest.pipeline and metrics.rollups.runs.

Time limits: a recompute task does chunks for about METRICS_TASK_BUDGET_SECONDS, then queues a task
for the rest, so one task lasts at most the budget plus one chunk — within its soft limit (the chunk
is rolled back and retried), its hard limit (the process is killed; the sweeper resumes the run) and
the broker's visibility timeout (settings)."""

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings

from .ingest import pipeline, retention, sweeper
from .models import DataImport, MetricsRun, ObservedRun
from .rollups import observed, runs


@shared_task(
    acks_late=True,
    max_retries=0,
    soft_time_limit=settings.IMPORT_SOFT_TIME_LIMIT,
    time_limit=settings.IMPORT_SOFT_TIME_LIMIT + 60,
)
def run_import(import_id: int) -> str:
    """Run a queued import (a worker killed mid-way leaves nothing written; the sweeper marks it failed
    and retryable). A redelivered message for an import another live worker is doing is dropped."""
    data_import = DataImport.objects.filter(pk=import_id).first()
    if data_import is None or data_import.is_finished:
        return "skipped"
    finished = pipeline.run(data_import)
    if finished is None:
        return "skipped"  # another worker holds it
    start_recompute_after(finished)
    return finished.status


def start_recompute_after(data_import: DataImport) -> None:
    asked = runs.after_import(data_import)
    if asked is not None and asked[1]:
        recompute.delay_on_commit(asked[0].pk)


def start_recompute(
    *, full: bool = True, join_running: bool = False, customers: bool = False, customers_full: bool = False
) -> MetricsRun:
    """Ask for a recompute (runs.request) and queue a task when it is a new running run."""
    # An incremental one rebuilds no day of its own (only those whose open cases moved), ranks nothing anew.
    run, start = runs.request(
        full=full,
        days=None if full else set(),
        join_running=join_running,
        customers=customers,
        customers_full=customers_full,
    )
    if start:
        recompute.delay_on_commit(run.pk)
    return run


@shared_task(
    acks_late=True,
    max_retries=3,
    autoretry_for=(runs.ChunkFailed,),
    retry_backoff=5,
    soft_time_limit=settings.METRICS_CHUNK_SOFT_TIME_LIMIT,
    time_limit=settings.METRICS_CHUNK_SOFT_TIME_LIMIT + 60,
)
def recompute(run_id: int) -> str:
    """Do a running recompute run for about METRICS_TASK_BUDGET_SECONDS, then queue the rest; when it
    ends, start the queued one. Redelivered after a worker died, it resumes the same run: done
    months are skipped, the rest redone with the same as_of."""
    run = MetricsRun.objects.filter(pk=run_id).first()
    if run is None or run.status != MetricsRun.Status.RUNNING:
        return "skipped"
    try:
        run = runs.execute(run, budget_seconds=settings.METRICS_TASK_BUDGET_SECONDS)
    except runs.Busy:
        return "skipped"  # a live worker is on it
    except SoftTimeLimitExceeded:  # outside a chunk (between them): carry on in a new task
        recompute.delay(run.pk)
        return "continued"
    if run.status == MetricsRun.Status.RUNNING:
        recompute.delay(run.pk)
        return "continued"
    waiting = runs.promote_next()
    if waiting is not None:
        recompute.delay(waiting.pk)
    return run.status


@shared_task
def nightly_recompute() -> str:
    """Beat: a full recompute every night (joins a full one already going)."""
    return start_recompute(full=True, join_running=True).status


@shared_task(soft_time_limit=50, time_limit=55)
def sweep() -> str:
    """Beat, every minute: resume recompute runs whose worker is gone, start the queued one when none
    runs, mark imports whose worker is gone failed (retryable), queue again imports whose message
    was lost, and clean up staging rows killed checkers left."""
    started = runs.sweep()
    for run in started:
        recompute.delay(run.pk)
    lost = sweeper.sweep_imports()
    for import_id in sweeper.queued_again():
        run_import.delay(import_id)
    sweeper.clean_staging()
    return f"{len(started)} runs started, {len(lost)} imports lost"


@shared_task
def forget_old_import_files() -> str:
    return f"{retention.forget_old_files()} import files deleted"


@shared_task(acks_late=True, max_retries=0)
def observe_journeys(run_id: int) -> str:
    """Compute the observed journeys of a recorded run (the CX lead changed the gap, or asked again)."""
    run = ObservedRun.objects.filter(pk=run_id, status=ObservedRun.Status.RUNNING).first()
    if run is None:
        return "skipped"
    return observed.execute(run).status
