"""axe-core (vendored in tests/browser/vendor, never served) finds no serious or critical accessibility
violation — contrast included — on the pages people work in most: the map (also in its overview), the
barrier board and kanban, the inbox, the dashboards, in English and Russian."""

from pathlib import Path

import pytest

from cxhub.org.models import Department
from journeys.models import Journey, Touchpoint

from .conftest import load_small_demo, log_in_to_demo

pytestmark = [pytest.mark.django_db(transaction=True)]

AXE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text()
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')
              + (v.nodes.length > 3 ? ' … ' + v.nodes.length + ' in all' : ''));
}"""


def pages() -> dict[str, list[str]]:
    journey = Journey.objects.filter(state=Journey.State.AS_IS).order_by("pk").first()
    touchpoint = Touchpoint.objects.filter(service_target__isnull=False).order_by("pk").first()
    department = Department.objects.filter(touchpoints=touchpoint).first()
    return {
        "cxlead": [
            f"/journeys/{journey.pk}/",
            f"/journeys/{journey.pk}/#overview",
            "/barriers/",
            "/barriers/?view=kanban",
            "/dashboard/",
            f"/dashboard/departments/{department.pk}/",
            f"/dashboard/touchpoints/{touchpoint.pk}/",
            f"/journeys/{journey.pk}/comments/",
            f"/journeys/{journey.pk}/share/",
            "/notifications/",
        ],
        "head-contact-centre": ["/barriers/mine/", "/dashboard/department/"],
    }


def audit(page, path: str) -> list[str]:
    page.goto(path.replace("#overview", ""))
    page.wait_for_load_state("networkidle")
    if path.endswith("#overview"):
        page.get_by_test_id("overview").click()
    page.add_script_tag(content=AXE)
    return page.evaluate(RUN_AXE)


@pytest.mark.parametrize("language", ["en", "ru"])
def test_no_serious_or_critical_accessibility_violations(new_page, settings, language):
    load_small_demo(settings, language)
    problems: list[str] = []
    for role, paths in pages().items():
        page = new_page(viewport={"width": 1280, "height": 800}, bypass_csp=True)
        log_in_to_demo(page, role, language)
        for path in paths:
            problems += [f"{language} {role} {path}: {problem}" for problem in audit(page, path)]
    assert problems == [], "\n".join(problems)
