"""Property: for survey answers, transactions and customers too, PostgreSQL's shortcut and the
row-by-row checker end the same way — the same status, the same stored rows, the same report.
Their references are optional (answers) or required (transactions), and some of their rules are
stated by no constraint (an answer needs a score, a customer cannot churn before it came), so the
shortcut sifts those rows out before it merges."""

import io

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from journeys.models import Journey
from metrics.ingest import fast, pipeline
from metrics.models import Customer, SurveyResponse, Transaction
from metrics.services import import_start
from tests.metrics.test_fast_import import catalogue  # noqa: F401 (two touchpoints, customers C1 and C2)
from tests.metrics.test_fast_import_property import _recording

pytestmark = [pytest.mark.django_db]

# For each kind: cells both checks take (some padded or quoted), and cells one of them refuses or
# only the checker is sure about.
KINDS = {
    "survey_responses": {
        "model": SurveyResponse,
        "id": "response_id",
        "clean": {
            "customer_id": ["", "C1", " C2", '"C1"'],
            "touchpoint": ["", "cc-complaints", "Web form", '" web-form "'],
            "journey": ["", "Open an account", "OPEN AN ACCOUNT"],
            "submitted_at": ["2026-03-01", "2026-03-01T10:00:00+03:00", '"2026-03-02T23:30"'],
            "nps": ["", "0", "9", "10"],
            "csat": ["", "1", "5"],
            "ces": ["3", "7"],
            "comment": ["", "fine", '"slow, but kind"', "долго ждал", '"she said ""wait"""'],
        },
        "odd": {
            "response_id": ["", "R" * 65, " R9", "R1"],
            "customer_id": ["C404", "C" * 65],
            "touchpoint": ["nope"],
            "journey": ["Renew", "Unknown journey"],  # two journeys share "Renew"
            "submitted_at": ["2026-03-01T24:00", "2026-02-30", "", "0000-01-01"],
            "nps": ["11", "4.0", " 7", "-1", "1e1", "1e999999999", "Infinity"],
            "csat": ["6", "0"],
            "ces": ["", "8"],  # "" with no other score: an answer needs one
            "comment": ["x" * 5001, '"two\nlines"', '"open', "nul\x00", '"a"b'],
        },
        "fields": ["external_id", "customer_id", "touchpoint_id", "journey_id", "submitted_at", "submitted_day", "nps",
                   "csat", "ces", "comment"],
    },
    "transactions": {
        "model": Transaction,
        "id": "transaction_id",
        "clean": {
            "customer_id": ["C1", " C2", '"C1"'],
            "occurred_at": ["2026-03-01", "2026-03-01T10:00:00Z", "2026-03-31T23:30"],
            "amount": ["0", "12.5", "1000", '"99.99"'],
        },
        "odd": {
            "transaction_id": ["", "T" * 65, "T1"],
            "customer_id": ["", "C404"],
            "occurred_at": ["2026-13-01", "", "2026-03-01T10:00:00.1234"],
            "amount": ["", "-1", "1.005", "1,5", "1e3", "sNaN", "-1e999999999"],
        },
        "fields": ["external_id", "customer_id", "occurred_at", "occurred_day", "occurred_month", "amount"],
    },
    "customers": {
        "model": Customer,
        "id": "customer_id",
        "clean": {
            "acquired_at": ["2025-01-01", "2025-06-30T22:00:00+00:00"],
            "acquisition_cost": ["", "0", "150.25"],
            "segment": ["", "retail", " sme ", '"b2b, large"'],
            "churned_at": ["", "2026-01-01"],
        },
        "odd": {
            "customer_id": ["", "K" * 65, "K1"],
            "acquired_at": ["", "2025-02-29", "2026-02-01"],  # …, after the churn date
            "acquisition_cost": ["-5", "abc", "1.999"],
            "segment": ["s" * 61],
            "churned_at": ["2024-01-01", "soon"],
        },
        "fields": ["external_id", "acquired_at", "acquired_month", "acquisition_cost", "segment", "churned_at"],
    },
}  # fmt: skip


@pytest.fixture
def references(catalogue):  # noqa: F811 (the imported fixture)
    """The interactions tests' touchpoints and customers, and journeys (two share a title)."""
    Journey.objects.create(title="Open an account")
    Journey.objects.create(title="Renew")
    Journey.objects.create(title="renew")


@st.composite
def files(draw, kind: str) -> str:
    spec = KINDS[kind]
    columns = [spec["id"], *spec["clean"]]
    lines = []
    for index in range(draw(st.integers(min_value=0, max_value=4))):
        row = {spec["id"]: f"{spec['id'][0].upper()}{index + 10}"}
        row |= {column: draw(st.sampled_from(cells)) for column, cells in spec["clean"].items()}
        odd = draw(st.none() | st.sampled_from(list(spec["odd"])))
        if odd:
            row[odd] = draw(st.sampled_from(spec["odd"][odd]))
        lines.append(",".join(row[column] for column in columns))
    return ",".join(columns) + "\n" + "\n".join(lines) + ("\n" if draw(st.booleans()) else "")


def outcome(kind: str, content: str, valid_rows_only: bool) -> tuple:
    spec = KINDS[kind]
    model = spec["model"]
    kept = ["C1", "C2"] if model is Customer else []
    model.objects.exclude(external_id__in=kept).delete()
    result = import_start(
        kind=kind,
        source=io.BytesIO(content.encode()),
        file_name="f.csv",
        actor=None,
        background=False,
        valid_rows_only=valid_rows_only,
    )
    stored = list(model.objects.order_by("external_id").values_list(*spec["fields"]))
    errors = [(e["row"], e["column"], e["message"]) for e in result.problems]
    return (
        result.status, result.rows_total, result.rows_created, result.rows_updated, result.rows_skipped,
        result.error_count, errors, result.message_text, stored,
    )  # fmt: skip


@pytest.mark.usefixtures("references")
@pytest.mark.parametrize("kind", list(KINDS))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), valid_rows_only=st.booleans())
def test_the_shortcut_ends_as_the_row_checker_does(monkeypatch, kind, data, valid_rows_only):
    content = data.draw(files(kind))
    taken: list[str] = []
    monkeypatch.setattr(pipeline, "_shortcut", _recording(pipeline._shortcut, taken))
    with_shortcut = outcome(kind, content, valid_rows_only)
    event(f"the shortcut: {taken[-1]}")
    monkeypatch.setattr(fast, "applies", lambda data_import: False)
    row_by_row = outcome(kind, content, valid_rows_only)
    monkeypatch.undo()
    assert with_shortcut == row_by_row


@pytest.mark.usefixtures("references")
def test_a_clean_answers_file_takes_the_shortcut(monkeypatch):
    taken: list[str] = []
    monkeypatch.setattr(pipeline, "_shortcut", _recording(pipeline._shortcut, taken))
    content = (
        "response_id,customer_id,touchpoint,journey,submitted_at,nps,csat,ces,comment\n"
        'R1,C1,cc-complaints,Open an account,2026-03-01T10:00,9,5,2,"quick, polite"\n'
        "R2,,,,2026-03-02,,,6,\n"
    )
    result = import_start(
        kind="survey_responses", source=io.BytesIO(content.encode()), file_name="a.csv", actor=None, background=False
    )
    assert taken == ["merged"] and result.status == "succeeded" and result.rows_created == 2
    first = SurveyResponse.objects.get(external_id="R1")
    assert (first.nps, first.comment, first.journey.title, first.customer.external_id) == (
        9, "quick, polite", "Open an account", "C1",
    )  # fmt: skip
    assert result.touched_days == ["2026-03-01", "2026-03-02"]


@pytest.mark.usefixtures("references")
@pytest.mark.parametrize("valid_rows_only", [False, True])
def test_an_id_given_twice_behind_a_row_the_table_refuses_is_reported_too(monkeypatch, valid_rows_only):
    """Found by the property above: the long id made the merge fail first, and the shortcut refused
    the file naming that row alone; the checker names the twice-given id as well."""
    content = (
        "transaction_id,customer_id,occurred_at,amount\n"
        f"{'T' * 65},C1,2026-03-01,0\nT1,C1,2026-03-01,0\nT1,C1,2026-03-01,0\n"
    )
    with_shortcut = outcome("transactions", content, valid_rows_only)
    monkeypatch.setattr(fast, "applies", lambda data_import: False)
    assert with_shortcut == outcome("transactions", content, valid_rows_only)
    assert with_shortcut[5] == 2  # both problems
