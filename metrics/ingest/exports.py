"""Operational data out, in exactly the import format (docs/import.md): the same columns, ISO 8601
moments with their offset in the configured time zone, decimals with a point, touchpoints by name,
journeys by title. A file exported here imports back unchanged (tests/metrics/test_round_trip.py).

Rows are streamed in external-id order (so a round trip gives the same file) from a server-side
cursor, keeping memory flat for millions of rows; references are joined in the same query.
"""

from collections.abc import Iterable, Iterator
from datetime import datetime
from decimal import Decimal

from django.http import StreamingHttpResponse
from django.utils import timezone

from cxhub.lib import spreadsheet

from ..models import Customer, Interaction, SurveyResponse, Transaction
from .kinds import KINDS

BATCH = 5_000

# kind → (model, {column: ORM path of its value}); columns in the import's order.
SOURCES = {
    "customers": (
        Customer,
        {
            "customer_id": "external_id",
            "acquired_at": "acquired_at",
            "acquisition_cost": "acquisition_cost",
            "segment": "segment",
            "churned_at": "churned_at",
        },
    ),
    "interactions": (
        Interaction,
        {
            "interaction_id": "external_id",
            "customer_id": "customer__external_id",
            "touchpoint": "touchpoint__name",  # names are unique and win over codes on import
            "kind": "kind",
            "opened_at": "opened_at",
            "first_response_at": "first_response_at",
            "resolved_at": "resolved_at",
            "cost": "cost",
            "csat": "csat",
        },
    ),
    "transactions": (
        Transaction,
        {
            "transaction_id": "external_id",
            "customer_id": "customer__external_id",
            "occurred_at": "occurred_at",
            "amount": "amount",
        },
    ),
    "survey_responses": (
        SurveyResponse,
        {
            "response_id": "external_id",
            "customer_id": "customer__external_id",
            "touchpoint": "touchpoint__name",  # names are unique and win over codes on import
            "journey": "journey__title",
            "submitted_at": "submitted_at",
            "nps": "nps",
            "csat": "csat",
            "ces": "ces",
            "comment": "comment",
        },
    ),
}

assert all(list(columns) == KINDS[kind].columns for kind, (_model, columns) in SOURCES.items())


def file_name(kind: str) -> str:
    return f"{kind}-{timezone.localdate():%Y-%m-%d}.csv"


def cell(value) -> str:
    """One value as the importer reads it back."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat()
    if isinstance(value, Decimal):
        return f"{value:f}"
    return str(value)


def rows(kind: str) -> Iterator[list[str]]:
    """The header, then one list of cells per stored row."""
    model, columns = SOURCES[kind]
    yield list(columns)
    values = model.objects.order_by("external_id").values_list(*columns.values())
    for row in values.iterator(chunk_size=BATCH):
        yield [cell(value) for value in row]


class _Line:
    """A file-like object whose write() returns what it was given: csv.writer formats, we yield."""

    def write(self, text: str) -> str:
        return text


def csv_lines(kind: str) -> Iterable[str]:
    """The export as CSV text, line by line (UTF-8 with a BOM first, so spreadsheets read Cyrillic)."""
    writer = spreadsheet.Writer(_Line(), lineterminator="\r\n")
    yield "\ufeff"
    for row in rows(kind):
        yield writer.writerow(row)


def response(kind: str) -> StreamingHttpResponse:
    """The export as a CSV download (the page and the API serve the same)."""
    streamed = StreamingHttpResponse(csv_lines(kind), content_type="text/csv; charset=utf-8")
    streamed["Content-Disposition"] = f'attachment; filename="cxhub-{file_name(kind)}"'
    return streamed


def write(kind: str, stream) -> int:
    """Write the export to a text stream; returns the number of data rows."""
    count = -1
    writer = spreadsheet.Writer(stream, lineterminator="\r\n")
    for row in rows(kind):
        writer.writerow(row)
        count += 1
    return count
