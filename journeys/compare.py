"""As-is versus to-be: which steps a to-be journey adds, removes and changes.

Steps are paired through `Step.origin` (the step a copy was made from, one or two copies back), so
edits, moves and renames are recognised as changes of the same step rather than as remove + add.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from .models import Journey, Step

# What "changed" looks at, with the label shown next to a changed pair.
COMPARED_FIELDS: dict[str, str] = {
    "stage": _("stage"),
    "touchpoint": _("touchpoint"),
    "action": _("customer action"),
    "expectation": _("expectation"),
    "reality": _("reality"),
    "emotion": _("emotion"),
    "is_moment_of_truth": _("moment of truth"),
}


@dataclass
class StepPair:
    before: Step | None  # the as-is step
    after: Step | None  # the to-be step
    changed: list[str] = field(default_factory=list)  # keys of COMPARED_FIELDS

    @property
    def kind(self) -> str:
        if self.before is None:
            return "added"
        if self.after is None:
            return "removed"
        return "changed" if self.changed else "unchanged"

    @property
    def changed_labels(self) -> list[str]:
        return [str(COMPARED_FIELDS[name]) for name in self.changed]

    @property
    def emotion_delta(self) -> int | None:
        if self.before is None or self.after is None:
            return None
        return self.after.emotion - self.before.emotion


@dataclass
class JourneyComparison:
    as_is: Journey
    to_be: Journey
    pairs: list[StepPair]

    def count(self, kind: str) -> int:
        return sum(1 for pair in self.pairs if pair.kind == kind)

    @property
    def counts(self) -> dict[str, int]:
        return {kind: self.count(kind) for kind in ("added", "removed", "changed", "unchanged")}

    @property
    def average_emotion(self) -> tuple[float | None, float | None]:
        return _average([p.before for p in self.pairs]), _average([p.after for p in self.pairs])

    def chart_data(self) -> dict:
        """Both emotion curves on one x axis (one point per row of the comparison; gaps where a step is absent)."""
        return {
            "labels": [_label(pair.after or pair.before) for pair in self.pairs],
            "as_is": [pair.before.emotion if pair.before else None for pair in self.pairs],
            "to_be": [pair.after.emotion if pair.after else None for pair in self.pairs],
            "as_is_name": str(_("As-is")),
            "to_be_name": str(_("To-be")),
        }


def journey_comparison(*, as_is: Journey, to_be: Journey) -> JourneyComparison:
    """Two queries whatever the size: each journey's steps with their stage, touchpoint and origin."""
    before_steps = _steps(as_is.pk)
    after_steps = _steps(to_be.pk)
    before_by_pk = {step.pk: step for step in before_steps}

    matched: set[int] = set()
    pairs: list[StepPair] = []
    for step in after_steps:
        partner = _partner(step, before_by_pk, matched)
        if partner is None:
            pairs.append(StepPair(before=None, after=step))
        else:
            matched.add(partner.pk)
            pairs.append(StepPair(before=partner, after=step, changed=_differences(partner, step)))

    # A removed step goes right after the row of the nearest earlier as-is step that is still there.
    row_of = {pair.before.pk: i for i, pair in enumerate(pairs) if pair.before is not None}
    insert_after = -1
    inserts: list[tuple[int, int, StepPair]] = []
    for order, step in enumerate(before_steps):
        if step.pk in matched:
            insert_after = row_of[step.pk]
        else:
            inserts.append((insert_after, order, StepPair(before=step, after=None)))
    # Inserting from the end keeps row numbers valid and earlier removed steps before later ones.
    for after_row, _order, pair in sorted(inserts, key=lambda item: (item[0], item[1]), reverse=True):
        pairs.insert(after_row + 1, pair)
    return JourneyComparison(as_is=as_is, to_be=to_be, pairs=pairs)


def _steps(journey_id: int) -> list[Step]:
    return list(
        Step.objects.filter(stage__journey_id=journey_id)
        .select_related("stage", "touchpoint", "origin")
        .order_by("stage__position", "position")
    )


def _partner(step: Step, before_by_pk: dict[int, Step], matched: set[int]) -> Step | None:
    """The as-is step this one descends from: its origin, or its origin's origin (a copy of a copy)."""
    for pk in (step.origin_id, step.origin.origin_id if step.origin else None):
        if pk in before_by_pk and pk not in matched:
            return before_by_pk[pk]
    return None


def _differences(before: Step, after: Step) -> list[str]:
    changed = []
    if before.stage.name.strip() != after.stage.name.strip():
        changed.append("stage")
    if before.touchpoint_id != after.touchpoint_id:
        changed.append("touchpoint")
    for name in ("action", "expectation", "reality"):
        if getattr(before, name).strip() != getattr(after, name).strip():
            changed.append(name)
    for name in ("emotion", "is_moment_of_truth"):
        if getattr(before, name) != getattr(after, name):
            changed.append(name)
    return changed


def _label(step: Step) -> str:
    text = step.action.strip() or (step.touchpoint.name if step.touchpoint else "") or step.stage.name
    return text if len(text) <= 40 else text[:39] + "…"


def _average(steps: list[Step | None]) -> float | None:
    scores = [step.emotion for step in steps if step is not None]
    return round(sum(scores) / len(scores), 2) if scores else None


def comparable_journeys(journey: Journey) -> list[Journey]:
    """What a journey can be compared with: its as-is original, or its to-be versions."""
    if journey.to_be_of_id:
        return [journey.to_be_of]
    return list(journey.to_be_versions.order_by("-created_at"))
