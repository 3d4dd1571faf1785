"""A barrier from discovery to verification by the three people who run it, in a real browser."""

import pytest
from django.utils import timezone
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


def test_board_filters_switches_to_kanban_and_bulk_assigns(page, cast, console_errors):
    from barriers.services import barrier_create

    lead = UserFactory._meta.model.objects.get(username="cxlead")
    step = cast["step"]
    for n, severity in enumerate([4, 2, 1]):
        barrier_create(
            actor=lead, title=f"Barrier {n}", type="service_failure", severity=severity, source="survey", steps=[step]
        )
    log_in(page, "cxlead", PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Barriers", exact=True).click()
    expect(page.get_by_test_id("barrier-row")).to_have_count(3)
    expect(page.get_by_test_id("barrier-row").first).to_contain_text("Barrier 0")  # most severe first
    # Ranked by what the last full recompute put at stake instead (the least severe one costs most).
    from metrics.models import BarrierStake

    for title, value in (("Barrier 2", 2_500_000.0), ("Barrier 1", 40_000.0)):
        BarrierStake.objects.create(
            barrier=Barrier.objects.get(title=title), value=value, value_low=value / 2, value_high=value * 2,
            clv=1000.0, as_of=timezone.now(),
        )  # fmt: skip
    page.get_by_label("Order").select_option("stake")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_test_id("barrier-row").first).to_contain_text("Barrier 2")
    expect(page.get_by_test_id("barrier-row").first).to_contain_text("₽2.5M")
    expect(page.get_by_test_id("barrier-row").last).to_contain_text("no data")
    page.get_by_label("Order").select_option("")

    page.get_by_label("Severity").select_option("4")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_test_id("barrier-row")).to_have_count(1)

    page.get_by_test_id("layout-kanban").click()
    expect(page.locator(".kanban-col[data-status=new] .kanban-card")).to_have_count(1)  # the filter is kept
    page.get_by_test_id("layout-table").click()

    page.goto("/barriers/")
    for n in (1, 2):
        page.get_by_label(f"Select Barrier {n}").check()
    page.get_by_test_id("bulk-department").select_option(label="Card services")
    page.get_by_test_id("bulk-assign").click()
    expect(page.get_by_role("status").or_(page.locator(".alert-success"))).to_contain_text("2 barriers assigned")
    assert sorted(Barrier.objects.filter(department__name="Card services").values_list("title", flat=True)) == [
        "Barrier 1",
        "Barrier 2",
    ]
    assert console_errors == []


def test_research_study_with_a_file_and_a_barrier_from_it(page, cast, tmp_path, settings, console_errors):
    settings.MEDIA_ROOT = tmp_path
    log_in(page, "cxlead", PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Research").click()
    expect(page.get_by_test_id("studies-empty")).to_be_visible()
    page.get_by_test_id("new-study").click()
    page.get_by_label("Title").fill("Mystery shopping, wave 4")
    page.get_by_label("Method").select_option("mystery_shopping")
    page.get_by_test_id("save-study").click()
    expect(page.locator("h1")).to_have_text("Mystery shopping, wave 4")

    checklist = tmp_path / "checklist.pdf"
    checklist.write_bytes(b"%PDF-1.7\n% shopper checklist\n")
    page.locator("input[type=file]").set_input_files(str(checklist))
    page.get_by_test_id("upload").click()
    expect(page.get_by_test_id("attachments")).to_contain_text("checklist.pdf")
    with page.expect_download() as download:
        page.get_by_test_id("attachments").get_by_text("checklist.pdf").click()
    assert download.value.suggested_filename == "checklist.pdf"

    page.get_by_test_id("new-barrier-from-study").click()
    page.get_by_label("Title", exact=True).fill("Shoppers wait 20 minutes for a consultant")
    page.get_by_label("Type", exact=True).select_option("service_failure")
    page.get_by_label("Journey steps").select_option(str(cast["step"].pk))
    page.get_by_test_id("save-barrier").click()
    expect(page.get_by_test_id("barrier-status")).to_have_text("New")
    page.get_by_role("link", name="Mystery shopping, wave 4").click()
    expect(page.get_by_test_id("study-barriers")).to_contain_text("Shoppers wait 20 minutes for a consultant")
    assert console_errors == []


def test_cx_lead_edits_a_barrier_and_reassigns_it(page, cast, console_errors):
    from barriers.services import barrier_create

    lead = UserFactory._meta.model.objects.get(username="cxlead")
    barrier = barrier_create(
        actor=lead, title="Slow callbacks", type="service_failure", severity=2, source="survey", steps=[cast["step"]]
    )
    log_in(page, "cxlead", PASSWORD)
    page.goto(f"/barriers/{barrier.pk}/")
    page.get_by_test_id("edit-barrier").click()
    page.get_by_label("Severity", exact=True).select_option("4")
    page.get_by_label("Assigned department", exact=True).select_option(label="Card services")
    page.get_by_test_id("save-barrier").click()
    expect(page.get_by_test_id("barrier-department")).to_contain_text("Card services")
    expect(page.get_by_test_id("activity")).to_contain_text("Card services")
    assert Barrier.objects.get().severity == 4
    assert console_errors == []


def test_dates_are_read_and_picked_in_the_pages_language(page, cast, console_errors):
    """One date format per language, whatever the browser's own locale: a Russian page shows and takes
    30.11.2026, an English one 30 Nov 2026; the calendar writes the same, and the barrier keeps it."""
    from datetime import date

    from barriers.services import barrier_create

    lead = UserFactory._meta.model.objects.get(username="cxlead")
    barrier = barrier_create(
        actor=lead, title="Slow callbacks", type="service_failure", severity=2, source="survey", steps=[cast["step"]],
        due_date=date(2030, 1, 31),
    )  # fmt: skip
    log_in(page, "cxlead", PASSWORD)
    page.goto(f"/barriers/{barrier.pk}/edit/")
    due = page.get_by_label("Due date", exact=True)
    expect(due).to_have_value("31 Jan 2030")
    expect(due).to_have_attribute("placeholder", "30 Nov 2026")
    due.click()
    calendar = page.locator(".air-datepicker.-active-")
    expect(calendar).to_be_visible()
    expect(calendar.locator(".air-datepicker-nav--title")).to_contain_text("January")
    calendar.locator('.air-datepicker-cell.-day-[data-date="14"][data-month="0"]').click()
    expect(due).to_have_value("14 Jan 2030")
    page.get_by_test_id("save-barrier").click()
    page.wait_for_load_state("load")
    assert Barrier.objects.get().due_date == date(2030, 1, 14)

    page.goto("/barriers/")
    page.get_by_test_id("lang-ru").click()
    page.wait_for_load_state("load")
    page.goto(f"/barriers/{barrier.pk}/edit/")
    due = page.get_by_label("Срок", exact=True)
    expect(due).to_have_value("14.01.2030")
    expect(due).to_have_attribute("placeholder", "30.11.2026")
    due.click()
    calendar = page.locator(".air-datepicker.-active-")
    expect(calendar.locator(".air-datepicker-nav--title")).to_contain_text("Январь, 2030")
    expect(calendar.locator(".air-datepicker-body--day-name").first).to_have_text("Пн")  # weeks start on Monday
    due.fill("01.02.2030")  # typed, the way most people enter a known date
    page.keyboard.press("Escape")
    page.get_by_test_id("save-barrier").click()
    page.wait_for_load_state("load")
    assert Barrier.objects.get().due_date == date(2030, 2, 1)
    expect(page.get_by_test_id("barrier-due")).to_contain_text("01.02.2030")
    assert console_errors == []
