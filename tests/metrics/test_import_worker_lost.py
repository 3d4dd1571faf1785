"""An import killed (SIGKILL) at any moment leaves nothing half-written, on every path: the shortcut
(COPY, then the merge) and the row checker (staging, then the merge), for each kind. The import is
left "running" until the sweeper finds its worker gone and marks it failed and retryable; the retry
imports the whole file. Real PostgreSQL: the import runs in another process (`manage.py import_data`),
killed mid-phase — while the merge's INSERT is active, or while rows are being read."""

import hashlib
import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from journeys.models import Touchpoint
from metrics import services
from metrics.ingest import sweeper
from metrics.ingest.kinds import KINDS
from metrics.models import Customer, DataImport
from tests.factories import TouchpointFactory

ROOT = Path(__file__).resolve().parents[2]
REAL_SERVICES = "postgres" in os.environ.get("DATABASE_URL", "")

pytestmark = [
    pytest.mark.services,
    pytest.mark.skipif(not REAL_SERVICES, reason="needs a PostgreSQL server (DATABASE_URL); CI sets it"),
    pytest.mark.django_db(transaction=True),  # the import process must see the rows: commit them
    pytest.mark.usefixtures("tasks_in_process"),  # the retry runs here
]

EXISTING = 200  # rows stored before: the file changes them all, and adds NEW more
NEW = {"customers": 60_000, "interactions": 60_000, "transactions": 60_000, "survey_responses": 60_000}
START = timezone.make_aware(datetime(2026, 1, 1, 9, 0))


def rows(kind: str, count: int, *, version: int, offset: int = 0) -> list[str]:
    lines = [",".join(KINDS[kind].columns)]
    for n in range(offset, offset + count):
        moment = (START + timedelta(minutes=n)).isoformat()
        customer = f"C{n % EXISTING}"
        lines.append(
            {
                "customers": f"C{n},{moment},{10 + version},retail,",
                "interactions": f"I{n},{customer},Phone line,complaint,{moment},,,{version},",
                "transactions": f"T{n},{customer},{moment},{100 + version}",
                "survey_responses": f"S{n},{customer},Phone line,,{moment},{(n + version) % 11},,,",
            }[kind]
        )
    return lines


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def fingerprint(kind: str) -> tuple[int, str]:
    """The target table's row count and a digest of every row's values."""
    model = KINDS[kind].target
    fields = ["external_id", *KINDS[kind].fields]
    values = model.objects.order_by("external_id").values_list(*fields)
    return len(values), hashlib.sha256(repr(list(values)).encode()).hexdigest()


@pytest.fixture
def stored(db, tmp_path):
    """EXISTING customers, and EXISTING rows of the kind under test, imported the ordinary way."""
    TouchpointFactory(name="Phone line")

    def setup(kind: str) -> None:
        services.import_start(
            kind="customers", source=write(tmp_path / "c.csv", rows("customers", EXISTING, version=0)).open("rb"),
            file_name="c.csv", actor=None, background=False,
        )  # fmt: skip
        if kind != "customers":
            services.import_start(
                kind=kind, source=write(tmp_path / "e.csv", rows(kind, EXISTING, version=0)).open("rb"),
                file_name="e.csv", actor=None, background=False,
            )  # fmt: skip
        assert fingerprint(kind)[0] == EXISTING and Customer.objects.count() == EXISTING

    return setup


def start_import(kind: str, path: Path, *extra: str, data_dir: Path) -> subprocess.Popen:
    database = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "CXHUB_DATA_DIR": str(data_dir),  # its uploads under this test's MEDIA_ROOT (tests/conftest.py)
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "import_data", kind, str(path), *extra],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )  # fmt: skip


def merging(kind: str) -> bool:
    """The merge's INSERT of new rows is running in the import's transaction."""
    table = KINDS[kind].target._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE state = 'active' AND pid <> pg_backend_pid()"
            " AND query LIKE %s)",
            [f'%INSERT INTO "{table}"%'],
        )
        return bool(cursor.fetchone()[0])


def reading(kind: str) -> bool:
    found = DataImport.objects.filter(kind=kind, status="running", progress__gte=10, progress__lt=50).exists()
    return found


CASES = [
    # (kind, extra arguments, the path taken, the moment of the kill)
    ("interactions", (), "shortcut", "reading"),
    ("interactions", (), "shortcut", "merging"),
    ("interactions", ("--valid-rows-only",), "checker", "reading"),
    ("interactions", ("--valid-rows-only",), "checker", "merging"),
    ("customers", (), "checker", "reading"),
    ("customers", (), "checker", "merging"),
    ("transactions", (), "checker", "merging"),
    ("survey_responses", (), "checker", "merging"),
]


@pytest.mark.parametrize(("kind", "extra", "path_taken", "moment"), CASES, ids=[f"{c[0]}-{c[2]}-{c[3]}" for c in CASES])
def test_a_killed_import_writes_nothing_fails_retryable_and_retries_whole(
    stored, tmp_path, kind, extra, path_taken, moment
):
    stored(kind)
    lines = rows(kind, EXISTING + NEW[kind], version=1)  # every stored row changed, NEW rows added
    if path_taken == "checker" and kind == "interactions":
        lines.append("I-bad,C1,Phone line,complaint,not a date,,,,")  # one bad row: the row checker's path
    big = write(tmp_path / "big.csv", lines)
    before = fingerprint(kind)

    process = start_import(kind, big, *extra, data_dir=tmp_path)
    try:
        deadline = time.monotonic() + 120
        while not (merging(kind) if moment == "merging" else reading(kind)):
            assert process.poll() is None, f"the import ended before the kill:\n{process.stdout.read()}"
            assert time.monotonic() < deadline, f"no {moment} phase seen"
            time.sleep(0.005)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=20)

    data_import = DataImport.objects.get(file_name="big.csv")
    assert data_import.status == "running"  # nobody is left to say otherwise…
    assert fingerprint(kind) == before  # …and nothing of it was written
    # A statement running when its client died goes on until PostgreSQL notices (its lock with it):
    # "slow, not lost" until then.
    deadline = time.monotonic() + 60
    while not (lost := sweeper.sweep_imports(stale_seconds=0)):
        assert time.monotonic() < deadline, "the killed import's session never ended"
        time.sleep(0.1)
    assert lost == [data_import.pk]
    data_import.refresh_from_db()
    assert data_import.status == "failed" and data_import.retryable

    retried = services.import_retry(data_import=data_import, actor=None)
    retried.refresh_from_db()
    assert retried.status == "succeeded", retried.message_text
    assert (retried.rows_created, retried.rows_updated) == (NEW[kind], EXISTING)
    assert fingerprint(kind)[0] == EXISTING + NEW[kind]
    assert not KINDS[kind].staging.objects.exists()  # the killed checker's staged rows are gone
    assert Touchpoint.objects.count() == 1
