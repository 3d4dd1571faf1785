"""Two and three people on one map, each in a browser of their own (separate contexts): what one saves
appears on the others' copies within a second, without a reload and without touching what they are
typing; who has the map open, and who is editing which cell, shows and goes away."""

import time

import pytest
from playwright.sync_api import expect

from cxhub.org.roles import Role
from journeys.models import Step
from journeys.services import journey_create, stage_add, step_add
from tests.factories import PASSWORD, UserFactory

from .conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def people():
    return {
        "anna": UserFactory(username="anna", first_name="Anna", last_name="Orlova", roles=[Role.CX_LEAD]),
        "boris": UserFactory(username="boris", first_name="Boris", last_name="Kim", roles=[Role.CX_LEAD]),
        "vera": UserFactory(username="vera", first_name="Vera", last_name="Sokol", roles=[Role.EXECUTIVE]),
    }


@pytest.fixture
def journey(people):
    lead = people["anna"]
    journey = journey_create(title="Order a card", actor=lead)
    stage = stage_add(journey_id=journey.pk, name="Order", actor=lead)
    step_add(stage_id=stage.pk, action="Choose a card", reality="Three tariffs", actor=lead)
    step_add(stage_id=stage.pk, action="Fill the form", actor=lead)
    return journey


def open_map(new_page, journey, username):
    page = new_page()
    log_in(page, username, PASSWORD)
    page.goto(f"/journeys/{journey.pk}/")
    expect(page.get_by_test_id("live-status")).to_have_text("Live")
    return page


def step_of(page, action):
    return page.locator(f"#step-{Step.objects.get(action=action).pk}")


def save_cell(page, action, field, text):
    step = step_of(page, action)
    step.get_by_test_id(f"cell-{field}").click()
    editor = page.get_by_test_id(f"cell-form-{field}").locator("textarea")
    editor.fill(text)
    with page.expect_response(lambda r: r.request.method == "POST" and "/steps/" in r.url):
        editor.press("Enter")
    return time.monotonic()


def test_a_saved_cell_appears_on_the_other_copies_within_a_second(new_page, journey):
    anna = open_map(new_page, journey, "anna")
    vera = open_map(new_page, journey, "vera")  # an executive: reads live, edits nothing

    save_cell(anna, "Choose a card", "reality", "Three tariffs, fees hidden")

    cell = step_of(vera, "Choose a card").get_by_test_id("cell-reality")
    expect(cell).to_have_text("Three tariffs, fees hidden", timeout=1000)
    expect(cell).to_have_class("cell lane-reality live-flash", timeout=1000)  # highlighted as it arrives
    expect(vera.get_by_test_id("live-last")).to_have_text("Last change by Anna Orlova")
    assert vera.get_by_test_id("step").first.get_by_test_id("cell-reality").evaluate("e => e.tagName") == "DIV"


def test_what_someone_is_typing_survives_a_change_to_the_same_step_and_to_the_map(new_page, journey):
    anna = open_map(new_page, journey, "anna")
    boris = open_map(new_page, journey, "boris")
    step_of(boris, "Choose a card").get_by_test_id("cell-action").click()
    typing = boris.get_by_test_id("cell-form-action").locator("textarea")
    typing.press("End")
    boris.keyboard.type(" online")

    save_cell(anna, "Choose a card", "reality", "Fees hidden")  # the same step, another cell
    expect(boris.locator("[data-live-note]")).to_contain_text("Anna Orlova has just changed this step")
    anna.get_by_test_id("add-step").click()  # the map's structure changes
    expect(boris.get_by_test_id("step")).to_have_count(3, timeout=1000)

    expect(typing).to_have_value("Choose a card online")
    expect(typing).to_be_focused()
    boris.keyboard.type("!")
    expect(typing).to_have_value("Choose a card online!")
    # The other step of the map came up to date meanwhile.
    expect(step_of(boris, "Fill the form")).to_be_visible()


def test_three_people_see_each_other_come_and_go_and_a_cell_being_edited_shows_who(new_page, journey):
    anna = open_map(new_page, journey, "anna")
    boris = open_map(new_page, journey, "boris")
    vera = open_map(new_page, journey, "vera")

    expect(anna.get_by_test_id("live-others")).to_have_text("Also here: Boris Kim, Vera Sokol")
    expect(vera.get_by_test_id("live-viewer")).to_have_count(2)

    step_of(boris, "Fill the form").get_by_test_id("cell-expectation").click()
    held = step_of(anna, "Fill the form").get_by_test_id("cell-expectation")
    expect(held).to_have_attribute("data-held-by", "Boris Kim")
    expect(step_of(vera, "Fill the form").get_by_test_id("cell-expectation")).to_have_attribute(
        "data-held-by", "Boris Kim"
    )
    # Softly held: Anna can still open it, and is told who else is in it.
    held.click()
    expect(anna.get_by_test_id("cell-form-expectation")).to_contain_text("Boris Kim is editing")

    boris.get_by_test_id("cell-form-expectation").locator("textarea").press("Escape")
    expect(step_of(vera, "Fill the form").get_by_test_id("cell-expectation")).not_to_have_attribute(
        "data-held-by", "Boris Kim"
    )
    boris.close()
    expect(anna.get_by_test_id("live-others")).to_have_text("Also here: Vera Sokol")
    expect(vera.get_by_test_id("live-viewer")).to_have_count(1)


def test_after_the_socket_drops_the_page_says_so_reconnects_and_catches_up(new_page, journey, people):
    from journeys.services import step_update

    vera = open_map(new_page, journey, "vera")
    vera.context.set_offline(True)
    vera.evaluate("() => window.dispatchEvent(new Event('offline'))")
    expect(vera.get_by_test_id("live-status")).to_have_text("Connection lost: reconnecting…", timeout=10_000)
    step = Step.objects.get(action="Fill the form")
    step_update(step_id=step.pk, expected_version=step.version, actor=people["anna"], action="Fill the short form")
    vera.context.set_offline(False)
    expect(vera.get_by_test_id("live-status")).to_have_text("Live", timeout=15_000)
    expect(vera.locator(f"#step-{step.pk}").get_by_test_id("cell-action")).to_have_text("Fill the short form")
