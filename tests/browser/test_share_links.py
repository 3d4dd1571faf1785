"""A CX lead makes a share link; a CEO opens it on a phone in a browser that never logged in and reads
the map, live; the print view and the PDF work through it; revoked, or expired, the link shows a clear
page instead (never a login form)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cxhub.org.roles import Role
from journeys.models import ShareLink, Step
from journeys.services import journey_create, stage_add, step_add
from tests.factories import PASSWORD, UserFactory

from .conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def journey():
    anna = UserFactory(username="anna", first_name="Anna", last_name="Orlova", roles=[Role.CX_LEAD])
    journey = journey_create(title="Order a card", actor=anna)
    stage = stage_add(journey_id=journey.pk, name="Order", actor=anna)
    step_add(stage_id=stage.pk, action="Choose a card", reality="Three tariffs", actor=anna)
    step_add(stage_id=stage.pk, action="Fill the form", actor=anna)
    return journey


def make_link(new_page, journey, hide_figures=False) -> tuple[str, object]:
    anna = new_page()
    log_in(anna, "anna", PASSWORD)
    anna.goto(f"/journeys/{journey.pk}/")
    anna.get_by_test_id("export-menu").click()
    anna.get_by_test_id("share-links").click()
    if hide_figures:
        anna.get_by_test_id("share-hide-figures").check()
    anna.get_by_test_id("share-create").click()
    share_url = anna.get_by_test_id("share-url").input_value()
    assert "/s/" in share_url and len(share_url.rsplit("/s/", 1)[1].strip("/")) >= 43
    return share_url, anna


def test_a_ceo_reads_the_map_on_a_phone_without_an_account_live(new_page, journey, console_errors):
    share_url, anna = make_link(new_page, journey, hide_figures=True)
    ceo = new_page(viewport=PHONE)
    ceo.goto(share_url)
    expect(ceo.get_by_role("heading", name="Order a card")).to_be_visible()
    expect(ceo.get_by_test_id("journey-map")).to_be_visible()
    expect(ceo.locator("#lane-label-barriers")).to_have_count(0)  # the link hides the figures
    expect(ceo.locator("nav")).to_have_count(0)  # no way into the app
    expect(ceo.get_by_test_id("live-status")).to_have_text("Live")
    # Anna sees a guest, and what she saves reaches the CEO's phone.
    anna.goto(f"/journeys/{journey.pk}/")
    expect(anna.get_by_test_id("live-others")).to_have_text("Also here: Guest (share link)")
    step = Step.objects.get(action="Fill the form")
    anna.locator(f"#step-{step.pk}").get_by_test_id("cell-reality").click()
    anna.get_by_test_id("cell-form-reality").locator("textarea").fill("Twelve fields")
    anna.get_by_test_id("cell-form-reality").locator("textarea").press("Enter")
    expect(ceo.locator(f"#step-{step.pk}").get_by_test_id("cell-reality")).to_have_text("Twelve fields")
    # In Russian (the page's own forms pass CSRF: its referrer policy keeps the Origin header), a PDF.
    ceo.get_by_test_id("lang-ru").click()
    expect(ceo.get_by_test_id("shared-print")).to_have_text("Версия для печати")
    ceo.get_by_test_id("shared-pdf").click()
    expect(ceo.get_by_test_id("export-status")).to_be_visible()
    # The print view, through the link.
    ceo.get_by_test_id("shared-print").click()
    expect(ceo.get_by_test_id("print")).to_be_visible()
    assert ShareLink.objects.get().view_count == 4  # map, map in Russian, PDF, print view
    assert console_errors == []


def test_a_revoked_link_closes_at_once_and_then_shows_why(new_page, journey):
    share_url, anna = make_link(new_page, journey)
    guest = new_page(viewport=PHONE)
    guest.goto(share_url)
    expect(guest.get_by_test_id("live-status")).to_have_text("Live")
    anna.get_by_test_id("share-revoke").click()
    expect(guest.get_by_test_id("live-status")).to_have_text("This link no longer opens the map.")
    guest.reload()
    expect(guest.get_by_test_id("share-refused")).to_have_attribute("data-reason", "revoked")
    expect(guest.locator("input[name=password]")).to_have_count(0)


def test_an_expired_link_shows_why_in_a_fresh_browser(new_page, journey):
    share_url, _anna = make_link(new_page, journey)
    ShareLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    guest = new_page(viewport=PHONE)
    response = guest.goto(share_url)
    assert response.status == 410
    expect(guest.get_by_test_id("share-refused")).to_have_attribute("data-reason", "expired")
    expect(guest.get_by_role("heading")).to_have_text("This link has expired")
