"""The reading pages: organisation, touchpoint catalogue and a journey's history, in a real browser."""

import pytest
from playwright.sync_api import expect

from cxhub.org.roles import Role
from journeys.services import journey_create, stage_add, step_add, step_update
from tests.factories import PASSWORD, DepartmentFactory, TouchpointFactory, UserFactory

from .conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_executive_reads_organisation_and_catalogue_filtered_by_department(page, console_errors):
    UserFactory(username="executive", roles=[Role.EXECUTIVE])
    head = UserFactory(username="head-cards", first_name="Sergey", last_name="Popov", roles=[Role.DEPARTMENT_HEAD])
    cards = DepartmentFactory(name="Card services", slug="cards", head=head)
    TouchpointFactory(name="Card delivery by courier", channel="delivery", department=cards)
    TouchpointFactory(name="Call centre line", channel="phone")
    log_in(page, "executive", PASSWORD)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Organisation").click()
    row = page.get_by_test_id("department-table").locator("tr").filter(has_text="Card services")
    expect(row).to_contain_text("Sergey Popov")
    row.get_by_role("link", name="1").click()

    expect(page.get_by_test_id("touchpoint-table")).to_contain_text("Card delivery by courier")
    expect(page.get_by_test_id("touchpoint-table")).not_to_contain_text("Call centre line")
    assert console_errors == []


def test_history_page_shows_who_changed_a_step(page):
    lead = UserFactory(username="cxlead", first_name="Anna", last_name="Orlova", roles=[Role.CX_LEAD])
    journey = journey_create(title="Open an account", actor=lead)
    stage = stage_add(journey_id=journey.pk, name="Apply", actor=lead)
    step = step_add(stage_id=stage.pk, action="Fill the form", actor=lead)
    step_update(step_id=step.pk, expected_version=1, actor=lead, reality="Asked for paper copies")
    log_in(page, "cxlead", PASSWORD)
    page.goto(f"/journeys/{journey.pk}/")

    page.get_by_role("link", name="History").click()

    table = page.get_by_test_id("history-table")
    expect(table).to_contain_text("Anna Orlova")
    expect(table).to_contain_text("Asked for paper copies")


def test_history_shows_an_emotion_change_with_its_signs_readable(page):
    """−2 → +2 must not read as "2 → 2": no strikethrough over the old value, a real minus sign."""
    lead = UserFactory(username="cxlead", first_name="Anna", last_name="Orlova", roles=[Role.CX_LEAD])
    journey = journey_create(title="Open an account", actor=lead)
    stage = stage_add(journey_id=journey.pk, name="Apply", actor=lead)
    step = step_add(stage_id=stage.pk, action="Fill the form", emotion=-2, actor=lead)
    step_update(step_id=step.pk, expected_version=1, actor=lead, emotion=2)
    log_in(page, "cxlead", PASSWORD)
    page.goto(f"/journeys/{journey.pk}/history/")

    change = page.get_by_test_id("history-table").locator("li").filter(has_text="emotion")
    expect(change).to_contain_text("−2 → +2")
    old = change.locator("del")
    assert old.evaluate("e => getComputedStyle(e).textDecorationLine") == "none"
