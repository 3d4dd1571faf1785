"""A real Celery worker is killed (SIGKILL) in the middle of a recompute on PostgreSQL + Redis; Redis
hands the unacknowledged task (acks_late) to a new worker, which resumes the same run: done months are
skipped, the rest redone — and the stored figures equal those of an uninterrupted recompute."""

import io
import json
import os
import random
import signal
import subprocess
import sys
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from cxhub.celery import app
from metrics.models import Customer, Interaction, MetricsRun, ServiceDay, ServicePeriod, SurveyPeriod
from metrics.rollups import runs
from metrics.tasks import recompute
from tests.factories import TouchpointFactory

ROOT = Path(__file__).resolve().parents[2]
REAL_SERVICES = bool(os.environ.get("CELERY_BROKER_URL")) and "postgres" in os.environ.get("DATABASE_URL", "")
VISIBILITY_SECONDS = 4

pytestmark = [
    pytest.mark.services,
    pytest.mark.skipif(not REAL_SERVICES, reason="needs PostgreSQL and Redis (CELERY_BROKER_URL); CI sets them"),
    pytest.mark.django_db(transaction=True),  # the worker must see the rows: commit them
]


def start_worker(queue: str, *, beat: Path | None = None, **settings: str) -> subprocess.Popen:
    database = connection.settings_dict
    env = {
        **os.environ,
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_SECONDS),
        "METRICS_CHUNK_PAUSE_SECONDS": "0.5",  # so the kill lands mid-run, not after it
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        **settings,
    }
    embedded_beat = ["--beat", "--schedule", str(beat)] if beat else []
    command = [sys.executable, "-m", "celery", "-A", "cxhub", "worker", "--pool=solo", "--queues", queue]
    worker = subprocess.Popen(
        [*command, "-l", "WARNING", *embedded_beat],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    return worker


def wait_for(condition, *, seconds: float, what: str, worker: subprocess.Popen | None = None):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if worker is not None and worker.poll() is not None:
            pytest.fail(f"the worker exited while waiting for {what}:\n{worker.stdout.read()}")
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    pytest.fail(f"timed out after {seconds} s waiting for {what}")


def snapshot():
    def rows(model):
        fields = [f.name for f in model._meta.fields if f.name not in ("id",)]
        return list(model.objects.order_by(*[f for f in fields if f != "as_of"]).values_list(*fields))

    return rows(ServiceDay), rows(ServicePeriod), rows(SurveyPeriod)


@pytest.fixture
def history(department):
    """Twelve months of interactions at two touchpoints (some open), so a run has 13 chunks."""
    lines = [TouchpointFactory(name=f"Line {n}", department=department) for n in range(2)]
    customer = Customer.objects.create(
        external_id="C1", acquired_at=timezone.now() - timedelta(days=800), acquired_month=datetime(2024, 1, 1).date()
    )
    start = timezone.now() - timedelta(days=365)
    rows = []
    for n in range(1200):
        opened = start + timedelta(hours=7 * n)
        seconds = None if n % 17 == 0 else (n * 7919) % (12 * 86_400)
        rows.append(
            Interaction(
                external_id=f"I{n}",
                customer=customer,
                touchpoint=lines[n % 2],
                kind=("complaint", "request")[n % 3 == 0],
                opened_at=opened,
                opened_day=timezone.localtime(opened).date(),
                resolved_at=opened + timedelta(seconds=seconds) if seconds is not None else None,
                resolution_seconds=seconds,
                first_response_seconds=(n * 31) % 7200,
            )
        )
    Interaction.objects.bulk_create(rows)
    return lines


def test_a_recompute_survives_a_killed_worker_with_the_same_figures(history):
    queue = f"cxhub-kill-{uuid.uuid4().hex[:8]}"
    as_of = timezone.now().replace(microsecond=0)
    run = runs.start_run(full=True, as_of=as_of)
    assert run.chunks_total >= 13

    first = start_worker(queue)
    try:
        wait_for(lambda: app.control.ping(timeout=1.0), seconds=60, what="the first worker", worker=first)
        recompute.apply_async(args=[run.pk], queue=queue)
        wait_for(
            lambda: MetricsRun.objects.get(pk=run.pk).chunks_done >= 3,
            seconds=60,
            what="three chunks done",
            worker=first,
        )
    finally:
        os.killpg(first.pid, signal.SIGKILL)  # no warm shutdown: the task stays unacknowledged
        first.wait(timeout=20)
    killed = MetricsRun.objects.get(pk=run.pk)
    assert killed.status == MetricsRun.Status.RUNNING
    assert 3 <= killed.chunks_done < killed.chunks_total, "the kill must land mid-run"
    done_before = set(run.chunks.filter(done_at__isnull=False).values_list("pk", flat=True))

    time.sleep(VISIBILITY_SECONDS + 1)  # past the visibility timeout: Redis may hand the task out again
    second = start_worker(queue)
    try:
        finished = wait_for(
            lambda: MetricsRun.objects.filter(pk=run.pk, status=MetricsRun.Status.SUCCEEDED).first(),
            seconds=120,
            what="the redelivered task to finish the run",
            worker=second,
        )
    finally:
        os.killpg(second.pid, signal.SIGTERM)
        second.wait(timeout=30)

    assert finished.chunks_done == finished.chunks_total
    # Months done before the kill were not redone; only the interrupted one was tried twice.
    for chunk in run.chunks.all():
        if chunk.pk in done_before:
            assert chunk.attempts == 1
        else:
            assert 1 <= chunk.attempts <= 2
    resumed = snapshot()
    assert resumed[0] and resumed[1]

    runs.recompute(full=True, as_of=as_of)  # the same run, uninterrupted, in this process
    assert snapshot() == resumed


def report_json() -> dict:
    out = io.StringIO()
    call_command("metrics_report", "--json", stdout=out)
    figures = json.loads(out.getvalue())
    figures["rollups"].pop("finished_at")  # when the run ended: the only thing allowed to differ
    return figures


def test_killed_three_times_at_random_chunks_the_sweeper_resumes_the_run_to_the_same_figures(history, tmp_path):
    """kill -9 the worker three times at random chunks; each time a new worker (with beat: the sweeper
    every second, runs taken for lost after 2 s) resumes the run from its last finished chunk. Redis
    would hand the message out again only after 10 minutes: the sweeper is what brings the run back."""
    queue = f"cxhub-sweep-{uuid.uuid4().hex[:8]}"
    as_of = timezone.now().replace(microsecond=0)
    run, start = runs.request(full=True, as_of=as_of)
    assert start and run.chunks_total >= 13
    chosen = random.Random(as_of.timestamp())
    settings = {
        "CELERY_VISIBILITY_TIMEOUT": "600",
        "METRICS_SWEEP_SECONDS": "1",
        "METRICS_RUN_STALE_SECONDS": "2",
        "METRICS_TASK_BUDGET_SECONDS": "2",  # tasks hand over to tasks: kills land in later ones too
    }
    recompute.apply_async(args=[run.pk], queue=queue)
    kills = sorted(chosen.sample(range(1, run.chunks_total - 1), 3))
    for kill_at in kills:
        worker = start_worker(queue, beat=tmp_path / "beat", **settings)
        try:
            wait_for(
                lambda at=kill_at: MetricsRun.objects.get(pk=run.pk).chunks_done >= at,
                seconds=120,
                what=f"chunk {kill_at} done",
                worker=worker,
            )
        finally:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=20)
        killed = MetricsRun.objects.get(pk=run.pk)
        assert killed.status == MetricsRun.Status.RUNNING, f"the kill after chunk {kill_at} must land mid-run"
    last = start_worker(queue, beat=tmp_path / "beat", **settings)
    try:
        finished = wait_for(
            lambda: MetricsRun.objects.filter(pk=run.pk, status=MetricsRun.Status.SUCCEEDED).first(),
            seconds=180,
            what="the sweeper to resume the run and a worker to finish it",
            worker=last,
        )
    finally:
        os.killpg(last.pid, signal.SIGTERM)
        last.wait(timeout=30)
    assert finished.chunks_done == finished.chunks_total
    assert not MetricsRun.objects.filter(status__in=["running", "queued"]).exists()
    # A crash costs at most the chunk it was in: no chunk was tried more than twice.
    assert max(run.chunks.values_list("attempts", flat=True)) <= 2
    resumed_tables, resumed_report = snapshot(), report_json()

    clean = runs.start_run(full=True, as_of=as_of)  # the same run, uninterrupted, in this process
    assert runs.execute(clean).status == MetricsRun.Status.SUCCEEDED
    assert snapshot() == resumed_tables
    assert report_json() == resumed_report
