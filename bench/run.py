"""Benchmark of the metrics engine against references that do the same work, on PostgreSQL.

Creates a throw-away database, generates deterministic synthetic data (seeded: 200 touchpoints,
skewed resolution times, segments, churn, purchases, survey answers) as CSV files, streamed, and
measures — each next to a reference that writes the same rows, checked equal row for row:

- imports of all four kinds through the app's import path (the interactions in alternating rounds
  with the reference, into an empty table each time) against `COPY … FROM STDIN (FORMAT csv)` of the
  same file into a typed table; and the interactions again with 1 % bad rows ("import valid rows
  only", the row checker's path);
- the full recompute: its service rollups (daily, weekly, monthly, all time, exact percentiles, the
  survey rollups) against hand-written SQL writing the same rows (`bench/reference.py`), in
  alternating rounds; the other parts (customer value, the service–loyalty link, value at stake,
  observed journeys) as measured inside the run (wall and the database server's CPU per part);
- the incremental run after a one-day import of all four kinds (all figures updated): its service
  rollups against the same SQL restricted to the days and periods it rebuilds, the whole run (customer
  value and value at stake too) as measured;
- the pages that read the figures, and pages served while a full recompute runs.

    .venv/bin/python bench/run.py --interactions 1000000      # the embedded server
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/run.py --interactions 1000000
"""

import argparse
import csv
import json
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cxhub.settings")
os.environ["DEBUG"] = "false"

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.files import File  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench import database_label, reference  # noqa: E402

END = date(2026, 10, 31)  # fixed, so every run sees the same data
TOUCHPOINTS = 200
KINDS = ("customers", "interactions", "transactions", "survey_responses")
MOMENT_COLUMN = {"customers": 1, "interactions": 4, "transactions": 2, "survey_responses": 4}


def build_reference_data():
    """A CX lead, 12 departments, 200 touchpoints (some with targets), a 15-step journey, and a
    department head with 30 barriers on its steps."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from barriers.services import barrier_create
    from cxhub.org.roles import Role
    from cxhub.org.services import department_upsert
    from journeys.models import Channel
    from journeys.services import journey_create, stage_add, step_add, touchpoint_upsert
    from metrics.models import ServiceTarget

    lead = get_user_model().objects.create_user("bench-lead", password="x", first_name="Bench", last_name="Lead")
    lead.groups.add(Group.objects.get(name=Role.CX_LEAD.value))
    departments = [department_upsert(slug=f"dept-{i}", name=f"Department {i}") for i in range(12)]
    channels = [c for c in Channel]
    touchpoints = [
        touchpoint_upsert(
            code=f"tp-{i:03d}",
            name=f"Touchpoint {i:03d}",
            channel=channels[i % len(channels)],
            department=departments[i % len(departments)],
        )
        for i in range(TOUCHPOINTS)
    ]
    for i, touchpoint in enumerate(touchpoints[::4]):
        ServiceTarget.objects.create(touchpoint=touchpoint, threshold_days=(1, 3, 5, 10)[i % 4], target_share="0.85")
    journey = journey_create(title="Bench journey", actor=lead)
    steps = []
    for s in range(3):
        stage = stage_add(journey_id=journey.pk, name=f"Stage {s + 1}", actor=lead)
        for n in range(5):
            steps.append(
                step_add(
                    stage_id=stage.pk, action=f"Step {s * 5 + n + 1}", touchpoint=touchpoints[s * 5 + n], actor=lead
                )
            )
    # A department head with 30 barriers to work, for the inbox.
    head = get_user_model().objects.create_user("bench-head", password="x", first_name="Bench", last_name="Head")
    head.groups.add(Group.objects.get(name=Role.DEPARTMENT_HEAD.value))
    department_upsert(slug="dept-0", name="Department 0", head=head)
    for n in range(30):
        barrier_create(
            actor=lead, title=f"Barrier {n}", type="service_failure", severity=n % 4 + 1, source="complaints",
            steps=[steps[n % len(steps)]], department=departments[0],
        )  # fmt: skip
    return lead, head, touchpoints, journey


def parts_under_cap(path: Path) -> list[Path]:
    """The file itself, or consecutive parts of it under the import's per-file cap, each with the header."""
    from metrics.ingest.reading import MAX_FILE_BYTES

    if path.stat().st_size <= MAX_FILE_BYTES:
        return [path]
    parts: list[Path] = []
    with path.open("rb") as f:
        header = f.readline()
        out = None
        for line in f:
            if out is None or out.tell() + len(line) > MAX_FILE_BYTES * 0.9:
                if out:
                    out.close()
                parts.append(path.with_name(f"{path.stem}-part{len(parts) + 1}.csv"))
                out = parts[-1].open("wb")
                out.write(header)
            out.write(line)
        out.close()
    return parts


def split_last_day(paths: dict[str, Path]) -> tuple[dict[str, Path], dict[str, Path], date]:
    """Hold back every row of the last day (each kind, by its moment) for the one-day import;
    streamed, row by row."""
    with paths["interactions"].open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        next(reader)
        last_day = max(row[4][:10] for row in reader)
    early, late = {}, {}
    for kind, path in paths.items():
        early[kind], late[kind] = path.with_name(f"early-{kind}.csv"), path.with_name(f"late-{kind}.csv")
        column = MOMENT_COLUMN[kind]
        with (
            path.open(encoding="utf-8", newline="") as f,
            early[kind].open("w", newline="", encoding="utf-8") as e,
            late[kind].open("w", newline="", encoding="utf-8") as la,
        ):
            reader = csv.reader(f)
            header = next(reader)
            writers = {False: csv.writer(e), True: csv.writer(la)}
            for writer in writers.values():
                writer.writerow(header)
            for row in reader:
                writers[row[column][:10] == last_day].writerow(row)
    return early, late, date.fromisoformat(last_day)


def with_bad_rows(path: Path, every: int = 100) -> Path:
    """The same file with every `every`-th row's opened_at made unreadable (1 % bad rows)."""
    bad = path.with_name(f"bad-{path.name}")
    with path.open(encoding="utf-8", newline="") as f, bad.open("w", newline="", encoding="utf-8") as out:
        reader, writer = csv.reader(f), csv.writer(out)
        writer.writerow(next(reader))
        for number, row in enumerate(reader, 1):
            if number % every == 0:
                row[4] = "not a date"
            writer.writerow(row)
    return bad


def app_import(kind: str, path: Path, *, valid_rows_only: bool = False):
    """One file through the app's import path (metrics.ingest.pipeline.run); returns it and its seconds."""
    from metrics.ingest import pipeline
    from metrics.models import DataImport

    data_import = DataImport(kind=kind, file_name=path.name, via=DataImport.Via.CLI, valid_rows_only=valid_rows_only)
    with path.open("rb") as source:
        data_import.file.save(path.name, File(source), save=False)
    data_import.file_size = data_import.file.size
    data_import.save()
    started = time.perf_counter()
    finished = pipeline.run(data_import)
    seconds = time.perf_counter() - started
    if finished.status != DataImport.Status.SUCCEEDED:
        raise SystemExit(f"{kind} import failed: {finished.message} {finished.errors[:3]}")
    return finished, seconds


def import_kind(kind: str, path: Path) -> tuple[int, float]:
    """A file (in parts under the per-file cap) through the app's import path: rows, seconds."""
    rows, seconds = 0, 0.0
    for part in parts_under_cap(path):
        imported, spent = app_import(kind, part)
        rows += imported.rows_total
        seconds += spent
    return rows, seconds


def copy_reference(kind: str, path: Path) -> tuple[int, float]:
    files = parts_under_cap(path)
    started = time.perf_counter()
    rows = reference.copy_csv(kind, files)
    return rows, time.perf_counter() - started


def truncate_interactions() -> None:
    from metrics.models import Interaction

    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {connection.ops.quote_name(Interaction._meta.db_table)}")


def full_run() -> tuple[float, dict, object]:
    """A full recompute as the worker does it; its wall time and its own per-part timings."""
    from metrics.rollups import runs

    started = time.perf_counter()
    run = runs.recompute(full=True)
    seconds = time.perf_counter() - started
    assert run.status == "succeeded", run.message
    return seconds, run.timings, run


def service_part(timings: dict) -> float:
    return sum(timings.get(part, {}).get("wall_s", 0.0) for part in ("daily", "periods"))


def reference_run(as_of, **restriction) -> float:
    started = time.perf_counter()
    reference.service_rollups(as_of, **restriction)
    return time.perf_counter() - started


def restriction_of(run) -> dict:
    """The days an incremental run rebuilt and the weeks and months holding them."""
    from cxhub.lib.months import month_start, next_month, week_start

    days = sorted({date.fromisoformat(d) for chunk in run.chunks.exclude(days__isnull=True) for d in chunk.days})
    whole = [chunk.month for chunk in run.chunks.filter(days__isnull=True, month__isnull=False)]
    assert not whole, "a one-day import rebuilds days, not whole months"
    periods = set()
    for day in days:
        periods.add((week_start(day), week_start(day) + timedelta(days=7)))
        periods.add((month_start(day), next_month(month_start(day))))
    return {"days": days, "periods": sorted(periods)}


def peak_memory_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def measure_page(client: Client, url: str, repeat: int) -> dict:
    for _ in range(3):
        assert client.get(url).status_code == 200, url
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, url
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    timings.sort()
    p95 = timings[max(0, -(-len(timings) * 95 // 100) - 1)]
    return {"median_ms": round(statistics.median(timings), 1), "p95_ms": round(p95, 1), "queries": len(queries)}


def pages_during_recompute(pages: dict[str, tuple], *, requests: int, threads: int = 4) -> dict:
    """`requests` page requests, spread over the pages and made by `threads` concurrent clients, while
    another process runs a full recompute of the same database (`manage.py compute_metrics`): how many
    failed (any answer but 200, or an exception) and how long they took, and whether the recompute
    was still running when the last one answered."""
    import subprocess
    import threading
    from urllib.parse import quote

    database = connection.settings_dict
    url = (
        f"postgres://{quote(database['USER'] or '')}:{quote(database['PASSWORD'] or '')}@/{database['NAME']}"
        f"?host={quote(database['HOST'] or 'localhost')}&port={database['PORT'] or 5432}"
    )
    recompute = subprocess.Popen(
        [sys.executable, "manage.py", "compute_metrics"],
        cwd=Path(__file__).resolve().parent.parent,
        env={**os.environ, "DATABASE_URL": url},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    started = time.perf_counter()
    time.sleep(1.0)  # let it start: the requests should meet its month chunks, not its process start
    labels = list(pages)
    timings: dict[str, list[float]] = {label: [] for label in labels}
    errors: list[str] = []
    lock = threading.Lock()
    plan = [labels[n % len(labels)] for n in range(requests)]

    def client_loop(part: list[str]) -> None:
        clients = {}
        for label in part:
            user, path = pages[label]
            if user.pk not in clients:
                clients[user.pk] = Client()
                clients[user.pk].force_login(user)
            began = time.perf_counter()
            try:
                status = clients[user.pk].get(path).status_code
            except Exception as error:  # a failed request is counted, not raised
                status = repr(error)
            with lock:
                timings[label].append((time.perf_counter() - began) * 1000)
                if status != 200:
                    errors.append(f"{label}: {status}")
        connection.close()

    workers = [threading.Thread(target=client_loop, args=(plan[k::threads],)) for k in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    requests_s = time.perf_counter() - started
    still_running = recompute.poll() is None
    recompute_status = recompute.wait()
    recompute_s = time.perf_counter() - started

    def p95(values: list[float]) -> float:
        ordered = sorted(values)
        return round(ordered[max(0, -(-len(ordered) * 95 // 100) - 1)], 1)

    every = [t for values in timings.values() for t in values]
    return {
        "requests": len(every),
        "threads": threads,
        "errors": len(errors),
        "error_samples": errors[:5],
        "p95_ms": p95(every),
        "median_ms": round(statistics.median(every), 1),
        "by_page": {label: {"n": len(v), "p95_ms": p95(v), "median_ms": round(statistics.median(v), 1)}
                    for label, v in timings.items()},
        "requests_seconds": round(requests_s, 1),
        "recompute_still_running_after_the_last": still_running,
        "recompute_seconds": round(recompute_s, 1),
        "recompute_exit": recompute_status,
        "recompute_stderr": (recompute.stderr.read() or "")[-500:] if recompute_status else "",
    }  # fmt: skip


def machine() -> dict:
    info = {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()}
    info["database"] = database_label()
    return info


def median(values: list[float]) -> float:
    return statistics.median(values)


def main() -> None:
    from metrics.demo.synthetic import Spec, default_profiles, write_files
    from metrics.models import CustomerTouch
    from metrics.rollups import runs

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interactions", type=int, default=100_000)
    parser.add_argument("--customers", type=int, help="default: interactions / 10")
    parser.add_argument("--months", type=int, default=18)
    parser.add_argument("--purchase-scale", type=float, default=0.2, help="purchases per customer, × the demo's")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds of each app/reference pair")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--keep", action="store_true", help="keep the test database (to profile pages on it)")
    parser.add_argument("--imports-only", action="store_true", help="measure the imports alone (to work on them)")
    parser.add_argument(
        "--load-requests", type=int, default=200, help="page requests made while a full recompute runs (default 200)"
    )
    args = parser.parse_args()
    customers = args.customers or max(args.interactions // 10, 100)

    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.ALLOWED_HOSTS = ["testserver"]
    old_name = connection.settings_dict["NAME"]
    started = time.perf_counter()
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        with tempfile.TemporaryDirectory() as directory:
            settings.MEDIA_ROOT = directory
            lead, head, touchpoints, journey = build_reference_data()
            spec = Spec(
                customers=customers, interactions=args.interactions, months=args.months, end=END, seed=7,
                transactions=True, purchase_scale=args.purchase_scale,
            )  # fmt: skip
            generating = time.perf_counter()
            paths = write_files(
                Path(directory) / "data", spec, default_profiles([(t.code, t.channel) for t in touchpoints])
            )
            early, late, last_day = split_last_day(paths)
            generated_s = time.perf_counter() - generating

            # Imports: each kind through the app, then COPY of the same file; the interactions in
            # alternating rounds, into an empty table each time.
            imports: dict[str, dict] = {}
            for kind in KINDS:
                app_s, ref_s, rows = [], [], 0
                for round_number in range(args.rounds if kind == "interactions" else 1):
                    if round_number:
                        truncate_interactions()
                    rows, seconds = import_kind(kind, early[kind])
                    copied, copy_s = copy_reference(kind, early[kind])
                    assert copied == rows, (kind, copied, rows)
                    app_s.append(seconds)
                    ref_s.append(copy_s)
                imports[kind] = {
                    "rows": rows, "seconds": [round(s, 2) for s in app_s],
                    "reference_seconds": [round(s, 2) for s in ref_s],
                    "rows_per_s": round(rows / median(app_s)), "reference_rows_per_s": round(rows / median(ref_s)),
                    "ratio": round(median(app_s) / median(ref_s), 2),
                }  # fmt: skip
            truncate_interactions()
            bad = with_bad_rows(early["interactions"])
            checked_s, checked_rows = 0.0, 0
            for part in parts_under_cap(bad):
                imported, seconds = app_import("interactions", part, valid_rows_only=True)
                checked_s += seconds
                checked_rows += imported.rows_total
            import_kind("interactions", early["interactions"])  # the 1 % back (not timed)
            imports["interactions with 1 % bad rows"] = {
                "rows": checked_rows, "seconds": [round(checked_s, 2)], "rows_per_s": round(checked_rows / checked_s),
                "reference_rows_per_s": imports["interactions"]["reference_rows_per_s"],
                "ratio": round(checked_s / median(imports["interactions"]["reference_seconds"]), 2),
            }  # fmt: skip
            if args.imports_only:
                print(json.dumps(imports, indent=2))
                return

            # The full recompute against the reference, alternating; the same rows, checked.
            full_app, full_service, full_ref, full_timings, checked = [], [], [], [], {}
            for _round in range(args.rounds):
                seconds, timings, run = full_run()
                full_app.append(seconds)
                full_service.append(service_part(timings))
                full_timings.append(timings)
                full_ref.append(reference_run(run.as_of))
                checked = reference.same_rows()
                assert not any(v for k, v in checked.items() if not k.endswith("rows")), checked
            reference.drop()

            # A one-day import of every kind, then the incremental run that updates every figure.
            late_imports = {}
            touched: set[date] = set()
            for kind in KINDS:
                imported, seconds = app_import(kind, late[kind])
                late_imports[kind] = {"rows": imported.rows_total, "seconds": round(seconds, 2)}
                touched |= {date.fromisoformat(d) for d in imported.touched_days or []}
            inc_app, inc_service, inc_ref, inc_timings, inc_checked, inc_run = [], [], [], [], {}, None
            # The customers the imports touched: each round's run consumes them; every round gets them
            # again, so each does the work the first one did.
            touched_customers = list(CustomerTouch.objects.values_list("customer_id", flat=True))
            for _round in range(args.rounds):
                CustomerTouch.objects.bulk_create(
                    [CustomerTouch(customer_id=pk) for pk in touched_customers], ignore_conflicts=True
                )
                run, start = runs.request(full=False, days=touched, customers=True)
                assert start
                began = time.perf_counter()
                run = runs.execute(run)
                inc_app.append(time.perf_counter() - began)
                assert run.status == "succeeded", run.message
                inc_timings.append(run.timings)
                inc_service.append(service_part(run.timings))
                restriction = restriction_of(run)
                inc_ref.append(reference_run(run.as_of, **restriction))
                inc_checked = reference.same_rows(**restriction)
                assert not any(v for k, v in inc_checked.items() if not k.endswith("rows")), inc_checked
                inc_run = run
            reference.drop()

            client = Client()
            client.force_login(lead)
            pages = {
                "data page": "/data/",
                "map page (15 steps, service lane)": f"/journeys/{journey.pk}/",
                "touchpoint figures page (12 months)": f"/dashboard/touchpoints/{touchpoints[0].pk}/",
                "touchpoint figures page (26 weeks)": f"/dashboard/touchpoints/{touchpoints[0].pk}/?by=week",
                "executive dashboard (quarter)": "/dashboard/?period=quarter&start=2026-07",
                "department dashboard": f"/dashboard/departments/{touchpoints[0].department_id}/",
                "observed journeys (with a map)": f"/dashboard/observed/?journey={journey.pk}",
            }
            page_results = {label: measure_page(client, url, args.repeat) for label, url in pages.items()}
            under_load = pages_during_recompute(
                {
                    "executive dashboard": (lead, pages["executive dashboard (quarter)"]),
                    "map page": (lead, pages["map page (15 steps, service lane)"]),
                    "my barriers (inbox)": (head, "/barriers/mine/"),
                },
                requests=args.load_requests,
            )

        results = {
            "machine": machine(),
            "data": {
                "interactions": imports["interactions"]["rows"] + late_imports["interactions"]["rows"],
                "customers": imports["customers"]["rows"] + late_imports["customers"]["rows"],
                "transactions": imports["transactions"]["rows"] + late_imports["transactions"]["rows"],
                "survey_responses": imports["survey_responses"]["rows"] + late_imports["survey_responses"]["rows"],
                "touchpoints": TOUCHPOINTS,
                "months": args.months,
                "generated_s": round(generated_s, 1),
            },
            "rounds": args.rounds,
            "imports": imports,
            "full_recompute": {
                "seconds": [round(s, 2) for s in full_app],
                "service_part_seconds": [round(s, 2) for s in full_service],
                "reference_seconds": [round(s, 2) for s in full_ref],
                "ratio": round(median(full_service) / median(full_ref), 2),
                "parts": _median_parts(full_timings),
                "checked_rows": {k: v for k, v in checked.items() if k.endswith("rows")},
            },
            "incremental_recompute": {
                "day": last_day.isoformat(),
                "rows_imported": late_imports,
                "seconds": [round(s, 3) for s in inc_app],
                "service_part_seconds": [round(s, 3) for s in inc_service],
                "reference_seconds": [round(s, 3) for s in inc_ref],
                "ratio": round(median(inc_service) / median(inc_ref), 2),  # like for like: the service rollups
                "parts": _median_parts(inc_timings),
                "days_rebuilt": len(restriction_of(inc_run)["days"]) if inc_run else 0,
                "customers_touched": len(touched_customers),
                "checked_rows": {k: v for k, v in inc_checked.items() if k.endswith("rows")},
            },
            "pages": page_results,
            "pages_during_full_recompute": under_load,
            "bench_peak_memory_mb": peak_memory_mb(),
        }
        print_table(results)
        if args.json:
            args.json.write_text(json.dumps(results, indent=2))
    finally:
        if args.keep:
            kept = connection.settings_dict["NAME"]
            print(f"(total {time.perf_counter() - started:.0f} s; test database {kept} kept)")
        else:
            connection.creation.destroy_test_db(old_name, verbosity=0)
            print(f"(total {time.perf_counter() - started:.0f} s; test database dropped)")


def _median_parts(timings: list[dict]) -> dict:
    names = sorted({name for t in timings for name in t})
    result = {}
    for name in names:
        walls = [t[name]["wall_s"] for t in timings if name in t]
        cpus = [t[name]["db_cpu_s"] for t in timings if name in t and t[name]["db_cpu_s"] is not None]
        result[name] = {"wall_s": round(median(walls), 3), "db_cpu_s": round(median(cpus), 3) if cpus else None}
    return result


def print_table(r: dict) -> None:
    m, d = r["machine"], r["data"]
    print(f"CX Hub metrics benchmark — {m['database']}, {m['cpus']} CPUs, Python {m['python']}; {r['rounds']} rounds")
    print(
        f"data: {d['interactions']:,} interactions, {d['customers']:,} customers, {d['transactions']:,} transactions, "
        f"{d['survey_responses']:,} survey answers, {d['touchpoints']} touchpoints, {d['months']} months "
        f"(generated in {d['generated_s']} s)"
    )
    print(
        f"{'import (app path vs COPY csv into a typed table)':52} {'app rows/s':>12} {'COPY rows/s':>12} {'ratio':>7}"
    )
    for kind, i in r["imports"].items():
        print(f"{'  ' + kind:52} {i['rows_per_s']:>12,} {i.get('reference_rows_per_s', 0):>12,} {i['ratio']:>6}×")
    f, n = r["full_recompute"], r["incremental_recompute"]
    print(f"{'recompute (median of rounds)':52} {'app s':>12} {'reference s':>12} {'ratio':>7}")
    print(
        f"{'  full: service rollups (daily + periods)':52} {median(f['service_part_seconds']):>12.2f} "
        f"{median(f['reference_seconds']):>12.2f} {f['ratio']:>6}×"
    )
    print(f"{'  full: the whole run':52} {median(f['seconds']):>12.2f}")
    for name, part in f["parts"].items():
        print(f"{'    ' + name:52} {part['wall_s']:>12.2f}   (database CPU {part['db_cpu_s']} s)")
    print(
        f"{'  incremental after a one-day import: service rollups':52} {median(n['service_part_seconds']):>12.3f} "
        f"{median(n['reference_seconds']):>12.3f} {n['ratio']:>6}×"
    )
    print(f"{'  incremental: all figures (the whole run)':52} {median(n['seconds']):>12.3f}")
    for name, part in n["parts"].items():
        print(f"{'    ' + name:52} {part['wall_s']:>12.3f}   (database CPU {part['db_cpu_s']} s)")
    print(f"(the reference's rows equal the app's: full {f['checked_rows']}; incremental {n['checked_rows']})")
    print(f"{'page':52} {'median ms':>10} {'p95 ms':>10} {'queries':>8}")
    for label, p in r["pages"].items():
        print(f"{label:52} {p['median_ms']:>10} {p['p95_ms']:>10} {p['queries']:>8}")
    u = r.get("pages_during_full_recompute")
    if u:
        print(
            f"during a full recompute in another process ({u['recompute_seconds']} s, exit {u['recompute_exit']}, "
            f"{'still running' if u['recompute_still_running_after_the_last'] else 'finished'} after the last "
            f"request): {u['requests']} requests by {u['threads']} clients, {u['errors']} errors, "
            f"median {u['median_ms']} ms, p95 {u['p95_ms']} ms"
        )
    print(f"bench process peak memory: {r['bench_peak_memory_mb']} MB")


if __name__ == "__main__":
    main()
