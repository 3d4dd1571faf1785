"""PostgreSQL's set-based shortcut for clean interaction files gives exactly the rows the row-by-row
checker gives, and declines (leaving the report to the checker) whatever it is not sure about."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from metrics.ingest import fast, pipeline, postgres
from metrics.models import Customer, DataImport, Interaction
from metrics.services import import_start
from tests.factories import TouchpointFactory

pytestmark = [
    pytest.mark.django_db,
]

HEADER = "interaction_id,customer_id,touchpoint,kind,opened_at,first_response_at,resolved_at,cost,csat\n"
CLEAN = HEADER + (
    "I1,C1,cc-complaints,complaint,2026-03-31T14:05,2026-03-31T14:35:10,2026-04-02T09:00:00.123,150.5,5\n"
    "I2,C2,COMPLAINT LINE,,2026-03-31,,2026-04-01T10:00+03:00,,\n"
    'I3, C1 ,cc-complaints,"call, urgent",2026-04-01 08:00:00.000000Z,,,0,1\n'
    "I4,C2,web-form,request,2026-10-25T02:30,2026-10-25T02:31:00-05:00,2026-10-26T00:00,12,\n"
)
SEMICOLON = (
    HEADER.replace(",", ";") + "I5;C1;cc-complaints;complaint;2026-05-01T10:00;;2026-05-03T10:00;99,95;4\r\n"
    "I6;C2;web-form;;2026-05-02;;;1000;\r\n"
)
FIELDS = [
    "external_id", "customer_id", "touchpoint_id", "kind", "opened_at", "opened_day", "first_response_at",
    "resolved_at", "resolution_seconds", "first_response_seconds", "cost", "csat",
]  # fmt: skip


@pytest.fixture
def catalogue(department):
    TouchpointFactory(name="Complaint line", code="cc-complaints", department=department)
    TouchpointFactory(name="Web form", code="web-form", department=department)
    for external_id in ("C1", "C2"):
        Customer.objects.create(external_id=external_id, acquired_at="2025-01-01T00:00Z", acquired_month="2025-01-01")


def run(content: str, name: str = "i.csv", kind: str = "interactions") -> DataImport:
    return import_start(kind=kind, source=io.BytesIO(content.encode()), file_name=name, actor=None, background=False)


def shortcut_results(monkeypatch) -> list:
    """What each import's shortcut gave: the number of rows it merged, None when it declined (the
    row checker took the file), or "refused" when the problems it found refused the file."""
    used = []
    real = pipeline._shortcut

    def fast_import(*args):
        try:
            merged = real(*args)
        except pipeline.ImportRefused:
            used.append("refused")
            raise
        used.append(merged and merged.rows)
        return merged

    monkeypatch.setattr(pipeline, "_shortcut", fast_import)
    return used


def rows():
    return list(Interaction.objects.order_by("external_id").values_list(*FIELDS))


@pytest.mark.parametrize(
    "content",
    [CLEAN, SEMICOLON, "\ufeff" + CLEAN, CLEAN.rstrip("\n"), CLEAN.replace("\n", "\r\n")],
    ids=["comma", "semicolon", "bom", "no-final-line-feed", "crlf"],
)
def test_the_shortcut_and_the_row_checker_store_the_same_rows(catalogue, monkeypatch, content):
    used = shortcut_results(monkeypatch)
    first = run(content)
    assert first.status == "succeeded", first.problems
    assert used and used[0] == first.rows_total  # the shortcut took the whole file
    shortcut = rows()

    Interaction.objects.all().delete()
    monkeypatch.setattr(fast, "applies", lambda data_import: False)
    again = run(content)
    assert again.status == "succeeded" and (again.rows_created, again.rows_total) == (
        first.rows_created,
        first.rows_total,
    )
    assert rows() == shortcut and shortcut


# What the shortcut is not sure about, the checker decides: on the line alone, inside the shortcut
# (which then merges what it was given — 1 row — or refuses the file as the checker would), or on
# the whole file when the shortcut declines (None).
@pytest.mark.parametrize(
    ("line", "message", "shortcut"),
    [
        ("I9,C1,cc-complaints,,2026-02-30,,,,", "is not a date", None),  # passes the pattern, fails the cast
        ("I9,C1,cc-complaints,,2026-03-01T24:00,,,,", "is not a date", "refused"),  # PostgreSQL would take it
        ("I9,C1,cc-complaints,,2026-03-01,,2026-02-01,,", "resolved before opened", "refused"),  # the table refuses
        ("I9,C404,cc-complaints,,2026-03-01,,,,", "unknown customer", "refused"),
        ("I9,C1,nope,,2026-03-01,,,,", "unknown touchpoint", "refused"),
        ("I9,C1,cc-complaints,,2026-03-01,,,1.005,", None, 1),  # three decimals: the checker rounds them
        ("I9,C1,cc-complaints,,2026-03-01,,,,\nI9,C2,web-form,,2026-03-02,,,,", "duplicate id", None),
        ("I9,C1,cc-complaints,,2026-03-01,,,,,", "cells instead of", "refused"),
        ("I9\u00a0,C1,cc-complaints,,2026-03-01,,,,", None, 1),  # a no-break space only Python strips
        ("I9,C1,cc-complaints,,2026-03-01T 9:05,,,,", "is not a date", "refused"),  # PostgreSQL reads 09:05
        ("I9,C1,cc-complaints,,2026-03-01T09:05:60,,,,", "is not a date", "refused"),
        ("I9,C1,cc-complaints,,2026-03-01T09:05+3:000,,,,", "is not a date", "refused"),
        ("I9,C1,cc-complaints,,2026-03-01T09:05:07.1234,,,,", None, 1),  # Python takes 4 digits; the pattern no
        ("I9,C1,cc-complaints,,2026-03-01T09:05:07+16:00,,,,", None, 1),  # Python takes it; the pattern leaves it
        ("I9,C1,cc-complaints,,2026-03-01Z,,,,", "is not a date", "refused"),
        ("I9,C1,cc-complaints,,٢٠٢٦-03-01,,,,", "is not a date", "refused"),  # Arabic-Indic digits
        ("I9,C1,\tcc-complaints,,2026-03-01,,,,", None, 1),  # a tab only Python strips
        ('I9,"C1\n",cc-complaints,,2026-03-01,,,,', None, None),  # a line break inside a cell
        ('I9,C1"x,"cc-\ncomplaints",,2026-03-01,,,,', "unknown touchpoint", None),  # a record over two lines
        ("I9,C1,cc-complaints,,0000-03-01,,,,", "is not a date", "refused"),  # a year the pattern leaves out
        ("", "no rows", None),  # a header and a blank line
    ],
)
def test_what_the_shortcut_is_not_sure_about_the_checker_decides(catalogue, monkeypatch, line, message, shortcut):
    used = shortcut_results(monkeypatch)
    result = run(HEADER + line + "\n")
    assert used == [shortcut]
    if message is None:
        assert result.status == "succeeded" and Interaction.objects.count() == 1
    else:
        assert result.status == "failed" and not Interaction.objects.exists()
        assert message in " ".join([result.message_text, *(error["message"] for error in result.problems)])


def test_a_file_near_a_daylight_saving_change_is_left_to_the_row_checker(catalogue, monkeypatch, settings):
    settings.TIME_ZONE = "Europe/Berlin"  # clocks went back at 03:00 on 2026-10-25
    used = shortcut_results(monkeypatch)
    near = run(HEADER + "I1,C1,cc-complaints,,2026-10-25T02:30,,,,\n")
    assert used == [None] and near.status == "succeeded"
    far = run(HEADER + "I2,C1,cc-complaints,,2026-11-25T02:30,,,,\n")
    assert used == [None, 1] and far.status == "succeeded"
    stored = Interaction.objects.get(external_id="I2")
    assert stored.opened_at.isoformat() == "2026-11-25T01:30:00+00:00" and str(stored.opened_day) == "2026-11-25"


def test_a_changed_row_updates_its_record_and_both_its_days_are_touched(catalogue, monkeypatch):
    used = shortcut_results(monkeypatch)
    first = run(CLEAN)
    assert first.rows_created == 4
    same = run(CLEAN)
    assert (same.rows_created, same.rows_updated, same.touched_days) == (0, 0, [])  # nothing written
    moved = run(CLEAN.replace("I4,C2,web-form,request,2026-10-25T02:30", "I4,C2,web-form,request,2026-10-20T02:30"))
    assert used == [4, 4, 4]
    assert (moved.rows_created, moved.rows_updated) == (0, 1)
    assert moved.touched_days == ["2026-10-20", "2026-10-25"]  # the day it left and the day it went to
    assert str(Interaction.objects.get(external_id="I4").opened_day) == "2026-10-20"


@pytest.mark.parametrize(
    ("line", "message", "shortcut"),
    [
        ("I1,C1,cc-complaints,,2026-03-01,,,,\nI1,C2,web-form,,2026-03-02,,,,", "duplicate id", None),  # I1 is stored
        ("I9,C1,cc-complaints,,2026-03-01T10:00,2026-03-01T09:00,,,", "answered before opened", "refused"),
    ],
)
def test_rows_the_table_refuses_roll_the_shortcut_back(catalogue, monkeypatch, line, message, shortcut):
    run(HEADER + "I1,C1,cc-complaints,,2026-01-01,,,,\n")
    stored = rows()
    used = shortcut_results(monkeypatch)
    result = run(HEADER + line + "\n")
    assert used == [shortcut] and result.status == "failed"
    assert message in " ".join(error["message"] for error in result.problems)
    assert rows() == stored


def test_a_few_bad_rows_keep_the_shortcut_and_are_reported_where_they_are(catalogue, monkeypatch):
    """Bad lines the pattern sees and rows only the table refuses, mixed through a file, with
    "import valid rows only": the good rows are merged by the shortcut, each bad one is reported on
    its own line of the file, as the row checker reports it."""
    good = [f"G{n},C1,cc-complaints,,2026-03-{n % 28 + 1:02d}T10:00,,,," for n in range(40)]
    lines = list(good)
    lines[5] = "B1,C1,cc-complaints,,2026-03-01T24:00,,,,"  # the pattern refuses it; so does the checker
    lines[9] = "B2,C404,cc-complaints,,2026-03-01,,,,"  # only the table refuses it (unknown customer)
    lines[12] = ""  # a blank line: not a row
    lines[20] = "B3,C1,cc-complaints,,2026-03-01T10:00:00.1234,,,,"  # the pattern refuses it; the checker takes it
    lines[30] = "B4,C1,nope,,2026-03-01,,2026-02-01,,"  # the table refuses it twice over
    content = HEADER + "\n".join(lines) + "\n"
    used = shortcut_results(monkeypatch)
    result = import_start(
        kind="interactions", source=io.BytesIO(content.encode()), file_name="i.csv", actor=None, background=False,
        valid_rows_only=True,
    )  # fmt: skip
    assert used == [36]  # 37 lines COPY'd less the two the table refuses, and B3 from the checker
    assert (result.status, result.rows_total, result.rows_created, result.rows_skipped) == ("succeeded", 39, 36, 3)
    assert [(error["row"], error["column"]) for error in result.problems] == [
        (7, "opened_at"), (11, "customer_id"), (32, "resolved_at"), (32, "touchpoint"),
    ]  # fmt: skip
    assert result.error_count == 4
    assert Interaction.objects.filter(external_id="B3").exists()
    assert not Interaction.objects.filter(external_id__in=["B1", "B2", "B4"]).exists()

    Interaction.objects.all().delete()
    monkeypatch.setattr(fast, "applies", lambda data_import: False)
    checker = import_start(
        kind="interactions", source=io.BytesIO(content.encode()), file_name="i.csv", actor=None, background=False,
        valid_rows_only=True,
    )  # fmt: skip
    assert (checker.rows_total, checker.rows_created, checker.error_count, checker.problems) == (
        39, 36, 4, result.problems,
    )  # fmt: skip


def test_a_copied_row_is_traced_back_to_its_line():
    # Lines 2–9 of a file whose lines 3, 4 and 7 were not COPY'd: rows 1–5 are lines 2, 5, 6, 8, 9.
    assert [fast._line_number(n, [3, 4, 7]) for n in range(1, 6)] == [2, 5, 6, 8, 9]
    assert [fast._line_number(n, []) for n in (1, 2)] == [2, 3]


def index_definitions(table: str) -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [table])
        return dict(cursor.fetchall())


def test_a_load_that_doubles_the_table_rebuilds_its_indexes(catalogue, monkeypatch):
    monkeypatch.setattr(postgres, "REBUILD_INDEXES_FROM", 2)
    run(HEADER + "I0,C1,cc-complaints,,2026-01-01,,,,\n")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE metrics_interaction")
    before = index_definitions("metrics_interaction")
    used = shortcut_results(monkeypatch)
    with CaptureQueriesContext(connection) as queries:
        result = run(CLEAN)
    assert used == [4] and result.rows_created == 4
    dropped = " ".join(q["sql"] for q in queries if " DROP " in f" {q['sql']}")
    # Each index set aside during the insert, the primary key's too, and every one built again as it was.
    for name in ("interaction_tp_day", "interaction_day", "interaction_open", "interaction_external_id_unique"):
        assert name in dropped
    assert "metrics_interaction_pkey" in dropped
    assert index_definitions("metrics_interaction") == before
    assert Interaction.objects.count() == 5


def test_a_big_customer_load_sets_aside_every_index_of_the_table(db, monkeypatch):
    """Indexes a model declares on a field are in the catalog, not in Meta.indexes: they are set aside too."""
    monkeypatch.setattr(postgres, "REBUILD_INDEXES_FROM", 2)
    before = index_definitions("metrics_customer")
    assert len(before) >= 4  # primary key, unique id, acquisition month, segment
    with CaptureQueriesContext(connection) as queries:
        imported = run(
            "customer_id,acquired_at,acquisition_cost,segment,churned_at\n"
            "K1,2026-01-05,10,retail,\nK2,2026-02-05,0,business,\nK3,2026-02-07,5,retail,2026-06-01\n",
            kind="customers",
        )
    assert imported.rows_created == 3, imported.message
    dropped = " ".join(q["sql"] for q in queries if " DROP " in f" {q['sql']}")
    assert all(name in dropped for name in before), (sorted(before), dropped)
    assert index_definitions("metrics_customer") == before
    assert Customer.objects.filter(segment="retail").count() == 2


def test_indexes_are_set_aside_only_on_tables_without_foreign_key_constraints():
    """Rows with a deferred foreign-key check pending make PostgreSQL refuse to alter their table
    (load_demo's big transactions import once failed on it). The imported tables have none: their
    references are checked set-based by the import."""
    from metrics.models import DataImport, SurveyResponse, Transaction

    assert not any(postgres.has_foreign_key_constraints(m) for m in (Interaction, Transaction, SurveyResponse))
    assert postgres.has_foreign_key_constraints(DataImport)


@pytest.mark.django_db(transaction=True)
def test_the_page_sees_the_shortcut_progress_while_its_transaction_is_open(catalogue, monkeypatch):
    """The shortcut runs in one transaction; its progress goes through a second connection, so a
    page polling from another session watches the bar move instead of 0 % until the end."""
    monkeypatch.setattr(fast, "BLOCK", 256)  # a small file in many blocks
    lines = [f"I{n},C{n % 2 + 1},cc-complaints,complaint,2026-03-{n % 28 + 1:02d}T10:00,,,,\n" for n in range(60)]
    observer = connection.copy()
    watched = []  # (reported, as another session reads it, rows read as it reads them)

    def watch(progress: int) -> None:
        with observer.cursor() as cursor:
            cursor.execute("SELECT progress, rows_total FROM metrics_dataimport ORDER BY id DESC LIMIT 1")
            watched.append((progress, *cursor.fetchone()))

    real_run = pipeline.run
    monkeypatch.setattr(pipeline, "run", lambda data_import: real_run(data_import, on_progress=watch))
    used = shortcut_results(monkeypatch)
    try:
        result = run(HEADER + "".join(lines))
    finally:
        observer.close()
    assert used == [60] and result.status == DataImport.Status.SUCCEEDED and result.progress == 100
    assert [seen for _reported, seen, _rows in watched] == [reported for reported, _seen, _rows in watched]
    bar = [seen for _reported, seen, _rows in watched]
    assert bar == sorted(bar) and len({p for p in bar if 0 < p < pipeline.LOADED}) >= 5
    assert bar[-2:] == [pipeline.LOADED, pipeline.WRITTEN] and watched[-1][2] == 60
    assert 0 < watched[0][2] < 60  # rows read so far, as the bar moves


@pytest.mark.django_db(transaction=True)
def test_a_big_import_leaves_the_table_ready_for_index_only_reads(catalogue, monkeypatch):
    """Autovacuum may be late or off: a big import vacuums the table itself once it has committed,
    so the touchpoint page's durations come from the index alone."""

    def all_visible() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT relallvisible FROM pg_class WHERE relname = 'metrics_interaction'")
            return cursor.fetchone()[0]

    monkeypatch.setattr(postgres, "ANALYZE_AFTER_ROWS", 5)
    run(CLEAN)  # four rows: under the bar
    assert all_visible() == 0
    result = run(HEADER + "".join(f"I{n},C1,cc-complaints,,2026-01-{n + 1:02d},,,,\n" for n in range(5, 10)))
    assert result.rows_created == 5 and all_visible() > 0
