"""Comments end to end, in English and in Russian: a CX lead opens a step's comments from the map,
@mentions a colleague picked from the suggestions with the keyboard, posts with Ctrl+Enter; the
colleague, with the map open in another browser, sees the comments lane change live and the mention
reach the bell; from there the notification leads to the thread, where they reply."""

import pytest
from playwright.sync_api import expect

from cxhub.org.roles import Role
from journeys.models import Step
from journeys.services import journey_create, stage_add, step_add
from tests.factories import PASSWORD, UserFactory

from .conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)

# Notifications are written in the site's language (LANGUAGE_CODE, English here), as e-mails are; the
# page around them is in the reader's.
TEXT = {
    "en": {"comments": "1 open thread", "kind": "Someone mentions me in a comment"},
    "ru": {"comments": "1 открытое обсуждение", "kind": "Меня упомянули в комментарии"},
}


@pytest.fixture
def journey(settings):
    settings.NOTIFICATIONS_POLL_SECONDS = 1  # the bell asks every second here (every minute by default)
    anna = UserFactory(username="anna", first_name="Anna", last_name="Orlova", roles=[Role.CX_LEAD])
    UserFactory(username="boris", first_name="Boris", last_name="Kim", roles=[Role.EXECUTIVE])
    UserFactory(username="bella", first_name="Bella", last_name="Stone", roles=[Role.DEPARTMENT_HEAD])
    journey = journey_create(title="Order a card", actor=anna)
    stage = stage_add(journey_id=journey.pk, name="Order", actor=anna)
    step_add(stage_id=stage.pk, action="Choose a card", actor=anna)
    step_add(stage_id=stage.pk, action="Fill the form", actor=anna)
    return journey


def open_map(new_page, journey, username, language):
    page = new_page()
    log_in(page, username, PASSWORD)
    if language == "ru":
        page.get_by_test_id("lang-ru").click()
        page.wait_for_load_state("load")
    page.goto(f"/journeys/{journey.pk}/")
    expect(page.get_by_test_id("live-bar")).to_have_attribute("data-state", "live")
    return page


@pytest.mark.parametrize("language", ["en", "ru"])
def test_a_mention_travels_from_the_map_to_the_colleagues_bell_and_back(new_page, journey, language, console_errors):
    anna = open_map(new_page, journey, "anna", language)
    boris = open_map(new_page, journey, "boris", language)
    step = Step.objects.get(action="Fill the form")
    expect(boris.get_by_test_id("bell-count")).to_have_count(0)

    cell = anna.locator(f"#step-{step.pk}").get_by_test_id("comments-cell")
    cell.click()
    box = anna.get_by_test_id("new-comment")
    expect(box).to_be_focused()
    anna.keyboard.type("Why twice? @bo")
    options = anna.get_by_test_id("mention-option")
    expect(options).to_have_count(1)  # Boris, not Bella: "bo" starts his name and username only
    expect(options.first).to_contain_text("Boris Kim")
    anna.keyboard.press("Enter")
    expect(box).to_have_value("Why twice? @boris ")
    anna.keyboard.type("please check")
    anna.keyboard.press("Control+Enter")
    thread = anna.get_by_test_id("thread")
    expect(thread).to_contain_text("Why twice? @Boris Kim please check")
    expect(box).to_have_value("")
    expect(box).to_be_focused()
    expect(cell).to_contain_text(TEXT[language]["comments"])  # the lane of the map behind the panel

    # Boris: the lane changed live, and the mention reached his bell.
    expect(boris.locator(f"#step-{step.pk}").get_by_test_id("comments-cell")).to_contain_text(
        TEXT[language]["comments"]
    )
    expect(boris.get_by_test_id("bell-count")).to_have_text("1", timeout=5_000)
    boris.get_by_test_id("bell").click()
    notification = boris.get_by_test_id("notification")
    expect(notification).to_contain_text("Anna Orlova mentioned you on “Order a card”")
    expect(notification).to_contain_text(TEXT[language]["kind"])
    notification.locator("a").click()
    expect(boris.get_by_test_id("thread")).to_have_class("comment-thread is-highlighted")
    expect(boris.get_by_test_id("bell-count")).to_have_count(0)  # read once opened

    # He answers on the comments page (no panel there): Anna's open panel shows the reply.
    boris.get_by_test_id("reply-text").fill("Checked: the bank asks once.")
    boris.get_by_test_id("reply").click()
    expect(anna.get_by_test_id("comment")).to_have_count(2)
    expect(anna.get_by_test_id("comment").last).to_contain_text("Checked: the bank asks once.")

    # Esc closes the panel and focus goes back to the cell it was opened from.
    anna.get_by_test_id("new-comment").focus()
    anna.keyboard.press("Escape")
    expect(anna.get_by_test_id("comment-drawer")).to_be_hidden()
    expect(cell).to_be_focused()
    assert console_errors == []


def test_a_thread_is_resolved_and_reopened_and_the_lane_follows(new_page, journey):
    anna = open_map(new_page, journey, "anna", "en")
    step = Step.objects.get(action="Choose a card")
    cell = anna.locator(f"#step-{step.pk}").get_by_test_id("comments-cell")
    cell.click()
    anna.get_by_test_id("new-comment").fill("Fees are hidden")
    anna.get_by_test_id("post-comment").click()
    expect(cell).to_contain_text("1 open thread")
    anna.get_by_test_id("resolve").click()
    expect(cell).to_contain_text("+ Comment")
    # The thread just resolved stays in view, in the open list of resolved ones.
    expect(anna.locator("details.comment-resolved-list summary")).to_have_text("1 resolved thread")
    expect(anna.locator("details.comment-resolved-list")).to_have_attribute("open", "")
    anna.get_by_test_id("reopen").click()
    expect(cell).to_contain_text("1 open thread")
