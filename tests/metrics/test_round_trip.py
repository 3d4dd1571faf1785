"""Import → export → import: the export is a file the importer reads back to exactly the same rows.

Hypothesis builds random but valid operational data (odd ids with quotes, separators and Cyrillic;
moments with and without offsets, some with fractions of a second; optional cells left empty;
comments over several lines), writes it as CSV in either flavour (comma, or semicolon with decimal
commas), imports it, and checks that:
- what was stored is what was written (the moments as instants, decimals to the cent);
- re-importing the export on top changes nothing (every row unchanged);
- importing the export into empty tables stores the same rows, and exporting again gives the same file.
"""

import csv
import io
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from journeys.services import journey_create
from metrics.ingest import exports
from metrics.models import Customer, DataImport, Interaction, SurveyResponse, Transaction
from metrics.services import import_start
from tests.factories import TouchpointFactory

pytestmark = pytest.mark.django_db

KIND_ORDER = ["customers", "interactions", "transactions", "survey_responses"]
MODELS = {
    "customers": Customer,
    "interactions": Interaction,
    "transactions": Transaction,
    "survey_responses": SurveyResponse,
}
TOUCHPOINTS = [("Колл-центр — жалобы", "cc-complaints"), ("Delivery, courier", "delivery"), ('Shop "Arbat"', "shop-1")]
JOURNEYS = ["Open an account", "Получить карту"]
MOSCOW = ZoneInfo("Europe/Moscow")  # the configured zone (settings.TIME_ZONE)


def _stripped(text: str) -> bool:
    return bool(text) and text == text.strip()


ids = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"), include_characters="\",;'"),
    min_size=1,
    max_size=20,
).filter(_stripped)
plain_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"), include_characters=',;"'), max_size=30
).map(str.strip)
moments = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 12, 31))
offsets = st.sampled_from(
    [None, timedelta(0), timedelta(hours=3), timedelta(hours=-5, minutes=-30), timedelta(hours=14)]
)  # None: no offset in the file
money = st.decimals(min_value=0, max_value=Decimal("999999999.99"), places=2, allow_nan=False, allow_infinity=False)
durations = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=60))


def _with_seconds(moment: datetime, keep_fraction: bool) -> datetime:
    return moment if keep_fraction else moment.replace(microsecond=0)


@st.composite
def moment_cells(draw, after: datetime | None = None):
    """(the instant, its text in the file): naive text means the configured zone (Europe/Moscow)."""
    keep_fraction = draw(st.booleans())
    offset = draw(offsets)
    zone = MOSCOW if offset is None else timezone(offset)
    if after is None:
        instant = _with_seconds(draw(moments), keep_fraction).replace(tzinfo=zone)
    else:
        instant = after + draw(durations)
        if not keep_fraction and instant.microsecond:  # up to the next whole second: never before `after`
            instant = instant.replace(microsecond=0) + timedelta(seconds=1)
    local = instant.astimezone(zone)
    if offset is None:
        return instant, local.replace(tzinfo=None).isoformat()
    return instant, local.isoformat().replace("+00:00", draw(st.sampled_from(["+00:00", "Z"])))


@st.composite
def datasets(draw):
    customer_ids = draw(st.lists(ids, min_size=1, max_size=6, unique_by=str.lower))
    customers = []
    for customer_id in customer_ids:
        acquired, acquired_text = draw(moment_cells())
        churned = draw(st.one_of(st.none(), moment_cells(after=acquired)))
        customers.append(
            {
                "customer_id": customer_id,
                "acquired_at": (acquired, acquired_text),
                "acquisition_cost": draw(st.one_of(st.none(), money)),
                "segment": draw(plain_text.map(lambda s: s[:60])),
                "churned_at": churned,
            }
        )
    interactions = []
    for interaction_id in draw(st.lists(ids, max_size=8, unique=True)):
        opened, opened_text = draw(moment_cells())
        later = st.one_of(st.none(), durations.map(opened.__add__))
        interactions.append(
            {
                "interaction_id": interaction_id,
                "customer_id": draw(st.sampled_from(customer_ids)),
                "touchpoint": draw(st.sampled_from([name for name, _c in TOUCHPOINTS] + [c for _n, c in TOUCHPOINTS])),
                "kind": draw(plain_text.map(lambda s: s[:40])),
                "opened_at": (opened, opened_text),
                "first_response_at": draw(later),
                "resolved_at": draw(later),
                "cost": draw(st.one_of(st.none(), money)),
                "csat": draw(st.one_of(st.none(), st.integers(1, 5))),
            }
        )
    transactions = [
        {
            "transaction_id": transaction_id,
            "customer_id": draw(st.sampled_from(customer_ids)),
            "occurred_at": draw(moment_cells()),
            "amount": draw(money),
        }
        for transaction_id in draw(st.lists(ids, max_size=5, unique=True))
    ]
    answers = []
    for response_id in draw(st.lists(ids, max_size=5, unique=True)):
        scores = draw(
            st.tuples(st.one_of(st.none(), st.integers(0, 10)), st.one_of(st.none(), st.integers(1, 5)),
                      st.one_of(st.none(), st.integers(1, 7))).filter(lambda t: t != (None, None, None))
        )  # fmt: skip
        answers.append(
            {
                "response_id": response_id,
                "customer_id": draw(st.one_of(st.none(), st.sampled_from(customer_ids))),
                "touchpoint": draw(st.one_of(st.none(), st.sampled_from([c for _n, c in TOUCHPOINTS]))),
                "journey": draw(st.one_of(st.none(), st.sampled_from(JOURNEYS))),
                "submitted_at": draw(moment_cells()),
                "nps": scores[0],
                "csat": scores[1],
                "ces": scores[2],
                "comment": draw(st.lists(plain_text, max_size=3).map(lambda lines: "\n".join(lines).strip())),
            }
        )
    semicolons = draw(st.booleans())
    return {"customers": customers, "interactions": interactions, "transactions": transactions,
            "survey_responses": answers}, semicolons  # fmt: skip


def _text(value, semicolons: bool) -> str:
    if value is None:
        return ""
    if isinstance(value, tuple):  # (instant, text as written)
        return value[1]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:f}".replace(".", ",") if semicolons else f"{value:f}"
    return str(value)


def _file(kind: str, rows: list[dict], semicolons: bool) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if semicolons else ",")
    writer.writerow(exports.SOURCES[kind][1])
    for row in rows:
        writer.writerow([_text(row[column], semicolons) for column in exports.SOURCES[kind][1]])
    return out.getvalue().encode("utf-8")


def _import(kind: str, raw: bytes) -> DataImport:
    result = import_start(
        kind=kind, source=io.BytesIO(raw), file_name=f"{kind}.csv", actor=None, via=DataImport.Via.CLI, background=False
    )
    assert (result.status, result.error_count, result.problems) == ("succeeded", 0, []), result.message_text
    return result


def _stored(kind: str) -> list[tuple]:
    """Every stored field but the primary key, references by their own external ids and names."""
    model = MODELS[kind]
    fields = [f.name for f in model._meta.concrete_fields if f.name != "id"]
    expand = {"customer": "customer__external_id", "touchpoint": "touchpoint__name", "journey": "journey__title"}
    return sorted(model.objects.values_list(*(expand.get(f, f) for f in fields)), key=repr)


def _export(kind: str) -> str:
    return "".join(exports.csv_lines(kind))


def _clear() -> None:
    for kind in reversed(KIND_ORDER):
        MODELS[kind].objects.all().delete()


@pytest.fixture
def catalogue(department, cx_lead):
    for name, code in TOUCHPOINTS:
        TouchpointFactory(name=name, code=code, department=department)
    for title in JOURNEYS:
        journey_create(title=title, actor=cx_lead)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=datasets())
def test_import_export_import_is_the_identity(catalogue, data):
    rows, semicolons = data
    _clear()
    present = [kind for kind in KIND_ORDER if rows[kind]]  # a file with a header and no rows is refused
    for kind in present:
        _import(kind, _file(kind, rows[kind], semicolons))

    # What was stored is what was written.
    for row in rows["customers"]:
        stored = Customer.objects.get(external_id=row["customer_id"])
        assert stored.acquired_at == row["acquired_at"][0]
        assert stored.churned_at == (row["churned_at"][0] if row["churned_at"] else None)
        assert stored.acquisition_cost == (row["acquisition_cost"] or 0)
    for row in rows["interactions"]:
        stored = Interaction.objects.get(external_id=row["interaction_id"])
        assert (stored.opened_at, stored.resolved_at, stored.cost) == (
            row["opened_at"][0], row["resolved_at"], row["cost"]
        )  # fmt: skip

    exported = {kind: _export(kind) for kind in KIND_ORDER}
    before = {kind: _stored(kind) for kind in KIND_ORDER}
    for kind in KIND_ORDER:
        assert len(list(csv.reader(io.StringIO(exported[kind])))) == len(rows[kind]) + 1

    # The export on top of the same data: every row unchanged.
    for kind in present:
        again = _import(kind, exported[kind].encode("utf-8"))
        assert (again.rows_created, again.rows_updated, again.rows_unchanged) == (0, 0, len(rows[kind]))

    # The export into empty tables: the same rows, and the same file when exported again.
    _clear()
    for kind in present:
        _import(kind, exported[kind].encode("utf-8"))
    assert {kind: _stored(kind) for kind in KIND_ORDER} == before
    assert {kind: _export(kind) for kind in KIND_ORDER} == exported


def test_export_writes_the_import_columns_and_formats(catalogue, tmp_path):
    _import("customers", b"customer_id,acquired_at,acquisition_cost,segment,churned_at\nC1,2025-01-15,120.5,retail,\n")
    _import(
        "interactions",
        b"interaction_id,customer_id,touchpoint,kind,opened_at,first_response_at,resolved_at,cost,csat\n"
        b"I1,C1,cc-complaints,complaint,2025-06-01T09:00:00Z,,2025-06-04T09:00,12.5,4\n",
    )
    assert _export("interactions") == (
        "\ufeffinteraction_id,customer_id,touchpoint,kind,opened_at,first_response_at,resolved_at,cost,csat\r\n"
        "I1,C1,Колл-центр — жалобы,complaint,2025-06-01T12:00:00+03:00,,2025-06-04T09:00:00+03:00,12.50,4\r\n"
    )
    path = tmp_path / "customers.csv"
    call_command("export_data", "customers", str(path), stderr=io.StringIO())
    assert path.read_text(encoding="utf-8-sig").splitlines() == [
        "customer_id,acquired_at,acquisition_cost,segment,churned_at",
        "C1,2025-01-15T00:00:00+03:00,120.50,retail,",
    ]
    out = io.StringIO()
    call_command("export_data", "transactions", stdout=out)
    assert out.getvalue() == "transaction_id,customer_id,occurred_at,amount\r\n"  # header only: no rows yet


def test_an_ambiguous_journey_title_is_an_error_not_a_guess(catalogue, cx_lead):
    journey_create(title="open an account", actor=cx_lead)  # the same title as another journey, in any case
    result = import_start(
        kind="survey_responses",
        source=io.BytesIO(b"response_id,customer_id,touchpoint,journey,submitted_at,nps,csat,ces,comment\n"
                          b"S1,,,Open an account,2025-07-03,9,,,\n"),
        file_name="answers.csv", actor=None, via=DataImport.Via.CLI, background=False,
    )  # fmt: skip
    assert result.status == "failed"
    assert result.problems == [
        {
            "row": 2,
            "column": "journey",
            "message": "“Open an account” is the title of several journeys; give them different titles",
        }
    ]


def test_export_pages_and_api_need_the_data_permission(client, cx_lead, executive, catalogue):
    _import("customers", b"customer_id,acquired_at,acquisition_cost,segment,churned_at\nC1,2025-01-15,1,retail,\n")
    client.force_login(executive)
    assert client.get("/data/exports/customers.csv").status_code == 403
    assert client.get("/api/v1/imports/export/customers/").status_code == 403
    client.force_login(cx_lead)
    page = client.get("/data/exports/customers.csv")
    assert page.status_code == 200 and page["Content-Disposition"].startswith('attachment; filename="cxhub-customers-')
    lines = b"".join(page.streaming_content).decode("utf-8").splitlines()
    assert lines[1] == "C1,2025-01-15T00:00:00+03:00,1.00,retail,"
    assert client.get("/data/exports/nothing.csv").status_code == 404
    api = client.get("/api/v1/imports/export/customers/")
    assert api.status_code == 200 and api["Content-Type"] == "text/csv; charset=utf-8"
    assert b"C1," in b"".join(api.streaming_content)
    assert client.get("/api/v1/imports/export/nothing/").status_code == 404
