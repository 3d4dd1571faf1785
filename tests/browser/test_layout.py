"""Every page a person works in, as each role, in English and Russian, at 1440×900, 1280×800 and 390×844:
no text is clipped (an element that hides its overflow or ends in an ellipsis, a badge, a button or a
drop-down whose text is wider than its box) and the page never scrolls sideways outside its deliberate
scroll areas (the map, wide tables)."""

from pathlib import Path

import pytest

from barriers.models import Barrier, ResearchStudy
from cxhub.org.models import Department
from journeys.models import Journey, JourneyTemplate, Persona, Touchpoint

from .conftest import load_small_demo, log_in_to_demo

pytestmark = [pytest.mark.django_db(transaction=True)]

SIZES = [(1440, 900), (1280, 800), (390, 844)]

# What is wrong on the page, as text: one line per problem (empty: nothing).
FIND_PROBLEMS = (Path(__file__).parent / "find_layout_problems.js").read_text()


def pages_of(role: str) -> list[str]:
    as_is = Journey.objects.filter(state=Journey.State.AS_IS, to_be_versions__isnull=False).first()
    journey = as_is or Journey.objects.order_by("pk").first()
    to_be = Journey.objects.filter(state=Journey.State.TO_BE).first()
    barrier = Barrier.objects.order_by("pk").first()
    touchpoint = Touchpoint.objects.filter(service_target__isnull=False).order_by("pk").first()
    department = Department.objects.filter(touchpoints=touchpoint).first()
    study = ResearchStudy.objects.order_by("pk").first()
    head_barrier = Barrier.objects.filter(department__slug="contact-centre").order_by("pk").first()
    persona = Persona.objects.order_by("pk").first()
    template = JourneyTemplate.objects.order_by("pk").first()
    if role == "cxlead":
        return [
            "/journeys/",
            f"/journeys/{journey.pk}/",
            f"/journeys/{journey.pk}/history/",
            f"/journeys/{to_be.pk}/compare/",
            "/journeys/import/",
            "/journeys/personas/",
            f"/journeys/personas/{persona.pk}/",
            f"/journeys/personas/{persona.pk}/edit/",
            "/journeys/templates/",
            f"/journeys/templates/{template.pk}/",
            f"/journeys/{journey.pk}/save-as-template/",
            "/journeys/touchpoints/",
            "/barriers/",
            "/barriers/?view=kanban",
            f"/barriers/{barrier.pk}/",
            f"/barriers/new/?step={journey.stages.first().steps.first().pk}",
            "/barriers/studies/",
            f"/barriers/studies/{study.pk}/",
            "/data/",
            "/data/targets/",
            f"/dashboard/touchpoints/{touchpoint.pk}/",
            "/organisation/",
            "/dashboard/",
            f"/dashboard/departments/{department.pk}/",
            "/dashboard/observed/",
            "/notifications/",
            f"/journeys/{journey.pk}/comments/",
            f"/journeys/{journey.pk}/share/",
        ]
    if role == "executive":
        return [
            "/dashboard/",
            f"/journeys/{journey.pk}/",
            f"/journeys/personas/{persona.pk}/",
            "/journeys/templates/",
            f"/journeys/{journey.pk}/comments/",
            "/notifications/",
        ]
    return ["/barriers/mine/", f"/barriers/{head_barrier.pk}/", "/dashboard/department/", "/notifications/"]


@pytest.mark.parametrize("language", ["en", "ru"])
def test_no_page_clips_its_text_or_scrolls_sideways(new_page, settings, language):
    load_small_demo(settings, language)
    problems: list[str] = []
    for width, height in SIZES:
        for role in ("cxlead", "executive", "head-contact-centre"):
            page = new_page(viewport={"width": width, "height": height})
            log_in_to_demo(page, role, language)
            for path in ["/", *pages_of(role)]:
                page.goto(path)
                page.wait_for_load_state("networkidle")
                problems += [
                    f"{width}px {language} {role} {path}: {problem}" for problem in page.evaluate(FIND_PROBLEMS)
                ]
            page.context.close()
    assert problems == [], "\n" + "\n".join(problems)
