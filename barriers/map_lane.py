"""The journey map's barriers lane: each step's barriers as chips coloured by severity (closed ones
struck through), with "+ barrier" for CX leads; registered in BarriersConfig.ready()."""

import functools
from collections.abc import Sequence
from urllib.parse import quote

from django.db.models import Case, Count, F, When, Window
from django.db.models.functions import RowNumber
from django.template import Context
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext_lazy, gettext_noop

from cxhub.lib.html import format_html
from journeys.lanes import Lane, translated, url
from journeys.models import Step

from .models import CLOSED_STATUSES, SEVERITY_SHORT, Status

CHIPS = 4  # chips per step on the map; the rest are counted and linked


def attach(steps: Sequence[Step]) -> None:
    """Give each step its first few barriers (open before closed, most severe first) as `lane_barriers`
    and its total as `barrier_total`, in one query however many barriers a step has."""
    through = Step.barriers.through
    closed_last = Case(When(barrier__status__in=CLOSED_STATUSES, then=1), default=0)
    rows = (
        through.objects.filter(step_id__in=[step.pk for step in steps])
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("step_id")],
                order_by=[closed_last.asc(), F("barrier__severity").desc(), F("barrier_id").asc()],
            ),
            total=Window(Count("pk"), partition_by=[F("step_id")]),
        )
        .filter(rank__lte=CHIPS)
        .select_related("barrier")
        .only("step_id", "barrier__id", "barrier__title", "barrier__severity", "barrier__status")
        .order_by("step_id", "rank")
    )
    by_step: dict[int, list] = {}
    totals: dict[int, int] = {}
    for row in rows:
        by_step.setdefault(row.step_id, []).append(row.barrier)
        totals[row.step_id] = row.total
    for step in steps:
        step.lane_barriers = by_step.get(step.pk, [])
        step.barrier_total = totals.get(step.pk, 0)
        step.barriers_more = step.barrier_total - len(step.lane_barriers)


@functools.cache
def _labels(language: str | None) -> tuple[dict, dict]:
    """Severity and status labels per language (the map shows hundreds of chips)."""
    return {k: str(v) for k, v in SEVERITY_SHORT.items()}, {k: str(v) for k, v in Status.choices}


def cell(context: Context, step: Step) -> SafeString:
    severities, statuses = _labels(get_language())
    chips = [
        format_html(
            '<a class="barrier-chip sev-{}{}" href="{}" title="{} · {} · {}" data-testid="barrier-chip">{}</a>',
            barrier.severity,
            " is-closed" if barrier.status in CLOSED_STATUSES else "",
            url("barriers:detail", barrier.pk),
            severities[barrier.severity],
            statuses[barrier.status],
            barrier.title,
            barrier.title,
        )
        for barrier in step.lane_barriers
    ]
    if step.barriers_more > 0:
        chips.append(
            format_html(
                '<a class="barrier-chip barrier-more" href="{}?step={}" data-testid="more-barriers">+{} {}</a>',
                url("barriers:board"),
                step.pk,
                step.barriers_more,
                translated(gettext_noop("more")),
            )
        )
    if context.get("can_edit"):
        back_to_step = quote(f"{url('journeys:journey_map', context['journey'].pk)}#step-{step.pk}")
        chips.append(
            format_html(
                '<a class="barrier-chip barrier-add" href="{}?step={}&amp;next={}" data-testid="add-barrier">+ {}</a>',
                url("barriers:create"),
                step.pk,
                back_to_step,
                translated(gettext_noop("barrier")),
            )
        )
    if not chips:
        return format_html(
            '<div class="cell lane-barriers text-secondary small">{}</div>',
            translated(gettext_noop("No barriers recorded")),
        )
    return format_html('<div class="cell lane-barriers">{}</div>', mark_safe("".join(chips)))  # chips are format_html


def printed(step: Step) -> SafeString:
    titles = [format_html('<div class="barrier sev-{}">{}</div>', b.severity, b.title) for b in step.lane_barriers]
    if step.barriers_more:
        titles.append(format_html('<div class="muted">+{}</div>', step.barriers_more))
    return mark_safe("".join(titles))  # each part is format_html


LANE = Lane(key="barriers", label=gettext_lazy("Barriers"), attach=attach, cell=cell, printed=printed, order=10)
