"""Reads of journeys and the touchpoint catalogue; each owns its query shape."""

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db import models
from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from . import lanes
from .models import CADENCE_MONTHS, Comment, CommentThread, Journey, Persona, Stage, Step, Touchpoint


def touchpoint_list(*, query: str = "", channel: str = "", department_id: int | None = None) -> QuerySet[Touchpoint]:
    """The catalogue, filtered; the department is joined because every row shows it."""
    qs = Touchpoint.objects.select_related("department").order_by("name")
    if query:
        qs = qs.filter(Q(name__icontains=query) | Q(code__icontains=query) | Q(description__icontains=query))
    if channel:
        qs = qs.filter(channel=channel)
    if department_id is not None:
        qs = qs.filter(department_id=department_id)
    return qs


def persona_list(*, archived: bool = False) -> QuerySet[Persona]:
    """Personas (current or archived) with how many not-archived journeys are drawn for each."""
    active = Q(journeys__status__in=[Journey.Status.DRAFT, Journey.Status.PUBLISHED])
    return (
        Persona.objects.filter(is_archived=archived)
        .annotate(journey_count=Count("journeys", filter=active))
        .order_by("name")
    )


def journey_list(
    *,
    query: str = "",
    persona_id: int | None = None,
    state: str = "",
    status: str = "",
    owner_id: int | None = None,
    include_archived: bool = False,
    due_only: bool = False,
) -> QuerySet[Journey]:
    """Journeys with persona, owner and their stage/step counts in one query; archived ones only when asked."""
    journeys = Journey.objects.all() if status or include_archived else Journey.objects.active()
    qs: QuerySet[Journey] = (
        journeys.select_related("persona", "owner", "to_be_of")
        .annotate(stage_count=Count("stages", distinct=True), step_count=Count("stages__steps", distinct=True))
        .order_by("title", "pk")
    )
    if query:
        qs = qs.filter(Q(title__icontains=query) | Q(description__icontains=query))
    if persona_id is not None:
        qs = qs.filter(persona_id=persona_id)
    if state:
        qs = qs.filter(state=state)
    if status:
        qs = qs.filter(status=status)
    if owner_id is not None:
        qs = qs.filter(owner_id=owner_id)
    if due_only:
        qs = (
            qs.exclude(status=Journey.Status.ARCHIVED)
            .annotate(due_on=_due_on())
            .filter(due_on__lte=timezone.localdate())
        )
    return qs


def _due_on() -> RawSQL:
    """The day a journey is due for review: its cadence, in calendar months, after its last review (or
    creation). Journey.review_due_on says the same in Python."""
    months = " ".join(f"WHEN '{cadence}' THEN {n}" for cadence, n in CADENCE_MONTHS.items())
    return RawSQL(
        "((COALESCE(journeys_journey.reviewed_at, journeys_journey.created_at) AT TIME ZONE %s)::date"
        f" + (CASE journeys_journey.review_cadence {months} END) * interval '1 month')::date",
        (settings.TIME_ZONE,),
    )


def due_for_review(*, owner_id: int | None = None) -> QuerySet[Journey]:
    """Journeys (not archived) whose last review, or creation, is older than their cadence; the longest
    overdue first."""
    journeys = (
        Journey.objects.active()
        .select_related("owner", "reviewed_by")
        .annotate(due_on=_due_on())
        .filter(due_on__lte=timezone.localdate())
        .order_by("due_on", "title")
    )
    return journeys.filter(owner_id=owner_id) if owner_id is not None else journeys


@dataclass
class StageColumn:
    stage: Stage
    steps: list[Step] = field(default_factory=list)


@dataclass
class JourneyMap:
    journey: Journey
    columns: list[StageColumn]

    @property
    def steps(self) -> list[Step]:
        return [step for column in self.columns for step in column.steps]


def journey_map(*, journey_id: int) -> JourneyMap:
    """The whole map in three queries whatever its size: journey, stages, steps (+touchpoint, department);
    the lanes other apps contribute are attached by the caller (journeys.lanes.attach)."""
    journey = Journey.objects.select_related("persona", "owner", "to_be_of", "updated_by").get(pk=journey_id)
    columns = {stage.pk: StageColumn(stage) for stage in Stage.objects.filter(journey=journey).order_by("position")}
    steps = (
        Step.objects.filter(stage__journey=journey)
        .select_related("touchpoint__department")
        .order_by("stage__position", "position")
    )
    for step in steps:
        columns[step.stage_id].steps.append(step)
    the_map = JourneyMap(journey=journey, columns=list(columns.values()))
    attach_emotion_neighbours(the_map.steps)
    return the_map


def attach_emotion_neighbours(steps: Sequence[Step]) -> None:
    """Give each step, in map order, its neighbours' scores: the emotion curve's pieces meet halfway."""
    steps = list(steps)
    for before, step, after in zip([None, *steps[:-1]], steps, [*steps[1:], None], strict=False):
        step.emotion_before = before.emotion if before else None  # type: ignore[attr-defined]
        step.emotion_after = after.emotion if after else None  # type: ignore[attr-defined]


def curve_neighbours(step: Step) -> list[Step]:
    """The steps before and after `step` on its map, ready to draw their pieces of the emotion curve
    (and `step` gets its own neighbours' scores): one query."""
    ordered = list(
        Step.objects.filter(stage__journey_id=step.stage.journey_id)
        .order_by("stage__position", "position")
        .only("pk", "emotion")
    )
    attach_emotion_neighbours(ordered)
    index = next(i for i, other in enumerate(ordered) if other.pk == step.pk)
    step.emotion_before = ordered[index].emotion_before  # type: ignore[attr-defined]
    step.emotion_after = ordered[index].emotion_after  # type: ignore[attr-defined]
    return [other for other in (ordered[index - 1] if index else None, *ordered[index + 1 : index + 2]) if other]


def step_get(*, step_id: int) -> Step:
    """One step with what its column shows (its touchpoint and department, and the map's lanes)."""
    step = Step.objects.select_related("touchpoint__department", "stage__journey").get(pk=step_id)
    lanes.attach([step])
    step.curve_neighbours = curve_neighbours(step)  # type: ignore[attr-defined]
    return step


@dataclass
class CommentPanel:
    """The threads of one step (or of the map as a whole), open first, with their comments and who wrote
    them; and the map's other open threads, to jump to."""

    open: list[CommentThread]
    resolved: list[CommentThread]
    elsewhere: list[CommentThread]


def comment_panel(*, journey_id: int, step_id: int | None) -> CommentPanel:
    """Three queries: the threads, their comments (with authors and mentions), the other open threads."""
    here = list(
        CommentThread.objects.filter(journey_id=journey_id)
        .filter(models.Q(step_id=step_id) if step_id is not None else models.Q(step__isnull=True))
        .select_related("created_by", "resolved_by")
        .prefetch_related(
            Prefetch("comments", queryset=Comment.objects.select_related("author").prefetch_related("mentions"))
        )
        .order_by("-created_at", "-pk")
    )
    others = CommentThread.objects.filter(journey_id=journey_id, resolved_at__isnull=True)
    others = others.exclude(step_id=step_id) if step_id is not None else others.filter(step__isnull=False)
    elsewhere = others.select_related("step").annotate(replies=Count("comments")).order_by("-created_at", "-pk")
    return CommentPanel(
        open=[t for t in here if t.is_open],
        resolved=[t for t in here if not t.is_open],
        elsewhere=list(elsewhere),
    )
