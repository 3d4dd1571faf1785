import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from journeys.models import Journey, Stage, Step
from journeys.services import journey_create, stage_add, step_add
from tests.factories import TouchpointFactory

from .factories import PersonaFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def lead_api(api, cx_lead):
    api.force_authenticate(cx_lead)
    return api


def build_journey(actor, stages: int, steps_per_stage: int) -> Journey:
    journey = journey_create(title=f"Big {stages}x{steps_per_stage}", actor=actor)
    touchpoint = TouchpointFactory()
    for s in range(stages):
        stage = stage_add(journey_id=journey.pk, name=f"Stage {s}", actor=actor)
        for n in range(steps_per_stage):
            step_add(stage_id=stage.pk, action=f"Step {n}", touchpoint=touchpoint, actor=actor)
    return journey


# Reading -------------------------------------------------------------------------------------------


def test_everyone_signed_in_reads_journeys_with_their_map(api, executive, journey):
    api.force_authenticate(executive)
    listing = api.get("/api/v1/journeys/").json()
    assert [j["title"] for j in listing["results"]] == ["Order and delivery"]
    assert listing["results"][0]["stage_count"] == 2 and listing["results"][0]["step_count"] == 2

    response = api.get(f"/api/v1/journeys/{journey.pk}/")
    assert response["ETag"] == '"1"'
    detail = response.json()
    assert [s["name"] for s in detail["stages"]] == ["Order", "Delivery"]
    assert [s["action"] for s in detail["stages"][1]["steps"]] == ["Wait for the courier"]


def test_anonymous_callers_get_401(api, journey):
    assert api.get("/api/v1/journeys/").status_code == 401


def test_list_filters_and_hides_archived_unless_asked(lead_api, cx_lead, journey):
    archived = journey_create(title="Old onboarding", actor=cx_lead, status=Journey.Status.ARCHIVED)
    to_be = journey_create(title="Delivery redesign", actor=cx_lead, state=Journey.State.TO_BE)

    def titles(query):
        return sorted(j["title"] for j in lead_api.get(f"/api/v1/journeys/{query}").json()["results"])

    assert titles("") == ["Delivery redesign", "Order and delivery"]
    assert titles("?status=archived") == [archived.title]
    assert titles("?state=to_be") == [to_be.title]
    assert titles("?q=ORDER") == ["Order and delivery"]
    assert lead_api.get("/api/v1/journeys/?state=sideways").status_code == 400


def test_journey_detail_uses_the_same_number_of_queries_whatever_its_size(lead_api, cx_lead):
    counts = []
    for size in [(2, 2), (6, 25)]:
        journey = build_journey(cx_lead, *size)
        with CaptureQueriesContext(connection) as queries:
            response = lead_api.get(f"/api/v1/journeys/{journey.pk}/")
        assert sum(len(s["steps"]) for s in response.json()["stages"]) == size[0] * size[1]
        counts.append(len(queries))
    # journey (+ owner), its stages, their steps (+ touchpoint)
    assert counts == [3, 3]


def test_steps_filter_by_journey_in_map_order(lead_api, journey, cx_lead):
    other = build_journey(cx_lead, 1, 3)
    steps = lead_api.get(f"/api/v1/steps/?journey={journey.pk}").json()["results"]
    assert [s["action"] for s in steps] == ["Pay online", "Wait for the courier"]
    assert len(lead_api.get(f"/api/v1/steps/?journey={other.pk}").json()["results"]) == 3


# Permissions ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["executive", "head", "no_role_user"])
def test_only_cx_leads_write(api, request, who, journey):
    api.force_authenticate(request.getfixturevalue(who))
    stage = journey.stages.first()
    step = Step.objects.filter(stage=stage).first()
    attempts = [
        api.post("/api/v1/journeys/", {"title": "Mine"}, format="json"),
        api.patch(f"/api/v1/journeys/{journey.pk}/", {"title": "X", "version": 1}, format="json"),
        api.delete(f"/api/v1/journeys/{journey.pk}/", HTTP_IF_MATCH='"1"'),
        api.post(f"/api/v1/journeys/{journey.pk}/duplicate/", {}, format="json"),
        api.post("/api/v1/stages/", {"journey": journey.pk, "name": "X"}, format="json"),
        api.post(f"/api/v1/stages/{stage.pk}/move/", {"to_position": 1, "version": 1}, format="json"),
        api.patch(f"/api/v1/steps/{step.pk}/", {"action": "X", "version": 1}, format="json"),
        api.post(f"/api/v1/steps/{step.pk}/move/", {"to_position": 0, "version": 1}, format="json"),
        api.post("/api/v1/personas/", {"name": "X"}, format="json"),
        api.post("/api/v1/touchpoints/", {"name": "X"}, format="json"),
    ]
    assert [r.status_code for r in attempts] == [403] * len(attempts)
    assert Journey.objects.count() == 1 and journey.stages.count() == 2
    assert Step.objects.get(pk=step.pk).action == "Pay online"


# Writing -------------------------------------------------------------------------------------------


def test_cx_lead_builds_a_journey_over_the_api(lead_api, cx_lead):
    persona = PersonaFactory(name="Young family")
    touchpoint = TouchpointFactory(name="Courier")
    created = lead_api.post(
        "/api/v1/journeys/", {"title": "Order a sofa", "persona": persona.pk, "owner": 999}, format="json"
    )
    assert created.status_code == 201, created.json()
    journey_id = created.json()["id"]
    assert created.json()["owner"]["username"] == cx_lead.username  # owner is the creator, not the payload

    first = lead_api.post("/api/v1/stages/", {"journey": journey_id, "name": "Delivery"}, format="json").json()
    before = lead_api.post(
        "/api/v1/stages/", {"journey": journey_id, "name": "Order", "position": 0}, format="json"
    ).json()
    assert "id" in first and "id" in before, (first, before)
    assert (before["position"], Stage.objects.get(pk=first["id"]).position) == (0, 1)

    step = lead_api.post(
        "/api/v1/steps/",
        {"stage": first["id"], "action": "Waits at home", "touchpoint": touchpoint.pk, "emotion": -2},
        format="json",
    )
    assert step.status_code == 201, step.json()
    assert step.json()["touchpoint_name"] == "Courier" and step.json()["position"] == 0

    moved = lead_api.post(
        f"/api/v1/steps/{step.json()['id']}/move/", {"to_stage": before["id"], "to_position": 0, "version": 1}
    )
    assert moved.status_code == 200, moved.json()
    assert moved.json()["stage"] == before["id"] and moved.json()["version"] == 2

    stage_moved = lead_api.post(f"/api/v1/stages/{before['id']}/move/", {"to_position": 5}, HTTP_IF_MATCH='"1"')
    assert stage_moved.json()["position"] == 1

    detail = lead_api.get(f"/api/v1/journeys/{journey_id}/").json()
    assert [(s["name"], [x["action"] for x in s["steps"]]) for s in detail["stages"]] == [
        ("Delivery", []),
        ("Order", ["Waits at home"]),
    ]


def test_edit_with_if_match_bumps_the_etag(lead_api, journey):
    response = lead_api.patch(
        f"/api/v1/journeys/{journey.pk}/", {"status": "published"}, format="json", HTTP_IF_MATCH='W/"1"'
    )
    assert response.status_code == 200
    assert response["ETag"] == '"2"'
    assert response.json()["status"] == "published"


def test_stale_if_match_is_412_and_changes_nothing(lead_api, journey, executive):
    journey.version, journey.updated_by = 4, executive
    journey.save()
    response = lead_api.patch(f"/api/v1/journeys/{journey.pk}/", {"title": "Mine"}, format="json", HTTP_IF_MATCH='"3"')
    assert response.status_code == 412
    assert response.json()["current_version"] == 4
    assert "was changed by" in response.json()["detail"] and executive.get_full_name() in response.json()["detail"]
    assert Journey.objects.get(pk=journey.pk).title == "Order and delivery"


def test_stale_version_field_is_409_and_changes_nothing(lead_api, journey):
    step = Step.objects.get(action="Pay online")
    ok = lead_api.patch(f"/api/v1/steps/{step.pk}/", {"reality": "Card declined twice", "version": 1}, format="json")
    assert ok.status_code == 200 and ok.json()["version"] == 2
    stale = lead_api.patch(f"/api/v1/steps/{step.pk}/", {"reality": "Fine", "version": 1}, format="json")
    assert stale.status_code == 409
    assert Step.objects.get(pk=step.pk).reality == "Card declined twice"


def test_a_write_without_any_version_is_428(lead_api, journey):
    step = Step.objects.get(action="Pay online")
    assert lead_api.patch(f"/api/v1/steps/{step.pk}/", {"action": "X"}, format="json").status_code == 428
    assert lead_api.delete(f"/api/v1/steps/{step.pk}/").status_code == 428
    assert Step.objects.filter(pk=step.pk, action="Pay online").exists()


def test_bad_values_are_refused_with_the_field_named(lead_api, journey):
    step = Step.objects.get(action="Pay online")
    response = lead_api.patch(f"/api/v1/steps/{step.pk}/", {"emotion": 3, "version": 1}, format="json")
    assert response.status_code == 400 and "emotion" in response.json()
    response = lead_api.patch(f"/api/v1/steps/{step.pk}/", {"position": 4, "version": 1}, format="json")
    assert response.status_code == 400 and "move action" in response.json()["position"][0]
    response = lead_api.post("/api/v1/journeys/", {"title": ""}, format="json")
    assert response.status_code == 400 and "title" in response.json()


def test_moving_a_step_into_another_journey_is_refused(lead_api, journey, cx_lead):
    other_stage = build_journey(cx_lead, 1, 1).stages.get()
    step = Step.objects.get(action="Pay online")
    response = lead_api.post(
        f"/api/v1/steps/{step.pk}/move/", {"to_stage": other_stage.pk, "to_position": 0, "version": 1}
    )
    assert response.status_code == 400 and "to_stage" in response.json()
    assert Step.objects.get(pk=step.pk).stage.journey == journey


def test_delete_stage_with_version_and_positions_close_up(lead_api, journey):
    order = journey.stages.get(name="Order")
    assert lead_api.delete(f"/api/v1/stages/{order.pk}/", HTTP_IF_MATCH='"1"').status_code == 204
    assert list(journey.stages.values_list("name", "position")) == [("Delivery", 0)]
    assert not Step.objects.filter(action="Pay online").exists()


def test_delete_journey_needs_its_version(lead_api, journey):
    assert lead_api.delete(f"/api/v1/journeys/{journey.pk}/", HTTP_IF_MATCH='"2"').status_code == 412
    assert lead_api.delete(f"/api/v1/journeys/{journey.pk}/", HTTP_IF_MATCH='"1"').status_code == 204
    assert not Journey.objects.exists() and not Step.objects.exists()


def test_duplicate_as_to_be(lead_api, journey):
    response = lead_api.post(f"/api/v1/journeys/{journey.pk}/duplicate/", {"as_to_be": True}, format="json")
    assert response.status_code == 201
    copy = response.json()
    assert copy["state"] == "to_be" and copy["to_be_of"] == journey.pk
    assert sum(len(s["steps"]) for s in copy["stages"]) == 2


def test_persona_in_use_cannot_be_deleted(lead_api, cx_lead):
    persona = PersonaFactory(name="Pensioner")
    journey_create(title="Pension transfer", actor=cx_lead, persona=persona)
    response = lead_api.delete(f"/api/v1/personas/{persona.pk}/", headers={"If-Match": '"1"'})
    assert response.status_code == 409 and "Nothing was deleted" in response.json()["detail"]


def test_touchpoint_created_without_code_gets_one(lead_api, department):
    response = lead_api.post(
        "/api/v1/touchpoints/",
        {"name": "Nevsky Prospekt branch", "channel": "office", "department": department.pk},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["code"] == "nevsky-prospekt-branch"
    duplicate = lead_api.post(
        "/api/v1/touchpoints/",
        {"name": "NEVSKY PROSPEKT BRANCH", "channel": "office", "department": department.pk},
        format="json",
    )
    assert duplicate.status_code == 400


def test_a_name_another_persona_or_touchpoint_has_in_any_case_is_a_400_on_the_name(lead_api, department):
    PersonaFactory(name="Small business owner")
    created = lead_api.post("/api/v1/personas/", {"name": "SMALL BUSINESS OWNER"}, format="json")
    assert created.status_code == 400 and "already exists" in created.json()["name"][0]
    other = lead_api.post("/api/v1/personas/", {"name": "Pensioner"}, format="json").json()
    renamed = lead_api.patch(
        f"/api/v1/personas/{other['id']}/", {"name": "small business owner", "version": 1}, format="json"
    )
    assert renamed.status_code == 400 and "already exists" in renamed.json()["name"][0]

    TouchpointFactory(name="Call centre", department=department)
    second = TouchpointFactory(name="Chat", department=department)
    clash = lead_api.patch(f"/api/v1/touchpoints/{second.pk}/", {"name": "CALL CENTRE", "version": 1}, format="json")
    assert clash.status_code == 400 and "already exists" in clash.json()["name"][0]
    second.refresh_from_db()
    assert second.name == "Chat"  # nothing written
    renamed = lead_api.patch(f"/api/v1/touchpoints/{second.pk}/", {"name": "Web chat", "version": 1}, format="json")
    assert renamed.status_code == 200 and renamed.json()["version"] == 2 and renamed["ETag"] == '"2"'


def test_only_cx_leads_write_touchpoints_and_personas_through_the_api(api, executive, department):
    touchpoint = TouchpointFactory(name="Chat", department=department)
    api.force_authenticate(executive)
    assert api.patch(f"/api/v1/touchpoints/{touchpoint.pk}/", {"name": "X"}, format="json").status_code == 403
    assert api.post("/api/v1/personas/", {"name": "X"}, format="json").status_code == 403


# Import --------------------------------------------------------------------------------------------


def test_export_imports_back_as_a_new_journey(lead_api, client, cx_lead, journey):
    client.force_login(cx_lead)
    exported = client.get(f"/journeys/{journey.pk}/export.json").content
    upload = SimpleUploadedFile("order.json", exported, content_type="application/json")
    response = lead_api.post("/api/v1/journeys/import/", {"file": upload}, format="multipart")
    assert response.status_code == 201, response.json()
    copy = response.json()
    assert copy["id"] != journey.pk and copy["status"] == "draft"
    assert [[x["action"] for x in s["steps"]] for s in copy["stages"]] == [["Pay online"], ["Wait for the courier"]]


def test_import_of_a_bad_document_says_where_and_writes_nothing(lead_api):
    document = {
        "format": "cxhub.journey",
        "format_version": 1,
        "journey": {"title": "Broken", "stages": [{"name": "One", "steps": [{"emotion": 7}, {"touchpoint": "nope"}]}]},
    }
    response = lead_api.post("/api/v1/journeys/import/", json.dumps(document), content_type="application/json")
    assert response.status_code == 400
    where = [e["where"] for e in response.json()["errors"]]
    assert where == ["journey.stages[0].steps[0].emotion", "journey.stages[0].steps[1].touchpoint"]
    assert not Journey.objects.exists()


def test_schema_documents_the_journey_endpoints(lead_api):
    schema = lead_api.get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    for path in (
        "/api/v1/journeys/{id}/",
        "/api/v1/steps/{id}/move/",
        "/api/v1/stages/{id}/move/",
        "/api/v1/personas/",
    ):
        assert path in schema
