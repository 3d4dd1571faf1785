"""No lost updates on any editable object: 20 writers at once, each reading, changing and saving.

Every writer appends its own mark to a text field through the API, the way a person edits: read the
object (ETag), send the change with If-Match, and on 412 read again and redo it. Without versioned
writes the last save wins and the marks of the others are lost (182 of 200 writes were, for touchpoints
before); with them every mark is there and the version counts every write.
"""

import threading
from collections import Counter

import pytest
from django.db import connection
from rest_framework.test import APIClient

from barriers.models import BarrierType, Method, ResearchStudy, Severity
from barriers.services import barrier_create
from journeys.services import journey_create, stage_add, step_add
from tests.factories import TouchpointFactory
from tests.journeys.factories import PersonaFactory

pytestmark = pytest.mark.django_db(transaction=True)

WRITERS = 20


def _objects(cx_lead, department) -> dict[str, tuple[str, str]]:
    """Each editable object's API address and the text field the writers append to."""
    touchpoint = TouchpointFactory(name="Complaint line", department=department)
    persona = PersonaFactory(name="Pensioner")
    study = ResearchStudy.objects.create(title="Interviews", method=Method.INTERVIEWS)
    journey = journey_create(title="Open an account", actor=cx_lead)
    stage = stage_add(journey_id=journey.pk, name="S", actor=cx_lead)
    step = step_add(stage_id=stage.pk, actor=cx_lead, action="Calls")
    barrier = barrier_create(
        actor=cx_lead,
        title="Queue",
        type=BarrierType.HAND_OFF,
        severity=Severity.HIGH,
        source=Method.SURVEY,
        department=department,
    )
    return {
        "touchpoint": (f"/api/v1/touchpoints/{touchpoint.pk}/", "description"),
        "persona": (f"/api/v1/personas/{persona.pk}/", "description"),
        "research study": (f"/api/v1/research-studies/{study.pk}/", "summary"),
        "journey": (f"/api/v1/journeys/{journey.pk}/", "description"),
        "stage": (f"/api/v1/stages/{stage.pk}/", "name"),
        "step": (f"/api/v1/steps/{step.pk}/", "notes"),
        "barrier": (f"/api/v1/barriers/{barrier.pk}/", "description"),
    }


def _write(user, url: str, field: str, mark: str, start: threading.Barrier, outcomes: Counter) -> None:
    api = APIClient()
    api.force_authenticate(user)
    try:
        start.wait()
        for _attempt in range(100):
            read = api.get(url)
            text = read.json()[field]
            answer = api.patch(
                url, {field: f"{text} {mark}".strip()}, format="json", headers={"If-Match": read["ETag"]}
            )
            outcomes[answer.status_code] += 1
            if answer.status_code == 200:
                return
            assert answer.status_code == 412, answer.content
    finally:
        connection.close()


@pytest.fixture(autouse=True)
def _pool_closed_after():
    """The writers' threads take connections from the process's pool; close it afterwards, or the test
    database cannot be dropped at the end of the run (a pooled connection stays open)."""
    yield
    connection.close_pool()


def test_twenty_writers_lose_nothing_on_any_editable_object(cx_lead, department):
    objects = _objects(cx_lead, department)
    for name, (url, field) in objects.items():
        outcomes: Counter = Counter()
        start = threading.Barrier(WRITERS)
        marks = [f"w{n}" for n in range(WRITERS)]
        threads = [threading.Thread(target=_write, args=(cx_lead, url, field, mark, start, outcomes)) for mark in marks]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        api = APIClient()
        api.force_authenticate(cx_lead)
        final = api.get(url).json()
        kept = final[field].split()
        lost = [mark for mark in marks if mark not in kept]
        assert lost == [], f"{name}: {len(lost)} of {WRITERS} writes lost"
        assert outcomes[200] == WRITERS, f"{name}: {outcomes}"
        assert final["version"] - 1 >= WRITERS, f"{name}: version {final['version']}"
