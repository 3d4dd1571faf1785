"""A poison file sent to a real Celery worker (Redis, PostgreSQL) does not stall it: the import fails
with its cells named, and the same worker goes on to the next import. Before, `nps = 1e999999999` kept
a worker at 100 % CPU for minutes, and killing it handed the file to the next worker."""

import os
import signal
import uuid

import pytest
from django.core.files.base import ContentFile

from cxhub.celery import app
from metrics.models import DataImport, SurveyResponse
from metrics.tasks import run_import
from tests.factories import TouchpointFactory
from tests.metrics.test_recompute_worker import REAL_SERVICES, start_worker, wait_for

pytestmark = [
    pytest.mark.services,
    pytest.mark.skipif(not REAL_SERVICES, reason="needs PostgreSQL and Redis (CELERY_BROKER_URL); CI sets them"),
    pytest.mark.django_db(transaction=True),  # the worker must see the rows: commit them
]

HEADER = "response_id,customer_id,touchpoint,journey,submitted_at,nps,csat,ces,comment\n"
POISON = ["1e999999999", "-1E+999999999", "Infinity", "sNaN", "9" * 5000]


def queued(content: str, name: str) -> DataImport:
    data_import = DataImport.objects.create(kind="survey_responses", file_name=name)
    data_import.file.save(name, ContentFile(content.encode()))
    return data_import


def test_a_poison_file_fails_quickly_and_the_worker_takes_the_next_import(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"  # where the worker, given CXHUB_DATA_DIR, looks too
    TouchpointFactory(name="Phone line", code="phone")
    lines = [f"S{n},,phone,,2026-05-0{1 + n % 5},{value},{value},{value},x" for n, value in enumerate(POISON * 40)]
    poison = queued(HEADER + "\n".join(lines) + "\n", "poison.csv")
    good = queued(HEADER + "S-ok,,phone,,2026-05-02,9,5,2,Fine\n", "good.csv")

    queue = f"cxhub-poison-{uuid.uuid4().hex[:8]}"
    worker = start_worker(queue, CXHUB_DATA_DIR=str(tmp_path))
    try:
        wait_for(lambda: app.control.ping(timeout=1.0), seconds=60, what="the worker", worker=worker)
        run_import.apply_async(args=[poison.pk], queue=queue)
        run_import.apply_async(args=[good.pk], queue=queue)
        # A generous bound so a stalled worker fails the test instead of hanging it (not a speed check).
        wait_for(
            lambda: DataImport.objects.filter(pk=good.pk, status=DataImport.Status.SUCCEEDED).exists(),
            seconds=120,
            what="the good import after the poison one",
            worker=worker,
        )
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)

    poison.refresh_from_db()
    assert poison.status == DataImport.Status.FAILED and poison.attempts == 1  # not redelivered
    assert poison.error_count >= len(POISON) and {e["column"] for e in poison.problems} >= {"nps"}
    assert SurveyResponse.objects.filter(external_id="S-ok").exists()
