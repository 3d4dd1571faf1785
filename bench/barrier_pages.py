"""Benchmark: the barrier board, kanban, inbox, barrier page and API with many barriers (default 10,000).

Like bench/journey_pages.py: a throw-away test database, filled in bulk, pages timed in-process with
DEBUG off, figures printed, database dropped. On PostgreSQL:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/barrier_pages.py
"""

import argparse
import os
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cxhub.settings")
os.environ["DEBUG"] = "false"

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench import database_label  # noqa: E402
from bench.journey_pages import build_journey, build_reference_data, measure  # noqa: E402


def build_barriers(count: int, seed: int = 7):
    """`count` barriers over 8 departments, every status and severity, a third overdue, each on 1–2 steps."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from barriers.models import Activity, Barrier, BarrierType, Evidence, Method, Status
    from cxhub.org.models import Department
    from cxhub.org.roles import Role

    rng = random.Random(seed)
    lead, touchpoints = build_reference_data()
    journey, _to_be = build_journey(lead, touchpoints, 150, 8)
    steps = list(journey.stages.order_by("position").values_list("steps__pk", flat=True))
    departments = list(Department.objects.order_by("pk"))
    head = get_user_model().objects.create_user("bench-head", password="x", first_name="Bench", last_name="Head")
    head.groups.add(Group.objects.get(name=Role.DEPARTMENT_HEAD.value))
    departments[0].head = head
    departments[0].save()
    today = timezone.localdate()
    statuses = list(Status.values)
    barriers = [
        Barrier(
            title=f"Barrier {n}: customers wait for an answer that never comes",
            description="Found in complaints and interviews; repeats in several channels.",
            type=rng.choice(BarrierType.values),
            severity=rng.randint(1, 4),
            source=rng.choice(Method.values),
            department=departments[n % len(departments)],
            due_date=today + timedelta(days=rng.randint(-60, 90)) if n % 5 else None,
            status=rng.choice(statuses),
            created_by=lead,
            updated_by=lead,
        )
        for n in range(count)
    ]
    Barrier.objects.bulk_create(barriers, batch_size=2000)
    ids = list(Barrier.objects.values_list("pk", flat=True))
    links = [
        Barrier.steps.through(barrier_id=pk, step_id=step)
        for pk in ids
        for step in rng.sample(steps, rng.randint(1, 2))
    ]
    Barrier.steps.through.objects.bulk_create(links, batch_size=5000)
    Evidence.objects.bulk_create(
        [Evidence(barrier_id=pk, text="“Nobody called me back.”", source="Interview") for pk in ids], batch_size=5000
    )
    Activity.objects.bulk_create(
        [Activity(barrier_id=pk, kind=Activity.Kind.CREATED, actor=lead, to_status="new") for pk in ids],
        batch_size=5000,
    )
    return lead, head, ids[0], departments[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--barriers", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.ALLOWED_HOSTS = ["testserver"]
    old_name = connection.settings_dict["NAME"]
    started = time.perf_counter()
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        build_start = time.perf_counter()
        lead, head, first_id, department = build_barriers(args.barriers)
        build_s = time.perf_counter() - build_start
        lead_client, head_client = Client(), Client()
        lead_client.force_login(lead)
        head_client.force_login(head)
        pages = [
            ("board, first page", lead_client, "/barriers/"),
            (
                "board, filtered (dept + overdue + severity)",
                lead_client,
                f"/barriers/?department={department.pk}&overdue=on&severity=4",
            ),
            ("board, page 100", lead_client, "/barriers/?page=100"),
            ("kanban (7 columns × 25 cards)", lead_client, "/barriers/?view=kanban"),
            (f"inbox ({args.barriers // 8} barriers in the dept)", head_client, "/barriers/mine/"),
            ("barrier page", lead_client, f"/barriers/{first_id}/"),
            ("API list, first page", lead_client, "/api/v1/barriers/"),
            ("journey map (150 steps with barriers)", lead_client, "/journeys/1/"),
        ]
        print(f"CX Hub barriers benchmark — {database_label()}, {args.barriers:,} barriers, DEBUG off")
        print(f"data: built in {build_s:.1f} s")
        print(f"{'page':48} {'median ms':>10} {'p90 ms':>8} {'queries':>8} {'KB':>6}")
        for label, client, url in pages:
            r = measure(client, url, args.repeat)
            print(f"{label:48} {r['median']:10.1f} {r['p90']:8.1f} {r['queries']:8d} {r['kb']:6.0f}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        print(f"(total {time.perf_counter() - started:.0f} s; test database dropped)")


if __name__ == "__main__":
    main()
