"""To-be versions, the compare view, export/import and the print view, in a real browser."""

import json
import re

import pytest
from playwright.sync_api import expect

from cxhub.org.roles import Role
from journeys.models import Journey, Step
from journeys.services import journey_create, stage_add, step_add
from tests.factories import PASSWORD, TouchpointFactory, UserFactory

from .conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def lead():
    return UserFactory(username="cxlead", first_name="Anna", last_name="Orlova", roles=[Role.CX_LEAD])


@pytest.fixture
def journey(lead):
    courier = TouchpointFactory(name="Courier delivery", code="card-courier")
    journey = journey_create(title="Order a card", actor=lead)
    for s, actions in enumerate([["Fill in the form", "Confirm the phone"], ["Wait for the courier", "Sign"]]):
        stage = stage_add(journey_id=journey.pk, name=f"Stage {s + 1}", actor=lead)
        for action in actions:
            step_add(stage_id=stage.pk, action=action, emotion=-1, touchpoint=courier, actor=lead)
    return journey


def test_cx_lead_creates_a_to_be_edits_it_and_compares(page, lead, journey, console_errors):
    log_in(page, "cxlead", PASSWORD)
    page.goto(f"/journeys/{journey.pk}/")
    page.get_by_test_id("create-to-be").click()
    page.wait_for_load_state("load")
    expect(page.locator(".page-pretitle")).to_contain_text("improves")
    to_be = Journey.objects.get(state=Journey.State.TO_BE)
    assert page.url.endswith(f"/journeys/{to_be.pk}/")

    step = page.get_by_test_id("step").filter(has_text="Wait for the courier")
    step.get_by_test_id("cell-reality").click()
    editor = step.get_by_test_id("cell-form-reality")
    editor.locator("textarea").fill("Courier arrives in the chosen hour")
    editor.get_by_test_id("save").click()
    expect(
        page.get_by_test_id("step").filter(has_text="Wait for the courier").get_by_test_id("cell-reality")
    ).to_have_text("Courier arrives in the chosen hour")

    page.get_by_test_id("compare").click()
    page.wait_for_load_state("load")
    expect(page.get_by_test_id("compare-counts")).to_contain_text("1")
    expect(page.locator("tr[data-kind=changed]")).to_have_count(1)
    expect(page.locator("tr[data-kind=changed]")).to_contain_text("reality")
    expect(page.locator("tr[data-kind=unchanged]")).to_have_count(3)
    # both emotion curves are drawn (plotly renders one trace group per curve)
    expect(page.locator("#compare-chart .scatterlayer .trace")).to_have_count(2)
    assert console_errors == []


def test_json_export_imports_back_and_a_bad_file_is_explained(page, lead, journey, tmp_path, console_errors):
    log_in(page, "cxlead", PASSWORD)
    page.goto(f"/journeys/{journey.pk}/")
    page.get_by_test_id("export-menu").click()
    with page.expect_download() as download_info:
        page.get_by_test_id("export-json").click()
    exported = tmp_path / "order.json"
    download_info.value.save_as(exported)
    document = json.loads(exported.read_text(encoding="utf-8"))
    assert document["journey"]["title"] == "Order a card"

    broken = tmp_path / "broken.json"
    document["journey"]["stages"][1]["steps"][0]["emotion"] = 9
    broken.write_text(json.dumps(document), encoding="utf-8")
    page.goto("/journeys/")
    page.get_by_test_id("import-journey").click()
    page.locator("input[type=file]").set_input_files(str(broken))
    page.get_by_test_id("import-submit").click()
    expect(page.get_by_test_id("import-errors")).to_contain_text("journey.stages[1].steps[0].emotion")
    assert Journey.objects.count() == 1

    page.locator("input[type=file]").set_input_files(str(exported))
    page.get_by_test_id("import-submit").click()
    page.wait_for_load_state("load")
    copy = Journey.objects.exclude(pk=journey.pk).get()
    assert page.url.endswith(f"/journeys/{copy.pk}/")
    expect(page.get_by_test_id("step")).to_have_count(4)
    assert Step.objects.filter(stage__journey=copy, touchpoint__code="card-courier").count() == 4
    assert console_errors == []


def test_print_view_paginates_a_long_map_on_landscape_pages(page, lead, console_errors):
    long_journey = journey_create(title="A long journey", actor=lead)
    for s in range(4):
        stage = stage_add(journey_id=long_journey.pk, name=f"Stage {s + 1}", actor=lead)
        for n in range(5):
            step_add(stage_id=stage.pk, action=f"Step {s + 1}.{n + 1}", emotion=(n % 5) - 2, actor=lead)
    log_in(page, "cxlead", PASSWORD)
    page.goto(f"/journeys/{long_journey.pk}/")
    page.get_by_test_id("export-menu").click()
    page.get_by_test_id("print-view").click()
    page.wait_for_load_state("load")
    expect(page.get_by_test_id("print-page")).to_have_count(3)  # 20 steps, 8 per page
    expect(page.get_by_test_id("print")).to_be_visible()

    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    assert pdf.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 3  # one landscape sheet per print page
    assert re.search(rb"/MediaBox\s*\[\s*0 0 841", pdf)  # A4 landscape: 842 × 595 points
    assert console_errors == []


def test_executive_compares_and_prints_but_sees_no_edit_action(page, lead, journey, console_errors):
    from journeys.services import journey_duplicate

    to_be = journey_duplicate(journey_id=journey.pk, actor=lead, as_to_be=True)
    UserFactory(username="executive", roles=[Role.EXECUTIVE])
    log_in(page, "executive", PASSWORD)
    page.goto(f"/journeys/{journey.pk}/")
    expect(page.get_by_test_id("create-to-be")).to_have_count(0)
    page.get_by_test_id("compare").click()
    page.wait_for_load_state("load")
    expect(page.get_by_test_id("compare-to-be")).to_have_text(to_be.title)
    expect(page.locator("tr[data-kind=unchanged]")).to_have_count(4)
    expect(page.locator("main form[method=post]")).to_have_count(0)

    page.goto(f"/journeys/{journey.pk}/print/")
    expect(page.get_by_test_id("print-page")).to_have_count(1)
    assert console_errors == []
    response = page.goto("/journeys/import/")
    assert response.status == 403
    expect(page.locator("h1")).to_have_text("Not allowed")


@pytest.mark.parametrize("who", ["cxlead", "executive"])
def test_every_lane_lines_up_with_its_label(page, lead, journey, who):
    if who == "executive":
        UserFactory(username="executive", roles=[Role.EXECUTIVE])
    log_in(page, who, PASSWORD)
    page.goto(f"/journeys/{journey.pk}/")
    offsets = page.evaluate(
        """() => [...document.querySelectorAll('.jmap-lanes .lane-label')].map(label => {
            const lane = [...label.classList].find(c => c.startsWith('lane-') && c !== 'lane-label');
            const cell = document.querySelector('.jstep .' + lane);
            return [lane, Math.round(cell.getBoundingClientRect().top - label.getBoundingClientRect().top)];
        })"""
    )
    assert offsets and all(offset == 0 for _lane, offset in offsets), offsets
