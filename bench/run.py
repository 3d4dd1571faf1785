"""Benchmark of the metrics engine: import, full and incremental recompute, and the pages that read it.

Creates a throw-away test database, generates deterministic synthetic data (seeded: 200 touchpoints,
skewed resolution times, segments, churn), and reports every operation next to a reference measured
in the same run on the same data, as a ratio, plus the absolute figure and the machine:

- import: rows/s through the app's import path vs a psycopg 3 binary COPY of the same rows into a
  bare table;
- full recompute vs one hand-written single-pass SQL aggregate of the same service-level shares by
  touchpoint × month (and the bench checks that both give the same numbers);
- incremental recompute after importing one more day vs that SQL restricted to the day;
- the data page, the map page and a touchpoint's figures page: server time, median and p95 over
  `--repeat` requests, and the query count.

    .venv/bin/python bench/run.py --interactions 1000000      # the embedded server
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/run.py --interactions 1000000
"""

import argparse
import csv
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
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

from bench import database_label  # noqa: E402

END = date(2026, 10, 31)  # fixed, so every run sees the same data
THRESHOLDS = (1, 3, 5, 10)
TOUCHPOINTS = 200


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


def split_last_day(path: Path) -> tuple[Path, Path, date]:
    """Hold the interactions opened on the last day back for the incremental run (streamed: at
    N = 10,000,000 the file is over a gigabyte)."""
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        next(reader)
        last_day = max(row[4][:10] for row in reader)
    early, late = path.with_name("early.csv"), path.with_name("late.csv")
    with (
        path.open(encoding="utf-8", newline="") as f,
        early.open("w", newline="", encoding="utf-8") as e,
        late.open("w", newline="", encoding="utf-8") as la,
    ):
        reader = csv.reader(f)
        header = next(reader)
        writers = {False: csv.writer(e), True: csv.writer(la)}
        for writer in writers.values():
            writer.writerow(header)
        for row in reader:
            writers[row[4][:10] == last_day].writerow(row)
    return early, late, date.fromisoformat(last_day)


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


def app_import(kind: str, path: Path):
    """The import path of import_start, with the recompute it triggers timed apart."""
    from metrics.ingest import pipeline
    from metrics.models import DataImport
    from metrics.rollups import runs

    data_import = DataImport(kind=kind, file_name=path.name, via=DataImport.Via.CLI)
    with path.open("rb") as source:
        data_import.file.save(path.name, File(source), save=False)
    data_import.file_size = data_import.file.size
    data_import.save()
    started = time.perf_counter()
    finished = pipeline.run(data_import)
    seconds = time.perf_counter() - started
    if finished.status != DataImport.Status.SUCCEEDED:
        raise SystemExit(f"{kind} import failed: {finished.message} {finished.errors[:3]}")
    asked = runs.after_import(finished)  # nothing else runs here: a new running run, or None
    return finished, seconds, asked[0] if asked else None


def copy_reference(path: Path) -> tuple[int, float]:
    """The same interaction rows, parsed beforehand, written into a bare table by the fastest plain means."""
    with path.open(encoding="utf-8") as f:
        reader = csv.reader(f)
        next(reader)
        rows = [
            (
                r[0],
                r[1],
                r[2],
                r[3],
                datetime.fromisoformat(r[4]),
                datetime.fromisoformat(r[5]) if r[5] else None,
                datetime.fromisoformat(r[6]) if r[6] else None,
                Decimal(r[7]) if r[7] else None,
                int(r[8]) if r[8] else None,
            )
            for r in reader
        ]
    columns = "external_id, customer, touchpoint, kind, opened_at, first_response_at, resolved_at, cost, csat"
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE bench_bare (external_id text, customer text, touchpoint text, kind text, "
            "opened_at timestamptz, first_response_at timestamptz, resolved_at timestamptz, "
            "cost numeric(12, 2), csat smallint)"
        )
        started = time.perf_counter()
        raw = cursor.cursor
        with raw.copy(f"COPY bench_bare ({columns}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(["text"] * 4 + ["timestamptz"] * 3 + ["numeric", "int2"])
            for row in rows:
                copy.write_row(row)
        seconds = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_bare")
    return len(rows), seconds


def hand_sql(as_of: datetime, day: date | None = None) -> tuple[list, float]:
    """Service-level shares by touchpoint × month in one pass over the raw interactions."""
    from metrics.models import Interaction

    month = "date_trunc('month', opened_day)::date"
    columns, params = [], []
    for t in THRESHOLDS:
        columns.append(f"count(*) FILTER (WHERE resolution_seconds <= {t * 86400})")
        columns.append("count(*) FILTER (WHERE resolved_at IS NULL AND opened_at < %s)")
        params.append(as_of - timedelta(days=t))
    where = ""
    if day is not None:
        where = "WHERE opened_day = %s"
        params.append(day)
    sql = (
        f"SELECT touchpoint_id, {month}, count(*), count(resolution_seconds), {', '.join(columns)} "
        f"FROM {Interaction._meta.db_table} {where} GROUP BY 1, 2"
    )
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return rows, time.perf_counter() - started


def check_against_rollup(rows: list) -> int:
    """The hand-written shares must equal the stored month × touchpoint figures."""
    from metrics.models import ServicePeriod

    stored = {
        (int(p.key), p.period_start): p for p in ServicePeriod.objects.filter(grain="month", dimension="touchpoint")
    }
    for touchpoint_id, month, opened, resolved, *pairs in rows:
        month = month if isinstance(month, date) else date.fromisoformat(month)
        period = stored[(touchpoint_id, month)]
        assert (period.opened, period.resolved) == (opened, resolved), (touchpoint_id, month)
        for index, t in enumerate(THRESHOLDS):
            within, open_older = pairs[2 * index], pairs[2 * index + 1]
            assert getattr(period, f"within_{t}") == within, (touchpoint_id, month, t)
            assert getattr(period, f"eligible_{t}") == resolved + open_older, (touchpoint_id, month, t)
    return len(rows)


def timed_run(run) -> float:
    from metrics.rollups import runs

    started = time.perf_counter()
    finished = runs.execute(run)
    assert finished.status == "succeeded", finished.message
    return time.perf_counter() - started


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


def main() -> None:
    from django.db import transaction

    from metrics.demo.synthetic import Spec, default_profiles, write_files
    from metrics.rollups import customer_days, loyalty, observed, periods, runs, stakes

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interactions", type=int, default=100_000)
    parser.add_argument("--customers", type=int, help="default: interactions / 10")
    parser.add_argument("--months", type=int, default=18)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--keep", action="store_true", help="keep the test database (to profile pages on it)")
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
                customers=customers,
                interactions=args.interactions,
                months=args.months,
                end=END,
                seed=7,
                transactions=False,
            )
            generating = time.perf_counter()
            profiles = default_profiles([(t.code, t.channel) for t in touchpoints])
            paths = write_files(Path(directory) / "data", spec, profiles)
            early, late, last_day = split_last_day(paths["interactions"])
            generated_s = time.perf_counter() - generating

            _c, customers_s, _ = app_import("customers", paths["customers"])
            rows = 0
            import_s = 0.0
            files = parts_under_cap(early)
            for part in files:  # one import per part above 1 GB (N = 10,000,000)
                imported, seconds, _run = app_import("interactions", part)
                rows += imported.rows_total
                import_s += seconds
            copied, copy_s = copy_reference(early)
            assert copied == rows

            full = runs.start_run(full=True)
            full_s = timed_run(full)
            with connection.cursor(), transaction.atomic():
                periods_started = time.perf_counter()
                periods.rebuild(None, full.as_of)
                periods_s = time.perf_counter() - periods_started
            parts = {}
            for name, rebuild in (
                ("customer value rollup", lambda: customer_days.rebuild(full.as_of)),
                ("service–loyalty link", lambda: loyalty.rebuild(full.as_of)),
                ("value at stake", lambda: stakes.rebuild(full.as_of)),
                ("observed journeys (30-day gap)", lambda: observed.compute(as_of=full.as_of)),
            ):
                with transaction.atomic():
                    part_started = time.perf_counter()
                    rebuild()
                    parts[name] = round(time.perf_counter() - part_started, 2)
            reference_rows, reference_s = hand_sql(full.as_of)
            checked = check_against_rollup(reference_rows)

            extra, extra_import_s, incremental = app_import("interactions", late)
            incremental_s = timed_run(incremental)
            day_rows, day_reference_s = hand_sql(incremental.as_of, last_day)

            client = Client()
            client.force_login(lead)
            pages = {
                "data page": "/data/",
                "map page (15 steps, service lane)": f"/journeys/{journey.pk}/",
            }
            pages["touchpoint figures page (12 months)"] = f"/dashboard/touchpoints/{touchpoints[0].pk}/"
            pages["touchpoint figures page (26 weeks)"] = f"/dashboard/touchpoints/{touchpoints[0].pk}/?by=week"
            pages["executive dashboard (quarter)"] = "/dashboard/?period=quarter&start=2026-07"
            pages["department dashboard"] = f"/dashboard/departments/{touchpoints[0].department_id}/"
            pages["observed journeys (with a map)"] = f"/dashboard/observed/?journey={journey.pk}"
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
                "interactions": rows + extra.rows_total,
                "customers": customers,
                "touchpoints": TOUCHPOINTS,
                "months": args.months,
                "generated_s": round(generated_s, 1),
            },
            "import": {
                "rows": rows,
                "files": len(files),
                "seconds": round(import_s, 2),
                "rows_per_s": round(rows / import_s),
                "reference_copy_seconds": round(copy_s, 2),
                "reference_rows_per_s": round(rows / copy_s),
                "ratio": round(import_s / copy_s, 2),
                "customers_seconds": round(customers_s, 2),
            },
            "full_recompute": {
                "seconds": round(full_s, 2),
                "of_which_period_rollups_s": round(periods_s, 2),
                "reference_sql_seconds": round(reference_s, 3),
                "ratio": round(full_s / reference_s, 1),
                "service_day_part_ratio": round((full_s - periods_s - sum(parts.values())) / reference_s, 1),
                "checked_groups": checked,
                "parts_s": parts,
            },
            "incremental_recompute": {
                "day": last_day.isoformat(),
                "rows_imported": extra.rows_total,
                "import_seconds": round(extra_import_s, 2),
                "seconds": round(incremental_s, 2),
                "months_rebuilt": incremental.chunks_total - 1,
                "reference_sql_seconds": round(day_reference_s, 4),
                "ratio": round(incremental_s / day_reference_s, 1) if day_reference_s else None,
                "reference_groups": len(day_rows),
            },
            "pages": page_results,
            "pages_during_full_recompute": under_load,
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


def print_table(r: dict) -> None:
    m, d = r["machine"], r["data"]
    print(f"CX Hub metrics benchmark — {m['database']}, {m['cpus']} CPUs, Python {m['python']}")
    print(
        f"data: {d['interactions']:,} interactions, {d['customers']:,} customers, {d['touchpoints']} touchpoints, "
        f"{d['months']} months (generated in {d['generated_s']} s)"
    )
    i, f, n = r["import"], r["full_recompute"], r["incremental_recompute"]
    print(f"{'operation':44} {'figure':>22} {'reference':>22} {'ratio':>7}")
    print(
        f"{'import interactions (app path)':44} {i['rows_per_s']:>16,} row/s {i['reference_rows_per_s']:>16,} row/s "
        f"{i['ratio']:>6}×"
    )
    print(f"{'full recompute':44} {f['seconds']:>20} s {f['reference_sql_seconds']:>20} s {f['ratio']:>6}×")
    print(
        f"{'  of which ServiceDay months':44} "
        f"{f['seconds'] - f['of_which_period_rollups_s'] - sum(f.get('parts_s', {}).values()):>20.2f} s "
        f"{f['reference_sql_seconds']:>20} s {f['service_day_part_ratio']:>6}×"
    )
    print(f"{'  of which period rollups':44} {f['of_which_period_rollups_s']:>20} s")
    for name, seconds in f.get("parts_s", {}).items():
        print(f"{'  of which ' + name:44} {seconds:>20} s")
    print(
        f"{'incremental recompute (' + str(n['rows_imported']) + ' rows, 1 day)':44} {n['seconds']:>20} s "
        f"{n['reference_sql_seconds']:>20} s {n['ratio']:>6}×"
    )
    print(f"{'page':44} {'median ms':>10} {'p95 ms':>10} {'queries':>8}")
    for label, p in r["pages"].items():
        print(f"{label:44} {p['median_ms']:>10} {p['p95_ms']:>10} {p['queries']:>8}")
    print(f"(hand SQL and the stored month × touchpoint figures agree on {f['checked_groups']} groups)")
    u = r.get("pages_during_full_recompute")
    if u:
        print(
            f"during a full recompute in another process ({u['recompute_seconds']} s, exit {u['recompute_exit']}, "
            f"{'still running' if u['recompute_still_running_after_the_last'] else 'finished'} after the last "
            f"request): {u['requests']} requests by {u['threads']} clients, {u['errors']} errors, "
            f"median {u['median_ms']} ms, p95 {u['p95_ms']} ms"
        )
        for label, p in u["by_page"].items():
            print(f"  {label:42} {p['median_ms']:>10} {p['p95_ms']:>10} {'(n ' + str(p['n']) + ')':>8}")


if __name__ == "__main__":
    main()
