"""The live journey map: changes go to everyone who has the map open (journeys.consumers).

A write publishes what changed — one step ("step": its column is re-rendered) or the map's structure
("map": the whole map) — and each open page receives that part rendered for its kind of viewer (its
language, whether it may edit, the lanes it is shown). The rendering happens once per kind of viewer
and web process, however many people watch (journeys.consumers), and carries a placeholder for the
CSRF token that each page fills with its own."""

from dataclasses import dataclass

from django.contrib.auth.models import User
from django.template.loader import render_to_string
from django.utils import translation

from cxhub.lib.live import publish

from . import lanes
from .models import Journey, Stage, Step
from .selectors import journey_map, step_get

MAP_TEMPLATE = "journeys/journey_map.html"
# Forms in pushed HTML carry this instead of a person's CSRF token; the page puts in its own.
CSRF_PLACEHOLDER = "live-csrf-token"


def socket_path(journey_id: int) -> str:
    """Where the map page opens its socket (cxhub.routing)."""
    return f"/ws/journeys/{int(journey_id)}/"


def group_name(journey_id: int) -> str:
    return f"journey-{int(journey_id)}"


def _who(actor: User | None) -> str:
    return (actor.get_full_name() or actor.get_username()) if actor is not None else ""


def step_changed(*, step: Step, fields: list[str], actor: User | None, journey_id: int | None = None) -> None:
    """One step's cells changed (its column is sent again; a new score redraws its neighbours' curve)."""
    if journey_id is None:
        journey_id = Stage.objects.filter(pk=step.stage_id).values_list("journey_id", flat=True).first()
        if journey_id is None:
            return
    publish(
        group_name(journey_id),
        {"type": "live.change", "scope": "step", "journey": journey_id, "step": step.pk, "fields": fields,
         "by": _who(actor)},
    )  # fmt: skip


def steps_changed(*, step_ids: set[int], fields: list[str], actor: User | None) -> None:
    """Several steps' columns changed at once (a barrier linked to them): one message per step."""
    if not step_ids:
        return
    for step_id, stage_id, journey_id in Step.objects.filter(pk__in=step_ids).values_list(
        "pk", "stage_id", "stage__journey_id"
    ):
        step_changed(step=Step(pk=step_id, stage_id=stage_id), fields=fields, actor=actor, journey_id=journey_id)


def map_changed(
    *, journey_id: int, actor: User | None, step_id: int | None = None, stage_id: int | None = None
) -> None:
    """The map's structure changed (a step or stage added, moved, deleted, renamed): the whole map is sent
    again, with the step or stage that changed named for its highlight."""
    publish(
        group_name(journey_id),
        {"type": "live.change", "scope": "map", "journey": journey_id, "step": step_id, "stage": stage_id,
         "fields": [], "by": _who(actor)},
    )  # fmt: skip


def comments_changed(*, journey_id: int, actor: User | None) -> None:
    """A thread on the map as a whole changed: open comment panels refresh (nothing on the map moves)."""
    publish(
        group_name(journey_id),
        {"type": "live.change", "scope": "comments", "journey": journey_id, "step": None, "fields": ["comments"],
         "by": _who(actor)},
    )  # fmt: skip


@dataclass(frozen=True)
class Variant:
    """What a kind of viewer is shown: the same HTML for everyone with the same variant."""

    language: str
    can_edit: bool
    can_comment: bool = False
    hidden_lanes: tuple[str, ...] = ()
    public: bool = False  # a share link's viewer: no links into the app


def render_change(event: dict, variant: Variant) -> str:
    """The HTML a change event carries for `variant`: the step's column, or the whole map ("" when what
    changed is gone: a step deleted since is covered by the map message that follows)."""
    with translation.override(variant.language):
        if event["scope"] == "step":
            try:
                step = step_get(step_id=event["step"])
            except Step.DoesNotExist:
                return ""
            context = {
                "step": step,
                "journey": step.stage.journey,
                "can_edit": variant.can_edit,
                "can_comment": variant.can_comment,
                "hidden_lanes": variant.hidden_lanes,
                "public": variant.public,
                "csrf_token": CSRF_PLACEHOLDER,
                "curve_neighbours": step.curve_neighbours if "emotion" in event["fields"] else (),  # type: ignore[attr-defined]
            }
            return render_to_string(MAP_TEMPLATE + "#step-column", context)
        try:
            the_map = journey_map(journey_id=event["journey"])
        except Journey.DoesNotExist:
            return ""
        lanes.attach(the_map.steps)
        context = {
            "map": the_map,
            "journey": the_map.journey,
            "can_edit": variant.can_edit,
            "can_comment": variant.can_comment,
            "hidden_lanes": variant.hidden_lanes,
            "public": variant.public,
            "csrf_token": CSRF_PLACEHOLDER,
        }
        return render_to_string(MAP_TEMPLATE + "#journey-map", context)
