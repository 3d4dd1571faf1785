"""Benchmark for the map editor (issue 17) on a 150-step map:

- server time of the map page and of a cell save (p95 over --repeat requests; in-process, DEBUG off);
- bytes of JS and CSS the map page loads (uncompressed, vendored files counted), from its HTML;
- the load event in headless Chromium at 1280×800 over 10 loads, against a live server on the same data.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/map_editor.py
    .venv/bin/python bench/map_editor.py            # the embedded PostgreSQL server

Budgets: page p95 ≤ 60 ms, cell save p95 ≤ 40 ms, JS+CSS ≤ 400 KB, load event ≤ 1 s.
"""

import argparse
import os
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cxhub.settings")
os.environ["DEBUG"] = "false"
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API beside the ORM

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.staticfiles import finders  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from bench import database_label  # noqa: E402
from bench.journey_pages import build_journey, build_reference_data  # noqa: E402

BUDGETS = {"page_p95_ms": 60.0, "save_p95_ms": 40.0, "assets_kb": 400.0, "load_ms": 1000.0}
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def p95(timings: list[float]) -> float:
    ordered = sorted(timings)
    return ordered[max(0, round(len(ordered) * 0.95) - 1)]


def time_page(client: Client, url: str, repeat: int) -> list[float]:
    for _ in range(3):
        assert client.get(url).status_code == 200
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    return timings


def time_cell_saves(client: Client, journey, repeat: int) -> list[float]:
    """Save the action of a step in the middle of the map, as the editor does (htmx POST, versioned)."""
    from journeys.models import Step

    steps = list(Step.objects.filter(stage__journey=journey).order_by("stage__position", "position"))
    step = steps[len(steps) // 2]
    url = f"/journeys/{journey.pk}/steps/{step.pk}/action/"
    version = step.version
    timings = []
    for i in range(repeat + 3):
        start = time.perf_counter()
        response = client.post(
            url, {"action": f"Customer action, version {i}", "version": version}, HTTP_HX_REQUEST="true"
        )
        elapsed = (time.perf_counter() - start) * 1000
        assert response.status_code == 200, response.status_code
        version += 1
        if i >= 3:  # warm-up
            timings.append(elapsed)
    step.refresh_from_db()
    assert step.version == version and step.action == f"Customer action, version {repeat + 2}"  # every save landed
    return timings


def asset_bytes(html: str) -> dict[str, int]:
    """The scripts and stylesheets the page asks for, by path, with their size on disk (uncompressed)."""
    urls = re.findall(r'<script[^>]+src="([^"]+)"', html) + re.findall(
        r'<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"', html
    )
    sizes = {}
    for url in urls:
        path = url.split("?")[0].removeprefix(
            settings.STATIC_URL if settings.STATIC_URL.startswith("/") else "/" + settings.STATIC_URL
        )
        found = finders.find(path)
        assert found, f"{url} not found"
        sizes[path] = Path(found if isinstance(found, str) else found[0]).stat().st_size
    return sizes


def browser_loads(session: str, url: str, loads: int) -> list[float]:
    """The load event (ms from navigation start) of `loads` fresh loads of the map at 1280×800."""
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.test.testcases import LiveServerThread
    from playwright.sync_api import sync_playwright

    server = LiveServerThread("localhost", StaticFilesHandler)
    server.daemon = True
    server.start()
    server.is_ready.wait()
    if server.error:
        raise server.error
    base = f"http://localhost:{server.port}"
    timings = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            for i in range(loads + 1):
                context = browser.new_context(viewport={"width": 1280, "height": 800})  # a cold cache each time
                context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base}])
                page = context.new_page()
                page.goto(base + url, wait_until="load")
                load = page.evaluate("() => performance.getEntriesByType('navigation')[0].loadEventEnd")
                if i:  # the first load warms the server
                    timings.append(load)
                context.close()
            browser.close()
    finally:
        server.terminate()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=150)
    parser.add_argument("--stages", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--loads", type=int, default=10)
    args = parser.parse_args()

    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.ALLOWED_HOSTS = ["testserver", "localhost"]
    old_name = connection.settings_dict["NAME"]
    started = time.perf_counter()
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        lead, touchpoints = build_reference_data()
        journey, _to_be = build_journey(lead, touchpoints, args.steps, args.stages)
        client = Client()
        client.force_login(lead)
        url = f"/journeys/{journey.pk}/"
        print(f"CX Hub map editor benchmark — {database_label()}, {args.steps}-step map, DEBUG off")

        page = time_page(client, url, args.repeat)
        saves = time_cell_saves(client, journey, args.repeat)
        html = client.get(url).content.decode()
        assets = asset_bytes(html)
        total_kb = sum(assets.values()) / 1024
        print(
            f"map page server time: p95 {p95(page):.1f} ms, median {statistics.median(page):.1f} ms "
            f"({args.repeat} requests; budget {BUDGETS['page_p95_ms']:.0f} ms); HTML {len(html) / 1024:.0f} KB"
        )
        print(
            f"cell save server time: p95 {p95(saves):.1f} ms, median {statistics.median(saves):.1f} ms "
            f"({args.repeat} saves, each a versioned write, all landed; budget {BUDGETS['save_p95_ms']:.0f} ms)"
        )
        print(f"JS + CSS the map page loads: {total_kb:.0f} KB uncompressed (budget {BUDGETS['assets_kb']:.0f} KB)")
        for path, size in sorted(assets.items(), key=lambda item: -item[1]):
            print(f"    {size / 1024:7.1f} KB  {path}")
        if Path(CHROMIUM).exists():
            loads = browser_loads(client.cookies[settings.SESSION_COOKIE_NAME].value, url, args.loads)
            print(
                f"load event, headless Chromium 1280×800, {len(loads)} cold loads: "
                f"median {statistics.median(loads):.0f} ms, max {max(loads):.0f} ms "
                f"(budget {BUDGETS['load_ms']:.0f} ms)"
            )
        else:
            print(f"load event: skipped, no Chromium at {CHROMIUM}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        print(f"(total {time.perf_counter() - started:.0f} s; test database dropped)")


if __name__ == "__main__":
    main()
