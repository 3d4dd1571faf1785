import pytest
from django.urls import reverse

from journeys.models import Journey, Step
from journeys.services import step_update

from .factories import JourneyFactory, StageFactory, StepFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client):
    """Requests as htmx sends them (the map's partial answers); plain form posts are tested separately."""
    client.defaults["HTTP_HX_REQUEST"] = "true"
    return client


def cell_url(journey, step, field):
    return reverse("journeys:step_cell", args=[journey.pk, step.pk, field])


def test_map_forms_work_without_javascript_and_come_back_to_the_page(client, cx_lead, journey):
    del client.defaults["HTTP_HX_REQUEST"]
    client.force_login(cx_lead)
    response = client.post(reverse("journeys:stage_add", args=[journey.pk]), {"name": "Return"})
    assert response["Location"] == reverse("journeys:journey_map", args=[journey.pk])
    assert journey.stages.filter(name="Return").exists()


def test_cx_lead_creates_a_journey_and_lands_on_its_map(client, cx_lead):
    client.force_login(cx_lead)
    response = client.post(reverse("journeys:journey_create"), {"title": "Open an account", "state": "as_is"})
    journey = Journey.objects.get(title="Open an account")
    assert response["Location"] == reverse("journeys:journey_map", args=[journey.pk])
    assert journey.owner == cx_lead


def test_create_form_reports_a_missing_title(client, cx_lead):
    client.force_login(cx_lead)
    response = client.post(reverse("journeys:journey_create"), {"title": "", "state": "as_is"})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert Journey.objects.count() == 0


def test_executive_reads_the_map_without_edit_controls_and_cannot_write(client, executive, journey):
    client.force_login(executive)
    html = client.get(reverse("journeys:journey_map", args=[journey.pk])).content.decode()
    step = Step.objects.get(action="Pay online")

    assert "Wait for the courier" in html
    assert "Read-only: only CX leads edit journey maps." in html
    assert "hx-post" not in html and "hx-get" not in html
    assert client.post(cell_url(journey, step, "action"), {"action": "x", "version": 1}).status_code == 403
    assert client.get(reverse("journeys:journey_create")).status_code == 403
    step.refresh_from_db()
    assert step.action == "Pay online"


def test_editing_a_cell_saves_it_and_answers_with_the_step_column(client, cx_lead, journey):
    client.force_login(cx_lead)
    step = Step.objects.get(action="Pay online")

    form = client.get(cell_url(journey, step, "reality"), HTTP_HX_REQUEST="true")
    saved = client.post(cell_url(journey, step, "reality"), {"reality": "Card declined twice", "version": 1})

    assert 'name="reality"' in form.content.decode()
    assert saved.status_code == 200
    assert "Card declined twice" in saved.content.decode()
    assert f'id="step-{step.pk}"' in saved.content.decode()
    step.refresh_from_db()
    assert (step.reality, step.version) == ("Card declined twice", 2)


def test_stale_cell_edit_is_refused_with_who_and_when_and_keeps_the_other_text(client, cx_lead, journey):
    from cxhub.org.roles import Role
    from tests.factories import UserFactory

    colleague = UserFactory(username="olga", first_name="Olga", last_name="Smirnova", roles=[Role.CX_LEAD])
    step = Step.objects.get(action="Pay online")
    step_update(step_id=step.pk, expected_version=1, actor=colleague, reality="Theirs")
    client.force_login(cx_lead)

    response = client.post(cell_url(journey, step, "reality"), {"reality": "Mine", "version": 1})

    body = response.content.decode()
    assert response.status_code == 409
    assert "changed by Olga Smirnova at" in body and "reload to see it" in body
    assert "Mine" in body  # the unsaved text is still in the editor, not lost
    assert "Now: “Theirs”" in body  # what the colleague saved, to decide on
    step.refresh_from_db()
    assert step.reality == "Theirs"

    # Saving again carries the version just shown: a deliberate overwrite of what was seen…
    response = client.post(cell_url(journey, step, "reality"), {"reality": "Mine", "version": step.version})
    assert response.status_code == 200
    step.refresh_from_db()
    assert step.reality == "Mine"
    # …and an old version is still refused, whoever sends it.
    response = client.post(cell_url(journey, step, "reality"), {"reality": "Stale", "version": 1})
    assert response.status_code == 409


def test_bad_emotion_gets_a_field_error(client, cx_lead, journey):
    client.force_login(cx_lead)
    step = Step.objects.get(action="Pay online")
    response = client.post(cell_url(journey, step, "emotion"), {"emotion": "7", "version": 1})
    assert response.status_code == 422
    assert "Select a valid choice" in response.content.decode()


def test_touchpoint_can_be_created_on_the_spot(client, cx_lead, journey, department):
    client.force_login(cx_lead)
    step = Step.objects.get(action="Pay online")
    response = client.post(
        cell_url(journey, step, "touchpoint"),
        {
            "touchpoint": "",
            "new_touchpoint_name": "Checkout page",
            "new_touchpoint_channel": "website",
            "new_touchpoint_department": department.pk,
            "version": 1,
        },
    )
    assert response.status_code == 200
    step.refresh_from_db()
    assert step.touchpoint.name == "Checkout page"
    assert step.touchpoint.code == "checkout-page"


def test_structural_edits_answer_with_the_fresh_map(client, cx_lead, journey):
    client.force_login(cx_lead)
    _order, delivery = journey.stages.order_by("position")
    pay = Step.objects.get(action="Pay online")

    client.post(reverse("journeys:stage_add", args=[journey.pk]), {"name": "Return"})
    client.post(reverse("journeys:step_add", args=[journey.pk, delivery.pk]))
    moved = client.post(reverse("journeys:step_move", args=[journey.pk, pay.pk]), {"direction": "right", "version": 1})

    assert moved.status_code == 200
    assert 'id="journey-map"' in moved.content.decode()
    assert [s.name for s in journey.stages.order_by("position")] == ["Order", "Delivery", "Return"]
    assert list(delivery.steps.order_by("position").values_list("action", flat=True)) == [
        "Pay online",
        "Wait for the courier",
        "",
    ]


def test_stale_move_answers_409_with_the_fresh_map_and_reason(client, cx_lead, journey):
    client.force_login(cx_lead)
    pay = Step.objects.get(action="Pay online")
    step_update(step_id=pay.pk, expected_version=1, actor=cx_lead, notes="x")

    response = client.post(
        reverse("journeys:step_move", args=[journey.pk, pay.pk]), {"direction": "right", "version": 1}
    )

    assert response.status_code == 409
    assert "reload to see it" in response.content.decode()


def test_rename_and_delete_a_stage(client, cx_lead, journey):
    client.force_login(cx_lead)
    order = journey.stages.get(name="Order")
    client.post(reverse("journeys:stage_rename", args=[journey.pk, order.pk]), {"name": "Buy", "version": 1})
    order.refresh_from_db()
    assert order.name == "Buy"
    client.post(reverse("journeys:stage_delete", args=[journey.pk, order.pk]), {"version": order.version})
    assert [s.name for s in journey.stages.all()] == ["Delivery"]


def test_to_be_version_from_the_map(client, cx_lead, journey):
    client.force_login(cx_lead)
    response = client.post(reverse("journeys:journey_duplicate", args=[journey.pk]), {"as": "to_be"})
    to_be = Journey.objects.get(to_be_of=journey)
    assert response["Location"] == reverse("journeys:journey_map", args=[to_be.pk])
    assert to_be.stages.count() == 2


def test_archive_hides_a_journey_from_the_default_list(client, cx_lead, journey):
    client.force_login(cx_lead)
    client.post(reverse("journeys:journey_status", args=[journey.pk]), {"status": "archived", "version": 1})
    default = client.get(reverse("journeys:journey_list"))
    archived = client.get(reverse("journeys:journey_list"), {"status": "archived"})
    assert list(default.context["page"].object_list) == []
    assert [j.title for j in archived.context["page"].object_list] == ["Order and delivery"]


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/x", "/journeys/?status=archived"])
def test_the_status_form_goes_back_only_to_a_page_of_this_site(client, cx_lead, journey, next_url):
    client.force_login(cx_lead)
    response = client.post(
        reverse("journeys:journey_status", args=[journey.pk]), {"status": "archived", "version": 1, "next": next_url}
    )
    local = next_url.startswith("/") and not next_url.startswith("//")
    assert response["Location"] == (next_url if local else reverse("journeys:journey_map", args=[journey.pk]))


def test_history_page_lists_who_changed_what(client, cx_lead, journey):
    step = Step.objects.get(action="Pay online")
    step_update(step_id=step.pk, expected_version=1, actor=cx_lead, reality="Card declined")
    client.force_login(cx_lead)
    html = client.get(reverse("journeys:journey_history", args=[journey.pk])).content.decode()
    assert "Card declined" in html
    assert cx_lead.get_full_name() in html


def test_map_page_queries_do_not_grow_with_steps(client, cx_lead, django_assert_num_queries):
    journey = JourneyFactory()
    for _ in range(2):
        stage = StageFactory(journey=journey)
        StepFactory.create_batch(2, stage=stage)
    client.force_login(cx_lead)
    url = reverse("journeys:journey_map", args=[journey.pk])
    # session, user, groups, nav departments, journey (+persona, owner, to-be-of, updated by), stages,
    # steps (+touchpoint, department), their barriers, the last recompute, service levels, survey
    # scores, value at stake, open comment threads, the bell's unread count, session refresh
    with django_assert_num_queries(14):
        assert client.get(url).status_code == 200
    for stage in journey.stages.all():
        StepFactory.create_batch(10, stage=stage)
    with django_assert_num_queries(14):
        assert client.get(url).status_code == 200


def test_journey_list_queries_do_not_grow_with_rows(client, cx_lead, django_assert_num_queries):
    JourneyFactory.create_batch(2)
    client.force_login(cx_lead)
    # session, user, groups, nav, count, journeys (+persona, owner; counts), personas and owners for the filters,
    # the maps due for review, the bell, session refresh
    with django_assert_num_queries(13):
        client.get(reverse("journeys:journey_list"))
    JourneyFactory.create_batch(5)
    with django_assert_num_queries(13):
        client.get(reverse("journeys:journey_list"))
