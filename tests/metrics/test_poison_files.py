"""Files that once stalled a worker or ended in "unexpected error": each now gets its file, row,
column and reason, quickly, on the shortcut and on the row checker alike; a file that keeps killing
its worker is failed after three tries instead of being handed from worker to worker for ever."""

import io
import signal
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from metrics.ingest import fast, pipeline, sweeper
from metrics.ingest.parsing import CellError, decimal, whole
from metrics.models import Customer, DataImport, Interaction, StagedCustomer
from metrics.services import import_start
from tests.metrics.test_fast_import import catalogue  # noqa: F401 (two touchpoints, customers C1 and C2)

pytestmark = [pytest.mark.django_db]

INTERACTIONS = "interaction_id,customer_id,touchpoint,kind,opened_at,first_response_at,resolved_at,cost,csat\n"
ANSWERS = "response_id,customer_id,touchpoint,journey,submitted_at,nps,csat,ces,comment\n"
HUGE = ["1e999999999", "-1e999999999", "1E+999999999", "Infinity", "-inf", "sNaN", "NaN", "9" * 5000]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def deadline():
    """Each test must end within 30 s: a parser doing unbounded work fails here instead of hanging."""

    def too_long(signum, frame):
        raise TimeoutError("the import took longer than 30 s")

    previous = signal.signal(signal.SIGALRM, too_long)
    signal.alarm(30)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def run(kind: str, content: str | bytes, *, name: str = "f.csv", valid_rows_only: bool = False) -> DataImport:
    raw = content.encode() if isinstance(content, str) else content
    return import_start(
        kind=kind, source=io.BytesIO(raw), file_name=name, actor=None, background=False,
        valid_rows_only=valid_rows_only,
    )  # fmt: skip


@pytest.fixture(params=["shortcut", "row checker"])
def path(request, monkeypatch):
    if request.param == "row checker":
        monkeypatch.setattr(fast, "applies", lambda data_import: False)
    return request.param


@pytest.mark.parametrize("value", HUGE)
def test_numbers_take_bounded_work_whatever_their_size(value):
    started = time.perf_counter()
    with pytest.raises(CellError):
        whole(value, low=0, high=10)
    with pytest.raises(CellError):
        decimal(value, comma=False)
    assert time.perf_counter() - started < 0.1


@pytest.mark.usefixtures("catalogue")
def test_huge_scores_and_amounts_are_errors_on_their_cells(path):
    lines = [f"R{n},C1,cc-complaints,,2026-03-01,{value},{value},{value}," for n, value in enumerate(HUGE)]
    answers = run("survey_responses", ANSWERS + "\n".join(lines) + "\n")
    assert answers.status == "failed" and answers.error_count == 3 * len(HUGE)
    assert {(e["column"], e["message"].split("”")[-1]) for e in answers.problems} == {
        (column, " is not a whole number") for column in ("nps", "csat", "ces")
    }
    lines = [f"T{n},C1,2026-03-01,{value}" for n, value in enumerate(HUGE)]
    amounts = run("transactions", "transaction_id,customer_id,occurred_at,amount\n" + "\n".join(lines) + "\n")
    assert amounts.status == "failed" and [(e["row"], e["column"]) for e in amounts.problems] == [
        (n + 2, "amount") for n in range(len(HUGE))
    ]


@pytest.mark.usefixtures("catalogue")
def test_a_nul_in_a_cell_is_an_error_on_that_cell(path):
    result = run(
        "interactions",
        INTERACTIONS + "I1,C1,cc-complaints,call\x00,2026-03-01,,,,\nI2,C1,cc-complaints,,2026-03-01,,,,\n",
    )
    assert result.status == "failed"
    assert result.problems == [{"row": 2, "column": "kind", "message": "contains a NUL character (byte 0)"}]
    assert not Interaction.objects.exists()


def test_a_nul_in_the_header_fails_the_import_with_a_reason(path):
    result = run("customers", "customer_id,acquired\x00_at\nC1,2025-01-01\n")
    assert result.status == "failed" and "header row contains a NUL character" in result.message_text


@pytest.mark.usefixtures("catalogue")
@pytest.mark.parametrize("moment", ["0001-01-01T00:00+14:00", "9999-12-31T23:59-12:00", "0001-01-01"])
def test_a_moment_outside_the_range_of_dates_is_an_error_on_its_cell(path, settings, moment):
    settings.TIME_ZONE = "Europe/Moscow"  # the plain date is in +03:00: before year 1 in UTC
    result = run("interactions", INTERACTIONS + f"I1,C1,cc-complaints,,{moment},,,,\n")
    assert result.status == "failed"
    assert result.problems == [{"row": 2, "column": "opened_at", "message": f"“{moment}” is out of the range of dates"}]


def test_a_file_of_one_50_mb_line_is_refused_at_once(path):
    result = run("customers", "customer_id," + "x" * (50 * 1024 * 1024) + "\n")
    assert result.status == "failed" and "the first row is longer than 10,000 characters" in result.message_text


@pytest.mark.usefixtures("catalogue")
def test_a_quote_left_open_says_so_on_its_row(path):
    content = (
        INTERACTIONS
        + 'I1,C1,cc-complaints,,2026-03-01,,,,\nI2,C1,"cc-complaints,,2026-03-01,,,,\nI3,C1,x,,2026-03-01,,,,\n'
    )
    result = run("interactions", content)
    assert result.status == "failed"
    assert "row 3" in result.message_text and "opens a cell here that is never closed" in result.message_text


@pytest.mark.usefixtures("catalogue")
def test_a_short_row_names_the_first_column_it_lacks(path):
    content = INTERACTIONS + "I1,C1,cc-complaints,,2026-03-01,,\nI2,C1,cc-complaints,,2026-03-01,,,,,,\n"
    result = run("interactions", content)
    assert result.problems == [
        {"row": 2, "column": "cost", "message": "7 cells instead of 9: the row ends before “cost”"},
        {"row": 3, "column": "", "message": "11 cells instead of 9: more cells than the header has columns"},
    ]


def test_an_xlsx_formula_without_a_value_is_an_error_and_overwrites_nothing():
    from openpyxl import Workbook

    Customer.objects.create(
        external_id="X1", acquired_at="2025-01-01T00:00Z", acquired_month="2025-01-01", acquisition_cost=50
    )
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["customer_id", "acquired_at", "acquisition_cost"])
    sheet.append(["X1", "2025-01-01", "=B2*0"])  # openpyxl saves formulas without a value, as Excel never did
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = run("customers", buffer.getvalue(), name="customers.xlsx", valid_rows_only=True)
    assert result.problems == [
        {
            "row": 2,
            "column": "acquisition_cost",
            "message": "a formula without a value: open the file in Excel, let it calculate, and save it again",
        }
    ]
    assert Customer.objects.get(external_id="X1").acquisition_cost == 50


def test_a_file_that_stopped_its_worker_three_times_is_failed_not_tried_again():
    started = run("customers", "customer_id,acquired_at\nC1,2025-01-01\n")
    DataImport.objects.filter(pk=started.pk).update(status="running", attempts=3, finished_at=None)
    again = pipeline.run(DataImport.objects.get(pk=started.pk))
    assert again.status == "failed" and not again.retryable
    assert again.message_text.startswith("This file stopped the worker importing it 3 times")


def test_each_start_counts_and_a_retry_starts_the_count_again():
    result = run("customers", "customer_id,acquired_at\nC1,2025-01-01\n")
    assert result.attempts == 1


def test_imports_whose_message_was_lost_are_queued_again_and_staging_left_behind_goes():
    waiting = DataImport.objects.create(kind="customers", file_name="c.csv")
    DataImport.objects.filter(pk=waiting.pk).update(created_at=timezone.now() - timedelta(minutes=6))
    fresh = DataImport.objects.create(kind="customers", file_name="d.csv")
    assert sweeper.queued_again() == [waiting.pk]
    assert sweeper.queued_again() == []  # not again before another five minutes
    assert DataImport.objects.get(pk=fresh.pk).heartbeat_at is None

    failed = DataImport.objects.create(kind="customers", file_name="e.csv", status="failed")
    running = DataImport.objects.create(kind="customers", file_name="f.csv", status="running")
    for data_import in (failed, running):
        StagedCustomer.objects.create(
            data_import=data_import, row_number=2, external_id="C9", acquired_at="2025-01-01T00:00Z",
            acquired_month="2025-01-01", acquisition_cost=0,
        )  # fmt: skip
    assert sweeper.clean_staging() == 1
    assert list(StagedCustomer.objects.values_list("data_import", flat=True)) == [running.pk]
