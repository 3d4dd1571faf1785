import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cxhub.lib.concurrency import Gone, StaleVersion
from cxhub.org.roles import Role
from journeys.models import Journey, Stage, Step
from journeys.services import (
    journey_create,
    journey_duplicate,
    journey_update,
    stage_add,
    stage_delete,
    stage_move,
    stage_update,
    step_add,
    step_delete,
    step_move,
    step_update,
)
from tests.factories import UserFactory

from .factories import JourneyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def actor():
    return UserFactory(username="mapper", first_name="Anna", last_name="Orlova", roles=[Role.CX_LEAD])


@pytest.mark.parametrize("role", [Role.EXECUTIVE, Role.DEPARTMENT_HEAD, None])
def test_only_cx_leads_change_journeys_touchpoints_and_personas(role, department):
    from django.core.exceptions import PermissionDenied

    from journeys.services import persona_create, touchpoint_create

    someone = UserFactory(username="reader", roles=[role] if role else [])
    journey = JourneyFactory()
    with pytest.raises(PermissionDenied):
        journey_update(journey_id=journey.pk, expected_version=journey.version, actor=someone, title="Mine")
    with pytest.raises(PermissionDenied):
        stage_add(journey_id=journey.pk, name="Delivery", actor=someone)
    with pytest.raises(PermissionDenied):
        touchpoint_create(name="Pop-up desk", channel="office", department=department, actor=someone)
    with pytest.raises(PermissionDenied):
        persona_create(name="Night owl", actor=someone)
    journey.refresh_from_db()
    assert journey.title != "Mine" and not journey.stages.exists()


def layout(journey: Journey) -> list[tuple[str, list[str]]]:
    """The map as (stage name, [step actions]) in display order."""
    return [
        (stage.name, [step.action for step in stage.steps.order_by("position")])
        for stage in journey.stages.order_by("position")
    ]


def assert_dense(journey: Journey) -> None:
    stage_positions = list(journey.stages.order_by("position").values_list("position", flat=True))
    assert stage_positions == list(range(len(stage_positions)))
    for stage in journey.stages.all():
        step_positions = list(stage.steps.order_by("position").values_list("position", flat=True))
        assert step_positions == list(range(len(step_positions)))


def test_stages_and_steps_insert_at_the_given_position(actor):
    journey = journey_create(title="Open an account", actor=actor)
    choose = stage_add(journey_id=journey.pk, name="Choose", actor=actor)
    stage_add(journey_id=journey.pk, name="Use", actor=actor)
    stage_add(journey_id=journey.pk, name="Apply", position=1, actor=actor)
    step_add(stage_id=choose.pk, action="Compare offers", actor=actor)
    step_add(stage_id=choose.pk, action="Read reviews", position=0, actor=actor)

    assert layout(journey) == [("Choose", ["Read reviews", "Compare offers"]), ("Apply", []), ("Use", [])]
    assert_dense(journey)


def test_step_moves_to_another_stage_and_both_stages_stay_dense(actor):
    journey = journey_create(title="J", actor=actor)
    first = stage_add(journey_id=journey.pk, name="A", actor=actor)
    second = stage_add(journey_id=journey.pk, name="B", actor=actor)
    a1 = step_add(stage_id=first.pk, action="a1", actor=actor)
    step_add(stage_id=first.pk, action="a2", actor=actor)
    step_add(stage_id=second.pk, action="b1", actor=actor)

    moved = step_move(step_id=a1.pk, to_stage_id=second.pk, to_position=1, expected_version=a1.version, actor=actor)

    assert layout(journey) == [("A", ["a2"]), ("B", ["b1", "a1"])]
    assert moved.version == a1.version + 1
    assert_dense(journey)


def test_step_cannot_move_into_another_journey(actor):
    one = journey_create(title="One", actor=actor)
    other = journey_create(title="Other", actor=actor)
    stage = stage_add(journey_id=one.pk, name="A", actor=actor)
    foreign = stage_add(journey_id=other.pk, name="B", actor=actor)
    step = step_add(stage_id=stage.pk, action="x", actor=actor)

    with pytest.raises(ValidationError):
        step_move(step_id=step.pk, to_stage_id=foreign.pk, to_position=0, expected_version=1, actor=actor)
    assert layout(one) == [("A", ["x"])]


def test_stale_step_edit_is_refused_naming_who_changed_it_and_keeps_their_text(actor):
    other = UserFactory(username="colleague", first_name="Igor", last_name="Belov", roles=[Role.CX_LEAD])
    journey = journey_create(title="J", actor=actor)
    stage = stage_add(journey_id=journey.pk, name="A", actor=actor)
    step = step_add(stage_id=stage.pk, action="original", actor=actor)
    step_update(step_id=step.pk, expected_version=1, actor=other, reality="theirs")

    with pytest.raises(StaleVersion) as stale:
        step_update(step_id=step.pk, expected_version=1, actor=actor, reality="mine")

    assert "changed by Igor Belov at" in stale.value.message
    assert "reload to see it" in stale.value.message
    step.refresh_from_db()
    assert step.reality == "theirs"
    assert step.version == 2


def test_stale_move_and_delete_change_nothing(actor):
    journey = journey_create(title="J", actor=actor)
    stage = stage_add(journey_id=journey.pk, name="A", actor=actor)
    step = step_add(stage_id=stage.pk, action="x", actor=actor)
    step_add(stage_id=stage.pk, action="y", actor=actor)
    step_update(step_id=step.pk, expected_version=1, actor=actor, emotion=2)

    with pytest.raises(StaleVersion):
        step_move(step_id=step.pk, to_stage_id=stage.pk, to_position=1, expected_version=1, actor=actor)
    with pytest.raises(StaleVersion):
        step_delete(step_id=step.pk, expected_version=1, actor=actor)
    with pytest.raises(StaleVersion):
        stage_update(stage_id=stage.pk, expected_version=0, actor=actor, name="B")

    assert layout(journey) == [("A", ["x", "y"])]


def test_editing_a_deleted_step_says_it_is_gone(actor):
    journey = journey_create(title="J", actor=actor)
    stage = stage_add(journey_id=journey.pk, name="A", actor=actor)
    step = step_add(stage_id=stage.pk, action="x", actor=actor)
    step_delete(step_id=step.pk, expected_version=1, actor=actor)

    with pytest.raises(Gone, match="another user deleted it"):
        step_update(step_id=step.pk, expected_version=1, actor=actor, action="y")


def test_emotion_outside_minus_two_to_two_is_refused(actor):
    journey = journey_create(title="J", actor=actor)
    stage = stage_add(journey_id=journey.pk, name="A", actor=actor)
    step = step_add(stage_id=stage.pk, action="x", actor=actor)

    with pytest.raises(ValidationError) as error:
        step_update(step_id=step.pk, expected_version=1, actor=actor, emotion=3)
    assert error.value.messages == ["Emotion must be between −2 and +2."]
    step.refresh_from_db()
    assert step.emotion == 0


def test_stage_delete_removes_its_steps_and_closes_the_gap(actor):
    journey = journey_create(title="J", actor=actor)
    a = stage_add(journey_id=journey.pk, name="A", actor=actor)
    b = stage_add(journey_id=journey.pk, name="B", actor=actor)
    stage_add(journey_id=journey.pk, name="C", actor=actor)
    step_add(stage_id=b.pk, action="b1", actor=actor)

    stage_delete(stage_id=b.pk, expected_version=b.version, actor=actor)

    assert layout(journey) == [("A", []), ("C", [])]
    assert_dense(journey)
    assert Step.objects.filter(action="b1").count() == 0
    stage_move(stage_id=a.pk, to_position=5, expected_version=a.version, actor=actor)
    assert layout(journey) == [("C", []), ("A", [])]


def test_journey_update_checks_the_version(actor):
    journey = journey_create(title="J", actor=actor)
    journey_update(journey_id=journey.pk, expected_version=1, actor=actor, title="J2")
    with pytest.raises(StaleVersion):
        journey_update(journey_id=journey.pk, expected_version=1, actor=actor, title="J3")
    journey.refresh_from_db()
    assert (journey.title, journey.version) == ("J2", 2)


def test_to_be_version_copies_the_map_and_links_back(actor):
    journey = journey_create(title="Dispute a card payment", actor=actor)
    stage = stage_add(journey_id=journey.pk, name="Report", actor=actor)
    step_add(stage_id=stage.pk, action="Call the bank", emotion=-2, actor=actor)

    to_be = journey_duplicate(journey_id=journey.pk, actor=actor, as_to_be=True)

    assert to_be.state == Journey.State.TO_BE
    assert to_be.to_be_of == journey
    assert to_be.title == "Dispute a card payment (to-be)"
    assert layout(to_be) == layout(journey)
    assert Step.objects.filter(stage__journey=to_be).get().emotion == -2


def test_every_change_is_in_the_history_with_who_made_it(actor):
    journey = journey_create(title="J", actor=actor)
    stage = stage_add(journey_id=journey.pk, name="A", actor=actor)
    step = step_add(stage_id=stage.pk, action="x", actor=actor)
    step_update(step_id=step.pk, expected_version=1, actor=actor, reality="long queue")
    step_delete(step_id=step.pk, expected_version=2, actor=actor)

    records = Step.history.filter(id=step.pk).order_by("history_date")
    assert [r.history_type for r in records] == ["+", "~", "-"]
    assert {r.history_user for r in records} == {actor}
    assert records[1].reality == "long queue"


# Property test: any sequence of inserts, moves and deletes keeps positions dense and the order right.

operations = st.lists(
    st.one_of(
        st.tuples(st.just("add"), st.integers(0, 3), st.integers(-1, 6)),
        st.tuples(st.just("move"), st.integers(0, 20), st.integers(0, 3), st.integers(-1, 8)),
        st.tuples(st.just("delete"), st.integers(0, 20)),
        st.tuples(st.just("move_stage"), st.integers(0, 3), st.integers(0, 4)),
    ),
    max_size=25,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations)
def test_positions_stay_dense_and_ordered_under_any_sequence_of_edits(actor, ops):
    journey = JourneyFactory()
    stages = [stage_add(journey_id=journey.pk, name=f"S{i}", actor=actor) for i in range(4)]
    model: list[list[str]] = [[] for _ in stages]  # expected order of step labels per stage
    stage_order = [s.pk for s in stages]
    label_counter = 0

    def step_by_label(label: str) -> Step:
        return Step.objects.get(stage__journey=journey, action=label)

    for op in ops:
        if op[0] == "add":
            _kind, stage_index, position = op
            label_counter += 1
            label = f"step{label_counter}"
            pos = None if position < 0 else position
            step_add(stage_id=stages[stage_index].pk, action=label, position=pos, actor=actor)
            items = model[stage_index]
            items.insert(len(items) if pos is None else min(pos, len(items)), label)
        elif op[0] == "move":
            _kind, which, stage_index, position = op
            labels = [label for items in model for label in items]
            if not labels:
                continue
            label = labels[which % len(labels)]
            step = step_by_label(label)
            for items in model:
                if label in items:
                    items.remove(label)
            target = model[stage_index]
            to = max(0, position)
            step_move(
                step_id=step.pk,
                to_stage_id=stages[stage_index].pk,
                to_position=to,
                expected_version=step.version,
                actor=actor,
            )
            target.insert(min(to, len(target)), label)
        elif op[0] == "delete":
            labels = [label for items in model for label in items]
            if not labels:
                continue
            label = labels[op[1] % len(labels)]
            step = step_by_label(label)
            step_delete(step_id=step.pk, expected_version=step.version, actor=actor)
            for items in model:
                if label in items:
                    items.remove(label)
        else:
            _kind, stage_index, position = op
            stage = Stage.objects.get(pk=stages[stage_index].pk)
            stage_move(stage_id=stage.pk, to_position=position, expected_version=stage.version, actor=actor)
            stage_order.remove(stage.pk)
            stage_order.insert(min(position, len(stage_order)), stage.pk)

    assert_dense(journey)
    expected = [(f"S{[s.pk for s in stages].index(pk)}", model[[s.pk for s in stages].index(pk)]) for pk in stage_order]
    assert layout(journey) == expected
