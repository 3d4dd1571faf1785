"""Touchpoints, personas and research studies answer with an ETag and need a version to change, as
journeys, stages, steps and barriers do."""

import pytest
from rest_framework.test import APIClient

from barriers.models import Method, ResearchStudy
from tests.factories import TouchpointFactory, UserFactory
from tests.journeys.factories import PersonaFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead_api(cx_lead):
    api = APIClient()
    api.force_authenticate(cx_lead)
    return api


@pytest.fixture
def objects(department):
    return {
        "touchpoint": (f"/api/v1/touchpoints/{TouchpointFactory(department=department).pk}/", "description"),
        "persona": (f"/api/v1/personas/{PersonaFactory(name='Pensioner').pk}/", "description"),
        "study": (
            f"/api/v1/research-studies/{ResearchStudy.objects.create(title='I', method=Method.INTERVIEWS).pk}/",
            "summary",
        ),
    }


@pytest.mark.parametrize("kind", ["touchpoint", "persona", "study"])
def test_a_write_needs_the_version_it_was_based_on(lead_api, objects, kind):
    url, field = objects[kind]
    read = lead_api.get(url)
    assert read["ETag"] == '"1"' and read.json()["version"] == 1

    missing = lead_api.patch(url, {field: "no version"}, format="json")
    assert missing.status_code == 428
    saved = lead_api.patch(url, {field: "first"}, format="json", headers={"If-Match": '"1"'})
    assert saved.status_code == 200 and saved["ETag"] == '"2"' and saved.json()[field] == "first"

    stale_header = lead_api.patch(url, {field: "lost?"}, format="json", headers={"If-Match": '"1"'})
    assert stale_header.status_code == 412
    assert "was changed by" in stale_header.json()["detail"] and stale_header.json()["current_version"] == 2
    stale_field = lead_api.patch(url, {field: "lost?", "version": 1}, format="json")
    assert stale_field.status_code == 409
    assert lead_api.get(url).json()[field] == "first"  # nothing written by the stale ones

    same = lead_api.patch(url, {field: "first"}, format="json", headers={"If-Match": '"2"'})
    assert same.status_code == 200 and same.json()["version"] == 2  # a save that changes nothing keeps it


@pytest.mark.parametrize("kind", ["touchpoint", "persona"])
def test_a_delete_needs_the_current_version(lead_api, objects, kind):
    url, field = objects[kind]
    assert lead_api.delete(url).status_code == 428
    lead_api.patch(url, {field: "changed"}, format="json", headers={"If-Match": '"1"'})
    assert lead_api.delete(url, headers={"If-Match": '"1"'}).status_code == 412
    assert lead_api.delete(url, headers={"If-Match": '"2"'}).status_code == 204
    assert lead_api.get(url).status_code == 404


def test_the_stale_message_names_who_changed_it(lead_api, objects, department):
    from cxhub.org.roles import Role

    other = UserFactory(username="boris", first_name="Boris", last_name="Petrov", roles=[Role.CX_LEAD])
    url, field = objects["touchpoint"]
    other_api = APIClient()
    other_api.force_authenticate(other)
    other_api.patch(url, {field: "theirs"}, format="json", headers={"If-Match": '"1"'})
    refused = lead_api.patch(url, {field: "mine"}, format="json", headers={"If-Match": '"1"'})
    assert refused.json()["detail"].startswith("This touchpoint was changed by Boris Petrov at ")
