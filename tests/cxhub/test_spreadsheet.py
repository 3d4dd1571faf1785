"""CSV exports are safe to open in a spreadsheet: a text cell that starts like a formula is written
with an apostrophe before it (OWASP), on every CSV the app serves, and the imports take it off, so an
export imports back to the same values."""

import csv
import io

import pytest
from django.urls import reverse

from cxhub.lib.spreadsheet import safe, unescaped
from metrics.dashboards.charts import csv_text
from metrics.models import Customer, DataImport, SurveyResponse
from metrics.services import import_start

FORMULAS = ['=HYPERLINK("http://x","y")', "+1 great", "-2 stars", "@SUM(A1)", "\tlead", "\rback", "'=already"]


@pytest.mark.parametrize("text", [*FORMULAS, "plain", "", "'quoted", "1-2", "a=b"])
def test_a_written_cell_imports_back_as_it_was(text):
    assert unescaped(safe(text)) == text
    written = safe(text)
    assert not written.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert safe(-5) == -5  # numbers are written as numbers


def _rows(response) -> list[list[str]]:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(content.decode("utf-8").lstrip("\ufeff"))))


@pytest.fixture
def imported(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    lines = [f"C{n},2025-01-15,1,{segment}," for n, segment in enumerate(["=cmd|' /C calc'!A0", "@risk", "plain"])]
    customers = "customer_id,acquired_at,acquisition_cost,segment,churned_at\n" + "\n".join(
        line if "'" not in line else line.replace("=cmd|' /C calc'!A0", "\"=cmd|' /C calc'!A0\"") for line in lines
    )
    for kind, content in [
        ("customers", customers + "\n"),
        (
            "survey_responses",
            "response_id,customer_id,touchpoint,journey,submitted_at,nps,csat,ces,comment\n"
            "S1,C0,,,2025-07-03,9,,,+1 would recommend\nS2,,,,2025-07-03,,4,,-not bad\n",
        ),
    ]:
        result = import_start(
            kind=kind, source=io.BytesIO(content.encode()), file_name=f"{kind}.csv", actor=None,
            via=DataImport.Via.CLI, background=False,
        )  # fmt: skip
        assert result.status == "succeeded", result.problems


@pytest.mark.django_db
@pytest.mark.usefixtures("imported")
def test_data_exports_escape_formulas_and_import_back_to_the_same_values(client, cx_lead):
    client.force_login(cx_lead)
    stored = list(Customer.objects.order_by("external_id").values_list("segment", flat=True))
    assert stored == ["=cmd|' /C calc'!A0", "@risk", "plain"]
    page = _rows(client.get("/data/exports/customers.csv"))
    api = _rows(client.get("/api/v1/imports/export/customers/"))
    assert page == api
    assert [row[3] for row in page[1:]] == ["'=cmd|' /C calc'!A0", "'@risk", "plain"]
    answers = _rows(client.get("/data/exports/survey_responses.csv"))
    assert [row[-1] for row in answers[1:]] == ["'+1 would recommend", "'-not bad"]

    exported = b"".join(client.get("/data/exports/customers.csv").streaming_content)
    SurveyResponse.objects.all().delete()
    Customer.objects.all().delete()
    again = import_start(
        kind="customers", source=io.BytesIO(exported), file_name="again.csv", actor=None, via=DataImport.Via.CLI,
        background=False,
    )  # fmt: skip
    assert again.status == "succeeded", again.problems
    assert list(Customer.objects.order_by("external_id").values_list("segment", flat=True)) == stored


@pytest.mark.django_db
def test_the_journey_csv_escapes_formulas(client, cx_lead):
    from journeys.services import journey_create, stage_add, step_add

    journey = journey_create(title="=1+1", actor=cx_lead)
    stage = stage_add(journey_id=journey.pk, name="@stage", actor=cx_lead)
    step_add(stage_id=stage.pk, action='=HYPERLINK("http://evil")', actor=cx_lead)
    client.force_login(cx_lead)
    response = client.get(reverse("journeys:journey_export", args=[journey.pk, "csv"]))
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8").lstrip("\ufeff"))))
    assert rows[0]["stage"] == "'@stage" and rows[0]["customer_action"] == '\'=HYPERLINK("http://evil")'


def test_dashboard_csvs_escape_formulas():
    from types import SimpleNamespace

    value = SimpleNamespace(
        customers=3, exposure_years=1.5, r=1.0, s=0.5, a=0.2, l=2.0, lifetime_capped=2.0, churn_rate=0.1, clv=-4.0
    )

    from datetime import date

    from metrics.dashboards.periods import Period

    period = Period("month", date(2026, 6, 1), date(2026, 7, 1))
    figures = {"value_segments": {"=evil()": value, "retail": value}, "period": period, "segment": ""}
    text = csv_text("value-segments", figures)
    rows = list(csv.reader(io.StringIO(text)))
    assert [row[2] for row in rows[1:]] == ["'=evil()", "retail"]
    assert rows[1][-1] == "-4.0"  # a negative number stays a number
