"""Service level exactly as DOMAIN.md defines it, on small hand-computed cases, through the rollup."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metrics.figures.service_level import service_levels_by_touchpoint
from metrics.models import Customer, Interaction, MetricsRun, ServiceDay, ServiceTarget
from metrics.rollups import runs, service_days
from tests.factories import TouchpointFactory

pytestmark = pytest.mark.django_db

AS_OF = timezone.make_aware(timezone.datetime(2026, 6, 20, 12, 0))


def interaction(touchpoint, customer, external_id, *, opened, resolved=None, csat=None):
    opened_local = timezone.localtime(opened)
    return Interaction.objects.create(
        external_id=external_id,
        customer=customer,
        touchpoint=touchpoint,
        kind="complaint",
        opened_at=opened,
        opened_day=opened_local.date(),
        resolved_at=resolved,
        resolution_seconds=int((resolved - opened).total_seconds()) if resolved else None,
        csat=csat,
    )


@pytest.fixture
def case(department):
    touchpoint = TouchpointFactory(name="Complaint line", department=department)
    customer = Customer.objects.create(
        external_id="C1",
        acquired_at=AS_OF - timedelta(days=400),
        acquired_month=(AS_OF - timedelta(days=400)).date().replace(day=1),
    )
    ServiceTarget.objects.create(touchpoint=touchpoint, threshold_days=5, target_share=Decimal("0.9"))
    base = AS_OF - timedelta(days=8)
    interaction(touchpoint, customer, "A", opened=base, resolved=base + timedelta(days=2), csat=5)  # within 3, 5, 10
    interaction(touchpoint, customer, "B", opened=base, resolved=base + timedelta(days=4), csat=2)  # within 5, 10
    interaction(touchpoint, customer, "C", opened=AS_OF - timedelta(days=6))  # open, older than 1, 3, 5
    interaction(touchpoint, customer, "D", opened=AS_OF - timedelta(hours=12))  # open, too young for any T
    return touchpoint


def figures(touchpoint):
    start, end = (AS_OF - timedelta(days=60)).date(), (AS_OF + timedelta(days=1)).date()
    return service_levels_by_touchpoint([touchpoint.pk], start=start, end=end)[touchpoint.pk]


def test_service_level_follows_the_definition(case):
    run = runs.recompute(as_of=AS_OF)
    assert run.status == MetricsRun.Status.SUCCEEDED
    sl = figures(case)
    assert (sl.opened, sl.resolved) == (4, 2)
    shares = {days: (share.within, share.eligible) for days, share in sl.by_threshold.items()}
    # T=1: A (2 d) and B (4 d) resolved but not within; C is eligible (open > 1 day); D is too young.
    # T=3: A within; C eligible.  T=5: A, B within; C eligible (6 days).  T=10: C is too young → 2/2.
    assert shares == {1: (0, 3), 3: (1, 3), 5: (2, 3), 10: (2, 2)}
    assert (sl.against_target.within, sl.against_target.eligible) == (2, 3)
    assert sl.meets_target is False  # 67 % < 90 %
    assert sl.mean_resolution_days == pytest.approx(3.0)


def test_no_eligible_interactions_is_no_data_not_zero(case):
    runs.recompute(as_of=AS_OF)
    young = figures(case).by_threshold[10]
    assert young.value == 1.0
    empty = TouchpointFactory(name="Quiet line", department=case.department)
    assert service_levels_by_touchpoint([empty.pk], start=AS_OF.date(), end=AS_OF.date()) == {}
    from metrics.figures.service_level import Share

    assert Share(0, 0).value is None


def test_recompute_twice_gives_the_same_rows(case):
    runs.recompute(as_of=AS_OF)
    first = list(
        ServiceDay.objects.order_by("touchpoint", "day").values(
            *[f.name for f in ServiceDay._meta.fields if f.name != "id"]
        )
    )
    runs.recompute(as_of=AS_OF)
    again = list(
        ServiceDay.objects.order_by("touchpoint", "day").values(
            *[f.name for f in ServiceDay._meta.fields if f.name != "id"]
        )
    )
    assert first == again and first


def test_a_run_interrupted_mid_way_finishes_with_the_same_figures(case, monkeypatch):
    customer = Customer.objects.get()
    for n in range(3):  # interactions in two more months: three chunks
        interaction(
            case,
            customer,
            f"E{n}",
            opened=AS_OF - timedelta(days=40 + 30 * n),
            resolved=AS_OF - timedelta(days=39 + 30 * n),
        )
    clean = runs.recompute(as_of=AS_OF)
    expected = figures(case)

    run = runs.start_run(as_of=AS_OF)
    real = service_days.rebuild_month
    calls = {"n": 0}

    def crash_on_second(month, as_of, days=None):
        calls["n"] += 1
        if calls["n"] == 2:
            real(month, as_of, days=days)
            raise RuntimeError("worker killed")  # after writing: the transaction must roll it back
        real(month, as_of, days=days)

    monkeypatch.setattr(service_days, "rebuild_month", crash_on_second)
    with pytest.raises(runs.ChunkFailed):
        runs.execute(run)
    assert run.chunks.filter(done_at__isnull=False).count() == 1
    monkeypatch.setattr(service_days, "rebuild_month", real)
    finished = runs.execute(run)
    assert finished.status == "succeeded" and finished.chunks_done == finished.chunks_total == clean.chunks_total
    assert figures(case) == expected


def test_a_poison_month_fails_the_run_with_a_reason(case, monkeypatch):
    def always(month, as_of):
        raise ValueError("corrupt row")

    monkeypatch.setattr(service_days, "rebuild_month", always)
    run = runs.recompute(as_of=AS_OF)
    assert run.status == "failed" and "failed 3 times" in run.message


def test_incremental_run_rebuilds_touched_months_and_months_with_open_cases(case):
    runs.recompute(as_of=AS_OF)
    run = runs.start_run(full=False, months={(AS_OF - timedelta(days=200)).date()}, as_of=AS_OF)
    months = set(run.chunks.values_list("month", flat=True))
    assert (AS_OF - timedelta(days=200)).date().replace(day=1) in months
    assert AS_OF.date().replace(day=1) in months  # C and D are still open


def test_an_interactions_import_recomputes_the_months_it_touched(department, settings, tmp_path):
    import io

    from metrics.services import import_start

    settings.MEDIA_ROOT = tmp_path
    TouchpointFactory(name="Complaint line", code="cc-complaints", department=department)
    import_start(
        kind="customers",
        source=io.BytesIO(b"customer_id,acquired_at\nC1,2025-01-01\n"),
        file_name="c.csv",
        actor=None,
        background=False,
    )
    result = import_start(
        kind="interactions",
        source=io.BytesIO(
            b"interaction_id,customer_id,touchpoint,opened_at,resolved_at\n"
            b"I1,C1,cc-complaints,2025-03-03T10:00,2025-03-04T10:00\nI2,C1,cc-complaints,2025-05-05,\n"
        ),
        file_name="i.csv",
        actor=None,
        background=False,
    )
    assert result.touched_months == ["2025-03-01", "2025-05-01"]
    assert set(ServiceDay.objects.values_list("day", flat=True)).issuperset(
        {timezone.datetime(2025, 3, 3).date(), timezone.datetime(2025, 5, 5).date()}
    )
    assert not MetricsRun.objects.filter(full=True).exists()  # incremental runs: the customers', then these days'


def test_compute_metrics_command(case, capsys):
    import json

    from django.core.management import call_command

    call_command("compute_metrics")
    summary = json.loads(capsys.readouterr().out)
    assert summary["status"] == "succeeded" and summary["months"] >= 1


def test_the_map_shows_the_touchpoint_service_level_against_its_target(
    client, cx_lead, case, django_assert_max_num_queries
):
    from journeys.services import journey_create, stage_add, step_add

    journey = journey_create(title="Complain", actor=cx_lead)
    stage = stage_add(journey_id=journey.pk, name="Complain", actor=cx_lead)
    step_add(stage_id=stage.pk, action="Calls the complaint line", touchpoint=case, actor=cx_lead)
    step_add(stage_id=stage.pk, action="Waits", actor=cx_lead)
    runs.recompute(as_of=AS_OF)
    client.force_login(cx_lead)
    html = client.get(f"/journeys/{journey.pk}/").content.decode()
    assert 'class="cell lane-service sl-bad" data-testid="service-level"' in html
    assert "<strong>67%</strong> ≤5 d / target 90%" in html and "n = 3" in html
    assert html.count('data-testid="service-level"') == 1  # the step without a touchpoint has no data


def test_percentiles_are_nearest_rank(case):
    from metrics.figures.service_level import resolution_percentiles

    customer = Customer.objects.get()
    base = AS_OF - timedelta(days=30)
    # Ten more resolved cases taking 1..10 days, plus A (2 d) and B (4 d): twelve durations in all.
    for days in range(1, 11):
        interaction(case, customer, f"P{days}", opened=base, resolved=base + timedelta(days=days))
    start, end = (AS_OF - timedelta(days=60)).date(), (AS_OF + timedelta(days=1)).date()
    overall = resolution_percentiles(start=start, end=end)[None]
    # sorted: 1 2 2 3 4 4 5 6 7 8 9 10 → p50 = 6th (ceil 6.0) = 4, p80 = 10th (ceil 9.6) = 8, p90 = 11th (ceil 10.8) = 9
    assert overall == {50: 4.0, 80: 8.0, 90: 9.0}
    per_touchpoint = resolution_percentiles(start=start, end=end, by_touchpoint=True)
    assert per_touchpoint == {case.pk: overall}
    assert resolution_percentiles(start=AS_OF.date(), end=AS_OF.date()) == {}  # n = 0: no data


def test_incremental_run_leaves_months_whose_open_cases_are_older_than_every_threshold(case):
    old_open = AS_OF - timedelta(days=200)
    interaction(case, Customer.objects.get(), "OLD", opened=old_open)  # open, and eligible at every T for long
    runs.recompute(as_of=AS_OF - timedelta(days=1))
    run = runs.start_run(full=False, months=set(), as_of=AS_OF)
    months = set(run.chunks.exclude(month=None).values_list("month", flat=True))
    assert timezone.localtime(old_open).date().replace(day=1) not in months
    assert AS_OF.date().replace(day=1) in months  # C and D are young: they may have crossed a threshold
    assert runs.execute(run).status == "succeeded"
    everything = ((AS_OF - timedelta(days=400)).date(), (AS_OF + timedelta(days=1)).date())
    incremental = service_levels_by_touchpoint([case.pk], start=everything[0], end=everything[1])
    runs.recompute(as_of=AS_OF)
    assert service_levels_by_touchpoint([case.pk], start=everything[0], end=everything[1]) == incremental
    assert incremental[case.pk].by_threshold[10].eligible == 3  # A, B resolved; OLD open for 200 days


@given(
    cases=st.lists(
        st.tuples(st.integers(min_value=1, max_value=40), st.one_of(st.none(), st.integers(0, 30 * 24))),
        min_size=1,
        max_size=25,
    )
)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_service_level_never_falls_as_the_threshold_grows(case, cases):
    """SL(T) = within(T) / eligible(T): within can only grow with T and eligible only shrink (fewer open
    cases are older than a longer T), so SL is monotone in T — checked on random cases via the rollup."""
    Interaction.objects.all().delete()
    customer = Customer.objects.get()
    for n, (age_days, hours) in enumerate(cases):
        opened = AS_OF - timedelta(days=age_days, minutes=n)
        resolved = (
            opened + timedelta(hours=hours) if hours is not None and opened + timedelta(hours=hours) < AS_OF else None
        )
        interaction(case, customer, f"P{n}", opened=opened, resolved=resolved)
    runs.recompute(as_of=AS_OF)
    shares = [share for _days, share in sorted(figures(case).by_threshold.items())]
    values = [share.value for share in shares if share.value is not None]
    assert values == sorted(values)
    assert [s.within for s in shares] == sorted(s.within for s in shares)
    assert [s.eligible for s in shares] == sorted((s.eligible for s in shares), reverse=True)
