import pytest
from rest_framework.test import APIClient

from tests.factories import PASSWORD, TouchpointFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def test_token_for_username_and_password_authenticates_later_calls(api, head):
    response = api.post("/api/v1/auth/token/", {"username": "head-cc", "password": PASSWORD}, format="json")

    assert response.status_code == 200
    token = response.json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = api.get("/api/v1/me/").json()
    assert me["username"] == "head-cc"
    assert me["roles"] == ["Department head"]
    assert me["department_ids"] == [head.headed_departments.get().pk]


def test_same_user_gets_the_same_token_twice(api, cx_lead):
    first = api.post("/api/v1/auth/token/", {"username": "lead", "password": PASSWORD}).json()["token"]
    second = api.post("/api/v1/auth/token/", {"username": "lead", "password": PASSWORD}).json()["token"]
    assert first == second


def test_wrong_password_gets_a_clear_400(api, cx_lead):
    response = api.post("/api/v1/auth/token/", {"username": "lead", "password": "wrong"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Unable to log in with the given username and password."]}


def test_missing_field_is_named_in_the_error(api):
    response = api.post("/api/v1/auth/token/", {"username": "lead"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"password": ["This field is required."]}


def test_token_endpoint_locks_out_after_repeated_failures(api, cx_lead, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        api.post("/api/v1/auth/token/", {"username": "lead", "password": "wrong"}, format="json")

    response = api.post("/api/v1/auth/token/", {"username": "lead", "password": PASSWORD}, format="json")

    assert response.status_code == 429
    assert response.json()["code"] == "locked_out"


def test_bad_token_is_refused(api):
    api.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert api.get("/api/v1/me/").status_code == 401


def test_api_needs_authentication(api):
    assert api.get("/api/v1/departments/").status_code in {401, 403}


def test_session_authenticated_browser_can_use_the_api(client, executive):
    client.force_login(executive)
    assert client.get("/api/v1/departments/").status_code == 200


def test_departments_list_is_paginated_with_heads_and_touchpoint_counts(
    api, executive, department, other_department, django_assert_num_queries
):
    TouchpointFactory.create_batch(2, department=department)
    api.force_authenticate(executive)
    # count, departments (+head, touchpoints counted), members
    with django_assert_num_queries(3):
        body = api.get("/api/v1/departments/").json()
    assert body["count"] == 2
    by_slug = {d["slug"]: d for d in body["results"]}
    assert by_slug["contact-centre"]["head"]["username"] == "head-cc"
    assert by_slug["contact-centre"]["touchpoint_count"] == 2


def test_touchpoints_are_read_by_all_and_deleted_by_cx_leads_only_when_unused(api, cx_lead, executive, department):
    from journeys.services import journey_create, stage_add, step_add

    touchpoint = TouchpointFactory(department=department)
    api.force_authenticate(executive)
    assert api.get(f"/api/v1/touchpoints/{touchpoint.pk}/").json()["department_name"] == "Contact centre"
    assert api.delete(f"/api/v1/touchpoints/{touchpoint.pk}/").status_code == 403

    journey = journey_create(title="Call us", actor=cx_lead)
    stage = stage_add(journey_id=journey.pk, name="Call", actor=cx_lead)
    step_add(stage_id=stage.pk, touchpoint=touchpoint, actor=cx_lead)
    api.force_authenticate(cx_lead)
    on_a_map = api.delete(f"/api/v1/touchpoints/{touchpoint.pk}/", headers={"If-Match": '"1"'})
    assert on_a_map.status_code == 409  # protected
    unused = TouchpointFactory(department=department)
    assert api.delete(f"/api/v1/touchpoints/{unused.pk}/", headers={"If-Match": '"1"'}).status_code == 204


def test_touchpoints_filter_by_channel(api, executive, department):
    TouchpointFactory(channel="phone", department=department)
    TouchpointFactory(channel="email", department=department)
    api.force_authenticate(executive)
    results = api.get("/api/v1/touchpoints/", {"channel": "email"}).json()["results"]
    assert [t["channel"] for t in results] == ["email"]


def test_openapi_schema_describes_the_api(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    schema = response.json()
    assert response.status_code == 200
    assert schema["openapi"].startswith("3.")
    assert {"/api/v1/auth/token/", "/api/v1/me/", "/api/v1/departments/", "/api/v1/touchpoints/"} <= set(
        schema["paths"]
    )
    assert "tokenAuth" in schema["components"]["securitySchemes"]


def test_api_docs_load_their_assets_from_our_server(client):
    html = client.get("/api/docs/").content.decode()
    assert "swagger-ui-bundle.js" in html
    assert "//cdn" not in html and "unpkg" not in html and "jsdelivr" not in html
