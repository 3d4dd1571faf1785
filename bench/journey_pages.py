"""Benchmark: how fast the journey pages are for a big map (default 150 steps).

Creates a throw-away test database (test_<name>, migrated from scratch), fills it, times the pages
in-process (Django test client, DEBUG off: the server time without network), prints the figures and
drops the database. Run it on PostgreSQL for the number that matters:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/journey_pages.py
    .venv/bin/python bench/journey_pages.py --steps 300 --repeat 50      # a bigger map

Budget (issue 3): the 150-step map page renders in well under 200 ms server time on PostgreSQL.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cxhub.settings")
os.environ["DEBUG"] = "false"  # DEBUG keeps every query in memory and renders slower: not what users get

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench import database_label  # noqa: E402

BUDGET_MS = 200.0
LOREM = (
    "Waited nine minutes on the line; the operator read out the website and transferred the call to a "
    "colleague who asked for the same details again"
)


def build_reference_data():
    """A CX lead, 8 departments and 40 touchpoints over every channel."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from cxhub.org.roles import Role
    from cxhub.org.services import department_upsert
    from journeys.models import Channel
    from journeys.services import touchpoint_upsert

    lead = get_user_model().objects.create_user("bench-lead", password="x", first_name="Bench", last_name="Lead")
    lead.groups.add(Group.objects.get(name=Role.CX_LEAD.value))
    departments = [department_upsert(slug=f"dept-{i}", name=f"Department {i}") for i in range(8)]
    channels = list(Channel)
    touchpoints = [
        touchpoint_upsert(
            code=f"tp-{i}",
            name=f"Touchpoint {i}",
            channel=channels[i % len(channels)],
            department=departments[i % len(departments)],
        )
        for i in range(40)
    ]
    return lead, touchpoints


def build_journey(lead, touchpoints, steps: int, stages: int):
    """A journey of `steps` steps in `stages` stages, written like a real map, and its to-be copy."""
    from journeys.services import journey_create, journey_duplicate, stage_add, step_add

    journey = journey_create(title=f"Bench journey, {steps} steps", actor=lead)
    per_stage = -(-steps // stages)
    made = 0
    for s in range(stages):
        stage = stage_add(journey_id=journey.pk, name=f"Stage {s + 1}", actor=lead)
        for _n in range(min(per_stage, steps - made)):
            step_add(
                stage_id=stage.pk,
                actor=lead,
                touchpoint=touchpoints[made % len(touchpoints)],
                action=f"Customer does step {made + 1} of the journey",
                expectation="An answer within a minute from someone who knows the product",
                reality=LOREM,
                emotion=(made % 5) - 2,
                is_moment_of_truth=made % 11 == 0,
            )
            made += 1
    to_be = journey_duplicate(journey_id=journey.pk, actor=lead, as_to_be=True)
    return journey, to_be


def measure(client: Client, url: str, repeat: int, **headers) -> dict:
    for _ in range(3):  # warm-up: template loading, connection, caches
        assert client.get(url, **headers).status_code == 200, url
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(url, **headers)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    timings.sort()
    return {
        "median": statistics.median(timings),
        "p90": timings[int(len(timings) * 0.9) - 1],
        "min": timings[0],
        "queries": len(queries),
        "kb": len(response.content) / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=150)
    parser.add_argument("--stages", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()

    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.ALLOWED_HOSTS = ["testserver"]
    # No setup_test_environment(): it instruments every template render for the test client's
    # benefit, which is not what a real request pays.
    old_name = connection.settings_dict["NAME"]
    started = time.perf_counter()
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        build_start = time.perf_counter()
        lead, touchpoints = build_reference_data()
        journey, to_be = build_journey(lead, touchpoints, args.steps, args.stages)
        build_s = time.perf_counter() - build_start
        small, _small_to_be = build_journey(lead, touchpoints, 15, 5)
        client = Client()
        client.force_login(lead)
        pages = {
            f"map page ({args.steps} steps)": f"/journeys/{journey.pk}/",
            "map page (15 steps)": f"/journeys/{small.pk}/",
            f"API journey detail ({args.steps} steps)": f"/api/v1/journeys/{journey.pk}/",
            f"compare as-is/to-be ({args.steps} + {args.steps})": f"/journeys/{to_be.pk}/compare/",
            f"print view ({args.steps} steps)": f"/journeys/{journey.pk}/print/",
            f"CSV export ({args.steps} steps)": f"/journeys/{journey.pk}/export.csv",
            "journey list": "/journeys/",
        }
        print(f"CX Hub journeys benchmark — {database_label()}, {args.repeat} timed requests per page, DEBUG off")
        print(f"data: built a {args.steps}-step journey in {args.stages} stages (+ its to-be copy) in {build_s:.1f} s")
        print(f"{'page':45} {'median ms':>10} {'p90 ms':>8} {'min ms':>8} {'queries':>8} {'KB':>7}")
        results = {}
        for label, url in pages.items():
            r = measure(client, url, args.repeat)
            results[label] = r
            print(f"{label:45} {r['median']:10.1f} {r['p90']:8.1f} {r['min']:8.1f} {r['queries']:8d} {r['kb']:7.0f}")
        big = results[f"map page ({args.steps} steps)"]
        small_r = results["map page (15 steps)"]
        print()
        share = big["median"] / BUDGET_MS
        print(
            f"map page, {args.steps} steps: median {big['median']:.1f} ms = {share:.0%} of the {BUDGET_MS:.0f} ms"
            " budget"
        )
        print(
            f"scaling: {args.steps} vs 15 steps → {big['median'] / small_r['median']:.1f}× the time, "
            f"{big['queries']} vs {small_r['queries']} queries (constant)"
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        print(f"(total {time.perf_counter() - started:.0f} s; test database dropped)")


if __name__ == "__main__":
    main()
