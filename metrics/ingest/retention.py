"""Uploaded import files are kept for a while, then deleted; the import's record stays.

An import file holds customers' data and is only needed while the import runs, for a retry, and to
look into a report soon after. Keeping every file for ever grows the disk without limit (524 MB after
one audit), so files of imports finished more than METRICS_IMPORT_FILE_DAYS ago are deleted daily.
"""

import functools
import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..models import DataImport

logger = logging.getLogger(__name__)


def forget_old_files(*, now=None) -> int:
    """Delete the files of imports finished more than the configured days ago; returns how many."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.METRICS_IMPORT_FILE_DAYS)
    old = DataImport.objects.filter(finished_at__lt=cutoff, file_removed_at__isnull=True).exclude(file="")
    removed = 0
    for data_import in old.iterator():
        with transaction.atomic():
            claimed = DataImport.objects.filter(pk=data_import.pk, file_removed_at__isnull=True).update(
                file="", file_removed_at=now
            )
            if claimed:
                # The record says "deleted" only once the row is committed; then the file goes.
                transaction.on_commit(functools.partial(_delete, data_import.file.storage, data_import.file.name or ""))
                removed += 1
    return removed


def _delete(storage, name: str) -> None:
    try:
        storage.delete(name)
    except OSError:
        logger.warning("import file %s could not be deleted", name, exc_info=True)
