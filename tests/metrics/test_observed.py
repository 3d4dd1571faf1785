"""Observed journeys: each customer's contacts in time order, joined within the gap, against hand cases."""

from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from journeys.models import Journey, Stage, Step
from metrics.figures import observed
from metrics.models import Customer, Interaction, ObservedRun, ObservedStep
from metrics.rollups import observed as observed_runs
from tests.factories import TouchpointFactory

pytestmark = pytest.mark.django_db

AS_OF = timezone.make_aware(datetime(2026, 7, 1, 12))


@pytest.fixture
def inline_jobs():
    """Queued jobs run in the request here, whatever the broker (CI also runs this with real Redis)."""
    from cxhub.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def line(department):
    return {name: TouchpointFactory(name=name, department=department) for name in ("Site", "Phone", "Office")}


def contact(who, touchpoint, day: str, hour: int = 10, external_id: str | None = None):
    moment = timezone.make_aware(datetime.fromisoformat(day)) + timedelta(hours=hour)
    return Interaction.objects.create(
        external_id=external_id or f"{who.external_id}-{Interaction.objects.count()}",
        customer=who, touchpoint=touchpoint, opened_at=moment, opened_day=moment.date(),
    )  # fmt: skip


def customer(name: str) -> Customer:
    return Customer.objects.create(
        external_id=name, acquired_at=timezone.make_aware(datetime(2025, 1, 1)), acquired_month=date(2025, 1, 1)
    )


def steps_by_kind():
    return {
        (row.source.name, row.target.name if row.target else None, row.kind): (row.contacts, row.customers, row.starts)
        for row in ObservedStep.objects.select_related("source", "target")
    }


def test_paths_by_hand(line):
    site, phone, office = line["Site"], line["Phone"], line["Office"]
    ann, bob = customer("ann"), customer("bob")
    # Ann: site → phone (3 days) → phone again (next day) → office 40 days later: a new path.
    contact(ann, site, "2026-03-01")
    contact(ann, phone, "2026-03-04")
    contact(ann, phone, "2026-03-05")
    contact(ann, office, "2026-04-14")
    # Bob: site → phone exactly 30 days later (within), then nothing; a contact after as_of is ignored.
    contact(bob, site, "2026-05-01")
    contact(bob, phone, "2026-05-31")
    contact(bob, office, "2026-07-02")
    run = observed_runs.compute(gap_days=30, as_of=AS_OF)
    assert run.status == ObservedRun.Status.SUCCEEDED and (run.interactions, run.customers) == (6, 2)
    assert steps_by_kind() == {
        ("Site", "Phone", "next"): (2, 2, 2),  # both started paths at the site
        ("Phone", None, "repeat"): (1, 1, 0),  # Ann called again the next day
        ("Phone", None, "end"): (2, 2, 0),  # Ann's second call (office is 40 days on), Bob's call
        ("Office", None, "end"): (1, 1, 1),  # a path of its own
    }
    flows, transitions = observed.flows(), observed.top_transitions(10)
    by_name = {flow.touchpoint.name: flow for flow in flows}
    assert (by_name["Phone"].contacts, by_name["Phone"].repeats, by_name["Phone"].ends) == (3, 1, 2)
    assert [(t.source.name, t.target.name, t.contacts) for t in transitions] == [("Site", "Phone", 2)]
    # A shorter gap cuts Bob's path in two.
    observed_runs.compute(gap_days=29, as_of=AS_OF)
    assert steps_by_kind()[("Site", "Phone", "next")] == (1, 1, 1)
    assert observed.current_gap() == 29


def test_a_map_against_the_paths(line):
    site, phone, office = line["Site"], line["Phone"], line["Office"]
    for n in range(3):
        who = customer(f"c{n}")
        contact(who, site, "2026-03-01")
        contact(who, office, "2026-03-02")  # the map says phone comes next
    journey = Journey.objects.create(title="Open an account")
    stage = Stage.objects.create(journey=journey, name="Apply", position=0)
    for position, touchpoint in enumerate([site, phone, office]):
        Step.objects.create(stage=stage, position=position, touchpoint=touchpoint, action=f"At {touchpoint.name}")
    observed_runs.compute(as_of=AS_OF)
    result = observed.compare(journey, observed.flows())
    rows = [(r.step.touchpoint.name, r.contacts, r.next_step and r.next_step.touchpoint.name, r.observed_next)
            for r in result["steps"]]  # fmt: skip
    assert rows == [("Site", 3, "Phone", 0), ("Phone", 0, "Office", 0), ("Office", 3, None, None)]
    assert result["passed"] == 2
    assert [(t.source.name, t.target.name, t.contacts) for t in result["missing"]] == [("Site", "Office", 3)]


def test_nothing_to_observe_is_an_empty_result(db):
    run = observed_runs.compute(as_of=AS_OF)
    assert run.status == ObservedRun.Status.SUCCEEDED and run.interactions == 0
    assert observed.flows() == [] and observed.top_transitions(10) == []


def test_the_page_recomputes_with_another_gap_for_cx_leads_only(
    client, cx_lead, executive, line, django_capture_on_commit_callbacks, inline_jobs
):
    who = customer("ann")
    contact(who, line["Site"], "2026-03-01")
    contact(who, line["Phone"], "2026-03-20")
    observed_runs.compute(gap_days=30, as_of=AS_OF)
    url = reverse("metrics:observed")
    client.force_login(executive)
    page = client.get(url).content.decode()
    assert 'data-testid="observed-flows"' in page and 'data-testid="observed-gap-form"' not in page
    assert client.post(url, {"gap_days": 7}).status_code == 403
    client.force_login(cx_lead)
    response = client.post(url, {"gap_days": 0})
    assert response.status_code == 200 and "greater than or equal to 1" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):  # the job is queued once the run is saved
        assert client.post(url, {"gap_days": 7}).status_code == 302  # Celery runs eagerly in tests
    assert ObservedRun.objects.latest("started_at").gap_days == 7
    assert not ObservedStep.objects.filter(kind="next").exists()  # 19 days apart is beyond 7
    assert "Next contact within 7 days" in client.get(url).content.decode()
