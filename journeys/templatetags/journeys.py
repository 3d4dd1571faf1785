import functools

from django import template
from django.urls import get_script_prefix, reverse
from django.utils.html import conditional_escape, linebreaks
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_noop

from cxhub.lib.html import format_html

from .. import lanes
from ..forms import STEP_TEXT_FIELDS
from ..models import MENTION, Channel

register = template.Library()


@register.filter
def lines(text: str) -> list[str]:
    """A text typed one item per line, as a list without blank lines or list markers."""
    items = (line.strip().lstrip("-•*").strip() for line in (text or "").splitlines())
    return [item for item in items if item]


@register.filter
def comment_html(comment) -> str:
    """A comment's text, escaped, in paragraphs, with the people it mentions named and marked."""
    names = {user.username.lower(): user.get_full_name() or user.username for user in comment.mentions.all()}

    def mention(match) -> str:
        name = names.get(match.group(1).lower())
        return f'<span class="cx-mention">@{conditional_escape(name)}</span>' if name else match.group(0)

    return mark_safe(MENTION.sub(mention, linebreaks(conditional_escape(comment.text))))


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def display_name(user) -> str:
    """A person as people read them (full name, else username); "—" for nobody (a deleted account)."""
    if user is None:
        return "—"
    return user.get_full_name() or user.get_username()


@register.filter
def initials(user) -> str:
    if user is None:
        return "?"
    letters = "".join(part[:1] for part in (user.first_name, user.last_name) if part) or user.get_username()[:2]
    return letters.upper()


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
    """A step endpoint's URL, reversed once per process and filled in: a 150-step map has ~1,200 links.
    The journey's part is filled in once per page."""
    cache = context.render_context.setdefault("cx_step_urls", {})
    key = (name, bool(field), journey_id)
    if key not in cache:
        pattern = _url_pattern(name, bool(field), get_script_prefix())
        cache[key] = pattern.replace(str(_PLACEHOLDER_JOURNEY), str(journey_id))
    url = cache[key].replace(str(_PLACEHOLDER_STEP), str(step_id))
    return url.replace(_PLACEHOLDER_FIELD, field) if field else url


def _language(context) -> str | None:
    """The page's language, looked up once per render (get_language() per cell adds up on a big map)."""
    cache = context.render_context
    if "cx_language" not in cache:
        cache["cx_language"] = get_language()
    return cache["cx_language"]


def _t(context, message: str) -> str:
    return lanes.translated_in(_language(context), message)


def _channel_label(context, channel: str) -> str:
    return _channel_labels(_language(context))[channel]


@functools.cache
def _channel_labels(language: str | None) -> dict[str, str]:
    return {value: str(label) for value, label in Channel.choices}


def _cell(context, step, field: str, lane: str, content, label: str, extra_class: str = "") -> str:
    """One editable cell: its editor (journeys/_cell.html) while being edited, a button that opens the
    editor for CX leads, plain text for readers."""
    form = context.get("form")
    if form is not None and getattr(form, "cell", None) == field:
        template = context.template.engine.get_template("journeys/_cell.html")
        multiline = field in STEP_TEXT_FIELDS
        with context.push(
            field=field, lane=lane, content=content, label=label, extra_class=extra_class, multiline=multiline
        ):
            return template.render(context)
    classes = f"cell lane-{lane}" + (f" {extra_class}" if extra_class else "")
    shown = conditional_escape(content)
    # The rest are our own names and numbers (no characters to escape): an f-string, not format_html,
    # since a 150-step map has 900 of these cells.
    if context.get("can_edit"):
        url = _step_url(context, "step_cell", context["journey"].pk, step.pk, field)
        return mark_safe(
            # Named by what it shows (the name people see and say), described by its lane's label.
            f'<button type="button" class="{classes} cell-edit" hx-get="{url}" hx-target="#step-{step.pk}"'
            f' hx-swap="outerHTML" aria-describedby="lane-label-{lane}" data-cell="{field}"'
            f' data-testid="cell-{field}">{shown}</button>'
        )
    return mark_safe(f'<div class="{classes}" data-cell="{field}" data-testid="cell-{field}">{shown}</div>')


CURVE_POINT_COLOURS = {-1: "#dc2626", 0: "#64748b", 1: "#16a34a"}


def _curve_y(emotion: int) -> float:
    """+2 near the top of the lane, −2 near the bottom, 0 in the middle (a 100 × 100 view box)."""
    return 50 - 19 * emotion


def emotion_curve(step) -> str:
    """The emotion curve's piece in one step's cell, drawn on the server as SVG: from halfway
    between the previous step's score and this one's, through this one, to halfway towards the next
    one's. Neighbouring pieces meet at the cell edges with the same height and a flat tangent, so the
    pieces read as one smooth curve across the map (no chart library on the page)."""
    y = _curve_y(step.emotion)
    before, after = getattr(step, "emotion_before", None), getattr(step, "emotion_after", None)
    path = (
        f"M0,{(_curve_y(before) + y) / 2:g} C25,{(_curve_y(before) + y) / 2:g} 25,{y:g} 50,{y:g}"
        if before is not None
        else f"M50,{y:g}"
    )
    if after is not None:
        middle = (y + _curve_y(after)) / 2
        path += f" C75,{y:g} 75,{middle:g} 100,{middle:g}"
    colour = CURVE_POINT_COLOURS[(step.emotion > 0) - (step.emotion < 0)]
    return mark_safe(  # numbers and our own colours only
        f'<span class="emotion-curve" id="curve-{int(step.pk)}" aria-hidden="true"><svg viewBox="0 0 100 100" '
        'preserveAspectRatio="none" focusable="false"><line class="curve-zero" x1="0" x2="100" y1="50" y2="50" '
        f'vector-effect="non-scaling-stroke"></line><path class="curve-line" d="{path}" '
        f'vector-effect="non-scaling-stroke"></path><path class="curve-point" d="M50,{y:g} h0" stroke="{colour}" '
        'vector-effect="non-scaling-stroke"></path></svg></span>'
    )


@register.simple_tag(takes_context=True)
def emotion_curves_out_of_band(context) -> str:
    """After one step's score changed, its neighbours' pieces of the curve too (htmx swaps them in place)."""
    return mark_safe(
        "".join(
            emotion_curve(step).replace('class="emotion-curve"', 'class="emotion-curve" hx-swap-oob="true"', 1)
            for step in context.get("curve_neighbours", ())
        )
    )


@register.simple_tag(takes_context=True)
def step_column(context) -> str:
    """One step's column: its tools, a conflict note when a write was refused, its lanes (and, after a
    score changed, its neighbours' curve pieces out of band). One tag per step rather than a template
    partial: the partial's nodes were a tenth of a 150-step map's server time."""
    step = context["step"]
    classes = "jstep" + (" is-mot" if step.is_moment_of_truth else "") + (" has-gap" if step.has_gap else "")
    conflict = context.get("conflict")
    note = (
        f'<div class="alert alert-warning small m-1 p-2" role="alert" data-testid="conflict">'
        f"{conditional_escape(conflict)}</div>"
        if conflict and not context.get("form")
        else ""
    )
    return mark_safe(
        f'<article class="{classes}" id="step-{step.pk}" data-step-id="{step.pk}" data-version="{int(step.version)}"'
        f' data-emotion="{int(step.emotion)}" data-move-url="{step_move_url(context)}" data-testid="step">'
        f'<div class="jstep-tools">{step_tools(context)}</div>{note}{step_lanes(context)}</article>'
        f"{emotion_curves_out_of_band(context)}"
    )


@register.simple_tag(takes_context=True)
def step_lanes(context) -> str:
    """The lanes of one step column, top to bottom, matching the lane labels of the map.

    Built in Python rather than with a template per cell, and with f-strings where only our own names
    and numbers go in (people's text is escaped): a 150-step map has ~1,800 cells, and template nodes,
    includes, repeated translations and format_html were most of the page's server time
    (bench/map_editor.py)."""
    step = context["step"]
    touchpoint = step.touchpoint
    dash = "—"
    if touchpoint:
        channel = (
            f'<span class="badge channel-badge channel-{touchpoint.channel}">'
            f"{conditional_escape(_channel_label(context, touchpoint.channel))}</span>"
        )
        department = conditional_escape(touchpoint.department.name)
    else:
        channel = department = dash
    if step.has_gap:
        label = conditional_escape(_t(context, gettext_noop("Gap")))
        gap = f'<span class="badge bg-red-lt" data-testid="gap">{label}</span>'
    elif step.expectation and step.reality:
        label = conditional_escape(_t(context, gettext_noop("meets expectation")))
        gap = f'<span class="text-secondary small">{label}</span>'
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
        f'<div class="cell lane-channel">{channel}</div>',
        f'<div class="cell lane-department">{department}</div>',
        _cell(
            context,
            step,
            "expectation",
            "expectation",
            step.expectation or dash,
            _t(context, gettext_noop("Expectation")),
        ),
        _cell(context, step, "reality", "reality", step.reality or dash, _t(context, gettext_noop("Reality"))),
        f'<div class="cell lane-gap">{gap}</div>',
        _cell(
            context,
            step,
            "emotion",
            "emotion",
            mark_safe(f"{signed(step.emotion)}{emotion_curve(step)}"),
            _t(context, gettext_noop("Emotion")),
            f"emotion-{step.emotion_key}",
        ),
        _cell(context, step, "is_moment_of_truth", "mot", mot, _t(context, gettext_noop("Moment of truth")), mot_class),
        *(lane.cell(context, step) for lane in lanes.registered(hidden=context.get("hidden_lanes", ()))),
    ]
    return mark_safe("\n".join(parts))  # people's text is escaped above (conditional_escape, _cell)


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
    cache = context.render_context
    if "cx_csrf" not in cache:  # the token is the same for every step of the page: made once
        cache["cx_csrf"] = conditional_escape(context.get("csrf_token", ""))
    csrf = cache["cx_csrf"]
    move_url = _step_url(context, "step_move", journey.pk, step.pk)
    delete_url = _step_url(context, "step_delete", journey.pk, step.pk)
    hidden = (
        f'<input type="hidden" name="csrfmiddlewaretoken" value="{csrf}">'
        f'<input type="hidden" name="version" value="{int(step.version)}">'
    )
    labels = _tool_labels(_language(context))
    # Only ids, numbers, our URLs and the escaped labels go in: an f-string (150 of these per big map).
    return mark_safe(
        f'<span class="drag-handle step-handle" title="{labels["drag"]}" aria-hidden="true">⠿</span>'
        f'<form class="d-flex" method="post" action="{move_url}" hx-post="{move_url}" hx-target="#journey-map"'
        f' hx-swap="outerHTML">{hidden}'
        '<button class="btn btn-icon btn-sm btn-ghost-secondary" type="submit" name="direction" value="left"'
        f' aria-label="{labels["left"]}" data-testid="step-left">◀</button>'
        '<button class="btn btn-icon btn-sm btn-ghost-secondary" type="submit" name="direction" value="right"'
        f' aria-label="{labels["right"]}" data-testid="step-right">▶</button></form>'
        f'<form class="ms-auto" method="post" action="{delete_url}" hx-post="{delete_url}" hx-target="#journey-map"'
        f' hx-swap="outerHTML" hx-confirm="{labels["confirm"]}">{hidden}'
        f'<button class="btn btn-icon btn-sm btn-ghost-danger" type="submit" aria-label="{labels["delete"]}">✕</button>'
        "</form>"
    )


@functools.cache
def _tool_labels(language: str | None) -> dict[str, str]:
    """The step tools' labels in one language, escaped once."""
    messages = {
        "drag": gettext_noop("Drag to move the step"),
        "left": gettext_noop("Move step left"),
        "right": gettext_noop("Move step right"),
        "confirm": gettext_noop("Delete this step?"),
        "delete": gettext_noop("Delete step"),
    }
    return {key: conditional_escape(lanes.translated_in(language, message)) for key, message in messages.items()}


@register.simple_tag
def contributed_lanes(*, printed_only: bool = False, hidden=()) -> list:
    """The lanes other apps add to the map (journeys.lanes), in order, without the `hidden` ones."""
    return lanes.registered(printed_only=printed_only, hidden=hidden or ())


@register.simple_tag
def printed_cell(lane, step) -> str:
    return lane.printed(step)
