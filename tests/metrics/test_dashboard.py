"""The outcome dashboards: the same figures as metrics_report for the same period, from the rollups
in a fixed number of queries, with the right people let in."""

import csv
import io
import json
import random
import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.core.management import call_command
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats, timezone

from barriers.models import Barrier, Status
from cxhub.exports import chromium
from cxhub.exports.models import Export
from metrics.dashboards.executive import executive as executive_figures
from metrics.dashboards.periods import Period, controls, parse_period
from metrics.models import ChannelCost, Customer, Interaction, ServiceTarget, SurveyResponse, Transaction
from metrics.rollups import runs
from tests.factories import DepartmentFactory, TouchpointFactory

pytestmark = pytest.mark.django_db

AS_OF = timezone.make_aware(datetime(2026, 7, 10, 9, 0))
JUNE = {"period": "month", "start": "2026-06"}


def at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


def build_world(department, *, customers: int = 40, seed: int = 7) -> dict:
    """Half a year of customers in two segments, their purchases, cases at three touchpoints (two
    with targets, in two departments) and survey answers; deterministic."""
    rng = random.Random(seed)
    other = DepartmentFactory(name="Delivery", slug="delivery")
    phone = TouchpointFactory(name="Complaint line", channel="phone", department=department)
    chat = TouchpointFactory(name="Chat", channel="messenger", department=department)
    courier = TouchpointFactory(name="Courier", channel="delivery", department=other)
    ServiceTarget.objects.create(touchpoint=phone, threshold_days=3, target_share=Decimal("0.9"))
    ServiceTarget.objects.create(touchpoint=courier, threshold_days=2, target_share=Decimal("0.6"))
    ChannelCost.objects.create(channel="phone", default_cost=Decimal("150"))
    first = date(2025, 12, 1)
    n_case = n_tx = n_survey = 0
    for index in range(customers):
        acquired = first + timedelta(days=rng.randrange(0, 200))
        churned = at(acquired + timedelta(days=rng.randrange(20, 200))) if rng.random() < 0.3 else None
        who = Customer.objects.create(
            external_id=f"C{index}", acquired_at=at(acquired), acquired_month=acquired.replace(day=1),
            acquisition_cost=Decimal(rng.randrange(100, 900)), segment=rng.choice(["retail", "business"]),
            churned_at=churned,
        )  # fmt: skip
        for _ in range(rng.randrange(0, 6)):
            day = acquired + timedelta(days=rng.randrange(0, 200))
            if at(day) >= AS_OF:
                continue
            Transaction.objects.create(
                external_id=f"T{n_tx}", customer=who, occurred_at=at(day, 14), occurred_day=day,
                occurred_month=day.replace(day=1), amount=Decimal(rng.randrange(50, 3000)),
            )  # fmt: skip
            n_tx += 1
        for _ in range(rng.randrange(0, 8)):
            day = acquired + timedelta(days=rng.randrange(0, 200))
            if at(day) >= AS_OF:
                continue
            opened = at(day, 9)
            resolved = opened + timedelta(hours=rng.randrange(1, 24 * 12)) if rng.random() < 0.9 else None
            if resolved and resolved > AS_OF:
                resolved = None
            Interaction.objects.create(
                external_id=f"I{n_case}", customer=who, touchpoint=rng.choice([phone, chat, courier]),
                kind="complaint", opened_at=opened, opened_day=day, resolved_at=resolved,
                resolution_seconds=int((resolved - opened).total_seconds()) if resolved else None,
                cost=Decimal(rng.randrange(10, 200)) if rng.random() < 0.5 else None,
                csat=rng.choice([None, 1, 3, 4, 5]),
            )  # fmt: skip
            n_case += 1
        for _ in range(rng.randrange(0, 3)):
            day = acquired + timedelta(days=rng.randrange(0, 200))
            if at(day) >= AS_OF:
                continue
            SurveyResponse.objects.create(
                external_id=f"S{n_survey}", customer=who, touchpoint=rng.choice([phone, courier]),
                submitted_at=at(day, 18), submitted_day=day, nps=rng.randrange(0, 11), csat=rng.randrange(1, 6),
                ces=rng.randrange(1, 8),
            )  # fmt: skip
            n_survey += 1
    return {"phone": phone, "chat": chat, "courier": courier, "other": other}


@pytest.fixture
def world(department):
    made = build_world(department)
    Barrier.objects.create(
        title="Callbacks never come", type="service_failure", source="complaints", department=department,
        due_date=date(2026, 7, 1), status=Status.IN_PROGRESS,
    )  # fmt: skip
    runs.recompute(as_of=AS_OF)
    return made


def report_of(capsys, start: str, end: str, *extra) -> dict:
    call_command("metrics_report", "--json", "--start", start, "--end", end, *extra)
    return json.loads(capsys.readouterr().out)


def close(a, b, digits=2):
    return (a is None and b is None) or (a is not None and b is not None and round(a, digits) == round(b, digits))


@pytest.mark.parametrize(
    ("params", "start", "end"),
    [
        (JUNE, "2026-06-01", "2026-07-01"),
        ({"period": "quarter", "start": "2026-05"}, "2026-04-01", "2026-07-01"),
        ({"period": "custom", "start": "2026-02", "end": "2026-05"}, "2026-02-01", "2026-06-01"),
    ],
)
def test_dashboard_figures_are_the_reports(world, capsys, params, start, end):
    period = parse_period(params)
    assert (period.start.isoformat(), period.end.isoformat()) == (start, end)
    figures = executive_figures(period, today=date(2026, 7, 10))
    expected = report_of(capsys, start, end)
    cards = figures["cards"]
    value, overall = cards["value"], expected["customer_value"]["overall"]
    assert value.customers == overall["customers"] and overall["customers"] > 0
    for mine, theirs in [(value.clv, "CLV"), (value.r, "R"), (value.s, "S"), (value.a, "A"), (value.l, "L")]:
        assert close(mine, overall[theirs]), theirs
    assert close(value.churn_rate, overall["churn_rate"], 4)
    for name, segment in expected["customer_value"]["segments"].items():
        assert close(figures["value_segments"][name].clv, segment["CLV"])
    assert close(cards["repeat"].now, expected["repeat_purchase"]["rate"], 4)
    assert cards["repeat"].n == expected["repeat_purchase"]["buyers"]
    surveys = expected["surveys"]
    assert close(cards["nps"].now, surveys["nps"]["score"]) and cards["nps"].n == surveys["nps"]["n"]
    assert close(cards["csat"].now, surveys["csat"]["score"]) and cards["csat"].n == surveys["csat"]["n"]
    service = expected["service"]
    assert cards["target"].n == service["against_targets"]["eligible"]
    assert close(cards["target"].now, service["against_targets"]["share"], 4)
    for days in (1, 3, 5, 10):
        assert cards["thresholds"][days].n == service["service_level"][str(days)]["eligible"]
        assert close(cards["thresholds"][days].now, service["service_level"][str(days)]["share"], 4)
    assert cards["opened"].now == service["opened"]
    cohorts = {cohort.month.isoformat(): cohort for cohort in figures["cohorts"]}
    for cohort in expected["cohorts"]:
        mine = cohorts[cohort["month"]]
        assert mine.size == cohort["size"]
        assert [round(mine.retention(k), 4) for k in range(len(cohort["retention"]))] == cohort["retention"]
    # Per touchpoint: what the report gives for each one alone.
    for row in figures["touchpoints"]:
        alone = report_of(capsys, start, end, "--touchpoint", row.name)["service"]["against_targets"]
        assert (row.within, row.eligible) == (alone["within"], alone["eligible"])


def test_the_previous_period_is_the_one_before_of_the_same_length(world, capsys):
    figures = executive_figures(parse_period(JUNE), today=date(2026, 7, 10))
    may = report_of(capsys, "2026-05-01", "2026-06-01")
    assert close(figures["cards"]["clv"].before, may["customer_value"]["overall"]["CLV"])
    assert figures["cards"]["target"].n_before == may["service"]["against_targets"]["eligible"]
    assert parse_period({"period": "year", "start": "2026-03"}).previous == Period(
        "year", date(2025, 1, 1), date(2026, 1, 1)
    )


def test_segment_filter_gives_that_segments_customer_figures(world, capsys):
    figures = executive_figures(parse_period(JUNE), segment="business", today=date(2026, 7, 10))
    expected = report_of(capsys, "2026-06-01", "2026-07-01")["customer_value"]["segments"]["business"]
    assert close(figures["cards"]["clv"].now, expected["CLV"])
    assert figures["cards"]["value"].customers == expected["customers"]


def test_departments_and_touchpoints_worst_first_with_service_first_journeys(world):
    figures = executive_figures(parse_period({"period": "year", "start": "2026-01"}))
    gaps = [row.gap for row in figures["touchpoints"]]
    assert gaps == sorted(gaps) and {row.name for row in figures["touchpoints"]} == {"Complaint line", "Courier"}
    assert [row.name for row in figures["departments"]] == sorted(
        [row.name for row in figures["departments"]],
        key=lambda n: next(d.gap for d in figures["departments"] if d.name == n),
    )
    total = sum(row.eligible for row in figures["touchpoints"])
    assert sum(row.eligible for row in figures["departments"]) == total


def query_count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_dashboard_queries_do_not_grow_with_the_data(client, executive, department):
    build_world(department, customers=5, seed=1)
    runs.recompute(as_of=AS_OF)
    client.force_login(executive)
    urls = [
        reverse("metrics:dashboard") + "?period=quarter&start=2026-04",
        reverse("metrics:dashboard") + "?period=year&start=2026-01&segment=retail",
        reverse("metrics:department", args=[department.pk]) + "?period=quarter&start=2026-04",
    ]
    client.get(urls[0])  # the session is written once, on the first request
    before = [query_count(client, url) for url in urls]
    more = DepartmentFactory(name="More", slug="more")
    for n in range(3):
        touchpoint = TouchpointFactory(name=f"Extra {n}", department=more)
        ServiceTarget.objects.create(touchpoint=touchpoint, threshold_days=1 + n, target_share=Decimal("0.5"))
        TouchpointFactory(name=f"Ours {n}", department=department)
    for n in range(30):
        Customer.objects.create(
            external_id=f"X{n}", acquired_at=at(date(2026, 4, 1) + timedelta(days=n)),
            acquired_month=date(2026, 4, 1), segment=f"segment {n % 4}",
        )  # fmt: skip
    runs.recompute(as_of=AS_OF)
    assert [query_count(client, url) for url in urls] == before


def test_who_sees_which_dashboard(client, executive, head, department, other_department, cx_lead, no_role_user):
    url = reverse("metrics:dashboard")
    client.force_login(head)
    assert client.get(url).status_code == 403
    assert client.get(reverse("metrics:my_department")).url == reverse("metrics:department", args=[department.pk])
    assert client.get(reverse("metrics:department", args=[department.pk])).status_code == 200
    assert client.get(reverse("metrics:department", args=[other_department.pk])).status_code == 403
    client.force_login(no_role_user)
    assert client.get(reverse("metrics:my_department")).status_code == 403
    for reader in (executive, cx_lead):
        client.force_login(reader)
        assert client.get(url).status_code == 200
        assert client.get(reverse("metrics:department", args=[other_department.pk])).status_code == 200


def test_an_executive_dashboard_offers_no_edit_action(client, executive, world):
    client.force_login(executive)
    page = client.get(reverse("metrics:dashboard"), JUNE).content.decode()
    allowed = ('action="/i18n/setlang/"', 'action="/accounts/logout/"', 'action="/dashboard/report/"')  # no data
    posts = re.findall(r'<form method="post"[^>]*>|<form[^>]*method="post"[^>]*>', page)
    assert posts and all(any(a in form for a in allowed) for form in posts), posts
    assert "Complaint line" in page and 'data-testid="service-first"' in page


def test_empty_dashboard_says_so(client, executive):
    client.force_login(executive)
    page = client.get(reverse("metrics:dashboard")).content.decode()
    assert 'data-testid="dashboard-empty"' in page


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"period": "decade"}, "Unknown period"),
        ({"period": "month", "start": "2026-13"}, "is not a month"),
        ({"period": "custom", "start": "2026-05", "end": "2026-01"}, "ends before it starts"),
        ({"segment": "nobody"}, "There is no segment"),
    ],
)
def test_bad_periods_are_explained(client, executive, world, params, message):
    client.force_login(executive)
    response = client.get(reverse("metrics:dashboard"), params)
    assert response.status_code == 200 and message in response.content.decode()
    assert client.get(reverse("metrics:dashboard_csv", args=["headline"]), params).status_code == 400


def test_every_chart_has_its_csv(client, executive, world):
    client.force_login(executive)
    figures = executive_figures(parse_period(JUNE), today=date(2026, 7, 10))
    for chart in ("headline", "service-departments", "service-touchpoints", "value-segments", "value-months",
                  "cohorts", "loyalty", "surveys-journeys", "stakes"):  # fmt: skip
        response = client.get(reverse("metrics:dashboard_csv", args=[chart]), JUNE)
        assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert rows[0][:2] == ["period_start", "period_end"] and all(len(row) == len(rows[0]) for row in rows)
        assert all(row[:2] == ["2026-06-01", "2026-06-30"] for row in rows[1:])
        assert response["Content-Disposition"] == f'attachment; filename="cxhub-{chart}-2026-06.csv"'
        if chart == "headline":
            clv = next(row for row in rows if row[2] == "CLV")
            assert clv[3:5] == ["RUB", "all"]
            assert float(clv[5]) == pytest.approx(figures["cards"]["clv"].now, rel=1e-6)
        if chart == "service-touchpoints":
            assert {row[3] for row in rows[1:]} == {row.name for row in figures["touchpoints"]}
        if chart == "value-segments":
            assert rows[0][-1] == "CLV_RUB"
    assert client.get(reverse("metrics:dashboard_csv", args=["nothing"])).status_code == 404


def test_csvs_name_the_period_and_segment_and_their_rows_say_whom_they_cover(client, executive, world, settings):
    settings.CXHUB_CURRENCY = "EUR"
    client.force_login(executive)
    query = {"period": "quarter", "start": "2026-04", "segment": "business"}

    def download(chart):
        response = client.get(reverse("metrics:dashboard_csv", args=[chart]), query)
        assert response.status_code == 200
        return response["Content-Disposition"], list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))

    name, rows = download("cohorts")
    assert name == 'attachment; filename="cxhub-cohorts-2026-Q2-business.csv"'
    assert rows and {row["customers"] for row in rows} == {"business"}
    assert {(row["period_start"], row["period_end"]) for row in rows} == {("2026-04-01", "2026-06-30")}
    name, rows = download("headline")
    assert name.endswith('filename="cxhub-headline-2026-Q2-business.csv"')
    by_figure = {row["figure"]: row for row in rows}
    assert (by_figure["CLV"]["customers"], by_figure["CLV"]["unit"]) == ("business", "EUR")
    assert by_figure["service_level_against_targets"]["customers"] == "all"  # service rollups cover everyone
    # Service levels and value at stake are kept for every customer only: the file says so and its name
    # does not pretend to be the segment's.
    for chart in ("service-departments", "stakes"):
        name, rows = download(chart)
        assert name == f'attachment; filename="cxhub-{chart}-2026-Q2.csv"'
        assert {row["customers"] for row in rows} <= {"all"}
    client.get(reverse("metrics:dashboard_csv", args=["stakes"]), query)
    header = download("stakes")[1]
    assert header == [] or "value_EUR" in header[0]
    # A segment named in Cyrillic: the name goes in RFC 6266's filename*.
    from metrics.dashboards.charts import csv_response

    figures = executive_figures(parse_period(query), segment="business", today=date(2026, 7, 10))
    response = csv_response("value-months", {**figures, "segment": "Розница"})
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''cxhub-value-months-2026-Q2-%D0%A0%D0%BE%D0%B7%D0%BD%D0%B8%D1%86%D0%B0.csv"
    )


def _report(client, query) -> Export:
    """Ask for the PDF report the way the page does; the job runs eagerly here, in a worker elsewhere."""
    response = client.post(reverse("metrics:dashboard_pdf"), {"query": urlencode(query)})
    export = Export.objects.get(kind="dashboard_pdf")
    assert response.status_code == 302 and response.url == reverse("exports:status", args=[export.token])
    return export


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("tasks_in_process")
@pytest.mark.skipif(not chromium.available(), reason="PDF export needs Chromium")
def test_the_pdf_report_has_a_landscape_page_per_section_and_the_charts_as_images(client, executive, world):
    client.force_login(executive)
    export = _report(client, JUNE)
    export.refresh_from_db()
    assert export.state == Export.State.DONE, export.message
    response = client.get(reverse("exports:download", args=[export.token]))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="cxhub-dashboard-2026-06-month.pdf"'
    document = b"".join(response.streaming_content)
    assert document.startswith(b"%PDF-") and b"%%EOF" in document[-1024:]
    pages = re.findall(rb"/Type\s*/Page[^s]", document)
    assert len(pages) >= 7  # the cover (headline figures), service, value, cohorts, loyalty, surveys, stakes
    box = re.search(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)", document)
    assert box and float(box.group(1)) > float(box.group(2))  # landscape
    # Set in the app's own typeface, bundled (no serif fallback), the charts as vector drawings in it.
    fonts = set(re.findall(rb"/BaseFont\s*/[A-Z]{6}\+([A-Za-z-]+)", document))
    assert {b"Inter-Regular", b"Inter-SemiBold"} <= fonts and not any(b"Serif" in font for font in fonts)


def test_every_page_of_the_pdf_report_says_its_period_as_of_and_number(world, settings):
    """The page foot (CSS page margin boxes, which Chromium prints on every page), in both languages."""
    from django.template.loader import render_to_string
    from django.utils import translation

    from metrics.dashboards.views import dashboard_context

    with translation.override("ru"):
        context = dashboard_context(QueryDict("period=month&start=2026-06&segment=business"))
        html = render_to_string("metrics/dashboard_print.html", {**context, "print": True})
    foot = html.split("@page {", 1)[1].split("</style>", 1)[0]
    assert '@bottom-left { content: "CX Hub · С 01.06.2026 по 30.06.2026 · Сегмент «business»"; }' in foot
    assert 'content: "Страница " counter(page) " из " counter(pages);' in foot
    from metrics.figures.runs import last_run

    with translation.override("ru"):
        when = formats.date_format(timezone.localtime(last_run().as_of), "SHORT_DATETIME_FORMAT")
    assert f'@bottom-center {{ content: "сервис на {when}"; }}' in foot and when == "10.07.2026 09:00"
    cover = html.split('data-testid="pdf-cover"', 1)[1].split("</section>\n  ", 1)[0]
    assert 'data-testid="section-headline"' in cover and 'data-testid="section-service"' not in cover


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("tasks_in_process")
def test_without_chromium_the_pdf_says_what_is_missing(client, executive, world, settings):
    settings.CHROMIUM_PATH = "/nonexistent/chromium"
    client.force_login(executive)
    export = _report(client, JUNE)
    export.refresh_from_db()
    assert export.state == Export.State.FAILED and "Chromium" in export.message


def test_a_bad_period_is_refused_before_any_job_is_queued(client, executive, world):
    client.force_login(executive)
    response = client.post(reverse("metrics:dashboard_pdf"), {"query": "period=month&start=2026-13"})
    assert response.status_code == 400 and not Export.objects.exists()
    assert client.get(reverse("metrics:dashboard_pdf")).status_code == 405  # a report is asked for, not fetched


def test_department_dashboard_shows_only_its_touchpoints_and_barriers(client, head, department, world):
    client.force_login(head)
    response = client.get(reverse("metrics:department", args=[department.pk]), JUNE)
    page = response.content.decode()
    figures = response.context["figures"]
    assert {row.name for row in figures["current"]} == {"Complaint line"}  # Chat has no target; Courier is not ours
    assert [s.touchpoint.name for s in figures["series"]] == ["Chat", "Complaint line"]
    assert "Courier" not in page and "Callbacks never come" in page
    assert figures["counts"]["overdue"] == 1
    assert (
        sum(figures["opened"])
        == Interaction.objects.filter(
            touchpoint__department=department, opened_day__gte=date(2025, 7, 1), opened_day__lt=date(2026, 7, 1)
        ).count()
    )


def test_the_map_shows_scores_and_value_at_stake_per_step(client, cx_lead, world):
    from barriers.models import Barrier
    from journeys.models import Journey, Stage, Step
    from metrics.models import BarrierStake

    journey = Journey.objects.create(title="Complain about a charge")
    stage = Stage.objects.create(journey=journey, name="Complain", position=0)
    step = Step.objects.create(stage=stage, position=0, touchpoint=world["phone"], action="Calls the line")
    quiet = Step.objects.create(stage=stage, position=1, touchpoint=world["chat"], action="Writes in chat")
    barrier = Barrier.objects.get(title="Callbacks never come")
    barrier.steps.add(step)
    closed = Barrier.objects.create(
        title="Old one",
        type="service_failure",
        source="complaints",
        status=Status.VERIFIED,
        department=barrier.department,
    )
    closed.steps.add(step)
    for item, value in ((barrier, 2_000_000.0), (closed, 9e9)):
        BarrierStake.objects.update_or_create(
            barrier=item,
            defaults={"affected": 10, "value": value, "value_low": value / 2, "value_high": value * 2, "as_of": AS_OF},
        )
    client.force_login(cx_lead)
    page = client.get(reverse("journeys:journey_map", args=[journey.pk])).content.decode()
    # NPS at the complaint line in the months the last 90 days touch (April–July 2026), by hand:
    answers = SurveyResponse.objects.filter(
        touchpoint=world["phone"], submitted_day__gte=date(2026, 4, 1), nps__isnull=False
    )
    nps = 100 * (answers.filter(nps__gte=9).count() - answers.filter(nps__lte=6).count()) / answers.count()
    assert f"NPS <strong>{nps:.0f}</strong>" in page and f"n {answers.count()}</span>" in page
    ces = [a.ces for a in answers.exclude(ces__isnull=True)]  # the same answers carry a CES (1–7)
    assert f'CES <strong>{sum(ces) / len(ces):.1f}</strong> <span class="text-secondary">n {len(ces)}</span>' in page
    assert page.count('data-testid="step-stake"') == 1  # the closed barrier does not count
    assert "<strong>₽2M</strong>" in page  # in the company's currency
    assert f'id="step-{quiet.pk}"' in page


def test_trends_read_as_good_bad_or_flat():
    from metrics.dashboards.executive import Trend
    from metrics.templatetags.figures import points

    assert Trend(0.70, 0.60, 10, 10).direction == "good"
    assert Trend(0.30, 0.20, 10, 10, higher_is_better=False).direction == "bad"  # churn went up
    assert Trend(0.6000, 0.6004, 10, 10).direction == "flat" and points(-0.0004) == "±0.0 pp"
    assert Trend(None, 0.5, 0, 10).delta is None and Trend(None, 0.5, 0, 10).direction == "flat"


@pytest.mark.parametrize(
    ("trend", "kind", "arrow", "colour", "shown", "said"),
    [
        # Churn fell: the number went down (▼), which is good (green).
        (dict(now=0.124, before=0.200, higher_is_better=False), "share", "▼", "good", "−7.6 pp", "down 7.6 pp, better"),
        # Churn rose a little: up (▲) and bad (red).
        (dict(now=0.202, before=0.200, higher_is_better=False), "share", "▲", "bad", "+0.2 pp", "up 0.2 pp, worse"),
        (dict(now=0.62, before=0.70), "share", "▼", "bad", "−8.0 pp", "down 8.0 pp, worse"),
        (dict(now=726_000.0, before=614_000.0), "money", "▲", "good", "+₽112K", "up ₽112K, better"),
        (dict(now=21.0, before=21.0), "score", "■", "flat", "±0.0", "unchanged"),
    ],
)  # fmt: skip
def test_a_trend_arrow_shows_the_numbers_direction_and_its_colour_whether_that_is_good(
    trend, kind, arrow, colour, shown, said
):
    from django.template.loader import render_to_string
    from django.utils import translation

    from metrics.dashboards.executive import Trend

    with translation.override("en"):
        html = render_to_string("metrics/_trend.html", {"trend": Trend(n=50, n_before=40, **trend), "kind": kind})
    assert f"dash-trend-{colour}" in html
    assert f'<span aria-hidden="true">{arrow}&#xFE0E; {shown}</span>' in html
    assert f'<span class="visually-hidden">{said}</span>' in html


def test_trend_words_in_russian():
    from django.template.loader import render_to_string
    from django.utils import translation

    from metrics.dashboards.executive import Trend

    with translation.override("ru"):
        html = render_to_string(
            "metrics/_trend.html", {"trend": Trend(0.124, 0.2, 50, 40, higher_is_better=False), "kind": "share"}
        )
    assert "ниже на 7,6 п. п., лучше" in html


def test_the_period_form_offers_the_datas_periods_and_keeps_one_asked_for_outside_them(world):
    quarters = controls(parse_period({"period": "quarter", "start": "2026-05"}))
    assert quarters["value"] == "2026-04" and quarters["label"] == "Quarter"
    assert quarters["options"][0] == ("2026-04", "Q2 2026")  # the quarter of the last complete month first
    assert ("2025-10", "Q4 2025") in quarters["options"]  # the data start in December 2025
    old = controls(parse_period({"period": "year", "start": "2019-06"}))
    assert old["value"] == "2019-01" and ("2019-01", "2019") in old["options"]
    assert [value for value, _label in old["options"]] == sorted([v for v, _l in old["options"]], reverse=True)


def test_figures_on_too_few_cases_are_greyed_never_headlines_or_ranked(client, executive, world, settings):
    """The minimum sample is a setting (CXHUB_MIN_SAMPLE, 30 unless configured)."""
    client.force_login(executive)
    figures = executive_figures(parse_period(JUNE), today=date(2026, 7, 10))
    touchpoints = {row.name: row for row in figures["touchpoints"]}
    phone, courier = touchpoints["Complaint line"], touchpoints["Courier"]
    cards = figures["cards"]
    assert 0 < cards["nps"].n < 1000 and 0 < courier.eligible < phone.eligible
    # A minimum between the two touchpoints' samples: the smaller one drops out of the ranking.
    settings.CXHUB_MIN_SAMPLE = courier.eligible + 1
    figures = executive_figures(parse_period(JUNE), today=date(2026, 7, 10))
    names = [row.name for row in figures["touchpoints"]]
    assert names[-1] == "Courier" and figures["touchpoints"][-1].too_few
    assert not figures["touchpoints"][-1].below_target  # never flagged "Service first" on so little
    chart = client.get(reverse("metrics:dashboard"), JUNE).context["chart"]
    assert [row["too_few"] for row in chart["touchpoints"] if row["name"] == "Courier"] == [True]

    # Above every sample: each headline figure is greyed with its n, no arrow compares it.
    settings.CXHUB_MIN_SAMPLE = 100_000
    page = client.get(reverse("metrics:dashboard"), JUNE).content.decode()
    headline = page.split('data-testid="section-headline"')[1].split("</section>")[0]
    assert 'data-testid="card-nps">' in headline and 'h1 mb-0 too-few" data-testid="card-nps"' in headline
    assert f"too few answers (n = {cards['nps'].n})" in headline
    assert f"too few customers (n = {cards['clv'].n})" in headline
    assert 'data-testid="trend"' not in headline
    assert "Service first</span>" not in page and "No touchpoint had at least 100000 cases to judge" in page
    # And at 1 nothing is too few.
    settings.CXHUB_MIN_SAMPLE = 1
    page = client.get(reverse("metrics:dashboard"), JUNE).content.decode()
    assert 'data-testid="too-few"' not in page and 'data-testid="trend"' in page


def test_the_loyalty_link_on_few_customers_is_greyed_and_not_charted(client, executive, world, settings):
    from metrics.models import LoyaltyLink

    LoyaltyLink.objects.all().delete()
    LoyaltyLink.objects.bulk_create([
        LoyaltyLink(touchpoint=world["phone"], threshold_days=3, follow_days=365, breached_n=2, breached_retained=1,
                    clean_n=7, clean_retained=6, as_of=AS_OF),
        LoyaltyLink(touchpoint=world["courier"], threshold_days=2, follow_days=365, breached_n=40, breached_retained=30,
                    clean_n=90, clean_retained=85, as_of=AS_OF),
    ])  # fmt: skip
    client.force_login(executive)
    response = client.get(reverse("metrics:dashboard"), JUNE)
    assert [row["name"] for row in response.context["chart"]["loyalty"]] == ["Courier"]
    rows = [tp.name for tp, _row, _link in response.context["figures"]["loyalty"]]
    assert rows == ["Courier", "Complaint line"]  # the ranked one first, whatever the uplift
    page = response.content.decode()
    assert 'data-testid="loyalty-too-few"' in page and "too few customers (n = 2)" in page


def test_ces_and_nps_per_journey_where_nps_and_csat_are_shown(client, executive, world, settings, capsys):
    from journeys.models import Journey

    opening = Journey.objects.create(title="Open an account")
    dispute = Journey.objects.create(title="Dispute a payment")
    # By hand, in June: 4 answers on "Open an account" (NPS: 2 promoters, 1 detractor → 25; CSAT 3 of 4
    # good → 75 %; CES (2 + 3 + 1 + 6) / 4 = 3.0), 1 on "Dispute a payment", one in July (outside).
    answers = [(opening, 10, 5, 2), (opening, 9, 4, 3), (opening, 3, 2, 1), (opening, 7, 4, 6), (dispute, 0, 1, 7)]
    for n, (journey, nps, csat, ces) in enumerate(answers):
        SurveyResponse.objects.create(
            external_id=f"J{n}", journey=journey, submitted_at=at(date(2026, 6, 10 + n), 12),
            submitted_day=date(2026, 6, 10 + n), nps=nps, csat=csat, ces=ces,
        )  # fmt: skip
    SurveyResponse.objects.create(
        external_id="J-july", journey=opening, submitted_at=at(date(2026, 7, 2), 12), submitted_day=date(2026, 7, 2),
        nps=0,
    )  # fmt: skip
    settings.CXHUB_MIN_SAMPLE = 3
    figures = executive_figures(parse_period(JUNE), today=date(2026, 7, 10))
    rows = {row.title: row.scores for row in figures["journey_surveys"]}
    assert (rows["Open an account"].nps, rows["Open an account"].csat, rows["Open an account"].ces) == (25, 75, 3.0)
    assert rows["Dispute a payment"].nps_n == 1
    assert [row.title for row in figures["journey_surveys"]] == ["Open an account", "Dispute a payment"]
    # CES overall, as metrics_report gives it for June (the journey answers are in it too: recompute first).
    runs.recompute(as_of=AS_OF)
    figures = executive_figures(parse_period(JUNE), today=date(2026, 7, 10))
    expected = report_of(capsys, "2026-06-01", "2026-07-01")["surveys"]["ces"]
    assert close(figures["cards"]["ces"].now, expected["score"]) and figures["cards"]["ces"].n == expected["n"]
    assert not figures["cards"]["ces"].higher_is_better

    client.force_login(executive)
    page = client.get(reverse("metrics:dashboard"), JUNE).content.decode()
    assert 'data-testid="card-ces"' in page
    table = page.split('data-testid="journey-surveys"')[1].split("</table>")[0]
    assert "Open an account" in table and ">25</span>" in table and ">75 %</span>" in table and ">3.0</span>" in table
    assert "too few answers (n = 1)" in table  # "Dispute a payment": greyed, last
    response = client.get(reverse("metrics:dashboard_csv", args=["surveys-journeys"]), JUNE)
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [(r["journey"], r["NPS"], r["nps_n"], r["too_few"]) for r in rows] == [
        ("Open an account", "25.0", "4", "False"),
        ("Dispute a payment", "-100.0", "1", "True"),
    ]
