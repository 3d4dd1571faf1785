"""The journey map's comments lane: each step's open threads, a click away from the discussion (the
comment panel). Registered in JourneysConfig.ready() like the lanes other apps contribute."""

from collections.abc import Sequence

from django.db.models import Count
from django.template import Context
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy, gettext_noop, ngettext

from .lanes import Lane, translated, url
from .models import CommentThread, Step

# A speech bubble drawn inline (an emoji depends on the viewer's fonts).
BUBBLE = (
    '<svg class="comment-icon" width="14" height="14" viewBox="0 0 24 24" fill="none" stroke="currentColor" '
    'stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" focusable="false">'
    '<path d="M3 20l1.3 -3.9a9 8 0 1 1 3.4 2.9l-4.7 1"/></svg>'
)


def attach(steps: Sequence[Step]) -> None:
    """Each step's number of open threads as `open_threads` (one query)."""
    counts = dict(
        CommentThread.objects.filter(step_id__in=[step.pk for step in steps], resolved_at__isnull=True)
        .values_list("step_id")
        .annotate(n=Count("pk"))
        .values_list("step_id", "n")
    )
    for step in steps:
        step.open_threads = counts.get(step.pk, 0)  # type: ignore[attr-defined]


def cell(context: Context, step: Step) -> SafeString:
    count = getattr(step, "open_threads", 0)
    step_id = int(step.pk)
    href = f"{url('journeys:comments', context['journey'].pk)}?step={step_id}"
    if count:
        label = conditional_escape(ngettext("%(n)s open thread", "%(n)s open threads", count) % {"n": count})
        return mark_safe(  # our URL and a translated, escaped label
            f'<div class="cell lane-comments"><a class="comment-count" href="{href}" data-comments-step="{step_id}"'
            f' data-testid="comments-cell">{BUBBLE}{label}</a></div>'
        )
    if context.get("can_comment"):
        label = conditional_escape(translated(gettext_noop("Comment")))
        return mark_safe(
            f'<div class="cell lane-comments"><a class="comment-add" href="{href}" data-comments-step="{step_id}"'
            f' data-testid="comments-cell">+ {label}</a></div>'
        )
    return mark_safe('<div class="cell lane-comments text-secondary small" data-testid="comments-cell">—</div>')


LANE = Lane(key="comments", label=gettext_lazy("Comments"), attach=attach, cell=cell, order=90)
