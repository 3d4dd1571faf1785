"""Celery wiring: in-process in the test suite on the embedded default, a real worker through Redis
when CELERY_BROKER_URL is set."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from cxhub.celery import app
from cxhub.org.tasks import ping_task

ROOT = Path(__file__).resolve().parents[2]
REAL_BROKER = bool(os.environ.get("CELERY_BROKER_URL"))


@pytest.mark.skipif(REAL_BROKER, reason="runs only on the embedded default (no CELERY_BROKER_URL)")
@pytest.mark.django_db
def test_without_a_broker_tasks_run_in_process():
    assert app.conf.task_always_eager is True
    result = ping_task.delay("abc")
    assert result.get(timeout=1)["pid"] == os.getpid()
    assert result.get()["nonce"] == "abc"


@pytest.fixture(scope="module")
def real_worker():
    """Start a Celery worker on its own queue, so parallel runs on one Redis do not steal each other's tasks."""
    queue = f"cxhub-test-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "CELERY_TASK_DEFAULT_QUEUE": queue}
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "cxhub",
            "worker",
            "--pool=solo",
            "--queues",
            queue,
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if worker.poll() is not None:
                pytest.fail(f"the Celery worker exited early:\n{worker.stdout.read()}")
            if app.control.ping(timeout=1.0):
                break
        else:
            pytest.fail("the Celery worker did not answer a ping within 60 s")
        yield queue
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()


@pytest.mark.services
@pytest.mark.skipif(not REAL_BROKER, reason="needs CELERY_BROKER_URL (real Redis); CI sets it")
def test_a_task_goes_through_redis_to_a_real_worker_and_back(real_worker):
    assert app.conf.task_always_eager is False
    nonce = uuid.uuid4().hex

    result = ping_task.apply_async(args=[nonce], queue=real_worker)
    answer = result.get(timeout=60)

    assert answer["nonce"] == nonce
    assert answer["pid"] != os.getpid()  # it really ran in the worker process
    assert answer["database"] == "PostgreSQL"
