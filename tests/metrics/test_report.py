"""metrics_report and /api/v1/metrics/: the headline figures of a window, read from the rollups."""

import json
from datetime import date, timedelta

import pytest
from django.core.management import CommandError, call_command

from metrics.figures import report
from metrics.models import Customer, Transaction
from metrics.rollups import runs
from tests.metrics.test_periods import AS_OF, at
from tests.metrics.test_periods import case as periods_case  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(periods_case):  # noqa: F811
    customer = Customer.objects.get()
    customer.segment = "retail"
    customer.save()
    for n, day in enumerate(["2026-06-02", "2026-06-20"]):
        moment = at(day)
        Transaction.objects.create(
            external_id=f"T{n}",
            customer=customer,
            occurred_at=moment,
            occurred_day=moment.date(),
            occurred_month=moment.date().replace(day=1),
            amount=1000,
        )
    runs.recompute(as_of=AS_OF)
    return periods_case


def run_report(capsys, *args) -> dict:
    call_command("metrics_report", "--json", *args)
    return json.loads(capsys.readouterr().out)


def test_report_of_a_month_uses_the_stored_period(case, capsys):
    figures = run_report(capsys, "--start", "2026-06-01", "--end", "2026-07-01")
    assert figures["window"] == {"start": "2026-06-01", "end": "2026-07-01", "as_of": AS_OF.isoformat()}
    service = figures["service"]
    # June: A2 (2 d), A3 (4 d), A4 (8 d), B2 (3 d) resolved; A5 open for 20 days
    assert (service["opened"], service["resolved"]) == (5, 4)
    assert service["service_level"]["3"] == {"within": 2, "eligible": 5, "share": 0.4}
    assert service["service_level"]["10"] == {"within": 4, "eligible": 5, "share": 0.8}
    assert service["against_targets"] == {"within": 1, "eligible": 4, "share": 0.25}  # phone line: A2–A5
    assert service["resolution_days"] == {"n": 4, "mean": 4.25, "p50": 3.0, "p80": 8.0, "p90": 8.0}
    assert service["first_response_hours"] == {"n": 1, "mean": 3.0, "p50": 3.0, "p90": 3.0}
    surveys = figures["surveys"]
    assert surveys["nps"] == {"score": 25.0, "n": 4, "promoters": 2, "detractors": 1}
    assert surveys["csat"] == {"score": 66.67, "n": 3} and surveys["ces"] == {"score": 4.0, "n": 3}
    assert figures["repeat_purchase"] == {"buyers": 1, "repeat_buyers": 1, "rate": 1.0}
    value = figures["customer_value"]
    assert value["overall"]["customers"] == 1 and set(value["segments"]) == {"retail"}
    assert value["overall"]["lifetime_capped"] is True  # no churn observed: L is the cap
    assert figures["cohorts"] == []  # the customer was acquired in 2025, outside the window


def test_a_custom_window_queries_the_percentiles_with_the_same_definition(case, capsys):
    stored = run_report(capsys, "--start", "2026-06-01", "--end", "2026-07-01")["service"]
    queried = run_report(capsys, "--start", "2026-06-01", "--end", "2026-07-02")["service"]
    assert queried["resolution_days"] == stored["resolution_days"]
    assert queried["first_response_hours"] == stored["first_response_hours"]


def test_default_window_is_the_year_up_to_the_last_recompute(case, capsys):
    figures = run_report(capsys)
    end = AS_OF.date() + timedelta(days=1)
    assert figures["window"]["end"] == end.isoformat()
    assert figures["window"]["start"] == (end - timedelta(days=365)).isoformat()
    assert figures["rollups"]["as_of"] == AS_OF.isoformat()
    assert figures["service"]["opened"] == 7


def test_touchpoint_report_by_name_or_code(case, capsys):
    phone = case["phone"]
    by_code = run_report(capsys, "--touchpoint", phone.code, "--start", "2026-05-01", "--end", "2026-07-01")
    by_name = run_report(capsys, "--touchpoint", phone.name.upper(), "--start", "2026-05-01", "--end", "2026-07-01")
    assert by_code == by_name
    assert by_code["touchpoint"]["id"] == phone.pk and "customer_value" not in by_code
    assert by_code["service"]["opened"] == 5 and by_code["surveys"]["nps"]["n"] == 3


def test_no_data_is_null_with_n_zero(db, capsys):
    figures = run_report(capsys, "--start", "2026-01-01", "--end", "2026-02-01")
    assert figures["service"]["service_level"]["5"] == {"within": 0, "eligible": 0, "share": None}
    assert figures["service"]["resolution_days"]["p50"] is None
    assert figures["surveys"]["nps"] == {"score": None, "n": 0, "promoters": 0, "detractors": 0}
    assert figures["customer_value"]["overall"]["CLV"] is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--start", "2026-13-01"], "is not a date"),
        (["--start", "2026-06-02", "--end", "2026-06-01"], "must be before end"),
        (["--touchpoint", "Nowhere"], "No touchpoint"),
        (["--as-of", "yesterday"], "is not a date-time"),
    ],
)
def test_bad_arguments_say_what_is_wrong(db, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("metrics_report", "--json", *args)


def test_stored_period_recognises_weeks_and_months():
    span = report.Window(date(2026, 6, 1), date(2026, 7, 1), AS_OF)
    assert report.stored_period(span) == ("month", date(2026, 6, 1))
    assert report.stored_period(report.Window(date(2026, 6, 8), date(2026, 6, 15), AS_OF)) == ("week", date(2026, 6, 8))
    assert report.stored_period(report.Window(date(2026, 6, 9), date(2026, 6, 16), AS_OF)) is None


def test_api_serves_the_same_figures(case, client, cx_lead, executive, capsys):
    expected = run_report(capsys, "--start", "2026-06-01", "--end", "2026-07-01")
    client.force_login(executive)
    response = client.get("/api/v1/metrics/headline/", {"start": "2026-06-01", "end": "2026-07-01"})
    assert response.status_code == 200
    assert response.json() == expected
    phone = case["phone"]
    response = client.get(f"/api/v1/metrics/touchpoints/{phone.pk}/", {"start": "2026-06-01", "end": "2026-07-01"})
    assert response.status_code == 200 and response.json()["touchpoint"]["code"] == phone.code
    bad = client.get("/api/v1/metrics/headline/", {"start": "2026-07-01", "end": "2026-06-01"})
    assert bad.status_code == 400 and "must be before end" in json.dumps(bad.json())
    assert client.get("/api/v1/metrics/touchpoints/999999/").status_code == 404


def test_api_needs_a_role(db, client, no_role_user):
    assert client.get("/api/v1/metrics/headline/").status_code in (401, 403)
    client.force_login(no_role_user)
    assert client.get("/api/v1/metrics/headline/").status_code == 403
