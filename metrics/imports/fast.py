"""PostgreSQL fast path for clean interaction CSV files: COPY the raw text, convert and check it in
one set-based pass, and hand the typed rows to the pipeline's merge — no Python per row.

It is only a shortcut for files without a single problem. The checks here are deliberately stricter
than the row-by-row ones (plain ISO 8601 forms, at most two decimals, exact cell counts, …): a file
they do not pass, or that makes PostgreSQL raise anything at all, is rolled back to a savepoint and
goes through the ordinary path (metrics.imports.pipeline), which finds and reports every problem
with its row, column and reason. So a file imports to the same rows either way, and errors are
always reported by the one checker.
"""

import logging
from datetime import datetime, timedelta
from typing import BinaryIO
from zoneinfo import ZoneInfo

import psycopg
from django.conf import settings
from django.db import DatabaseError, connection, transaction

from ..models import Customer, DataImport
from .kinds import KINDS

logger = logging.getLogger(__name__)

ROWS_TABLE = "import_rows"  # typed rows, columns named as Interaction's; the merge reads it
BLOCK = 1 << 20
# Plain ISO 8601 only, every part in range (PostgreSQL would take 24:00, :60, odd offsets or a space
# inside a number that Python refuses); anything else goes to the row checker. (Measured: this one
# pattern costs less than building the same check from translate(), substr() and LIKE.)
ISO_MOMENT = (
    r"^\d{4}-\d{2}-\d{2}"
    r"([T ]([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.(\d{3}|\d{6}))?)?(Z|[+-](0\d|1[0-5]):[0-5]\d)?)?$"
)
# What str.strip() removes (the row checker strips every cell); btrim with these finds cells it would change.
PYTHON_WHITESPACE = "".join(chr(code) for code in range(0x110000) if chr(code).isspace())
MOMENTS = ("opened_at", "first_response_at", "resolved_at")


def applies(data_import: DataImport) -> bool:
    return (
        connection.vendor == "postgresql"
        and data_import.kind == DataImport.Kind.INTERACTIONS
        and not data_import.file_name.lower().endswith(".xlsx")
    )


def load(data_import: DataImport, source: BinaryIO, touchpoints: dict[str, int]) -> int | None:
    """Fill ROWS_TABLE from a clean file and return its row count, or None (nothing kept) when the
    file needs the row-by-row path. `touchpoints` maps lower-cased codes and names to ids, as that
    path matches them. The caller drops the table with discard()."""
    discard()
    try:
        with transaction.atomic():
            rows = _load(source, touchpoints)
            if rows is None:
                transaction.set_rollback(True)
            return rows
    except (DatabaseError, psycopg.Error, UnicodeDecodeError, ValueError) as error:  # COPY raises psycopg's own
        logger.info("import %s: fast path declined (%s); checking row by row", data_import.pk, error)
        return None


def discard() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {ROWS_TABLE}, import_raw, import_touchpoint")


def _load(source: BinaryIO, touchpoints: dict[str, int]) -> int | None:
    first_line = source.readline().decode("utf-8-sig")
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    header = [column.strip().lower() for column in first_line.strip().split(delimiter)]
    if '"' in first_line or set(header) - set(KINDS["interactions"].columns) or len(set(header)) != len(header):
        return None  # quoted or unusual headers: leave them to the ordinary reader
    with connection.cursor() as cursor:
        columns = ", ".join(f"c{n} text" for n in range(len(header)))
        cursor.execute(f"CREATE TEMP TABLE import_raw ({columns})")
        names = ", ".join(f"c{n}" for n in range(len(header)))
        with cursor.cursor.copy(
            f"COPY import_raw ({names}) FROM STDIN (FORMAT csv, DELIMITER '{delimiter}', ENCODING 'UTF8')"
        ) as copy:
            while block := source.read(BLOCK):
                copy.write(block)
        cursor.execute("CREATE TEMP TABLE import_touchpoint (key text PRIMARY KEY, id bigint)")
        cursor.executemany("INSERT INTO import_touchpoint VALUES (%s, %s)", list(touchpoints.items()))
        cursor.execute(_rows_sql(header, comma=delimiter == ";"), _parameters())
        cursor.execute(
            f"""
            SELECT count(*), count(*) FILTER (WHERE bad OR resolved_at < opened_at OR first_response_at < opened_at),
                   count(*) - count(DISTINCT external_id COLLATE "C"),
                   least(min(opened_at), min(first_response_at), min(resolved_at)),
                   greatest(max(opened_at), max(first_response_at), max(resolved_at))
            FROM {ROWS_TABLE}
            """
        )
        total, bad, duplicates, earliest, latest = cursor.fetchone()
        if total == 0 or bad or duplicates:
            return None  # the row checker names them
        if _near_clock_change(cursor, earliest, latest):
            return None
        cursor.execute(f"ALTER TABLE {ROWS_TABLE} DROP COLUMN bad")
        cursor.execute("DROP TABLE import_raw, import_touchpoint")
    return total


def _rows_sql(header: list[str], *, comma: bool) -> str:
    """One pass over the raw text: trim, check, convert, derive. Each level is fenced with OFFSET 0 so
    the planner does not inline it and repeat its expressions at every use; checks are computed once,
    and only cells that passed are cast, so a bad cell makes the row `bad` instead of raising."""

    def cell(column: str) -> str:
        return f"NULLIF(btrim(r.c{header.index(column)}), '')" if column in header else "NULL"

    def untrimmed(column: str) -> str:  # str.strip() would trim it differently (btrim() takes spaces only)
        if column not in header:
            return "false"
        return f"btrim(r.c{header.index(column)}, %(space)s) <> btrim(r.c{header.index(column)})"

    def offset_length(x: str) -> str:  # a trailing Z or ±hh:mm, once the pattern has passed
        return (
            f"CASE WHEN right({x}, 1) = 'Z' THEN 1 "
            f"WHEN length({x}) > 10 AND substr({x}, length({x}) - 5, 1) IN ('+', '-') THEN 6 ELSE 0 END"
        )

    def moment(column: str) -> str:  # no offset → the configured zone, as the row checker reads it
        return (
            f"CASE WHEN NOT {column}_ok THEN NULL WHEN {offset_length(column)} > 0 "
            f"THEN {column}::timestamptz ELSE {column}::timestamp AT TIME ZONE %(zone)s END"
        )

    number = r"^\d{1,10}(\.\d{1,2})?$" if not comma else r"^\d{1,10}([.,]\d{1,2})?$"
    money = "replace(cost, ',', '.')" if comma else "cost"
    customers = connection.ops.quote_name(Customer._meta.db_table)
    return f"""
        CREATE TEMP TABLE {ROWS_TABLE} AS
        SELECT external_id, customer_id, touchpoint_id, kind, opened_at,
               CAST(opened_at AT TIME ZONE %(zone)s AS date) AS opened_day, first_response_at, resolved_at,
               CAST(floor(extract(epoch FROM resolved_at - opened_at)) AS bigint) AS resolution_seconds,
               CAST(floor(extract(epoch FROM first_response_at - opened_at)) AS bigint) AS first_response_seconds,
               cost, csat, bad
        FROM (
            SELECT external_id, customer_id, touchpoint_id, kind,
                   {moment("opened")} AS opened_at, {moment("responded")} AS first_response_at,
                   {moment("resolved")} AS resolved_at,
                   CASE WHEN cost_ok THEN CAST({money} AS numeric(12, 2)) END AS cost,
                   CASE WHEN csat_ok THEN CAST(csat AS smallint) END AS csat,
                   NOT (opened_ok AND responded_ok AND resolved_ok AND cost_ok AND csat_ok AND cells_ok) AS bad
            FROM (
                SELECT i.*,
                       opened IS NOT NULL AND opened ~ %(moment)s AS opened_ok,
                       (responded IS NULL OR responded ~ %(moment)s) AS responded_ok,
                       (resolved IS NULL OR resolved ~ %(moment)s) AS resolved_ok,
                       (cost IS NULL OR cost ~ '{number}') AS cost_ok,
                       (csat IS NULL OR csat ~ '^[1-5]$') AS csat_ok
                FROM (
                    SELECT {cell("interaction_id")} AS external_id, c.id AS customer_id, t.id AS touchpoint_id,
                           COALESCE({cell("kind")}, '') AS kind, {cell("opened_at")} AS opened,
                           {cell("first_response_at")} AS responded, {cell("resolved_at")} AS resolved,
                           {cell("cost")} AS cost, {cell("csat")} AS csat,
                           {cell("interaction_id")} IS NOT NULL AND length({cell("interaction_id")}) <= 64
                           AND c.id IS NOT NULL AND t.id IS NOT NULL AND (length({cell("kind")}) <= 40) IS NOT false
                           AND NOT ({untrimmed("interaction_id")} OR {untrimmed("customer_id")}
                                    OR {untrimmed("touchpoint")} OR {untrimmed("kind")}) AS cells_ok
                    FROM import_raw r
                    LEFT JOIN {customers} c ON c.external_id = {cell("customer_id")}
                    LEFT JOIN import_touchpoint t ON t.key = lower({cell("touchpoint")})
                    OFFSET 0
                ) i
                OFFSET 0
            ) checked
            OFFSET 0
        ) typed
    """


def _parameters() -> dict:
    return {"moment": ISO_MOMENT, "space": PYTHON_WHITESPACE, "zone": settings.TIME_ZONE}


def _near_clock_change(cursor, earliest: datetime | None, latest: datetime | None) -> bool:
    """A local time near a daylight-saving change can be ambiguous; the two paths might read it
    differently, so a file with any moment within hours of one takes the row checker's reading.
    The zone's changes in the file's span are found in Python (a few hundred offsets per year)."""
    if earliest is None:
        return False
    zone = ZoneInfo(settings.TIME_ZONE)
    changes = []
    hour = (earliest - timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
    offset = hour.astimezone(zone).utcoffset()
    while hour <= latest + timedelta(days=1):
        step = hour + timedelta(hours=6)
        if step.astimezone(zone).utcoffset() != offset:
            changes.append(hour)
            offset = step.astimezone(zone).utcoffset()
        hour = step
    if not changes:
        return False
    near = " OR ".join(
        f"({column} BETWEEN %(from{n})s AND %(to{n})s)" for n in range(len(changes)) for column in MOMENTS
    )
    windows = {}
    for n, change in enumerate(changes):  # the change lies within [change, change + 6 h)
        windows[f"from{n}"] = change - timedelta(hours=12)
        windows[f"to{n}"] = change + timedelta(hours=18)
    cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {ROWS_TABLE} WHERE {near})", windows)
    return cursor.fetchone()[0]
