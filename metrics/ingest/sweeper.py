"""Imports whose worker is gone: found by the sweeper (metrics.tasks.sweep, every minute) and marked
failed — retryable, nothing written (the rows and the status commit together,
metrics.ingest.pipeline) — instead of showing "running" for ever. Imports whose task message was
lost are queued again instead of waiting for ever, and staging rows a killed checker left go."""

import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from cxhub.lib import jobs

from ..models import DataImport

logger = logging.getLogger(__name__)

# Stored as the English message id and translated for each reader (templates/metrics/import_detail.html).
WORKER_LOST = gettext_noop(
    "The worker running this import was lost (restarted, or out of memory); nothing was imported. Retry it."
)


def sweep_imports(*, stale_seconds: float | None = None) -> list[int]:
    """Mark failed the running imports whose worker is gone (cxhub.lib.jobs.is_lost). Returns their ids."""
    stale = jobs.stale_since(stale_seconds)
    lost = []
    quiet = Q(heartbeat_at__lte=stale) | Q(heartbeat_at__isnull=True, started_at__lte=stale)
    for data_import in DataImport.objects.filter(quiet, status=DataImport.Status.RUNNING):
        last_heard = data_import.heartbeat_at or data_import.started_at
        if not jobs.is_lost(jobs.DATA_IMPORT, data_import.pk, last_heard, stale):
            continue  # slow, not lost
        with transaction.atomic():
            updated = DataImport.objects.filter(pk=data_import.pk, status=DataImport.Status.RUNNING).update(
                status=DataImport.Status.FAILED,
                retryable=True,
                finished_at=timezone.now(),
                error_count=1,
                message=WORKER_LOST,
            )
        if updated:
            logger.warning("import %s: its worker is gone; marked failed (retryable)", data_import.pk)
            lost.append(data_import.pk)
    return lost


REQUEUE_AFTER = timedelta(minutes=5)


def queued_again() -> list[int]:
    """Imports queued for REQUEUE_AFTER without a worker taking them: their task message may have
    been lost (a broker restarted without its data), so a new one is sent — harmless when the old
    one was merely waiting, since a worker finds the import started or finished and skips it.
    Returns their ids; the caller queues the tasks."""
    since = timezone.now() - REQUEUE_AFTER
    waiting = DataImport.objects.filter(status=DataImport.Status.QUEUED).filter(
        Q(heartbeat_at__lte=since) | Q(heartbeat_at__isnull=True, created_at__lte=since)
    )
    ids = list(waiting.values_list("pk", flat=True))
    DataImport.objects.filter(pk__in=ids, status=DataImport.Status.QUEUED).update(heartbeat_at=timezone.now())
    return ids


def clean_staging() -> int:
    """Delete staged rows of imports no worker is on (a checker killed mid-file leaves its staged
    rows: committed chunk by chunk, they are deleted when the import reruns or ends)."""
    from .kinds import KINDS

    deleted = 0
    for kind in KINDS.values():
        deleted += kind.staging._default_manager.exclude(data_import__status=DataImport.Status.RUNNING).delete()[0]
    return deleted
