"""The jobs' records: progress, the finished file or why it failed (written by the task); old ones removed."""

from datetime import timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Export
from .registry import Rendered


def export_progress(export: Export, percent: int, message: str) -> None:
    """Written at once (outside any transaction) so the page polling it sees each step."""
    Export.objects.filter(pk=export.pk).update(state=Export.State.RUNNING, progress=percent, message=message[:300])


@transaction.atomic
def export_finish(export: Export, rendered: Rendered) -> None:
    export.file.save(f"{export.token}-{rendered.filename}", ContentFile(rendered.content), save=False)
    export.filename = rendered.filename
    export.content_type = rendered.content_type
    export.state, export.progress, export.message = Export.State.DONE, 100, ""
    export.finished_at = timezone.now()
    export.save()


def export_fail(export: Export, reason: str) -> None:
    Export.objects.filter(pk=export.pk).update(
        state=Export.State.FAILED, message=reason[:300] or _("The export failed."), finished_at=timezone.now()
    )


def exports_prune(*, older_than_hours: int = 24) -> int:
    """Remove exports (and their files) older than a day: they are made to be downloaded at once."""
    cutoff = timezone.now() - timedelta(hours=older_than_hours)
    old = list(Export.objects.filter(created_at__lt=cutoff))
    for export in old:
        if export.file:
            export.file.delete(save=False)
    Export.objects.filter(pk__in=[export.pk for export in old]).delete()
    return len(old)
