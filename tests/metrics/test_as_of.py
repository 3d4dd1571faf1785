"""Every figure is as of the moment it states: open cases younger than a threshold at that moment are
left out, whatever recompute wrote the rollups (docs/metrics.md, "Service level")."""

import json
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from journeys.models import Channel
from metrics.dashboards.executive import executive
from metrics.dashboards.periods import Period
from metrics.models import Customer, Interaction, ServiceTarget
from metrics.rollups import runs
from tests.factories import DepartmentFactory, TouchpointFactory

pytestmark = pytest.mark.django_db

DAY = 86_400


def at(day: str, hour: int = 10, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.fromisoformat(day).replace(hour=hour, minute=minute))


def add(touchpoint, external_id, opened, *, days=None):
    Interaction.objects.create(
        external_id=external_id,
        customer=Customer.objects.get(),
        touchpoint=touchpoint,
        kind="complaint",
        opened_at=opened,
        opened_day=timezone.localtime(opened).date(),
        resolved_at=opened + timedelta(days=days) if days is not None else None,
        resolution_seconds=round(days * DAY) if days is not None else None,
    )


T = at("2026-06-20", 12)  # the moment asked about
LATER = at("2026-07-20", 12)  # a recompute a month later


@pytest.fixture
def phone(db):
    Customer.objects.create(external_id="C1", acquired_at=at("2025-01-01"), acquired_month=date(2025, 1, 1))
    phone = TouchpointFactory(name="Phone line", channel=Channel.PHONE, department=DepartmentFactory(name="Calls"))
    ServiceTarget.objects.create(touchpoint=phone, threshold_days=3, target_share=Decimal("0.8"))
    add(phone, "R1", at("2026-06-01"), days=2)
    add(phone, "R2", at("2026-06-02"), days=6)
    add(phone, "OLD", at("2026-06-03"))  # open: 17 days old at T
    add(phone, "YOUNG", at("2026-06-20", 0))  # open: 12 hours old at T, 2.5 days at T + 2 days
    add(phone, "LATE", at("2026-06-20", 18), days=1 / 24)  # opened after T on T's day
    return phone


def sl(within, eligible):
    return {"within": within, "eligible": eligible, "share": round(within / eligible, 4) if eligible else None}


# Hand-computed, per as_of: the interactions opened in June before as_of; eligible(T) = resolved +
# open cases older than T at as_of.
EXPECTED = {
    # R1, R2 resolved; OLD eligible at every threshold; YOUNG (12 h) at none; LATE not opened yet.
    T: {"opened": 4, "resolved": 2, "1": sl(0, 3), "3": sl(1, 3), "5": sl(1, 3), "10": sl(2, 3), "target": sl(1, 3)},
    # Two days on: LATE resolved in an hour; YOUNG is 2.5 days old — eligible at 1 day only.
    T + timedelta(days=2): {
        "opened": 5, "resolved": 3,
        "1": sl(1, 5), "3": sl(2, 4), "5": sl(2, 4), "10": sl(3, 4), "target": sl(2, 4),
    },
    # A month on: both open cases are older than every threshold.
    LATER: {
        "opened": 5, "resolved": 3,
        "1": sl(1, 5), "3": sl(2, 5), "5": sl(2, 5), "10": sl(3, 5), "target": sl(2, 5),
    },
}  # fmt: skip


def service_of(figures: dict) -> dict:
    service = figures["service"]
    return {
        "opened": service["opened"],
        "resolved": service["resolved"],
        **{d: service["service_level"][d] for d in ("1", "3", "5", "10")},
        "target": service["against_targets"],
    }


def report_at(capsys, as_of: datetime | None) -> dict:
    args = ["--json", "--start", "2026-06-01", "--end", "2026-07-01"]
    if as_of is not None:
        args += ["--as-of", as_of.isoformat()]
    call_command("metrics_report", *args)
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("as_of", list(EXPECTED), ids=["T", "T+2d", "a month on"])
def test_report_after_a_later_recompute_is_as_of_the_moment_asked(phone, capsys, as_of):
    runs.recompute(as_of=LATER)
    figures = report_at(capsys, as_of)
    assert figures["window"]["as_of"] == timezone.localtime(as_of).isoformat()
    assert service_of(figures) == EXPECTED[as_of]


@pytest.mark.parametrize("as_of", list(EXPECTED), ids=["T", "T+2d", "a month on"])
def test_a_report_before_any_recompute_is_as_of_the_moment_asked_too(phone, capsys, as_of):
    runs.recompute(as_of=at("2026-06-01", 0))  # rollups written before most of the cases existed
    assert service_of(report_at(capsys, as_of))["3"]["eligible"] == EXPECTED[as_of]["3"]["eligible"]


@pytest.mark.parametrize("as_of", [T, T + timedelta(days=2)], ids=["T", "T+2d"])
def test_full_run_incremental_run_and_explicit_as_of_agree(phone, capsys, as_of):
    runs.recompute(as_of=as_of)
    full = service_of(report_at(capsys, None))  # the default: as of the last run

    runs.recompute(as_of=at("2026-06-10"))
    runs.execute(runs.start_run(full=False, days=set(), as_of=as_of))  # only young open cases' days redone
    incremental = service_of(report_at(capsys, None))

    runs.recompute(as_of=LATER)
    explicit = service_of(report_at(capsys, as_of))
    assert full == incremental == explicit == EXPECTED[as_of]


def test_the_stored_percentiles_are_not_used_for_a_period_as_of_is_inside(phone, capsys):
    runs.recompute(as_of=LATER)
    # June as of T: R1 (2 d) and R2 (6 d) resolved; LATE (1 h), opened after T, is not in it yet.
    assert report_at(capsys, T)["service"]["resolution_days"] == {
        "n": 2,
        "mean": 4.0,
        "p50": 2.0,
        "p80": 6.0,
        "p90": 6.0,
    }
    assert report_at(capsys, LATER)["service"]["resolution_days"]["n"] == 3


def test_api_figures_are_as_of_the_moment_asked(phone, client, executive_user):
    runs.recompute(as_of=LATER)
    client.force_login(executive_user)
    response = client.get(
        "/api/v1/metrics/headline/", {"start": "2026-06-01", "end": "2026-07-01", "as_of": T.isoformat()}
    )
    assert response.status_code == 200
    assert service_of(response.json()) == EXPECTED[T]


@pytest.fixture
def executive_user(executive):
    return executive


def test_dashboards_are_as_of_the_last_run_they_state(phone, client, cx_lead):
    Interaction.objects.filter(external_id="LATE").delete()  # a run sees the data there is when it runs
    runs.recompute(as_of=at("2026-06-10"))
    runs.execute(runs.start_run(full=False, days=set(), as_of=T))
    june = Period("month", date(2026, 6, 1), date(2026, 7, 1))
    cards = executive(june)["cards"]
    # The executive dashboard's June is the period rollup, as of the last run (T): OLD eligible, YOUNG not.
    assert (cards["thresholds"][3].now, cards["thresholds"][3].n) == (pytest.approx(1 / 3), 3)
    assert (cards["target"].now, cards["target"].n) == (pytest.approx(1 / 3), 3)

    client.force_login(cx_lead)
    page = client.get(reverse("metrics:touchpoint", args=[phone.pk]))
    service = page.context["service"]
    assert page.context["last_run"].as_of == T
    assert service["service_level"]["1"] == {"within": 0, "eligible": 3, "share": 0.0}
    assert service["service_level"]["10"] == {"within": 2, "eligible": 3, "share": 0.6667}


def test_value_at_stake_on_the_dashboard_says_which_recompute_it_is_as_of(phone, client, cx_lead, executive):
    from barriers.services import barrier_create
    from metrics.models import BarrierStake

    runs.recompute(as_of=LATER)
    barrier = barrier_create(
        actor=cx_lead, title="Slow answers", type="service_failure", severity=3, source="complaints",
        touchpoints=[phone],
    )  # fmt: skip
    BarrierStake.objects.update_or_create(
        barrier=barrier, defaults={"value": 5000.0, "value_low": 4000.0, "value_high": 6000.0, "as_of": LATER}
    )
    client.force_login(executive)
    html = client.get(reverse("metrics:dashboard"), {"period": "month", "start": "2026-06"}).content.decode()
    note = html.split('data-testid="stakes-as-of"')[1][:200]
    assert "20 Jul 2026" in note and "nightly full recompute" in note
