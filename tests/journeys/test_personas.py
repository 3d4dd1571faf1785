"""Personas as pages: create, edit, archive, photo; the card on the map; the picker skips archived ones."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from journeys.models import Persona
from journeys.services import journey_create, persona_create, persona_update

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def test_a_persona_keeps_goals_frustrations_quote_and_a_checked_photo(cx_lead):
    persona = persona_create(
        name="Busy parent",
        description="Two kids, always short of time",
        goals="Pay in one tap\nKnow when the courier comes",
        frustrations="Waiting on the line",
        quote="I have five minutes, not fifty.",
        photo=SimpleUploadedFile("me.JPG", JPEG),
        actor=cx_lead,
    )
    persona.refresh_from_db()
    assert persona.quote == "I have five minutes, not fifty."
    assert persona.photo_type == "image/jpeg"
    assert persona.photo.name.startswith("personas/") and "me" not in persona.photo.name  # a random name


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("face.gif", b"GIF89a....", "type is not accepted; use jpeg, jpg, png"),
        ("face.png", b"<svg onload=alert(1)>", r"face.png is not really a .png file"),
        ("face.png", b"", "face.png is empty"),
        ("face.png", b"\x89PNG" + b"\x00" * (5 * 1024 * 1024), "face.png is larger than 5 MB"),
    ],
)
def test_a_photo_is_checked_like_research_files_and_nothing_is_half_written(cx_lead, name, content, problem):
    with pytest.raises(ValidationError, match=problem):
        persona_create(name="Student", photo=SimpleUploadedFile(name, content), actor=cx_lead)
    assert not Persona.objects.filter(name="Student").exists()


def test_replacing_and_removing_a_photo(cx_lead):
    persona = persona_create(name="Pensioner", photo=SimpleUploadedFile("a.png", PNG), actor=cx_lead)
    first = persona.photo.name
    persona = persona_update(
        persona_id=persona.pk, expected_version=persona.version, photo=SimpleUploadedFile("b.jpg", JPEG), actor=cx_lead
    )
    assert persona.photo.name != first and persona.photo_type == "image/jpeg"
    persona = persona_update(persona_id=persona.pk, expected_version=persona.version, remove_photo=True, actor=cx_lead)
    assert not persona.photo and persona.photo_type == ""


def test_only_editors_write_personas(executive, head):
    for user in (executive, head):
        with pytest.raises(PermissionDenied):
            persona_create(name="Nope", actor=user)


def test_persona_pages_create_show_edit_and_archive(client, cx_lead):
    client.force_login(cx_lead)
    response = client.post(
        reverse("journeys:persona_create"),
        {
            "name": "Small business owner",
            "description": "Runs a café",
            "quote": "Just let me get back to work",
            "goals": "- Open an account in a day\n- One contact person",
            "frustrations": "Paper forms",
            "photo": SimpleUploadedFile("owner.png", PNG),
        },
    )
    persona = Persona.objects.get(name="Small business owner")
    assert response.status_code == 302 and response.url == reverse("journeys:persona_detail", args=[persona.pk])
    page = client.get(response.url).content.decode()
    assert "Open an account in a day" in page and "<li>One contact person</li>" in page  # list markers dropped
    photo = client.get(reverse("journeys:persona_photo", args=[persona.pk]))
    assert photo["Content-Type"] == "image/png" and photo["X-Content-Type-Options"] == "nosniff"
    assert b"".join(photo.streaming_content) == PNG

    response = client.post(
        reverse("journeys:persona_edit", args=[persona.pk]),
        {"name": "Café owner", "description": "", "quote": "", "goals": "", "frustrations": "Queues", "version": 1},
    )
    assert response.status_code == 302
    persona.refresh_from_db()
    assert (persona.name, persona.frustrations) == ("Café owner", "Queues")
    assert persona.photo  # an edit without a new file keeps the photo

    client.post(reverse("journeys:persona_archive", args=[persona.pk]), {"version": persona.version})
    persona.refresh_from_db()
    assert persona.is_archived
    listing = client.get(reverse("journeys:persona_list")).content.decode()
    assert "Café owner" not in listing and "1 archived" in listing
    assert "Café owner" in client.get(reverse("journeys:persona_list") + "?archived=1").content.decode()
    client.post(reverse("journeys:persona_archive", args=[persona.pk]), {"archive": "0", "version": persona.version})
    persona.refresh_from_db()
    assert not persona.is_archived


def test_bad_input_is_shown_on_its_field_and_nothing_is_stored(client, cx_lead):
    persona_create(name="Student", actor=cx_lead)
    client.force_login(cx_lead)
    response = client.post(
        reverse("journeys:persona_create"),
        {"name": "STUDENT", "photo": SimpleUploadedFile("x.png", b"GIF89a")},
    )
    assert response.status_code == 200
    assert "A persona named “STUDENT” already exists." in response.content.decode()
    response = client.post(
        reverse("journeys:persona_create"), {"name": "Tourist", "photo": SimpleUploadedFile("x.png", b"GIF89a")}
    )
    assert response.status_code == 200
    assert "x.png is not really a .png file." in response.content.decode()
    assert list(Persona.objects.values_list("name", flat=True)) == ["Student"]


def test_readers_see_personas_but_cannot_change_them(client, executive, cx_lead):
    persona = persona_create(name="Student", actor=cx_lead)
    client.force_login(executive)
    assert client.get(reverse("journeys:persona_detail", args=[persona.pk])).status_code == 200
    assert "new-persona" not in client.get(reverse("journeys:persona_list")).content.decode()
    assert client.get(reverse("journeys:persona_create")).status_code == 403
    assert client.post(reverse("journeys:persona_archive", args=[persona.pk])).status_code == 403
    assert client.get(reverse("journeys:persona_photo", args=[persona.pk])).status_code == 404  # no photo


def test_a_persona_in_use_is_archived_not_deleted(client, cx_lead):
    persona = persona_create(name="Student", actor=cx_lead)
    journey_create(title="Open an account", persona=persona, actor=cx_lead)
    client.force_login(cx_lead)
    response = client.post(
        reverse("journeys:persona_delete", args=[persona.pk]), {"version": persona.version}, follow=True
    )
    assert "cannot be deleted; archive it instead" in response.content.decode()
    assert Persona.objects.filter(pk=persona.pk).exists()
    unused = persona_create(name="Tourist", actor=cx_lead)
    client.post(reverse("journeys:persona_delete", args=[unused.pk]), {"version": unused.version})
    assert not Persona.objects.filter(pk=unused.pk).exists()


def test_the_map_shows_its_persona_card_and_new_journeys_skip_archived_personas(client, cx_lead):
    persona = persona_create(name="Student", quote="Cheap and quick", goals="Save money", actor=cx_lead)
    journey = journey_create(title="Open an account", persona=persona, actor=cx_lead)
    persona_update(persona_id=persona.pk, expected_version=persona.version, is_archived=True, actor=cx_lead)
    persona_create(name="Tourist", actor=cx_lead)
    client.force_login(cx_lead)
    page = client.get(reverse("journeys:journey_map", args=[journey.pk])).content.decode()
    assert 'data-testid="persona-card"' in page and "Cheap and quick" in page and "Save money" in page
    form = client.get(reverse("journeys:journey_create")).context["form"]
    assert [p.name for p in form.fields["persona"].queryset] == ["Tourist"]


def test_api_reads_the_new_fields_and_filters_archived(client, cx_lead):
    persona_create(name="Student", quote="Cheap", actor=cx_lead)
    archived = persona_create(name="Tourist", actor=cx_lead)
    persona_update(persona_id=archived.pk, expected_version=archived.version, is_archived=True, actor=cx_lead)
    client.force_login(cx_lead)
    rows = client.get("/api/v1/personas/?is_archived=false").json()["results"]
    assert [(r["name"], r["quote"], r["photo_url"]) for r in rows] == [("Student", "Cheap", None)]
