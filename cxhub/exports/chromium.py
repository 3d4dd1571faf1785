"""Headless Chromium, found on the server (a system package: `apt-get install chromium`; the Docker image
has it) and driven by Playwright. Playwright never downloads a browser here: it is given this one."""

import asyncio
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

TIMEOUT_MS = 60_000
# Chromium cannot capture an image wider or taller than this; a wider map is scaled down to fit.
MAX_IMAGE_PIXELS = 16_000
LAUNCH_ARGS = [
    "--no-sandbox",  # the server's user has no user namespaces in containers
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
]


class RenderUnavailable(RuntimeError):
    """Nothing could be rendered; the message says why and what to do."""


def chromium() -> str | None:
    configured = getattr(settings, "CHROMIUM_PATH", "")
    if configured:
        return configured if Path(configured).exists() else None
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def available() -> bool:
    return chromium() is not None


def required() -> str:
    browser = chromium()
    if browser is None:
        raise RenderUnavailable(
            _("Export needs Chromium on the server: install it (apt-get install chromium) or set CHROMIUM_PATH.")
        )
    return browser


def render_html(html: str, *, fmt: str, width: int = 1280) -> bytes:
    """The self-contained page (styles inlined, no scripts needed) as a PDF (A4 landscape pages, as its
    print styles cut them) or as one PNG of the whole page, `width` CSS pixels wide (scaled down to fit
    Chromium's largest image)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return _render(html, fmt, width)
    # Playwright's sync API refuses a thread with a running event loop (an eager task inside async
    # code, or beside another sync Playwright session): render in a thread of its own.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(_render, html, fmt, width).result()


def _render(html: str, fmt: str, width: int) -> bytes:
    from playwright.sync_api import Error, sync_playwright

    browser_path = required()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=browser_path, headless=True, args=LAUNCH_ARGS)
            try:
                page = browser.new_page(viewport={"width": width, "height": 900})
                page.set_default_timeout(TIMEOUT_MS)
                page.set_content(html, wait_until="load")
                if fmt == "pdf":
                    return page.pdf(format="A4", landscape=True, print_background=True, prefer_css_page_size=True)
                size = page.evaluate(
                    "() => [document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
                )
                scale = min(1.0, MAX_IMAGE_PIXELS / max(size))
                if scale < 1.0:
                    page.evaluate(f"() => {{ document.documentElement.style.zoom = '{scale:.4f}'; }}")
                page.set_viewport_size({"width": max(320, int(size[0] * scale) + 1), "height": 900})
                return page.screenshot(full_page=True, type="png")
            finally:
                browser.close()
    except Error as error:
        raise RenderUnavailable(
            _("Chromium could not render the page: %(reason)s") % {"reason": error.message}
        ) from None
