"""Requesting an export and recording its progress. The rendering itself runs in the worker (tasks)."""

from typing import Any

from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .models import Export
from .registry import RENDERERS, Rendered


def export_request(*, kind: str, params: dict[str, Any], title: str, actor: User) -> Export:
    """Queue a rendering for `actor`; the worker starts it once this transaction commits."""
    from .tasks import render_export

    if kind not in RENDERERS:
        raise ValueError(f"no renderer for {kind!r}")
    export = Export.objects.create(
        kind=kind, params=params, title=title[:200], language=get_language() or "en", requested_by=actor
    )
    render_export.delay_on_commit(export.pk)
    return export


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
    cutoff = timezone.now() - timezone.timedelta(hours=older_than_hours)
    old = list(Export.objects.filter(created_at__lt=cutoff))
    for export in old:
        if export.file:
            export.file.delete(save=False)
    Export.objects.filter(pk__in=[export.pk for export in old]).delete()
    return len(old)
