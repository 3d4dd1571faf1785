import functools
from urllib.parse import quote

from django import template
from django.urls import get_script_prefix, reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext, gettext_noop

from metrics.templatetags.figures import compact

from ..models import Channel

register = template.Library()


@register.filter
def signed(value: int) -> str:
    """Emotion scores read better with their sign: +2, 0, −1 (a real minus sign)."""
    value = int(value)
    if value > 0:
        return f"+{value}"
    if value < 0:
        return f"−{abs(value)}"
    return "0"


_PLACEHOLDER_JOURNEY, _PLACEHOLDER_STEP, _PLACEHOLDER_FIELD = 1_999_999_991, 1_999_999_992, "cell-field"


@functools.cache
def _url_pattern(name: str, with_field: bool, script_prefix: str) -> str:
    args = [_PLACEHOLDER_JOURNEY, _PLACEHOLDER_STEP] + ([_PLACEHOLDER_FIELD] if with_field else [])
    return reverse(f"journeys:{name}", args=args)


def _step_url(context, name: str, journey_id: int, step_id: int, field: str = "") -> str:
    """A step endpoint's URL, reversed once per process and filled in: a 150-step map has ~1,200 links."""
    url = _url_pattern(name, bool(field), get_script_prefix())
    url = url.replace(str(_PLACEHOLDER_JOURNEY), str(journey_id)).replace(str(_PLACEHOLDER_STEP), str(step_id))
    return url.replace(_PLACEHOLDER_FIELD, field) if field else url


@functools.cache
def _translated(language: str | None, message: str) -> str:
    return gettext(message)


def _t(context, message: str) -> str:
    """gettext, memoised per language: a big map asks for the same few labels thousands of times."""
    return _translated(get_language(), message)


def _channel_label(context, channel: str) -> str:
    return _channel_labels(get_language())[channel]


@functools.cache
def _channel_labels(language: str | None) -> dict[str, str]:
    return {value: str(label) for value, label in Channel.choices}


def _cell(context, step, field: str, lane: str, content, label: str, extra_class: str = "") -> str:
    """One editable cell: its editor (journeys/_cell.html) while being edited, a button that opens the
    editor for CX leads, plain text for readers."""
    form = context.get("form")
    if form is not None and getattr(form, "cell", None) == field:
        template = context.template.engine.get_template("journeys/_cell.html")
        with context.push(field=field, lane=lane, content=content, label=label, extra_class=extra_class):
            return template.render(context)
    classes = f"cell lane-{lane}" + (f" {extra_class}" if extra_class else "")
    if context.get("can_edit"):
        return format_html(
            '<button type="button" class="{} cell-edit" hx-get="{}" hx-target="#step-{}" hx-swap="outerHTML"'
            ' aria-label="{}" data-testid="cell-{}">{}</button>',
            classes,
            _step_url(context, "step_cell", context["journey"].pk, step.pk, field),
            step.pk,
            _t(context, gettext_noop("Edit %(label)s")) % {"label": label},
            field,
            content,
        )
    return format_html('<div class="{}" data-testid="cell-{}">{}</div>', classes, field, content)


@functools.cache
def _barrier_url_pattern(script_prefix: str) -> str:
    return reverse("barriers:detail", args=[_PLACEHOLDER_STEP])


def _barriers_lane(context, step) -> str:
    """The step's barriers as chips coloured by severity (closed ones struck through); CX leads get
    a link that records a new barrier on this step."""
    chips = []
    pattern = _barrier_url_pattern(get_script_prefix())
    for barrier in step.lane_barriers:  # the first few, from selectors.attach_lane_barriers
        closed = barrier.status in ("verified", "rejected")
        chips.append(
            format_html(
                '<a class="barrier-chip sev-{}{}" href="{}" title="{} · {} · {}" data-testid="barrier-chip">{}</a>',
                barrier.severity,
                " is-closed" if closed else "",
                pattern.replace(str(_PLACEHOLDER_STEP), str(barrier.pk)),
                _choice_labels(get_language(), "severity")[barrier.severity],
                _choice_labels(get_language(), "status")[barrier.status],
                barrier.title,
                barrier.title,
            )
        )
    more = step.barriers_more
    if more > 0:
        chips.append(
            format_html(
                '<a class="barrier-chip barrier-more" href="{}?step={}" data-testid="more-barriers">+{} {}</a>',
                _board_url(get_script_prefix()),
                step.pk,
                more,
                _t(context, gettext_noop("more")),
            )
        )
    if context.get("can_edit"):
        back_to_step = quote(f"{_map_url(context['journey'].pk, get_script_prefix())}#step-{step.pk}")
        chips.append(
            format_html(
                '<a class="barrier-chip barrier-add" href="{}?step={}&amp;next={}" data-testid="add-barrier">+ {}</a>',
                _create_barrier_url(get_script_prefix()),
                step.pk,
                back_to_step,
                _t(context, gettext_noop("barrier")),
            )
        )
    if not chips:
        return format_html(
            '<div class="cell lane-barriers text-secondary small">{}</div>',
            _t(context, gettext_noop("No barriers recorded")),
        )
    return format_html('<div class="cell lane-barriers">{}</div>', mark_safe("".join(chips)))  # chips are format_html


@functools.lru_cache(maxsize=2048)
def _map_url(journey_id: int, script_prefix: str) -> str:
    return reverse("journeys:journey_map", args=[journey_id])


@functools.cache
def _choice_labels(language: str | None, name: str) -> dict:
    """Barrier severity and status labels per language (the map shows hundreds of chips)."""
    from barriers.models import SEVERITY_SHORT, Status

    labels = SEVERITY_SHORT if name == "severity" else dict(Status.choices)
    return {key: str(label) for key, label in labels.items()}


@functools.cache
def _board_url(script_prefix: str) -> str:
    return reverse("barriers:board")


@functools.cache
def _create_barrier_url(script_prefix: str) -> str:
    return reverse("barriers:create")


@functools.lru_cache(maxsize=2048)
def _touchpoint_figures_url(touchpoint_id: int, script_prefix: str) -> str:
    return reverse("metrics:touchpoint", args=[touchpoint_id])


def _service_lane(context, step) -> str:
    """The touchpoint's service level over the last 90 days: against its target when it has one
    (green when met, red when not — "service first"), else at 5 days; always with n."""
    level = getattr(step, "service", None)
    if level is None:
        return format_html(
            '<div class="cell lane-service"><div class="text-secondary small">{}</div>{}</div>',
            _t(context, gettext_noop("No data")),
            _overlays(context, step),
        )
    share = level.against_target or level.by_threshold[5]
    days = level.target_days if level.against_target else 5
    if share.value is None:
        return format_html(
            '<div class="cell lane-service"><div class="text-secondary small">{}</div>{}</div>',
            _t(context, gettext_noop("No data")),
            _overlays(context, step),
        )
    state = {True: "sl-ok", False: "sl-bad", None: "sl-neutral"}[level.meets_target]
    target = (
        format_html(" / {} {}", _t(context, gettext_noop("target")), f"{float(level.target_share):.0%}")
        if level.against_target
        else ""
    )
    # Below target: fix the service before any experience initiative on this journey (DOMAIN.md).
    service_first = (
        format_html(
            '<div><span class="badge bg-red-lt" data-testid="service-first" title="{}">{}</span></div>',
            _t(context, gettext_noop("Below its service-level target: fix the service before experience initiatives")),
            _t(context, gettext_noop("Service first")),
        )
        if level.meets_target is False
        else ""
    )
    return format_html(
        '<div class="cell lane-service {}" data-testid="service-level" title="{}">'
        '<a class="sl-link" href="{}"><strong>{}</strong> ≤{} {}{}</a>'
        '<div class="small text-secondary">n = {}</div>{}{}</div>',
        state,
        _t(context, gettext_noop("Share resolved within the threshold, last 90 days")),
        _touchpoint_figures_url(step.touchpoint_id, get_script_prefix()),
        f"{share.value:.0%}",
        days,
        _t(context, gettext_noop("d")),
        target,
        share.eligible,
        service_first,
        _overlays(context, step),
    )


def _overlays(context, step) -> str:
    """Under the service level: NPS and CSAT at the touchpoint (n), and what the step's open barriers
    put at stake."""
    parts = []
    surveys = getattr(step, "surveys", None)
    if surveys is not None and (surveys.nps_n or surveys.csat_n):
        scores = []
        if surveys.nps_n:
            scores.append(
                format_html(
                    'NPS <strong>{}</strong> <span class="text-secondary">n {}</span>',
                    f"{surveys.nps:.0f}",
                    surveys.nps_n,
                )
            )
        if surveys.csat_n:
            scores.append(
                format_html(
                    'CSAT <strong>{}%</strong> <span class="text-secondary">n {}</span>',
                    f"{surveys.csat:.0f}",
                    surveys.csat_n,
                )
            )
        parts.append(
            format_html(
                '<div class="small lane-scores" data-testid="step-scores" title="{}">{}</div>',
                _t(
                    context,
                    gettext_noop(
                        "Survey answers at this touchpoint since the start of the month the last 90 days begin in"
                    ),
                ),
                mark_safe(" · ".join(scores)),
            )
        )
    stake = getattr(step, "stake", None)
    if stake is not None:
        figure = f"{compact(stake.low)}–{compact(stake.high)}" if stake.small_n else compact(stake.value)
        parts.append(
            format_html(
                '<div class="small lane-stake" data-testid="step-stake" title="{}">{} <strong>{}</strong></div>',
                _t(
                    context,
                    gettext_noop("Value at stake of the open barriers on this step, summed (they may share customers)"),
                ),
                _t(context, gettext_noop("At stake")),
                figure,
            )
        )
    return mark_safe("".join(parts))


@register.simple_tag(takes_context=True)
def step_lanes(context) -> str:
    """The lanes of one step column, top to bottom, matching the lane labels of the map.

    Built in Python rather than with a template per cell: a 150-step map has ~1,800 cells, and
    template nodes, includes and repeated translations were most of the page's server time
    (bench/journey_pages.py)."""
    step = context["step"]
    touchpoint = step.touchpoint
    dash = "—"
    if touchpoint:
        channel = format_html(
            '<span class="badge channel-badge channel-{}">{}</span>',
            touchpoint.channel,
            _channel_label(context, touchpoint.channel),
        )
    else:
        channel = dash
    if step.has_gap:
        gap = format_html('<span class="badge bg-red-lt" data-testid="gap">{}</span>', _t(context, gettext_noop("Gap")))
    elif step.expectation and step.reality:
        gap = format_html(
            '<span class="text-secondary small">{}</span>', _t(context, gettext_noop("meets expectation"))
        )
    else:
        gap = dash
    if step.is_moment_of_truth:
        mot, mot_class = _t(context, gettext_noop("★ Moment of truth")), "is-mot-cell"
    else:
        mot, mot_class = dash, ""
    parts = [
        _cell(context, step, "action", "action", step.action or dash, _t(context, gettext_noop("Customer action"))),
        _cell(
            context,
            step,
            "touchpoint",
            "touchpoint",
            touchpoint.name if touchpoint else dash,
            _t(context, gettext_noop("Touchpoint")),
        ),
        format_html('<div class="cell lane-channel">{}</div>', channel),
        format_html('<div class="cell lane-department">{}</div>', touchpoint.department.name if touchpoint else dash),
        _cell(
            context,
            step,
            "expectation",
            "expectation",
            step.expectation or dash,
            _t(context, gettext_noop("Expectation")),
        ),
        _cell(context, step, "reality", "reality", step.reality or dash, _t(context, gettext_noop("Reality"))),
        format_html('<div class="cell lane-gap">{}</div>', gap),
        _cell(
            context,
            step,
            "emotion",
            "emotion",
            signed(step.emotion),
            _t(context, gettext_noop("Emotion")),
            f"emotion-{step.emotion_key}",
        ),
        _cell(context, step, "is_moment_of_truth", "mot", mot, _t(context, gettext_noop("Moment of truth")), mot_class),
        _barriers_lane(context, step),
        _service_lane(context, step),
    ]
    return mark_safe("\n".join(parts))  # every part above is built with format_html


@register.simple_tag(takes_context=True)
def step_move_url(context) -> str:
    return _step_url(context, "step_move", context["journey"].pk, context["step"].pk)


@register.simple_tag(takes_context=True)
def step_tools(context) -> str:
    """The bar above a step: drag handle, move left/right and delete for CX leads; the number for readers."""
    step, journey = context["step"], context["journey"]
    if not context.get("can_edit"):
        return format_html(
            '<span class="small text-secondary">{}</span>',
            _t(context, gettext_noop("Step %(number)s")) % {"number": step.position + 1},
        )
    csrf = format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', context.get("csrf_token", ""))
    version = format_html('<input type="hidden" name="version" value="{}">', step.version)
    move_url = _step_url(context, "step_move", journey.pk, step.pk)
    delete_url = _step_url(context, "step_delete", journey.pk, step.pk)
    return format_html(
        '<span class="drag-handle step-handle" title="{drag}" aria-hidden="true">⠿</span>'
        '<form class="d-flex" method="post" action="{move}" hx-post="{move}" hx-target="#journey-map"'
        ' hx-swap="outerHTML">{csrf}{version}'
        '<button class="btn btn-icon btn-sm btn-ghost-secondary" type="submit" name="direction" value="left"'
        ' aria-label="{left}" data-testid="step-left">◀</button>'
        '<button class="btn btn-icon btn-sm btn-ghost-secondary" type="submit" name="direction" value="right"'
        ' aria-label="{right}" data-testid="step-right">▶</button></form>'
        '<form class="ms-auto" method="post" action="{delete}" hx-post="{delete}" hx-target="#journey-map"'
        ' hx-swap="outerHTML" hx-confirm="{confirm}">{csrf}{version}'
        '<button class="btn btn-icon btn-sm btn-ghost-danger" type="submit" aria-label="{delete_label}">✕</button>'
        "</form>",
        drag=_t(context, gettext_noop("Drag to move the step")),
        move=move_url,
        csrf=csrf,
        version=version,
        left=_t(context, gettext_noop("Move step left")),
        right=_t(context, gettext_noop("Move step right")),
        delete=delete_url,
        confirm=_t(context, gettext_noop("Delete this step?")),
        delete_label=_t(context, gettext_noop("Delete step")),
    )
