"""The map edited like a spreadsheet, from the keyboard: the caret is in the editor, Enter saves, Tab moves
on, Esc cancels, arrows move between cells, focus never falls to BODY, and lanes stay aligned while a cell
is being edited or a conflict is shown."""

import pytest
from playwright.sync_api import expect

from cxhub.org.roles import Role
from journeys.models import Step
from journeys.services import journey_create, stage_add, step_add, step_update
from tests.factories import PASSWORD, DepartmentFactory, TouchpointFactory, UserFactory

from .conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def lead():
    return UserFactory(username="cxlead", first_name="Anna", last_name="Orlova", roles=[Role.CX_LEAD])


@pytest.fixture
def journey(lead):
    journey = journey_create(title="Order a card", actor=lead)
    stage = stage_add(journey_id=journey.pk, name="Order", actor=lead)
    step_add(stage_id=stage.pk, action="Choose a card", reality="Three tariffs", actor=lead)
    step_add(stage_id=stage.pk, action="Fill the form", actor=lead)
    return journey


def active(page) -> dict:
    return page.evaluate(
        """() => { const e = document.activeElement; return {
             tag: e.tagName, testid: e.dataset.testid || "", name: e.name || "",
             step: (e.closest('.jstep') || {dataset: {}}).dataset.stepId || "",
             caret: e.selectionStart === undefined ? null : e.selectionStart, length: (e.value || "").length } }"""
    )


def step_id(action: str) -> str:
    return str(Step.objects.get(action=action).pk)


def open_map(page, journey):
    log_in(page, "cxlead", PASSWORD)
    page.goto(f"/journeys/{journey.pk}/")
    page.wait_for_load_state("load")


def test_clicking_a_cell_puts_the_caret_at_the_end_of_its_text(page, journey):
    open_map(page, journey)
    page.get_by_test_id("step").first.get_by_test_id("cell-reality").click()

    expect(page.get_by_test_id("cell-form-reality").locator("textarea")).to_be_focused()
    focus = active(page)
    assert focus["tag"] == "TEXTAREA" and focus["caret"] == focus["length"] == len("Three tariffs")
    page.keyboard.type(", fees hidden")
    expect(page.get_by_test_id("cell-form-reality").locator("textarea")).to_have_value("Three tariffs, fees hidden")


def test_enter_saves_and_focus_stays_on_the_saved_cell(page, journey):
    open_map(page, journey)
    page.get_by_test_id("step").first.get_by_test_id("cell-expectation").click()
    page.keyboard.type("A card in two days")
    page.keyboard.press("Enter")

    first = page.get_by_test_id("step").first
    expect(first.get_by_test_id("cell-expectation")).to_have_text("A card in two days")
    expect(first.get_by_test_id("cell-expectation")).to_be_focused()
    assert Step.objects.get(action="Choose a card").expectation == "A card in two days"


def test_shift_enter_is_a_new_line_and_escape_cancels(page, journey):
    open_map(page, journey)
    page.get_by_test_id("step").first.get_by_test_id("cell-reality").click()
    page.keyboard.press("Shift+Enter")
    page.keyboard.type("and a fourth")
    expect(page.get_by_test_id("cell-form-reality").locator("textarea")).to_have_value("Three tariffs\nand a fourth")
    page.keyboard.press("Escape")

    first = page.get_by_test_id("step").first
    expect(page.get_by_test_id("cell-form-reality")).to_have_count(0)
    expect(first.get_by_test_id("cell-reality")).to_have_text("Three tariffs")
    expect(first.get_by_test_id("cell-reality")).to_be_focused()
    assert Step.objects.get(action="Choose a card").reality == "Three tariffs"


def test_tab_saves_and_moves_down_the_lanes_then_on_to_the_next_step(page, journey):
    open_map(page, journey)
    page.get_by_test_id("step").first.get_by_test_id("cell-reality").click()
    page.keyboard.press("Control+a")
    page.keyboard.type("Four tariffs")
    page.keyboard.press("Tab")

    first = page.get_by_test_id("step").first
    expect(first.get_by_test_id("cell-reality")).to_have_text("Four tariffs")
    expect(first.get_by_test_id("cell-emotion")).to_be_focused()  # the next lane of the same step
    page.keyboard.press("Shift+Tab")  # not editing: Tab is the browser's; arrows and Enter are the map's
    page.keyboard.press("ArrowDown")
    expect(first.get_by_test_id("cell-emotion")).to_be_focused()
    page.keyboard.press("ArrowRight")
    expect(page.get_by_test_id("step").nth(1).get_by_test_id("cell-emotion")).to_be_focused()
    page.keyboard.press("ArrowUp")
    expect(page.get_by_test_id("step").nth(1).get_by_test_id("cell-reality")).to_be_focused()


def test_typing_on_a_cell_starts_its_text_afresh_and_tab_from_the_last_lane_goes_to_the_next_step(page, journey):
    open_map(page, journey)
    first = page.get_by_test_id("step").first
    first.get_by_test_id("cell-action").focus()
    page.keyboard.type("Compare cards")
    expect(page.get_by_test_id("cell-form-action").locator("textarea")).to_have_value("Compare cards")
    page.keyboard.press("Enter")
    expect(first.get_by_test_id("cell-action")).to_have_text("Compare cards")

    first.get_by_test_id("cell-is_moment_of_truth").click()
    page.keyboard.press("Tab")
    expect(page.get_by_test_id("step").nth(1).get_by_test_id("cell-action")).to_be_focused()


def test_alt_n_adds_a_step_after_this_one_with_its_action_open(page, journey):
    open_map(page, journey)
    page.get_by_test_id("step").first.get_by_test_id("cell-action").focus()
    page.keyboard.press("Alt+n")

    editor = page.get_by_test_id("step").nth(1).get_by_test_id("cell-form-action").locator("textarea")
    expect(editor).to_be_focused()
    page.keyboard.type("Ask a friend")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("step").nth(1).get_by_test_id("cell-action")).to_have_text("Ask a friend")
    assert [s.action for s in Step.objects.order_by("position")] == ["Choose a card", "Ask a friend", "Fill the form"]


def test_after_a_move_focus_stays_on_the_moved_step(page, journey):
    open_map(page, journey)
    page.get_by_test_id("step").first.get_by_test_id("step-right").focus()
    page.keyboard.press("Enter")

    expect(page.get_by_test_id("step").nth(1)).to_contain_text("Choose a card")
    moved = active(page)
    assert moved["step"] == step_id("Choose a card") and moved["testid"].startswith("step-")


def test_undo_puts_back_ones_own_last_change_through_a_versioned_write(page, journey):
    open_map(page, journey)
    first = page.get_by_test_id("step").first
    first.get_by_test_id("cell-reality").click()
    expect(first.get_by_test_id("cell-form-reality").locator("textarea")).to_be_focused()  # then select all
    page.keyboard.press("Control+a")
    page.keyboard.type("Oops")
    page.keyboard.press("Enter")
    expect(first.get_by_test_id("cell-reality")).to_have_text("Oops")
    expect(page.get_by_test_id("map-toast")).to_be_visible()

    page.keyboard.press("Control+z")

    expect(first.get_by_test_id("cell-reality")).to_have_text("Three tariffs")
    step = Step.objects.get(action="Choose a card")
    assert step.reality == "Three tariffs" and step.version == 3  # two writes, both versioned
    expect(first.get_by_test_id("cell-reality")).to_be_focused()


def misaligned(page) -> list[str]:
    """Lanes whose cell in some step does not start and end level with the lane's label."""
    return page.evaluate(
        """() => {
          const labels = [...document.querySelectorAll('.jmap-lanes .lane-label')];
          const bad = [];
          for (const step of document.querySelectorAll('.jstep')) {
            for (const label of labels) {
              const lane = [...label.classList].find(c => c.startsWith('lane-') && c !== 'lane-label');
              const cell = step.querySelector(':scope > .' + lane);
              if (!cell) { bad.push(lane + ' missing'); continue; }
              const a = label.getBoundingClientRect(), b = cell.getBoundingClientRect();
              if (Math.abs(a.top - b.top) > 1 || Math.abs(a.height - b.height) > 1) bad.push(lane);
            }
          }
          return bad;
        }"""
    )


def test_lanes_stay_aligned_while_editing_and_with_a_conflict(page, journey, lead):
    open_map(page, journey)
    first = page.get_by_test_id("step").first
    first.get_by_test_id("cell-touchpoint").click()
    expect(page.get_by_test_id("cell-form-touchpoint")).to_be_visible()
    assert misaligned(page) == []
    page.keyboard.press("Escape")
    first.get_by_test_id("cell-expectation").click()
    page.keyboard.type("Quick")
    expect(page.get_by_test_id("cell-form-expectation").locator("textarea")).to_have_value("Quick")  # opened first
    step_update(step_id=int(step_id("Choose a card")), expected_version=1, actor=lead, expectation="Someone else's")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("conflict")).to_be_visible()
    expect(page.get_by_test_id("cell-form-expectation").locator("textarea")).to_have_value("Quick")
    assert misaligned(page) == []


def test_the_touchpoint_is_typed_with_suggestions_or_added_inline_from_the_keyboard(page, journey, lead):
    cards = DepartmentFactory(name="Card services", slug="cards")
    TouchpointFactory(name="Card delivery by courier", channel="delivery", department=cards)
    open_map(page, journey)
    first = page.get_by_test_id("step").first
    first.get_by_test_id("cell-touchpoint").focus()
    page.keyboard.press("Enter")
    name = page.get_by_test_id("cell-form-touchpoint").locator("input[name=touchpoint_name]")
    expect(name).to_be_focused()
    options = page.locator(f"datalist#touchpoints-{step_id('Choose a card')} option")
    expect(options.filter(has_text="Card services")).to_have_count(1)  # the label names channel and department
    page.keyboard.type("card delivery by courier")
    page.keyboard.press("Enter")
    expect(first.get_by_test_id("cell-touchpoint")).to_have_text("Card delivery by courier")

    first.get_by_test_id("cell-touchpoint").focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Control+a")
    page.keyboard.type("Partner bank branch")
    page.keyboard.press("Enter")  # unknown: the editor stays, says why and opens channel and department
    editor = page.get_by_test_id("cell-form-touchpoint")
    expect(editor).to_contain_text("No touchpoint is called")
    editor.locator("select[name=new_touchpoint_channel]").select_option("office")
    editor.locator("select[name=new_touchpoint_department]").select_option(label="Card services")
    editor.locator("select[name=new_touchpoint_department]").press("Enter")
    expect(first.get_by_test_id("cell-touchpoint")).to_have_text("Partner bank branch")
    assert Step.objects.get(action="Choose a card").touchpoint.department == cards


def test_the_stage_row_and_the_lane_labels_stay_in_view_while_the_map_scrolls(new_page, journey, lead):
    for number in range(2, 5):
        stage = stage_add(journey_id=journey.pk, name=f"Stage {number}", actor=lead)
        for _ in range(3):
            step_add(stage_id=stage.pk, action=f"Step of stage {number}", reality="Long\n" * 6, actor=lead)
    page = new_page(viewport={"width": 1280, "height": 640})
    open_map(page, journey)
    frame = page.locator(".jmap-scroll")
    frame.evaluate("el => el.scrollTo(500, 100)")
    assert frame.evaluate("el => [el.scrollLeft, el.scrollTop]") == [500, 100]  # it does scroll both ways
    top = frame.bounding_box()["y"]
    heads = page.locator(".jstage-head").all()
    visible = [
        h for h in heads if h.bounding_box()["x"] + h.bounding_box()["width"] > 150 and h.bounding_box()["x"] < 1280
    ]
    assert visible, "no stage head in view"
    for head in visible:
        assert abs(head.bounding_box()["y"] - top) <= 2  # pinned to the frame's top, not scrolled away
    # The step tools sit right under the stage row; the lane labels stay at the left edge.
    tools = page.locator(".jstep-tools").nth(4).bounding_box()
    assert abs(tools["y"] - (top + 44)) <= 2
    corner = page.locator(".lane-head").bounding_box()
    assert abs(corner["y"] - top) <= 2 and abs(corner["x"] - frame.bounding_box()["x"]) <= 2
    # What is pinned covers what scrolls under it: the point just below the stage row is a tools row.
    hit = page.evaluate(
        f"() => document.elementFromPoint(700, {top + 50}).closest('.jstep-tools, .lane-head') !== null"
    )
    assert hit


def test_a_lane_grows_with_its_longest_text_and_nothing_is_clipped(page, journey, lead):
    """Long text in one step makes its whole lane taller (the grid's rows are shared), in Russian too."""
    step_update(
        step_id=int(Step.objects.get(action="Choose a card").pk),
        expected_version=1,
        actor=lead,
        reality="Оператор зачитал тарифы с сайта, перевёл звонок в другой отдел, и там попросили перезвонить "
        "завтра, потому что система проверки документов временно недоступна и заявку нельзя сохранить.",
    )
    open_map(page, journey)
    assert misaligned(page) == []
    heights = page.evaluate(
        """() => [...document.querySelectorAll('.jstep > .lane-reality')].map(c => c.getBoundingClientRect().height)"""
    )
    assert len(set(round(h) for h in heights)) == 1 and heights[0] > 120  # one lane height, as tall as the text
    clipped = page.evaluate(
        """() => [...document.querySelectorAll('.jstep > .cell, .jmap-lanes > *')]
                 .filter(c => c.scrollHeight > c.clientHeight + 1 || c.scrollWidth > c.clientWidth + 1)
                 .map(c => c.className)"""
    )
    assert clipped == []


def test_alt_shift_arrows_move_the_step_and_focus_stays_on_its_cell_across_stages(page, journey, lead):
    second = stage_add(journey_id=journey.pk, name="Receive", actor=lead)
    step_add(stage_id=second.pk, action="Meet the courier", actor=lead)
    open_map(page, journey)
    page.get_by_test_id("step").first.get_by_test_id("cell-expectation").focus()
    moving = page.locator(f"#step-{step_id('Choose a card')}").get_by_test_id("cell-expectation")
    page.keyboard.press("Alt+Shift+ArrowRight")
    expect(page.get_by_test_id("step").nth(1)).to_contain_text("Choose a card")
    expect(moving).to_be_focused()
    page.keyboard.press("Alt+Shift+ArrowRight")  # past the stage's edge: first in the next stage
    expect(page.locator(f'.jstage[data-stage-id="{second.pk}"] .jstep').first).to_contain_text("Choose a card")
    expect(moving).to_be_focused()
    moved = Step.objects.get(action="Choose a card")
    assert (moved.stage_id, moved.position) == (second.pk, 0)
    page.keyboard.press("Alt+Shift+ArrowLeft")
    expect(page.locator(f'.jstage[data-stage-id="{second.pk}"] .jstep').first).to_contain_text("Meet the courier")
    expect(moving).to_be_focused()
    assert Step.objects.get(action="Choose a card").stage_id == journey.stages.get(name="Order").pk


def test_the_overview_fits_a_long_journey_in_the_frame_and_a_click_goes_back_to_that_step(new_page, journey, lead):
    for number in range(2, 7):
        stage = stage_add(journey_id=journey.pk, name=f"Stage {number}", actor=lead)
        for i in range(8):
            step_add(stage_id=stage.pk, action=f"Step {number}.{i}", emotion=(i % 5) - 2, actor=lead)
    page = new_page(viewport={"width": 1280, "height": 800})
    open_map(page, journey)  # 42 steps
    frame = page.locator(".jmap-scroll")
    assert frame.evaluate("el => el.scrollWidth > el.clientWidth * 5")
    page.get_by_test_id("overview").click()
    expect(page.get_by_test_id("overview")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_test_id("overview-legend")).to_be_visible()
    assert frame.evaluate("el => el.scrollWidth <= el.clientWidth")  # the whole journey, no scrolling
    assert misaligned(page) == []
    page.locator(f"#step-{step_id('Step 5.3')} .lane-emotion").click()
    expect(page.get_by_test_id("overview")).to_have_attribute("aria-pressed", "false")
    focus = active(page)
    assert focus["step"] == step_id("Step 5.3") and focus["testid"] == "cell-action"
    box = page.locator(f"#step-{step_id('Step 5.3')}").bounding_box()
    assert 0 <= box["x"] < 1280  # scrolled into view
    assert not page.get_by_test_id("cell-form-action").count()  # picked, not opened for editing
