"""A barrier from discovery to verification by the three people who run it, in a real browser."""

import pytest
from playwright.sync_api import expect

from barriers.models import Barrier, Status
from cxhub.org.roles import Role
from journeys.services import journey_create, stage_add, step_add
from tests.factories import PASSWORD, DepartmentFactory, TouchpointFactory, UserFactory

from .conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def cast():
    lead = UserFactory(username="cxlead", first_name="Anna", last_name="Orlova", roles=[Role.CX_LEAD])
    head = UserFactory(username="head-cc", first_name="Dmitry", last_name="Kuznetsov", roles=[Role.DEPARTMENT_HEAD])
    contact_centre = DepartmentFactory(name="Contact centre", slug="contact-centre", head=head)
    cards_head = UserFactory(username="head-cards", roles=[Role.DEPARTMENT_HEAD])
    DepartmentFactory(name="Card services", slug="cards", head=cards_head)
    line = TouchpointFactory(name="Call centre — complaint line", department=contact_centre)
    journey = journey_create(title="Dispute a card transaction", actor=lead)
    stage = stage_add(journey_id=journey.pk, name="File the dispute", actor=lead)
    step = step_add(stage_id=stage.pk, action="Asks the operator to dispute", touchpoint=line, emotion=-2, actor=lead)
    return {"journey": journey, "step": step}


def test_barrier_from_the_map_to_verification(new_page, cast, console_errors):
    journey, step = cast["journey"], cast["step"]

    # The CX lead records a barrier on the step, from the map.
    lead = new_page()
    log_in(lead, "cxlead", PASSWORD)
    lead.goto(f"/journeys/{journey.pk}/")
    lead.locator(f"#step-{step.pk}").get_by_test_id("add-barrier").click()
    lead.get_by_label("Title", exact=True).fill("Operators refuse to register disputes")
    lead.get_by_label("Type", exact=True).select_option("cross_channel")
    lead.get_by_label("Severity", exact=True).select_option("4")
    lead.get_by_label("Source", exact=True).select_option("mystery_shopping")
    lead.get_by_label("Due date", exact=True).fill("2030-01-31")
    lead.get_by_label("Evidence", exact=True).fill("“We don't take disputes by phone, go to a branch.”")
    lead.get_by_test_id("save-barrier").click()
    lead.wait_for_load_state("load")
    assert f"/journeys/{journey.pk}/" in lead.url
    chip = lead.locator(f"#step-{step.pk}").get_by_test_id("barrier-chip")
    expect(chip).to_have_text("Operators refuse to register disputes")
    barrier = Barrier.objects.get()
    assert barrier.department.name == "Contact centre"  # the owner of the step's touchpoint

    # The head of the contact centre finds it in the inbox, accepts, starts and resolves it.
    head = new_page()
    log_in(head, "head-cc", PASSWORD)
    assert head.url.endswith("/barriers/mine/")
    row = head.get_by_test_id("inbox-row").filter(has_text="Operators refuse to register disputes")
    expect(row.get_by_test_id("barrier-status")).to_have_text("New")
    row.get_by_test_id("action-accept").click()
    expect(row.get_by_test_id("barrier-status")).to_have_text("Accepted")
    row.get_by_test_id("action-start").click()
    expect(row.get_by_test_id("barrier-status")).to_have_text("In progress")
    row.get_by_test_id("action-resolve").click()
    row.get_by_test_id("text-resolve").fill("Operators now register disputes on the call.")
    row.get_by_test_id("confirm-resolve").click()
    expect(row.get_by_test_id("barrier-status")).to_have_text("Resolved")
    expect(head.get_by_test_id("count-resolved")).to_have_text("1")

    # Another department's head sees it but cannot touch it.
    other = new_page()
    log_in(other, "head-cards", PASSWORD)
    expect(other.get_by_test_id("inbox-empty")).to_be_visible()
    other.goto(f"/barriers/{barrier.pk}/")
    expect(other.get_by_test_id("barrier-status")).to_have_text("Resolved")
    expect(other.get_by_test_id("transitions")).to_have_count(0)
    expect(other.get_by_test_id("save-plan")).to_have_count(0)
    csrf = next(c["value"] for c in other.context.cookies() if c["name"] == "csrftoken")
    forged = other.request.post(
        f"/barriers/{barrier.pk}/transition/",
        form={"action": "reopen", "version": "4", "text": "mine"},
        headers={"X-CSRFToken": csrf, "Referer": other.url},
        max_redirects=0,
    )
    assert forged.status == 403 and "Not allowed" in forged.text()  # refused for the role, not for the token
    assert Barrier.objects.get().status == Status.RESOLVED

    # The CX lead verifies it.
    lead.goto(f"/barriers/{barrier.pk}/")
    expect(lead.get_by_test_id("resolution-note")).to_have_text("Operators now register disputes on the call.")
    lead.get_by_test_id("action-verify").click()
    expect(lead.get_by_test_id("barrier-status")).to_have_text("Verified")
    expect(lead.get_by_test_id("activity")).to_contain_text("Dmitry Kuznetsov")
    assert Barrier.objects.get().status == Status.VERIFIED
    assert console_errors == []
