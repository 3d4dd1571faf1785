import pytest
from rest_framework.test import APIClient

from barriers.models import Barrier, Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def test_everyone_with_a_role_reads_barriers_with_their_allowed_actions(api, barrier, head, executive):
    api.force_authenticate(head)
    row = api.get("/api/v1/barriers/").json()["results"][0]
    assert row["title"] == barrier.title and row["allowed_actions"] == ["accept"]
    api.force_authenticate(executive)
    response = api.get(f"/api/v1/barriers/{barrier.pk}/")
    assert response["ETag"] == '"1"' and response.json()["allowed_actions"] == []


def test_people_without_a_role_read_nothing(api, barrier, no_role_user):
    api.force_authenticate(no_role_user)
    assert api.get("/api/v1/barriers/").status_code == 403


def test_list_filters_like_the_board(api, make_barrier, cx_lead, other_department):
    make_barrier(title="Cards one", department=other_department, touchpoints=[], severity=4)
    make_barrier(title="Phone one")
    api.force_authenticate(cx_lead)
    titles = lambda q: [b["title"] for b in api.get(f"/api/v1/barriers/{q}").json()["results"]]  # noqa: E731
    assert titles(f"?department={other_department.pk}") == ["Cards one"]
    assert titles("?severity=4&status=new") == ["Cards one"]
    assert api.get("/api/v1/barriers/?severity=9").status_code == 400


def test_cx_lead_creates_with_evidence_and_the_department_defaults(api, cx_lead, complaint_line, department):
    api.force_authenticate(cx_lead)
    response = api.post(
        "/api/v1/barriers/",
        {
            "title": "Callbacks never happen",
            "type": "service_failure",
            "severity": 3,
            "source": "complaints",
            "touchpoints": [complaint_line.pk],
            "evidence": [{"kind": "quote", "text": "Promised a callback twice", "source": "Complaint 118"}],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["department"] == department.pk and body["status"] == "new"
    assert body["evidence"][0]["text"] == "Promised a callback twice"


def test_head_cannot_create_or_edit_other_fields(api, head, barrier, complaint_line):
    api.force_authenticate(head)
    created = api.post(
        "/api/v1/barriers/",
        {"title": "Mine", "type": "product", "severity": 1, "source": "survey", "touchpoints": [complaint_line.pk]},
        format="json",
    )
    assert created.status_code == 403
    edit = api.patch(f"/api/v1/barriers/{barrier.pk}/", {"severity": 1}, format="json", HTTP_IF_MATCH='"1"')
    assert edit.status_code == 403
    plan = api.patch(
        f"/api/v1/barriers/{barrier.pk}/", {"resolution_plan": "Give access"}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert plan.status_code == 200 and plan["ETag"] == '"2"'


def test_transitions_over_the_api(api, head, cx_lead, other_head, barrier):
    api.force_authenticate(other_head)
    refused = api.post(f"/api/v1/barriers/{barrier.pk}/transition/", {"action": "accept", "version": 1}, format="json")
    assert refused.status_code == 403 and "assigned department" in refused.json()["detail"]
    api.force_authenticate(head)
    illegal = api.post(f"/api/v1/barriers/{barrier.pk}/transition/", {"action": "resolve", "version": 1}, format="json")
    assert illegal.status_code == 409 and "cannot be moved" in illegal.json()["detail"]
    ok = api.post(
        f"/api/v1/barriers/{barrier.pk}/transition/", {"action": "accept"}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert ok.status_code == 200 and ok.json()["status"] == "accepted"
    stale = api.post(
        f"/api/v1/barriers/{barrier.pk}/transition/", {"action": "start"}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert stale.status_code == 412
    missing_note = api.post(
        f"/api/v1/barriers/{barrier.pk}/transition/", {"action": "start", "version": 2}, format="json"
    )
    assert missing_note.status_code == 200
    no_note = api.post(f"/api/v1/barriers/{barrier.pk}/transition/", {"action": "resolve", "version": 3}, format="json")
    assert no_note.status_code == 400 and "note" in no_note.json()
    assert Barrier.objects.get(pk=barrier.pk).status == Status.IN_PROGRESS


def test_comments_over_the_api(api, member, executive, barrier):
    api.force_authenticate(member)
    assert api.post(f"/api/v1/barriers/{barrier.pk}/comments/", {"text": "On it"}, format="json").status_code == 201
    api.force_authenticate(executive)
    assert api.post(f"/api/v1/barriers/{barrier.pk}/comments/", {"text": "Hm"}, format="json").status_code == 403
    assert [c["text"] for c in api.get(f"/api/v1/barriers/{barrier.pk}/comments/").json()] == ["On it"]


def test_research_studies_read_by_all_written_by_cx_leads(api, cx_lead, head):
    api.force_authenticate(cx_lead)
    created = api.post(
        "/api/v1/research-studies/",
        {"title": "Wave 4", "method": "mystery_shopping", "period_start": "2026-11-01", "period_end": "2026-10-01"},
        format="json",
    )
    assert created.status_code == 400  # the period ends before it starts
    created = api.post("/api/v1/research-studies/", {"title": "Wave 4", "method": "mystery_shopping"}, format="json")
    assert created.status_code == 201
    api.force_authenticate(head)
    assert api.get("/api/v1/research-studies/").json()["results"][0]["title"] == "Wave 4"
    assert api.post("/api/v1/research-studies/", {"title": "X", "method": "survey"}, format="json").status_code == 403


def test_barrier_list_queries_do_not_grow(api, cx_lead, make_barrier):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_barrier()
    api.force_authenticate(cx_lead)
    api.get("/api/v1/barriers/")  # the caller's roles and departments are cached on the user after this
    with CaptureQueriesContext(connection) as small:
        api.get("/api/v1/barriers/")
    for n in range(20):
        make_barrier(title=f"B{n}")
    with CaptureQueriesContext(connection) as big:
        api.get("/api/v1/barriers/")
    assert len(big) == len(small)


def test_the_board_filters_are_the_apis_and_its_schemas():
    """One FilterSet drives the board page, the API's list and the OpenAPI schema: adding a filter
    to it documents it."""
    from drf_spectacular.generators import SchemaGenerator

    from barriers.filters import BoardFilter

    schema = SchemaGenerator().get_schema(request=None, public=True)
    documented = {p["name"]: p["schema"] for p in schema["paths"]["/api/v1/barriers/"]["get"]["parameters"]}
    assert set(documented) - {"page"} == set(BoardFilter.base_filters)
    assert documented["journey"]["type"] == "integer" and documented["severity"]["enum"] == [1, 2, 3, 4]
