"""The period rollups: weeks, months and all time by touchpoint, department, channel and kind, on a
small hand-computed case (nearest-rank percentiles, exact shares, survey scores with their n)."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from journeys.models import Channel
from metrics.models import ALL_TIME, Customer, Interaction, ServicePeriod, ServiceTarget, SurveyPeriod, SurveyResponse
from metrics.rollups import runs
from tests.factories import DepartmentFactory, TouchpointFactory

pytestmark = pytest.mark.django_db

AS_OF = timezone.make_aware(datetime(2026, 6, 30, 12, 0))
DAY = 86_400


def at(day: str, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.fromisoformat(day).replace(hour=hour))


def add(touchpoint, external_id, opened, *, days=None, kind="complaint", first_response_hours=None):
    Interaction.objects.create(
        external_id=external_id,
        customer=Customer.objects.get(),
        touchpoint=touchpoint,
        kind=kind,
        opened_at=opened,
        opened_day=timezone.localtime(opened).date(),
        resolved_at=opened + timedelta(days=days) if days is not None else None,
        resolution_seconds=int(days * DAY) if days is not None else None,
        first_response_at=opened + timedelta(hours=first_response_hours) if first_response_hours else None,
        first_response_seconds=first_response_hours * 3600 if first_response_hours else None,
    )


@pytest.fixture
def case(db):
    Customer.objects.create(external_id="C1", acquired_at=at("2025-01-01"), acquired_month=date(2025, 1, 1))
    phone = TouchpointFactory(name="Phone line", channel=Channel.PHONE, department=DepartmentFactory(name="Calls"))
    web = TouchpointFactory(name="Web form", channel=Channel.WEBSITE, department=DepartmentFactory(name="Digital"))
    ServiceTarget.objects.create(touchpoint=phone, threshold_days=3, target_share=Decimal("0.8"))
    add(phone, "A1", at("2026-05-31"), days=1, first_response_hours=1)  # a Sunday: week of 25 May
    add(phone, "A2", at("2026-06-01"), days=2, first_response_hours=3)  # the Monday after
    add(phone, "A3", at("2026-06-02"), days=4, kind="request")
    add(phone, "A4", at("2026-06-03"), days=8, kind="request")
    add(phone, "A5", at("2026-06-10"), kind="request")  # open for 20 days: eligible at every T
    add(web, "B1", at("2026-05-20"), days=0.5)
    add(web, "B2", at("2026-06-15"), days=3)
    for n, (touchpoint, nps, csat, ces) in enumerate(
        [(phone, 10, 5, 2), (phone, 9, 4, None), (phone, 3, 1, 6), (None, 7, None, 4)]
    ):
        SurveyResponse.objects.create(
            external_id=f"S{n}",
            touchpoint=touchpoint,
            submitted_at=at("2026-06-05"),
            submitted_day=date(2026, 6, 5),
            nps=nps,
            csat=csat,
            ces=ces,
        )
    return {"phone": phone, "web": web}


def period(grain, dimension, key="", start=ALL_TIME) -> ServicePeriod:
    return ServicePeriod.objects.get(grain=grain, dimension=dimension, key=str(key), period_start=start)


def days(seconds):
    return None if seconds is None else seconds / DAY


def test_all_time_overall_figures(case):
    runs.recompute(as_of=AS_OF)
    overall = period("all", "overall")
    assert (overall.opened, overall.resolved) == (7, 6)
    # resolved in 0.5, 1, 2, 3, 4, 8 days; A5 is open and older than every threshold
    assert (overall.within_1, overall.eligible_1) == (2, 7)
    assert (overall.within_3, overall.eligible_3) == (4, 7)
    assert (overall.within_10, overall.eligible_10) == (6, 7)
    # all time carries no percentiles (reports compute them on request); weeks and months do
    assert (overall.resolution_p50, overall.resolution_p90, overall.first_response_p50) == (None, None, None)
    assert overall.resolution_seconds_sum == int(18.5 * DAY)
    assert overall.first_response_n == 2 and overall.first_response_seconds_sum == 4 * 3600
    june = period("month", "overall", start=date(2026, 6, 1))
    # June resolved in 2, 3, 4, 8 days; nearest rank of 4: p50 → 2nd (3 d), p80 and p90 → 4th (8 d)
    assert [days(june.resolution_p50), days(june.resolution_p80), days(june.resolution_p90)] == [3, 8, 8]
    assert (june.first_response_n, june.first_response_p50, june.first_response_p90) == (1, 10800, 10800)
    # only the phone line has a target (3 days): A1, A2 within; A1–A4 resolved + A5 open
    assert (overall.within_target, overall.eligible_target) == (2, 5)


def test_groupings_by_touchpoint_department_channel_and_kind(case):
    runs.recompute(as_of=AS_OF)
    phone, web = case["phone"], case["web"]
    by_touchpoint = period("all", "touchpoint", phone.pk)
    assert (by_touchpoint.opened, by_touchpoint.within_3, by_touchpoint.eligible_3) == (5, 2, 5)
    june_phone = period("month", "touchpoint", phone.pk, date(2026, 6, 1))
    assert [days(june_phone.resolution_p50), days(june_phone.resolution_p80)] == [4, 8]  # of 2, 4, 8
    department = period("all", "department", web.department_id)
    assert (department.opened, department.within_1, department.eligible_target) == (2, 1, 0)
    assert period("all", "channel", "website").opened == 2
    complaints = period("all", "kind", "complaint")
    assert complaints.opened == 4
    june_complaints = period("month", "kind", "complaint", date(2026, 6, 1))
    assert (june_complaints.opened, days(june_complaints.resolution_p50)) == (2, 2)  # of 2, 3
    requests = period("all", "kind", "request")
    assert (requests.resolved, requests.eligible_5, requests.within_5) == (2, 3, 1)


def test_weeks_are_iso_weeks_and_months_calendar_months(case):
    runs.recompute(as_of=AS_OF)
    phone = case["phone"]
    assert period("week", "touchpoint", phone.pk, date(2026, 5, 25)).opened == 1  # Sunday 31 May
    june_week = period("week", "touchpoint", phone.pk, date(2026, 6, 1))
    assert (june_week.opened, days(june_week.resolution_p50), days(june_week.resolution_p90)) == (3, 4, 8)
    may = period("month", "overall", start=date(2026, 5, 1))
    assert (may.opened, days(may.resolution_p50), days(may.resolution_p80)) == (2, 0.5, 1)
    june = period("month", "overall", start=date(2026, 6, 1))
    assert (june.opened, june.within_3, june.eligible_3) == (5, 2, 5)
    weeks = ServicePeriod.objects.filter(grain="week", dimension="overall").values_list("period_start", flat=True)
    assert all(start.weekday() == 0 for start in weeks)


def test_survey_periods_count_each_score_with_its_own_n(case):
    runs.recompute(as_of=AS_OF)
    overall = SurveyPeriod.objects.get(grain="all", dimension="overall")
    assert (overall.nps_n, overall.promoters, overall.detractors) == (4, 2, 1)
    assert (overall.csat_n, overall.csat_good, overall.ces_n, overall.ces_sum) == (3, 2, 3, 12)
    phone = SurveyPeriod.objects.get(grain="month", dimension="touchpoint", key=str(case["phone"].pk))
    assert (phone.period_start, phone.nps_n, phone.promoters, phone.detractors) == (date(2026, 6, 1), 3, 2, 1)
    assert not SurveyPeriod.objects.filter(dimension="kind").exists()
    # The answer tied to no touchpoint counts overall only: no department or channel group of its own.
    months = SurveyPeriod.objects.filter(grain="month")
    assert months.get(dimension="overall").nps_n == 4
    assert [(row.dimension, row.nps_n) for row in months.exclude(dimension="overall").order_by("dimension")] == [
        ("channel", 3),
        ("department", 3),
        ("touchpoint", 3),
    ]


def snapshot():
    fields = [f.name for f in ServicePeriod._meta.fields if f.name not in ("id", "as_of")]
    service = list(ServicePeriod.objects.order_by("grain", "dimension", "key", "period_start").values_list(*fields))
    fields = [f.name for f in SurveyPeriod._meta.fields if f.name not in ("id", "as_of")]
    surveys = list(SurveyPeriod.objects.order_by("grain", "dimension", "key", "period_start").values_list(*fields))
    return service, surveys


def test_an_incremental_run_gives_the_rows_a_full_run_gives(case):
    runs.recompute(as_of=AS_OF)
    add(case["web"], "B3", at("2026-06-29"), days=0.25, kind="request")
    Interaction.objects.filter(external_id="B1").update(resolution_seconds=2 * DAY)  # a May row changed
    runs.recompute(full=False, months={date(2026, 6, 1), date(2026, 5, 1)}, as_of=AS_OF)
    incremental = snapshot()
    runs.recompute(as_of=AS_OF)
    assert snapshot() == incremental
    assert period("all", "overall").opened == 8


def test_recomputing_twice_gives_identical_rows(case):
    runs.recompute(as_of=AS_OF)
    first = snapshot()
    runs.recompute(as_of=AS_OF)
    assert snapshot() == first and first[0]


def test_no_data_is_no_rows_not_zeros(db):
    run = runs.recompute(as_of=AS_OF)
    assert run.status == "succeeded"
    assert not ServicePeriod.objects.exists() and not SurveyPeriod.objects.exists()


def test_an_incremental_run_by_days_rebuilds_only_those_days_and_the_periods_holding_them(case):
    from metrics.models import MetricsChunk, ServiceDay

    runs.recompute(as_of=AS_OF)
    add(case["web"], "B3", at("2026-06-29"), days=0.25, kind="request")
    b1 = Interaction.objects.get(external_id="B1")
    Interaction.objects.filter(pk=b1.pk).update(resolution_seconds=2 * DAY)  # a May row changed
    untouched = ServiceDay.objects.exclude(day__in=[date(2026, 6, 29), b1.opened_day]).order_by("pk")
    before = list(untouched.values_list("pk", "as_of"))
    later = AS_OF + timedelta(days=3)  # open cases grow older: their days are rebuilt too
    run = runs.start_run(full=False, days={date(2026, 6, 29), b1.opened_day}, as_of=later)
    chunk_days = {c.month: c.days for c in MetricsChunk.objects.filter(run=run, month__isnull=False)}
    assert "2026-06-29" in chunk_days[date(2026, 6, 1)] and b1.opened_day.isoformat() in chunk_days[date(2026, 5, 1)]
    assert runs.execute(run).status == "succeeded"
    rebuilt_days = {date.fromisoformat(d) for days in chunk_days.values() for d in days}
    assert [row for row in before if row[0] in set(untouched.values_list("pk", flat=True))] == [
        row for row in before if ServiceDay.objects.get(pk=row[0]).day not in rebuilt_days
    ]  # rows of other days were left as they were
    incremental = snapshot()
    runs.recompute(as_of=later)
    assert snapshot() == incremental
