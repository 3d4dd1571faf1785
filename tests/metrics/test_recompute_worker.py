"""A real Celery worker is killed (SIGKILL) in the middle of a recompute on PostgreSQL + Redis; Redis
hands the unacknowledged task (acks_late) to a new worker, which resumes the same run: done months are
skipped, the rest redone — and the stored figures equal those of an uninterrupted recompute."""

import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import pytest
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


def start_worker(queue: str) -> subprocess.Popen:
    database = connection.settings_dict
    env = {
        **os.environ,
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_SECONDS),
        "METRICS_CHUNK_PAUSE_SECONDS": "0.5",  # so the kill lands mid-run, not after it
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "cxhub", "worker", "--pool=solo", "--queues", queue, "-l", "WARNING"],
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
