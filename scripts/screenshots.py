"""Log in as each demo role and save screenshots of the main pages (headless Debian Chromium).

Usage: python scripts/screenshots.py [BASE_URL] [OUT_DIR] [ru] [--width=1280]
Run against a server started by `make run`. Also prints any CSP violation or console error seen.
"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

BASE = next((a for a in sys.argv[1:] if a.startswith("http")), "http://127.0.0.1:8000")
OUT = Path(next((a for a in sys.argv[1:] if not a.startswith(("http", "--")) and a not in {"ru", "en"}), "screenshots"))
LANG = "ru" if "ru" in sys.argv[1:] else "en"
WIDTH = int(next((a.split("=", 1)[1] for a in sys.argv[1:] if a.startswith("--width=")), "1440"))
PAGES = {
    "cxlead": [
        "/",
        "/journeys/1/",
        "/journeys/1/history/",
        "/journeys/2/compare/",
        "/journeys/4/compare/",
        "/journeys/3/print/",
        "/journeys/import/",
        "/journeys/",
        "/journeys/touchpoints/",
        "/barriers/",
        "/barriers/?view=kanban",
        "/barriers/1/",
        "/barriers/new/?step=5",
        "/barriers/studies/",
        "/barriers/studies/2/",
        "/data/",
        "/data/targets/",
        "/dashboard/touchpoints/7/",
        "/dashboard/touchpoints/7/?by=week",
        "/organisation/",
        "/dashboard/",
        "/api/docs/",
    ],
    "executive": ["/", "/journeys/1/"],
    "head-contact-centre": ["/", "/barriers/9/", "/dashboard/touchpoints/7/"],
    "admin": ["/admin/"],
}


def shoot(page, path: Path, full_page: bool = False) -> None:
    """Headless Chromium now and then refuses a capture right after a navigation; one retry settles it."""
    try:
        page.screenshot(path=path, full_page=full_page)
    except Exception:
        page.wait_for_timeout(500)
        page.screenshot(path=path, full_page=full_page)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        for user, paths in PAGES.items():
            context = browser.new_context(viewport={"width": WIDTH, "height": 900})
            page = context.new_page()
            page.on(
                "console", lambda msg: msg.type in {"error", "warning"} and print(f"  console {msg.type}: {msg.text}")
            )
            page.goto(f"{BASE}/accounts/login/")
            if LANG == "ru":
                page.click("[data-testid=lang-ru]")
            shoot(page, OUT / f"login-{LANG}.png")
            page.fill("input[name=username]", user)
            page.fill("input[name=password]", "demo")
            page.click("button[type=submit].btn-primary")
            for path in paths:
                page.goto(f"{BASE}{path}", wait_until="networkidle")
                slug = path.replace("/", "_").replace("?", "_").replace("=", "-").replace("&", "_")
                name = f"{user}{slug}-{LANG}-{WIDTH}.png"
                shoot(page, OUT / name, full_page=True)
                print(f"{name}: {page.url}")
            context.close()
        browser.close()


if __name__ == "__main__":
    main()
