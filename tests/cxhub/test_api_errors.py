"""The five causes of 500 schemathesis found, each a 4xx (or a success) now."""

import pytest
from rest_framework.test import APIClient

from barriers.models import Severity
from journeys.services import journey_create, stage_add, step_add
from tests.factories import TouchpointFactory
from tests.journeys.factories import PersonaFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(cx_lead):
    client = APIClient()
    client.force_authenticate(cx_lead)
    return client


def test_a_barrier_without_severity_is_medium_and_one_with_a_plan_keeps_it(api, department):
    touchpoint = TouchpointFactory(department=department)
    bare = api.post(
        "/api/v1/barriers/", {"title": "Queue", "type": "hand_off", "source": "survey", "touchpoints": [touchpoint.pk]}
    )
    assert bare.status_code == 201, bare.json()
    assert bare.json()["severity"] == Severity.MEDIUM
    planned = api.post(
        "/api/v1/barriers/",
        {
            "title": "Hold",
            "type": "hand_off",
            "source": "survey",
            "touchpoints": [touchpoint.pk],
            "resolution_plan": "X",
        },
    )
    assert planned.status_code == 201 and planned.json()["resolution_plan"] == "X"


def test_names_differing_only_in_case_are_a_400_even_when_a_writer_races(api, department, monkeypatch):
    from django.db.models import QuerySet

    PersonaFactory(name="Pensioner")
    TouchpointFactory(name="Chat", department=department)
    # The race: the check "is the name free?" passes, then the constraint refuses the save.
    real_exists = QuerySet.exists
    monkeypatch.setattr(
        QuerySet, "exists", lambda qs: False if qs.model.__name__ in ("Persona", "Touchpoint") else real_exists(qs)
    )
    persona = api.post("/api/v1/personas/", {"name": "PENSIONER"})
    assert persona.status_code == 400 and "already exists" in persona.json()["name"][0]
    touchpoint = api.post(
        "/api/v1/touchpoints/", {"name": "CHAT", "channel": "messenger", "department": department.pk, "code": "chat-2"}
    )
    assert touchpoint.status_code == 400 and "already exists" in touchpoint.json()["name"][0]


@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/api/v1/journeys/abc/"),
        ("patch", "/api/v1/journeys/null,null/"),
        ("delete", "/api/v1/journeys/1e3/"),
        ("get", "/api/v1/barriers/x/"),
        ("post", "/api/v1/barriers/x/transition/"),
        ("get", "/api/v1/barriers/%C2%84/comments/"),
        ("post", "/api/v1/journeys/x/duplicate/"),
        ("get", "/api/v1/no-such-thing/"),
    ],
)
def test_a_non_numeric_id_is_a_json_404(api, method, path):
    response = getattr(api, method)(path, {}, format="json")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json" and response.json() == {"detail": "Not found."}


@pytest.mark.parametrize("body", ["null", "[]", "3", '"text"'])
def test_a_body_that_is_not_an_object_is_a_400(api, cx_lead, body):
    journey = journey_create(title="Open an account", actor=cx_lead)
    stage = stage_add(journey_id=journey.pk, name="Apply", actor=cx_lead)
    response = api.patch(
        f"/api/v1/stages/{stage.pk}/", body, content_type="application/json", headers={"If-Match": '"1"'}
    )
    assert response.status_code == 400 and "must be a JSON object" in response.json()["detail"]


def test_comments_and_steps_answer_as_the_schema_says(api, cx_lead, department):
    """A list of comments (not a page), and a step without a touchpoint has a null touchpoint name."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    comments = schema["paths"]["/api/v1/barriers/{id}/comments/"]["get"]["responses"]["200"]
    assert comments["content"]["application/json"]["schema"]["type"] == "array"
    step_schema = schema["components"]["schemas"]["Step"]["properties"]["touchpoint_name"]
    assert step_schema.get("nullable") is True

    journey = journey_create(title="Open an account", actor=cx_lead)
    stage = stage_add(journey_id=journey.pk, name="Apply", actor=cx_lead)
    step = step_add(stage_id=stage.pk, actor=cx_lead, action="Waits")
    assert api.get(f"/api/v1/steps/{step.pk}/").json()["touchpoint_name"] is None


def test_every_operation_documents_its_refusals():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            answers = set(operation["responses"])
            if path != "/api/v1/auth/token/":
                assert {"401", "403"} <= answers, (method, path)
            if "{" in path:
                assert "404" in answers, (method, path)
            if method in ("post", "patch"):
                assert "400" in answers, (method, path)
