"""Real-browser tests: Playwright for Python driving Debian's Chromium against a live server.

Locally they skip when /usr/bin/chromium is missing; in CI (CI=true) that is a failure.
"""

import os
import socket
import threading
import time
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


class AsgiLiveServer:
    """The app served over ASGI by uvicorn in a thread, as `make run` and Docker serve it: pages and the
    live map's WebSockets. Stands in for pytest-django's WSGI live server (same `url`, same settings hook)."""

    def __init__(self, host: str = "localhost") -> None:
        import uvicorn
        from django.test.utils import modify_settings

        with socket.socket() as probe:
            probe.bind((host, 0))
            self.port = probe.getsockname()[1]
        self.host = host
        config = uvicorn.Config(
            "cxhub.asgi:application", host=host, port=self.port, loop="asyncio", lifespan="off", log_level="warning"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="asgi-live-server", daemon=True)
        self._live_server_modified_settings = modify_settings(ALLOWED_HOSTS={"append": host})
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the ASGI live server did not start")
            time.sleep(0.02)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def __str__(self) -> str:
        return self.url

    def stop(self) -> None:
        from asgiref.sync import SyncToAsync
        from django.db import connections

        self.server.should_exit = True
        self.thread.join(timeout=10)
        # Views ran in asgiref's one thread for sync code: close its database connections there, or the
        # test database cannot be dropped.
        SyncToAsync.single_thread_executor.submit(connections.close_all).result(timeout=10)


@pytest.fixture(scope="session")
def live_server(django_db_setup):
    # After the test database exists, stopped before it is dropped.
    server = AsgiLiveServer()
    yield server
    server.stop()


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
