"""A CX lead builds and edits a journey map in a real browser; conflicts and read-only access."""

import re

import pytest
from playwright.sync_api import expect

from cxhub.org.roles import Role
from journeys.models import Journey, Step
from journeys.services import journey_create, stage_add, step_add
from tests.factories import PASSWORD, UserFactory

from .conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def lead():
    return UserFactory(username="cxlead", first_name="Anna", last_name="Orlova", roles=[Role.CX_LEAD])


def steps_by_stage(journey: Journey) -> list[tuple[str, list[str]]]:
    return [(s.name, [st.action for st in s.steps.order_by("position")]) for s in journey.stages.order_by("position")]


def edit_cell(page, step, field: str, text: str) -> None:
    step.get_by_test_id(f"cell-{field}").click()
    editor = step.get_by_test_id(f"cell-form-{field}")
    editor.locator("textarea").fill(text)
    editor.get_by_test_id("save").click()
    expect(step.get_by_test_id(f"cell-{field}")).to_have_text(text)


def test_cx_lead_builds_a_journey_drags_a_step_edits_a_cell_and_it_survives_a_reload(page, lead, console_errors):
    log_in(page, "cxlead", PASSWORD)
    page.get_by_test_id("new-journey").click()
    page.get_by_label("Title").fill("Order and delivery")
    page.get_by_test_id("create-journey").click()
    page.wait_for_load_state("load")  # htmx and the map scripts are in place
    expect(page.locator("h1").first).to_have_text("Order and delivery")

    for name in ("Order", "Delivery"):
        page.get_by_test_id("new-stage-name").fill(name)
        page.get_by_test_id("add-stage").click()
        expect(page.locator(".jstage").filter(has_text=name)).to_have_count(1)

    order = page.locator(".jstage").filter(has_text="Order")
    order.get_by_test_id("add-step").click()
    expect(order.get_by_test_id("step")).to_have_count(1)
    order.get_by_test_id("add-step").click()
    expect(page.locator(".jstage").filter(has_text="Order").get_by_test_id("step")).to_have_count(2)

    steps = page.locator(".jstage").filter(has_text="Order").get_by_test_id("step")
    edit_cell(page, steps.nth(0), "action", "Choose a sofa")
    edit_cell(
        page, page.locator(".jstage").filter(has_text="Order").get_by_test_id("step").nth(1), "action", "Pay online"
    )

    # Drag "Pay online" by its handle into the empty Delivery stage.
    pay = page.get_by_test_id("step").filter(has_text="Pay online")
    target = page.locator(".jstage").filter(has_text="Delivery").locator(".jstage-steps")
    handle = pay.locator(".step-handle").bounding_box()
    drop = target.bounding_box()
    page.mouse.move(handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2)
    page.mouse.down()
    for i in range(1, 11):
        page.mouse.move(
            handle["x"] + (drop["x"] + 60 - handle["x"]) * i / 10, handle["y"] + (drop["y"] + 80 - handle["y"]) * i / 10
        )
    # Sortable moves the element at once; the save is the POST that follows: wait for its answer.
    with page.expect_response(lambda response: "/move/" in response.url and response.status == 200):
        page.mouse.up()
    expect(page.locator(".jstage").filter(has_text="Delivery").get_by_test_id("step")).to_have_count(1)
    expect(page.locator(".jstage").filter(has_text="Delivery")).to_contain_text("Pay online")

    page.reload()

    expect(page.locator(".jstage").filter(has_text="Order").get_by_test_id("step")).to_have_count(1)
    expect(page.locator(".jstage").filter(has_text="Delivery")).to_contain_text("Pay online")
    assert steps_by_stage(Journey.objects.get()) == [("Order", ["Choose a sofa"]), ("Delivery", ["Pay online"])]
    expect(page.locator(".emotion-curve .curve-line").first).to_be_attached()  # the curve, drawn on the server
    assert console_errors == []


def test_keyboard_buttons_move_a_step_across_stages(page, lead):
    journey = journey_create(title="J", actor=lead)
    first = stage_add(journey_id=journey.pk, name="First", actor=lead)
    stage_add(journey_id=journey.pk, name="Second", actor=lead)
    step_add(stage_id=first.pk, action="Only step", actor=lead)
    log_in(page, "cxlead", PASSWORD)
    page.goto(f"/journeys/{journey.pk}/")

    page.get_by_test_id("step").get_by_test_id("step-right").focus()
    page.keyboard.press("Enter")

    expect(page.locator(".jstage").filter(has_text="Second")).to_contain_text("Only step")
    assert steps_by_stage(journey) == [("First", []), ("Second", ["Only step"])]


def test_second_editor_of_the_same_step_gets_the_conflict_message_and_nothing_is_overwritten(new_page, lead):
    UserFactory(username="olga", first_name="Olga", last_name="Smirnova", roles=[Role.CX_LEAD])
    journey = journey_create(title="J", actor=lead)
    stage = stage_add(journey_id=journey.pk, name="Report", actor=lead)
    step_add(stage_id=stage.pk, action="Call the bank", actor=lead)
    anna, olga = new_page(), new_page()
    log_in(anna, "cxlead", PASSWORD)
    log_in(olga, "olga", PASSWORD)
    anna.goto(f"/journeys/{journey.pk}/")
    olga.goto(f"/journeys/{journey.pk}/")

    anna.get_by_test_id("cell-reality").click()  # Anna opens the editor first...
    expect(anna.get_by_test_id("cell-form-reality")).to_be_visible()
    edit_cell(olga, olga.get_by_test_id("step"), "reality", "On hold for 14 minutes")  # ...Olga saves first
    anna.get_by_test_id("cell-form-reality").locator("textarea").fill("Hung up after 5 minutes")
    anna.get_by_test_id("cell-form-reality").get_by_test_id("save").click()

    expect(anna.get_by_test_id("conflict")).to_contain_text(re.compile(r"changed by Olga Smirnova at \d\d:\d\d"))
    expect(anna.get_by_test_id("conflict")).to_contain_text("reload to see it")
    expect(anna.get_by_test_id("cell-form-reality").locator("textarea")).to_have_value("Hung up after 5 minutes")
    assert Step.objects.get().reality == "On hold for 14 minutes"


def test_executive_sees_the_map_read_only(page, lead):
    UserFactory(username="executive", roles=[Role.EXECUTIVE])
    journey = journey_create(title="Open an account", actor=lead)
    stage = stage_add(journey_id=journey.pk, name="Apply", actor=lead)
    step_add(stage_id=stage.pk, action="Fill the form", reality="Asked for paper copies", actor=lead)
    log_in(page, "executive", PASSWORD)
    page.goto(f"/journeys/{journey.pk}/")

    expect(page.get_by_test_id("step")).to_contain_text("Fill the form")
    expect(page.get_by_text("Read-only: only CX leads edit journey maps.")).to_be_visible()
    expect(page.locator("button.cell-edit")).to_have_count(0)
    expect(page.get_by_test_id("add-stage")).to_have_count(0)
    expect(page.get_by_test_id("create-to-be")).to_have_count(0)
    page.get_by_test_id("cell-action").click()  # a plain cell: nothing opens
    expect(page.locator("form.is-editing")).to_have_count(0)


def test_the_emotion_curve_is_drawn_without_plotly_and_follows_an_edit(page, lead, console_errors):
    """The map loads no chart library (plotly was 4.8 MB for one curve); changing a score redraws the
    neighbours' pieces of the curve too, so it stays one line."""
    journey = journey_create(title="J", actor=lead)
    stage = stage_add(journey_id=journey.pk, name="Order", actor=lead)
    for action in ("First", "Second", "Third"):
        step_add(stage_id=stage.pk, action=action, emotion=0, actor=lead)
    scripts = []
    page.on("request", lambda request: scripts.append(request.url) if request.resource_type == "script" else None)
    log_in(page, "cxlead", PASSWORD)
    page.goto(f"/journeys/{journey.pk}/")
    assert not [url for url in scripts if "plotly" in url]

    def ends(step_name: str) -> tuple[str, str]:
        d = page.get_by_test_id("step").filter(has_text=step_name).locator(".curve-line").get_attribute("d")
        return d.split()[0], d.split()[-1]  # "M0,50" … "100,50"

    assert ends("First")[1].endswith(",50") and ends("Second")[0].endswith(",50")
    second = page.get_by_test_id("step").filter(has_text="Second")
    second.get_by_test_id("cell-emotion").click()
    page.locator("select[name=emotion]").select_option("2")
    with page.expect_response(lambda r: r.url.endswith("/emotion/") and r.request.method == "POST"):
        page.get_by_test_id("save").click()

    # +2 sits at y = 12; the pieces meet halfway (31) on both sides of the second step.
    expect(page.get_by_test_id("step").filter(has_text="Second").get_by_test_id("cell-emotion")).to_contain_text("+2")
    assert ends("First")[1] == "100,31" and ends("Second")[0] == "M0,31"
    assert ends("Second")[1] == "100,31" and ends("Third")[0] == "M0,31"
    assert console_errors == []
