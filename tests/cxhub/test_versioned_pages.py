"""The persona and study pages refuse a save over someone else's newer change and say who made it."""

import pytest
from django.urls import reverse

from barriers.models import Method, ResearchStudy
from barriers.services import study_update
from cxhub.org.roles import Role
from journeys.services import persona_update
from tests.factories import UserFactory
from tests.journeys.factories import PersonaFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_lead(db):
    return UserFactory(username="boris", first_name="Boris", last_name="Petrov", roles=[Role.CX_LEAD])


def test_a_stale_persona_edit_is_refused(client, cx_lead, other_lead):
    persona = PersonaFactory(name="Pensioner")
    client.force_login(cx_lead)
    assert (
        'name="version" value="1"' in client.get(reverse("journeys:persona_edit", args=[persona.pk])).content.decode()
    )
    persona_update(persona_id=persona.pk, expected_version=1, actor=other_lead, goals="Theirs")
    response = client.post(
        reverse("journeys:persona_edit", args=[persona.pk]),
        {"name": "Pensioner", "goals": "Mine", "description": "", "quote": "", "frustrations": "", "version": 1},
    )
    assert response.status_code == 200 and "was changed by Boris Petrov at" in response.content.decode()
    persona.refresh_from_db()
    assert (persona.goals, persona.version) == ("Theirs", 2)


def test_a_stale_archive_or_delete_of_a_persona_is_refused(client, cx_lead, other_lead):
    persona = PersonaFactory(name="Pensioner")
    persona_update(persona_id=persona.pk, expected_version=1, actor=other_lead, goals="Theirs")
    client.force_login(cx_lead)
    answer = client.post(reverse("journeys:persona_archive", args=[persona.pk]), {"version": 1}, follow=True)
    assert "was changed by Boris Petrov" in answer.content.decode()
    client.post(reverse("journeys:persona_delete", args=[persona.pk]), {"version": 1})
    persona.refresh_from_db()
    assert not persona.is_archived  # still there, not archived


def test_a_stale_study_edit_is_refused(client, cx_lead, other_lead):
    study = ResearchStudy.objects.create(title="Interviews", method=Method.INTERVIEWS)
    client.force_login(cx_lead)
    page = client.get(reverse("barriers:study_edit", args=[study.pk])).content.decode()
    assert 'name="version"' in page and ">Version<" not in page  # hidden, not a labelled field
    study_update(study_id=study.pk, expected_version=1, actor=other_lead, summary="Theirs")
    response = client.post(
        reverse("barriers:study_edit", args=[study.pk]),
        {"title": "Interviews", "method": Method.INTERVIEWS, "summary": "Mine", "version": 1},
    )
    assert response.status_code == 200 and "was changed by Boris Petrov at" in response.content.decode()
    study.refresh_from_db()
    assert study.summary == "Theirs"
    saved = client.post(
        reverse("barriers:study_edit", args=[study.pk]),
        {"title": "Interviews", "method": Method.INTERVIEWS, "summary": "Mine", "version": 2},
    )
    assert saved.status_code == 302
    study.refresh_from_db()
    assert (study.summary, study.version, study.updated_by) == ("Mine", 3, cx_lead)
