"""Real-browser tests: Playwright for Python driving Debian's Chromium against a live server.

Locally they skip when /usr/bin/chromium is missing; in CI (CI=true) that is a failure.
"""

import os
from pathlib import Path

import pytest
from django.conf import settings

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))

# Playwright's sync API keeps an event loop in this thread; the tests' own ORM calls are synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# The live server's WhiteNoise serves the working tree's static files, never a stale staticfiles/
# left by an earlier `make run` (its collectstatic), which it would otherwise prefer.
settings.WHITENOISE_USE_FINDERS = True
settings.WHITENOISE_AUTOREFRESH = True


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(f"{message}: browser tests must run in CI")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def console_errors():
    return []


@pytest.fixture
def new_page(browser, live_server, console_errors):
    """Open pages in fresh contexts (one per simulated person); console errors and CSP violations are collected."""
    contexts = []

    def open_page(viewport: dict | None = None, bypass_csp: bool = False):
        # bypass_csp: only to inject the vendored axe-core into a page (test_accessibility).
        context = browser.new_context(
            base_url=live_server.url, viewport=viewport or {"width": 1366, "height": 800}, bypass_csp=bypass_csp
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda msg: msg.type == "error" and console_errors.append(msg.text))
        page.on("pageerror", lambda error: console_errors.append(str(error)))
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


def log_in(page, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.locator("form button[type=submit].btn-primary").click()
    page.wait_for_load_state("load")


def load_small_demo(settings, language: str) -> None:
    """The small demo (load_demo --small) in `language`, for tests that visit every page as each role."""
    from django.apps import apps
    from django.core.management import call_command

    from cxhub.org.roles import sync_role_groups

    sync_role_groups(apps)  # the groups come from a migration, and transactional tests flush them
    settings.DEBUG = True  # load_demo refuses otherwise (demo passwords)
    call_command("load_demo", "--small", "--language", language, verbosity=0)
    settings.DEBUG = False


def log_in_to_demo(page, role: str, language: str) -> None:
    """Log in as a demo user (password "demo") and switch the interface to `language`."""
    log_in(page, role, "demo")
    if language == "ru":
        page.get_by_test_id("lang-ru").click()
        page.wait_for_load_state("load")
