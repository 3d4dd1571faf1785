"""The journey map's barriers lane: each step's barriers as chips coloured by severity (closed ones
struck through), with "+ barrier" for CX leads; registered in BarriersConfig.ready()."""

import functools
from collections.abc import Sequence
from urllib.parse import quote

from django.db.models import Case, Count, F, When, Window
from django.db.models.functions import RowNumber
from django.template import Context
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext_lazy, gettext_noop

from cxhub.lib.html import format_html
from journeys.lanes import Lane, translated, url
from journeys.models import Step

from .models import CLOSED_STATUSES, SEVERITY_SHORT, Status

CHIPS = 4  # chips per step on the map; the rest are counted and linked
_PLACEHOLDER = 987_654_321


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
    """The step's barrier chips (f-strings: one per step on a 150-step map; titles are escaped)."""
    severities, statuses = _labels(get_language())
    public = bool(context.get("public"))
    detail = url("barriers:detail", _PLACEHOLDER)  # memoised; each chip fills in its id
    chips = []
    for barrier in step.lane_barriers:
        title = conditional_escape(barrier.title)
        tooltip = conditional_escape(f"{severities[barrier.severity]} · {statuses[barrier.status]} · ") + title
        closed = " is-closed" if barrier.status in CLOSED_STATUSES else ""
        if public:  # a share link leads nowhere into the app
            chips.append(
                f'<span class="barrier-chip sev-{int(barrier.severity)}{closed}" title="{tooltip}"'
                f' data-testid="barrier-chip">{title}</span>'
            )
            continue
        href = detail.replace(str(_PLACEHOLDER), str(barrier.pk))
        chips.append(
            f'<a class="barrier-chip sev-{int(barrier.severity)}{closed}" href="{href}"'
            f' title="{tooltip}" data-testid="barrier-chip">{title}</a>'
        )
    if step.barriers_more > 0 and public:
        chips.append(f'<span class="barrier-chip barrier-more">+{int(step.barriers_more)}</span>')
    elif step.barriers_more > 0:
        more = conditional_escape(translated(gettext_noop("more")))
        chips.append(
            f'<a class="barrier-chip barrier-more" href="{url("barriers:board")}?step={step.pk}"'
            f' data-testid="more-barriers">+{int(step.barriers_more)} {more}</a>'
        )
    if context.get("can_edit"):
        back_to_step = quote(f"{url('journeys:journey_map', context['journey'].pk)}#step-{step.pk}")
        add = conditional_escape(translated(gettext_noop("barrier")))
        create = url("barriers:create")
        chips.append(
            f'<a class="barrier-chip barrier-add" href="{create}?step={step.pk}&amp;next={back_to_step}"'
            f' data-testid="add-barrier">+ {add}</a>'
        )
    if not chips:
        return format_html(
            '<div class="cell lane-barriers text-secondary small">{}</div>',
            translated(gettext_noop("No barriers recorded")),
        )
    return mark_safe(f'<div class="cell lane-barriers">{"".join(chips)}</div>')  # each part escaped above


def printed(step: Step) -> SafeString:
    titles = [format_html('<div class="barrier sev-{}">{}</div>', b.severity, b.title) for b in step.lane_barriers]
    if step.barriers_more:
        titles.append(format_html('<div class="muted">+{}</div>', step.barriers_more))
    return mark_safe("".join(titles))  # each part is format_html


LANE = Lane(key="barriers", label=gettext_lazy("Barriers"), attach=attach, cell=cell, printed=printed, order=10)
