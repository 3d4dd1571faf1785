import logging

from celery import shared_task
from django.utils import translation
from django.utils.translation import gettext as _

from .chromium import RenderUnavailable
from .job import export_fail, export_finish, export_progress, exports_prune
from .models import Export
from .registry import RENDERERS

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, max_retries=0)
def render_export(export_id: int) -> str:
    """Render one export; a failure is recorded on it (with a reason people can act on), never lost."""
    export = Export.objects.filter(pk=export_id).first()
    if export is None or export.finished:
        return "nothing to do"
    with translation.override(export.language):
        export_progress(export, 5, _("Starting"))
        try:
            rendered = RENDERERS[export.kind](
                export, lambda percent, message: export_progress(export, percent, message)
            )
        except RenderUnavailable as error:
            export_fail(export, str(error))
            return "failed"
        except Exception:
            logger.exception("export %s (%s) failed", export.pk, export.kind)
            export_fail(export, _("The export failed; the server log has the details."))
            return "failed"
        export_finish(export, rendered)
    return f"{len(rendered.content)} bytes"


@shared_task
def prune_exports() -> int:
    return exports_prune()
