import re

import pytest
from playwright.sync_api import expect

from cxhub.org.roles import Role
from tests.factories import PASSWORD, DepartmentFactory, UserFactory

from .conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def people():
    head = UserFactory(username="head-contact-centre", roles=[Role.DEPARTMENT_HEAD])
    DepartmentFactory(name="Contact centre", slug="contact-centre", head=head)
    return {
        "cxlead": UserFactory(username="cxlead", roles=[Role.CX_LEAD]),
        "executive": UserFactory(username="executive", roles=[Role.EXECUTIVE]),
        "admin": UserFactory(username="admin", roles=[Role.ADMIN], is_staff=True, is_superuser=True),
        "head-contact-centre": head,
    }


@pytest.mark.parametrize(
    ("username", "path", "heading"),
    [
        ("cxlead", "/journeys/", "Journeys"),
        ("executive", "/dashboard/", "Outcome dashboard"),
        ("head-contact-centre", "/barriers/mine/", "My barriers"),
        ("admin", "/admin/", "Users, departments and reference data"),
    ],
)
def test_each_role_logs_in_and_lands_on_its_page(page, people, console_errors, username, path, heading):
    log_in(page, username, PASSWORD)

    expect(page).to_have_url(re.compile(re.escape(path) + "$"))
    expect(page.locator("h1").first).to_have_text(heading)
    assert console_errors == []  # no CSP violation, no missing asset, no script error


def test_navigation_differs_by_role(new_page, people):
    lead_page = new_page()
    log_in(lead_page, "cxlead", PASSWORD)
    head_page = new_page()
    log_in(head_page, "head-contact-centre", PASSWORD)

    lead_nav = lead_page.get_by_role("navigation", name="Main")
    head_nav = head_page.get_by_role("navigation", name="Main")
    expect(lead_nav.get_by_role("link", name="Dashboard")).to_be_visible()
    expect(lead_nav.get_by_role("link", name="My barriers")).to_have_count(0)
    expect(head_nav.get_by_role("link", name="My barriers")).to_be_visible()
    expect(head_nav.get_by_role("link", name="Dashboard", exact=True)).to_have_count(0)
    expect(head_nav.get_by_role("link", name="Department dashboard")).to_be_visible()


def test_wrong_password_shows_an_error_and_stays_on_the_form(page, people):
    log_in(page, "cxlead", "not-the-password")

    expect(page.get_by_test_id("login-error")).to_contain_text("Please enter a correct")
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))


def test_user_switches_to_russian_and_back(page, people, console_errors):
    log_in(page, "cxlead", PASSWORD)

    page.get_by_test_id("lang-ru").click()

    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.locator("h1").first).to_have_text("Пути клиентов")
    expect(
        page.get_by_role("navigation", name="Главное меню").get_by_role("link", name="Точки контакта")
    ).to_be_visible()

    page.get_by_test_id("lang-en").click()
    expect(page.locator("h1").first).to_have_text("Journeys")
    assert console_errors == []


def test_russian_chosen_on_the_login_page_carries_into_the_app(page, people):
    page.goto("/accounts/login/")
    page.get_by_test_id("lang-ru").click()
    expect(page.locator("h1")).to_have_text("Вход в CX Hub")

    log_in(page, "executive", PASSWORD)

    expect(page.locator("h1").first).to_have_text("Дашборд результатов")


def test_log_out_from_the_account_menu(page, people):
    log_in(page, "executive", PASSWORD)

    page.get_by_test_id("user-menu").click()
    page.get_by_test_id("logout").click()

    expect(page.get_by_role("status")).to_have_text("You are logged out.")
    expect(page.locator("h1")).to_have_text("Log in to CX Hub")
    page.goto("/dashboard/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/dashboard/$"))


def test_keyboard_focus_is_visible(page, people):
    log_in(page, "cxlead", PASSWORD)

    page.keyboard.press("Tab")

    focused = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert focused == "solid"


def test_layout_fits_a_laptop_screen_without_horizontal_scroll(new_page, people):
    page = new_page(viewport={"width": 1280, "height": 720})
    log_in(page, "cxlead", PASSWORD)
    page.goto("/journeys/touchpoints/")

    overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
