"""Property: whatever the file, PostgreSQL's shortcut and the row-by-row checker end the same way —
the same status, the same stored rows, the same report. Hypothesis writes small files from cells
that are clean, nearly clean (padding, quotes, other whitespace) or wrong in ways only one of the
checks might notice (a 24:00, a 30 February, an unknown customer, an id given twice, a third
decimal, a response before the opening, …)."""

import io

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from metrics.ingest import fast, pipeline
from metrics.models import Interaction
from metrics.services import import_start
from tests.metrics.test_fast_import import catalogue  # noqa: F401 (the same two touchpoints and customers)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("catalogue"),
]

COLUMNS = ["interaction_id", "customer_id", "touchpoint", "kind", "opened_at", "first_response_at", "resolved_at",
           "cost", "csat"]  # fmt: skip
# Cells both checks take (some padded or quoted, which the shortcut trims) …
CLEAN = {
    "customer_id": ["C1", "C2", " C1", '"C2"'],
    "touchpoint": ["cc-complaints", "COMPLAINT LINE", " web-form ", "Web form", '"Web form"'],
    "kind": ["", "call", '"call, urgent"', " chat ", '""', "жалоба"],
    "opened_at": ["2026-03-01", "2026-03-01T10:00", "2026-03-01 10:00:00+03:00", "2026-03-01T10:00Z",
                  '"2026-03-01T10:00"', "2026-03-01T10:00:00.500"],
    "first_response_at": ["", "2026-03-01T10:30:00.123456+01:00", "2026-03-01T23:00"],
    "resolved_at": ["", "2026-03-04T09:00", "2026-03-02T11:00:00-05:00"],
    "cost": ["", "10", "10.5", '"7.25"', "0"],
    "csat": ["", "1", "5", '"3"'],
}  # fmt: skip
# … and cells one of them refuses, or that only the row checker is sure about.
ODD = {
    "interaction_id": ["I10", "", "I8\u00a0", '" I9"', "I" * 65, "I 6", "\tI7"],
    "customer_id": ["C404", "", "C1\t", "C1\x00"],
    "touchpoint": ["nope", "\u2003web-form", ""],
    "kind": ["x" * 41, '"  "', "a\u00a0", 'a"b', '"open', "a\rb"],  # …, a quote left open (a record over lines)
    "opened_at": ["2026-03-01T24:00", "2026-02-30", "", "20260301", "2026-03-01T10:00:00.5", "0000-01-01",
                  "0001-01-01T00:00+14:00", "1899-12-31"],
    "first_response_at": ["2026-03-01T09:00", "2026-03-01T10:00:60", "2026-03-01T10:00+16:00"],
    "resolved_at": ["2026-02-01", "2026-03-01T10:00", "2026-03-01T09:59:59"],
    "cost": ["10.555", "-1", "1e3", " 5", "12345678901", "1,5", "1e999999999", "NaN"],
    "csat": ["6", "4.0", " 2", "0", "2\n"],  # …, a blank line after the row
}  # fmt: skip


@st.composite
def rows(draw, index: int) -> dict[str, str]:
    """A clean row, or one with a single odd cell."""
    row = {"interaction_id": f"I{index}"} | {column: draw(st.sampled_from(CLEAN[column])) for column in CLEAN}
    odd = draw(st.none() | st.sampled_from(COLUMNS))
    if odd:
        row[odd] = draw(st.sampled_from(ODD[odd]))
    return row


files = st.integers(min_value=0, max_value=4).flatmap(lambda n: st.tuples(*(rows(i + 10) for i in range(n))))


def outcome(content: str, valid_rows_only: bool) -> tuple:
    Interaction.objects.all().delete()
    result = import_start(
        kind="interactions",
        source=io.BytesIO(content.encode()),
        file_name="i.csv",
        actor=None,
        background=False,
        valid_rows_only=valid_rows_only,
    )
    stored = list(
        Interaction.objects.order_by("external_id").values_list(
            "external_id", "customer_id", "touchpoint_id", "kind", "opened_at", "opened_day", "first_response_at",
            "resolved_at", "resolution_seconds", "first_response_seconds", "cost", "csat",
        )
    )  # fmt: skip
    errors = [(e["row"], e["column"], e["message"]) for e in result.problems]  # in file order, as shown
    return (
        result.status, result.rows_total, result.rows_created, result.rows_skipped, result.error_count, errors,
        result.message_text, stored,
    )  # fmt: skip


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=files, with_final_line_feed=st.booleans(), valid_rows_only=st.booleans())
def test_the_shortcut_ends_as_the_row_checker_does(monkeypatch, body, with_final_line_feed, valid_rows_only):
    content = ",".join(COLUMNS) + "\n" + "\n".join(",".join(row[c] for c in COLUMNS) for row in body)
    content += "\n" if with_final_line_feed else ""
    taken: list[str] = []
    monkeypatch.setattr(pipeline, "_shortcut", _recording(pipeline._shortcut, taken))
    with_shortcut = outcome(content, valid_rows_only)
    event(f"the shortcut: {taken[-1]}")
    monkeypatch.setattr(fast, "applies", lambda data_import: False)
    row_by_row = outcome(content, valid_rows_only)
    monkeypatch.undo()
    assert with_shortcut == row_by_row


def _recording(real, taken: list):
    """The shortcut, noting how it ended: merged, declined, or refused the file."""

    def shortcut(*args):
        try:
            merged = real(*args)
        except pipeline.ImportRefused:
            taken.append("refused")
            raise
        taken.append("merged" if merged else "declined")
        return merged

    return shortcut
