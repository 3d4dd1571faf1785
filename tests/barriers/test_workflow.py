"""The state machine, every status × action × person: legal moves happen, anything else changes nothing."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from barriers.models import Activity, Barrier, Status
from barriers.services import barrier_transition
from barriers.workflow import CX_LEAD, DEPARTMENT, TRANSITIONS, TransitionError
from cxhub.lib.concurrency import StaleVersion

pytestmark = pytest.mark.django_db

ROLE_OF = {"cx_lead": CX_LEAD, "head": DEPARTMENT, "member": DEPARTMENT, "other_head": None, "executive": None}


def expected_target(status: str, action: str, person: str) -> str | None:
    transition = TRANSITIONS[action]
    if status in transition.sources and ROLE_OF[person] == transition.by:
        return transition.target
    return None


@pytest.mark.parametrize("status", Status.values)
@pytest.mark.parametrize("action", list(TRANSITIONS))
@pytest.mark.parametrize("person", list(ROLE_OF))
def test_every_transition_by_every_person(barrier, people, status, action, person):
    Barrier.objects.filter(pk=barrier.pk).update(status=status)
    before = Activity.objects.filter(barrier=barrier).count()
    target = expected_target(status, action, person)
    if target is None:
        with pytest.raises(TransitionError) as refused:
            barrier_transition(
                barrier_id=barrier.pk, action=action, expected_version=1, actor=people[person], text="because"
            )
        assert refused.value.message  # a sentence that says why
        assert refused.value.forbidden == (ROLE_OF[person] != TRANSITIONS[action].by)
        after = Barrier.objects.get(pk=barrier.pk)
        assert (after.status, after.version) == (status, 1)
        assert Activity.objects.filter(barrier=barrier).count() == before
    else:
        moved = barrier_transition(
            barrier_id=barrier.pk, action=action, expected_version=1, actor=people[person], text="because"
        )
        assert moved.status == target and moved.version == 2
        log = Activity.objects.filter(barrier=barrier).latest("pk")
        assert (log.kind, log.from_status, log.to_status, log.actor) == ("transition", status, target, people[person])


def test_forbidden_actor_message_names_who_may(barrier, executive, other_head):
    with pytest.raises(TransitionError, match="Only a CX lead can verify"):
        barrier_transition(barrier_id=barrier.pk, action="verify", expected_version=1, actor=executive)
    with pytest.raises(TransitionError, match="Only Contact centre, the assigned department, can accept"):
        barrier_transition(barrier_id=barrier.pk, action="accept", expected_version=1, actor=other_head)


def test_illegal_status_message_says_from_where(barrier, cx_lead):
    with pytest.raises(TransitionError, match="that is new cannot be moved by “Verify”; only one that is resolved"):
        barrier_transition(barrier_id=barrier.pk, action="verify", expected_version=1, actor=cx_lead)


@pytest.mark.parametrize(
    ("action", "status", "person"),
    [("reject", "new", "cx_lead"), ("reopen", "resolved", "cx_lead"), ("resolve", "in_progress", "head")],
)
def test_reason_or_note_is_required(barrier, people, action, status, person):
    Barrier.objects.filter(pk=barrier.pk).update(status=status)
    with pytest.raises(ValidationError):
        barrier_transition(barrier_id=barrier.pk, action=action, expected_version=1, actor=people[person], text="  ")
    assert Barrier.objects.get(pk=barrier.pk).status == status


def test_stale_version_changes_nothing(barrier, head):
    barrier_transition(barrier_id=barrier.pk, action="accept", expected_version=1, actor=head)
    with pytest.raises(StaleVersion):
        barrier_transition(barrier_id=barrier.pk, action="start", expected_version=1, actor=head)
    assert Barrier.objects.get(pk=barrier.pk).status == Status.ACCEPTED


def test_full_life_records_notes_and_timestamps(barrier, head, cx_lead):
    for version, (action, who, text) in enumerate(
        [
            ("accept", head, ""),
            ("start", head, ""),
            ("resolve", head, "Operators now see applications"),
            ("reopen", cx_lead, "Still not visible on the night shift"),
            ("start", head, ""),
            ("resolve", head, "Night shift trained"),
            ("verify", cx_lead, ""),
        ],
        start=1,
    ):
        barrier = barrier_transition(
            barrier_id=barrier.pk, action=action, expected_version=version, actor=who, text=text
        )
    assert barrier.status == Status.VERIFIED
    assert barrier.resolution_note == "Night shift trained"
    assert barrier.reopen_reason == "Still not visible on the night shift"
    assert barrier.resolved_at is not None


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(moves=st.lists(st.tuples(st.sampled_from(list(TRANSITIONS)), st.sampled_from(list(ROLE_OF))), max_size=12))
def test_random_sequences_only_ever_follow_the_machine(barrier, people, moves):
    Barrier.objects.filter(pk=barrier.pk).update(status=Status.NEW, version=1)
    status, version = Status.NEW, 1
    for action, person in moves:
        target = expected_target(status, action, person)
        try:
            barrier_transition(
                barrier_id=barrier.pk, action=action, expected_version=version, actor=people[person], text="x"
            )
        except TransitionError:
            assert target is None
        else:
            assert target is not None
            status, version = target, version + 1
        current = Barrier.objects.get(pk=barrier.pk)
        assert (current.status, current.version) == (status, version)
