"""Journey templates: the built-in library in both languages, starting a journey from one, saving a map as
one, previewing and deleting."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from journeys import template_library
from journeys.models import Journey, JourneyTemplate
from journeys.services import journey_create, persona_create, stage_add, step_add, touchpoint_delete
from journeys.transfer import journey_from_template, template_delete, template_from_journey
from tests.factories import TouchpointFactory

KEYS = {
    "open-account", "card-dispute", "order-delivery", "complaint-handling",
    "onboarding", "loan-application", "subscription-cancellation", "relocation",
}  # fmt: skip


@pytest.fixture
def library(db):
    template_library.install(JourneyTemplate)  # the migration's rows do not survive the test database flush


def test_the_library_has_eight_journeys_in_english_and_russian_with_expectations_and_barriers(library):
    for language, barriers in (("en", "Typical barriers: "), ("ru", "Типичные барьеры: ")):
        templates = JourneyTemplate.objects.filter(language=language)
        assert set(templates.values_list("key", flat=True)) == KEYS
        for template in templates:
            steps = [step for stage in template.document["stages"] for step in stage["steps"]]
            assert template.stage_count >= 3 and template.step_count == len(steps) >= 6
            assert all(step["action"] and step["expectation"] for step in steps)
            assert all(step["notes"].startswith(barriers) and len(step["notes"]) > len(barriers) + 5 for step in steps)
    assert template_library.install(JourneyTemplate) == 0  # installing again adds nothing


def test_a_journey_started_from_a_template_has_its_stages_and_steps(library, cx_lead):
    template = JourneyTemplate.objects.get(key="card-dispute", language="ru")
    persona = persona_create(name="Клиент с картой", actor=cx_lead)
    journey = journey_from_template(template_id=template.pk, title="Спор по карте", persona=persona, actor=cx_lead)
    assert (journey.title, journey.persona, journey.status) == ("Спор по карте", persona, Journey.Status.DRAFT)
    stages = list(journey.stages.order_by("position"))
    assert [s.name for s in stages] == ["Обнаружение", "Обращение", "Решение"]
    first = stages[0].steps.order_by("position").first()
    assert first.action == "Видит незнакомое списание в приложении"
    assert first.notes.startswith("Типичные барьеры: непонятные названия продавцов")
    assert sum(stage.steps.count() for stage in stages) == template.step_count


def test_a_map_saved_as_a_template_starts_an_equal_map_and_a_deleted_touchpoint_is_left_empty(cx_lead):
    phone, app = TouchpointFactory(code="phone"), TouchpointFactory(code="app")
    journey = journey_create(title="Renew a policy", actor=cx_lead)
    stage = stage_add(journey_id=journey.pk, name="Renew", actor=cx_lead)
    step_add(stage_id=stage.pk, action="Calls", touchpoint=phone, emotion=-1, actor=cx_lead)
    step_add(stage_id=stage.pk, action="Pays in the app", touchpoint=app, is_moment_of_truth=True, actor=cx_lead)
    template = template_from_journey(
        journey_id=journey.pk, name="Renewal", description="Yearly renewal", language="en", actor=cx_lead
    )
    assert (template.stage_count, template.step_count, template.created_by) == (1, 2, cx_lead)
    assert template.document["persona"] is None

    journey.delete()  # the map is gone, and then its app touchpoint leaves the catalogue
    touchpoint_delete(touchpoint_id=app.pk, expected_version=app.version, actor=cx_lead)
    copy = journey_from_template(template_id=template.pk, actor=cx_lead)
    assert copy.title == "Renewal"
    steps = list(copy.stages.get().steps.order_by("position"))
    assert [(s.action, s.touchpoint, s.emotion, s.is_moment_of_truth) for s in steps] == [
        ("Calls", phone, -1, False),
        ("Pays in the app", None, 0, True),
    ]


def test_only_editors_use_save_or_delete_templates(library, executive, cx_lead):
    template = JourneyTemplate.objects.first()
    journey = journey_create(title="Mine", actor=cx_lead)
    with pytest.raises(PermissionDenied):
        journey_from_template(template_id=template.pk, actor=executive)
    with pytest.raises(PermissionDenied):
        template_from_journey(journey_id=journey.pk, name="x", description="", language="en", actor=executive)
    with pytest.raises(PermissionDenied):
        template_delete(template_id=template.pk, actor=executive)


def test_template_pages_list_preview_use_and_delete(client, library, cx_lead):
    client.force_login(cx_lead)
    listing = client.get(reverse("journeys:template_list"))
    assert len(listing.context["templates"]) == 8  # the page's language (English) first
    assert len(client.get(reverse("journeys:template_list") + "?lang=all").context["templates"]) == 16
    template = JourneyTemplate.objects.get(key="relocation", language="en")
    preview = client.get(reverse("journeys:template_detail", args=[template.pk])).content.decode()
    assert "Waits for the technician" in preview and "a whole-day window" in preview

    response = client.post(reverse("journeys:template_use", args=[template.pk]), {"title": "", "persona": ""})
    journey = Journey.objects.get(title="Move / relocation")
    assert response.url == reverse("journeys:journey_map", args=[journey.pk])

    response = client.post(reverse("journeys:template_use", args=[template.pk]), {"title": "x" * 201})
    assert response.status_code == 400
    assert "at most 200 characters" in response.content.decode()

    client.post(reverse("journeys:template_delete", args=[template.pk]))
    assert not JourneyTemplate.objects.filter(pk=template.pk).exists()
    assert Journey.objects.filter(pk=journey.pk).exists()  # journeys started from it stay
    assert client.post(reverse("journeys:template_delete", args=[template.pk])).status_code == 404


def test_save_as_template_page(client, cx_lead, executive):
    journey = journey_create(title="Renew a policy", actor=cx_lead)
    client.force_login(executive)
    assert client.get(reverse("journeys:template_save", args=[journey.pk])).status_code == 403
    client.force_login(cx_lead)
    assert client.get(reverse("journeys:template_save", args=[journey.pk])).context["form"]["name"].value() == (
        "Renew a policy"
    )
    response = client.post(reverse("journeys:template_save", args=[journey.pk]), {"name": "", "language": "xx"})
    assert response.status_code == 200 and set(response.context["form"].errors) == {"name", "language"}
    response = client.post(
        reverse("journeys:template_save", args=[journey.pk]), {"name": "Renewal", "description": "", "language": "ru"}
    )
    template = JourneyTemplate.objects.get(name="Renewal")
    assert response.url == reverse("journeys:template_detail", args=[template.pk]) and template.language == "ru"
