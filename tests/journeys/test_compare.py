import pytest
from django.urls import reverse

from journeys.compare import journey_comparison
from journeys.services import (
    journey_create,
    journey_duplicate,
    stage_add,
    step_add,
    step_delete,
    step_move,
    step_update,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_is(cx_lead):
    journey = journey_create(title="Dispute a card transaction", actor=cx_lead)
    notice = stage_add(journey_id=journey.pk, name="Notice", actor=cx_lead)
    dispute = stage_add(journey_id=journey.pk, name="Dispute", actor=cx_lead)
    step_add(stage_id=notice.pk, action="Sees an unknown charge", emotion=-1, actor=cx_lead)
    step_add(stage_id=dispute.pk, action="Calls the bank", emotion=-2, actor=cx_lead)
    step_add(stage_id=dispute.pk, action="Writes a claim in the branch", emotion=-2, actor=cx_lead)
    step_add(stage_id=dispute.pk, action="Waits for the answer", emotion=-1, actor=cx_lead)
    return journey


def steps_by_action(journey):
    return {s.action: s for s in journey.stages.get(name="Dispute").steps.all()} | {
        s.action: s for s in journey.stages.get(name="Notice").steps.all()
    }


def test_a_fresh_to_be_copy_is_all_unchanged(cx_lead, as_is):
    to_be = journey_duplicate(journey_id=as_is.pk, actor=cx_lead, as_to_be=True)
    comparison = journey_comparison(as_is=as_is, to_be=to_be)
    assert comparison.counts == {"added": 0, "removed": 0, "changed": 0, "unchanged": 4}


def test_added_removed_and_changed_steps_are_found_and_kept_in_journey_order(cx_lead, as_is):
    to_be = journey_duplicate(journey_id=as_is.pk, actor=cx_lead, as_to_be=True)
    steps = steps_by_action(to_be)
    step_delete(step_id=steps["Writes a claim in the branch"].pk, expected_version=1, actor=cx_lead)
    calls = steps["Calls the bank"]
    step_update(step_id=calls.pk, expected_version=1, actor=cx_lead, action="Disputes in the app", emotion=1)
    step_add(stage_id=calls.stage_id, action="Gets a provisional refund", emotion=2, position=1, actor=cx_lead)

    comparison = journey_comparison(as_is=as_is, to_be=to_be)

    rows = [(p.kind, (p.before or p.after).action if p.kind != "changed" else p.after.action) for p in comparison.pairs]
    assert rows == [
        ("unchanged", "Sees an unknown charge"),
        ("changed", "Disputes in the app"),
        ("removed", "Writes a claim in the branch"),
        ("added", "Gets a provisional refund"),
        ("unchanged", "Waits for the answer"),
    ]
    changed = comparison.pairs[1]
    assert changed.changed == ["action", "emotion"]
    assert changed.emotion_delta == 3
    assert comparison.chart_data()["as_is"] == [-1, -2, -2, None, -1]
    assert comparison.chart_data()["to_be"] == [-1, 1, None, 2, -1]
    assert comparison.average_emotion == (-1.5, 0.25)


def test_a_step_moved_to_another_stage_is_a_change_of_stage(cx_lead, as_is):
    to_be = journey_duplicate(journey_id=as_is.pk, actor=cx_lead, as_to_be=True)
    step = steps_by_action(to_be)["Waits for the answer"]
    notice = to_be.stages.get(name="Notice")
    step_move(step_id=step.pk, to_stage_id=notice.pk, to_position=0, expected_version=1, actor=cx_lead)
    pair = next(p for p in journey_comparison(as_is=as_is, to_be=to_be).pairs if p.kind == "changed")
    assert pair.changed == ["stage"]


def test_a_to_be_copied_from_a_to_be_still_pairs_with_the_as_is(cx_lead, as_is):
    first = journey_duplicate(journey_id=as_is.pk, actor=cx_lead, as_to_be=True)
    second = journey_duplicate(journey_id=first.pk, actor=cx_lead, as_to_be=True)
    assert second.to_be_of == as_is
    assert journey_comparison(as_is=as_is, to_be=second).counts["unchanged"] == 4


def test_compare_page_shows_both_journeys_and_uses_a_fixed_number_of_queries(
    client, cx_lead, as_is, django_assert_num_queries
):
    to_be = journey_duplicate(journey_id=as_is.pk, actor=cx_lead, as_to_be=True)
    client.force_login(cx_lead)
    url = reverse("journeys:journey_compare", args=[to_be.pk])
    # session + user (2), journey (+ its as-is), 2 step lists, groups + departments (nav), session save (3)
    with django_assert_num_queries(11):
        response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="compare-as-is"' in html and as_is.title in html
    assert html.count('data-kind="unchanged"') == 4
    # from the as-is side the page picks its to-be version
    response = client.get(reverse("journeys:journey_compare", args=[as_is.pk]))
    assert response.context["comparison"].to_be == to_be


def test_compare_page_without_a_counterpart_explains_what_to_do(client, executive, as_is):
    client.force_login(executive)
    response = client.get(reverse("journeys:journey_compare", args=[as_is.pk]))
    html = response.content.decode()
    assert 'data-testid="compare-empty"' in html
    assert "Create to-be version" not in html  # executives cannot create one


def test_compare_with_an_unknown_journey_is_404(client, executive, as_is):
    client.force_login(executive)
    assert client.get(reverse("journeys:journey_compare", args=[as_is.pk]) + "?with=99999").status_code == 404
