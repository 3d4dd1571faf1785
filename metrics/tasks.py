"""Metrics jobs for Celery; thin: the work is in metrics.imports.pipeline."""

from celery import shared_task

from .imports import pipeline
from .models import DataImport


@shared_task(acks_late=True, max_retries=0)
def run_import(import_id: int) -> str:
    """Run a queued import (a worker killed mid-way leaves it re-runnable: staging is cleared first)."""
    data_import = DataImport.objects.filter(pk=import_id).first()
    if data_import is None or data_import.is_finished:
        return "skipped"
    return pipeline.run(data_import).status
