"""Metrics jobs for Celery; thin: the work is in metrics.ingest.pipeline."""

from celery import shared_task

from .ingest import pipeline
from .models import DataImport, MetricsRun, ObservedRun
from .rollups import observed, runs


@shared_task(acks_late=True, max_retries=0)
def run_import(import_id: int) -> str:
    """Run a queued import (a worker killed mid-way leaves it re-runnable: staging is cleared first)."""
    data_import = DataImport.objects.filter(pk=import_id).first()
    if data_import is None or data_import.is_finished:
        return "skipped"
    finished = pipeline.run(data_import)
    run = runs.after_import(finished)
    if run is not None:
        recompute.delay(run.pk)
    return finished.status


@shared_task(acks_late=True, max_retries=3, autoretry_for=(runs.ChunkFailed,), retry_backoff=5)
def recompute(run_id: int | None = None) -> str:
    """Finish a recompute run (a new full one when no run is given). Redelivered after a worker died,
    it resumes the same run: done months are skipped, the rest redone with the same as_of."""
    run = MetricsRun.objects.filter(pk=run_id).first() if run_id else runs.start_run(full=True)
    if run is None or run.status != MetricsRun.Status.RUNNING:
        return "skipped"
    return runs.execute(run).status


@shared_task
def nightly_recompute() -> str:
    """Beat: a full recompute every night."""
    return runs.execute(runs.start_run(full=True)).status


@shared_task(acks_late=True, max_retries=0)
def observe_journeys(run_id: int) -> str:
    """Compute the observed journeys of a recorded run (the CX lead changed the gap, or asked again)."""
    run = ObservedRun.objects.filter(pk=run_id, status=ObservedRun.Status.RUNNING).first()
    if run is None:
        return "skipped"
    return observed.execute(run).status
