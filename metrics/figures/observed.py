"""Observed journeys: the paths customers really take across touchpoints, from their interactions.

Each customer's interactions are ordered by when they were opened. A contact's next contact is the
customer's following interaction when it was opened within `gap_days` days (by opened day); then
the contact leads to that touchpoint ("next"), or back to the same touchpoint ("repeat": the
customer had to come again), else the path ends there ("end": a drop-off, as far as we can see).
A contact with no contact of the same customer in the gap before it starts a path.

One SQL statement with window functions builds ObservedStep (per source, target and kind: contacts,
distinct customers, path starts); `compare` matches a mapped journey against it.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Sum

from journeys.models import Journey, Step, Touchpoint

from ..models import ObservedRun, ObservedStep

DEFAULT_GAP_DAYS = 30


def current_gap() -> int:
    last = ObservedRun.objects.filter(status=ObservedRun.Status.SUCCEEDED).order_by("-finished_at").first()
    return last.gap_days if last else DEFAULT_GAP_DAYS


def latest() -> ObservedRun | None:
    return ObservedRun.objects.order_by("-started_at").first()


def latest_succeeded() -> ObservedRun | None:
    return ObservedRun.objects.filter(status=ObservedRun.Status.SUCCEEDED).order_by("-finished_at").first()


@dataclass
class TouchpointFlow:
    touchpoint: Touchpoint
    contacts: int = 0
    starts: int = 0
    onward: int = 0  # next contact elsewhere within the gap
    repeats: int = 0
    ends: int = 0

    def share(self, part: int) -> float | None:
        return part / self.contacts if self.contacts else None

    @property
    def end_share(self) -> float | None:
        return self.share(self.ends)

    @property
    def repeat_share(self) -> float | None:
        return self.share(self.repeats)

    @property
    def onward_share(self) -> float | None:
        return self.share(self.onward)


@dataclass(frozen=True)
class Transition:
    source: Touchpoint
    target: Touchpoint
    contacts: int
    customers: int


def flows() -> list[TouchpointFlow]:
    """Per touchpoint: contacts, path starts, and how many go on, come back or end; most contacts
    first (one aggregate query: a row per touchpoint and kind)."""
    rows = (
        ObservedStep.objects.values("source_id", "kind").annotate(n=Sum("contacts"), started=Sum("starts")).order_by()
    )
    totals: dict[int, dict[str, int]] = {}
    for row in rows:
        entry = totals.setdefault(row["source_id"], {"next": 0, "repeat": 0, "end": 0, "starts": 0})
        entry[row["kind"]] += row["n"]
        entry["starts"] += row["started"]
    touchpoints = Touchpoint.objects.select_related("department").in_bulk(list(totals))
    result = [
        TouchpointFlow(
            touchpoints[pk],
            contacts=entry["next"] + entry["repeat"] + entry["end"],
            starts=entry["starts"],
            onward=entry["next"],
            repeats=entry["repeat"],
            ends=entry["end"],
        )
        for pk, entry in totals.items()
        if pk in touchpoints
    ]
    return sorted(result, key=lambda f: (-f.contacts, f.touchpoint.name))


def top_transitions(
    limit: int, *, sources: Iterable[int] | None = None, targets: Iterable[int] | None = None
) -> list[Transition]:
    """The most frequent transitions between two touchpoints, optionally from / to given ones (one query)."""
    rows = ObservedStep.objects.filter(kind="next").select_related("source", "target")
    if sources is not None:
        rows = rows.filter(source_id__in=list(sources))
    if targets is not None:
        rows = rows.filter(target_id__in=list(targets))
    rows = rows.order_by("-contacts", "source_id", "target_id")
    if limit:
        rows = rows[:limit]
    # kind "next" always has a target (only "end" has none)
    return [Transition(row.source, row.target, row.contacts, row.customers) for row in rows if row.target]


@dataclass(frozen=True)
class MappedStep:
    step: Step
    contacts: int  # contacts at its touchpoint (0: customers never pass through it)
    next_step: Step | None  # the following mapped step at another touchpoint
    observed_next: int | None  # contacts observed going on to that step's touchpoint


def compare(journey: Journey, touchpoint_flows: list[TouchpointFlow], *, missing_limit: int = 15) -> dict[str, Any]:
    """A mapped journey against what customers do: which of its steps they pass through, whether they
    go from each step to the next one the map shows, and the frequent transitions the map lacks
    (from a touchpoint on the map to any other). Three queries."""
    steps = list(
        Step.objects.filter(stage__journey=journey, touchpoint__isnull=False)
        .select_related("stage", "touchpoint")
        .order_by("stage__position", "position")
    )
    if not steps:
        return {"steps": [], "missing": [], "passed": 0}
    contacts = {flow.touchpoint.pk: flow.contacts for flow in touchpoint_flows}
    on_map = {step.touchpoint_id for step in steps if step.touchpoint_id is not None}
    pairs = {(t.source.pk, t.target.pk): t.contacts for t in top_transitions(0, sources=on_map, targets=on_map)}
    mapped_pairs = set()
    rows = []
    for index, step in enumerate(steps):
        following = next((s for s in steps[index + 1 :] if s.touchpoint_id != step.touchpoint_id), None)
        if following is not None:
            mapped_pairs.add((step.touchpoint_id, following.touchpoint_id))
        rows.append(
            MappedStep(
                step=step,
                contacts=contacts.get(step.touchpoint_id or 0, 0),
                next_step=following,
                observed_next=pairs.get((step.touchpoint_id or 0, following.touchpoint_id or 0), 0)
                if following
                else None,
            )
        )
    candidates = top_transitions(missing_limit + len(mapped_pairs), sources=on_map)
    missing = [t for t in candidates if (t.source.pk, t.target.pk) not in mapped_pairs][:missing_limit]
    return {"steps": rows, "missing": missing, "passed": sum(1 for row in rows if row.contacts)}
