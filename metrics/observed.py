"""Observed journeys: the paths customers really take across touchpoints, from their interactions.

Each customer's interactions are ordered by when they were opened. A contact's next contact is the
customer's following interaction when it was opened within `gap_days` days (by opened day); then
the contact leads to that touchpoint ("next"), or back to the same touchpoint ("repeat": the
customer had to come again), else the path ends there ("end": a drop-off, as far as we can see).
A contact with no contact of the same customer in the gap before it starts a path.

One SQL statement with window functions builds ObservedStep (per source, target and kind: contacts,
distinct customers, path starts); `compare` matches a mapped journey against it.
"""

import time as clock
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from journeys.models import Journey, Step, Touchpoint

from .models import Interaction, ObservedRun, ObservedStep

DEFAULT_GAP_DAYS = 30


def start(*, gap_days: int | None = None, as_of: datetime | None = None, user=None) -> ObservedRun:
    """Record a run (computed by `execute`, in a Celery job or right here)."""
    if gap_days is None:
        gap_days = current_gap()
    return ObservedRun.objects.create(gap_days=gap_days, as_of=as_of or timezone.now(), requested_by=user)


def current_gap() -> int:
    last = ObservedRun.objects.filter(status=ObservedRun.Status.SUCCEEDED).order_by("-finished_at").first()
    return last.gap_days if last else DEFAULT_GAP_DAYS


def latest() -> ObservedRun | None:
    return ObservedRun.objects.order_by("-started_at").first()


def latest_succeeded() -> ObservedRun | None:
    return ObservedRun.objects.filter(status=ObservedRun.Status.SUCCEEDED).order_by("-finished_at").first()


def execute(run: ObservedRun) -> ObservedRun:
    """Replace ObservedStep in one transaction; a failure leaves the previous rows and says why."""
    began = clock.perf_counter()
    try:
        with transaction.atomic():
            ObservedStep.objects.all().delete()
            _insert(run.gap_days, run.as_of)
            counts = _counts(run.as_of)
            ObservedRun.objects.filter(pk=run.pk).update(
                status=ObservedRun.Status.SUCCEEDED,
                interactions=counts[0],
                customers=counts[1],
                seconds=clock.perf_counter() - began,
                finished_at=timezone.now(),
            )
    except Exception as error:
        ObservedRun.objects.filter(pk=run.pk).update(
            status=ObservedRun.Status.FAILED, message=str(error)[:2000], finished_at=timezone.now()
        )
        raise
    run.refresh_from_db()
    return run


def compute(*, gap_days: int | None = None, as_of: datetime | None = None) -> ObservedRun:
    return execute(start(gap_days=gap_days, as_of=as_of))


def _counts(as_of: datetime) -> tuple[int, int]:
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*), COUNT(DISTINCT customer_id) FROM {q(Interaction._meta.db_table)} WHERE opened_at < %s",
            [connection.ops.adapt_datetimefield_value(as_of)],
        )
        return cursor.fetchone()


def _days_between(later: str, earlier: str) -> str:
    if connection.vendor == "postgresql":
        return f"({later} - {earlier})"
    return f"(julianday({later}) - julianday({earlier}))"


def _insert(gap_days: int, as_of: datetime) -> None:
    q = connection.ops.quote_name
    within_next = f"o.next_day IS NOT NULL AND {_days_between('o.next_day', 'o.opened_day')} <= {int(gap_days)}"
    started = f"o.prev_day IS NULL OR {_days_between('o.opened_day', 'o.prev_day')} > {int(gap_days)}"
    sql = f"""
        INSERT INTO {q(ObservedStep._meta.db_table)} (source_id, target_id, kind, contacts, customers, starts)
        SELECT s.source_id, s.target_id, s.kind, COUNT(*), COUNT(DISTINCT s.customer_id), SUM(s.started)
        FROM (
            SELECT o.touchpoint_id AS source_id, o.customer_id,
                   CASE WHEN {within_next} AND o.next_touchpoint <> o.touchpoint_id THEN o.next_touchpoint END
                       AS target_id,
                   CASE WHEN NOT ({within_next}) THEN 'end'
                        WHEN o.next_touchpoint = o.touchpoint_id THEN 'repeat'
                        ELSE 'next' END AS kind,
                   CASE WHEN {started} THEN 1 ELSE 0 END AS started
            FROM (
                SELECT i.customer_id, i.touchpoint_id, i.opened_day,
                       LAG(i.opened_day) OVER w AS prev_day,
                       LEAD(i.opened_day) OVER w AS next_day,
                       LEAD(i.touchpoint_id) OVER w AS next_touchpoint
                FROM {q(Interaction._meta.db_table)} i
                WHERE i.opened_at < %s
                WINDOW w AS (PARTITION BY i.customer_id ORDER BY i.opened_at, i.id)
            ) o
        ) s
        GROUP BY s.source_id, s.target_id, s.kind
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [connection.ops.adapt_datetimefield_value(as_of)])


# Reading ------------------------------------------------------------------------------------------


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


def flows() -> tuple[list[TouchpointFlow], list[Transition]]:
    """Per touchpoint: contacts, path starts, onward / repeat / end; and every transition between two
    touchpoints, most frequent first (one query)."""
    rows = ObservedStep.objects.select_related("source__department", "target").order_by("-contacts", "pk")
    by_touchpoint: dict[int, TouchpointFlow] = {}
    transitions = []
    for row in rows:
        flow = by_touchpoint.setdefault(row.source_id, TouchpointFlow(row.source))
        flow.contacts += row.contacts
        flow.starts += row.starts
        if row.kind == "next":
            flow.onward += row.contacts
            transitions.append(Transition(row.source, row.target, row.contacts, row.customers))
        elif row.kind == "repeat":
            flow.repeats += row.contacts
        else:
            flow.ends += row.contacts
    ordered = sorted(by_touchpoint.values(), key=lambda f: (-f.contacts, f.touchpoint.name))
    return ordered, transitions


@dataclass(frozen=True)
class MappedStep:
    step: Step
    contacts: int  # contacts at its touchpoint (0: customers never pass through it)
    next_step: Step | None  # the following mapped step at another touchpoint
    observed_next: int | None  # contacts observed going on to that step's touchpoint


def compare(journey: Journey, touchpoint_flows: list[TouchpointFlow], transitions: list[Transition]) -> dict:
    """A mapped journey against what customers do: which of its steps they pass through, whether they
    go from each step to the next one the map shows, and the frequent transitions the map lacks
    (between touchpoints on the map, or from one on the map to one that is not). One query."""
    steps = list(
        Step.objects.filter(stage__journey=journey, touchpoint__isnull=False)
        .select_related("stage", "touchpoint")
        .order_by("stage__position", "position")
    )
    contacts = {flow.touchpoint.pk: flow.contacts for flow in touchpoint_flows}
    pairs = {(t.source.pk, t.target.pk): t.contacts for t in transitions}
    mapped_pairs = set()
    rows = []
    for index, step in enumerate(steps):
        following = next((s for s in steps[index + 1 :] if s.touchpoint_id != step.touchpoint_id), None)
        if following is not None:
            mapped_pairs.add((step.touchpoint_id, following.touchpoint_id))
        rows.append(
            MappedStep(
                step=step,
                contacts=contacts.get(step.touchpoint_id, 0),
                next_step=following,
                observed_next=pairs.get((step.touchpoint_id, following.touchpoint_id), 0) if following else None,
            )
        )
    on_map = {step.touchpoint_id for step in steps}
    missing = [t for t in transitions if t.source.pk in on_map and (t.source.pk, t.target.pk) not in mapped_pairs][:15]
    return {
        "steps": rows,
        "missing": missing,
        "passed": sum(1 for row in rows if row.contacts),
        "on_map_contacts": sum(contacts.get(pk, 0) for pk in on_map),
    }
