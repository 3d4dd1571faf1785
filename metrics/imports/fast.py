"""PostgreSQL fast path for clean interaction CSV files: COPY the raw text, check it set-based, and
fill the staging table with one INSERT … SELECT — no Python per row.

It is only a shortcut for files without a single problem. The checks here are deliberately stricter
than the row-by-row ones (plain ISO 8601 forms, at most two decimals, exact cell counts, …): a file
they do not pass, or that makes PostgreSQL raise anything at all, is rolled back to a savepoint and
goes through the ordinary path (metrics.imports.pipeline), which finds and reports every problem
with its row, column and reason. So a file imports to the same rows either way, and errors are
always reported by the one checker.
"""

import logging
from typing import BinaryIO

import psycopg
from django.conf import settings
from django.db import DatabaseError, connection, transaction

from ..models import Customer, DataImport, StagedInteraction
from .kinds import KINDS

logger = logging.getLogger(__name__)

BLOCK = 1 << 20
# Plain ISO 8601 only, every part in range (PostgreSQL would take 24:00, :60 or odd offsets that
# Python refuses); anything else goes to the row checker.
ISO_MOMENT = (
    r"^\d{4}-\d{2}-\d{2}"
    r"([T ]([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.(\d{3}|\d{6}))?)?(Z|[+-](0\d|1[0-5]):[0-5]\d)?)?$"
)
HAS_OFFSET = r"(Z|[+-]\d{2}:\d{2})$"
# What str.strip() removes (the row checker strips every cell); btrim with these finds cells it would change.
PYTHON_WHITESPACE = "".join(chr(code) for code in range(0x110000) if chr(code).isspace())


def applies(data_import: DataImport) -> bool:
    return (
        connection.vendor == "postgresql"
        and data_import.kind == DataImport.Kind.INTERACTIONS
        and not data_import.file_name.lower().endswith(".xlsx")
    )


def stage(data_import: DataImport, source: BinaryIO, touchpoints: dict[str, int]) -> int | None:
    """Stage a clean file and return its row count, or None (nothing staged) when the file needs the
    row-by-row path. `touchpoints` maps lower-cased codes and names to ids, as that path matches them."""
    try:
        with transaction.atomic():
            rows = _stage(data_import, source, touchpoints)
            if rows is None:
                transaction.set_rollback(True)
            return rows
    except (DatabaseError, psycopg.Error, UnicodeDecodeError, ValueError) as error:  # COPY raises psycopg's own
        logger.info("import %s: fast path declined (%s); checking row by row", data_import.pk, error)
        return None


def _stage(data_import: DataImport, source: BinaryIO, touchpoints: dict[str, int]) -> int | None:
    first_line = source.readline().decode("utf-8-sig")
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    header = [column.strip().lower() for column in first_line.strip().split(delimiter)]
    if '"' in first_line or set(header) - set(KINDS["interactions"].columns) or len(set(header)) != len(header):
        return None  # quoted or unusual headers: leave them to the ordinary reader
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        columns = ", ".join(f"c{n} text" for n in range(len(header)))
        cursor.execute(f"CREATE TEMP TABLE import_raw (n bigserial, {columns}) ON COMMIT DROP")
        names = ", ".join(f"c{n}" for n in range(len(header)))
        with cursor.cursor.copy(
            f"COPY import_raw ({names}) FROM STDIN (FORMAT csv, DELIMITER '{delimiter}', ENCODING 'UTF8')"
        ) as copy:
            while block := source.read(BLOCK):
                copy.write(block)
        cursor.execute("CREATE TEMP TABLE import_touchpoint (key text PRIMARY KEY, id bigint) ON COMMIT DROP")
        cursor.executemany("INSERT INTO import_touchpoint VALUES (%s, %s)", list(touchpoints.items()))

        def cell(column: str) -> str:
            return f"NULLIF(btrim(r.c{header.index(column)}), '')" if column in header else "NULL"

        comma = delimiter == ";"
        number = r"^\d{1,10}(\.\d{1,2})?$" if not comma else r"^\d{1,10}([.,]\d{1,2})?$"
        cursor.execute(
            f"""
            CREATE TEMP TABLE import_cells ON COMMIT DROP AS
            SELECT r.n, {cell("interaction_id")} AS external_id, c.id AS customer_id, t.id AS touchpoint_id,
                   {cell("customer_id")} AS customer_key, {cell("touchpoint")} AS touchpoint_key,
                   COALESCE({cell("kind")}, '') AS kind, {cell("opened_at")} AS opened,
                   {cell("first_response_at")} AS responded, {cell("resolved_at")} AS resolved,
                   {cell("cost")} AS cost, {cell("csat")} AS csat
            FROM import_raw r
            LEFT JOIN {q(Customer._meta.db_table)} c ON c.external_id = {cell("customer_id")}
            LEFT JOIN import_touchpoint t ON t.key = lower({cell("touchpoint")})
            """
        )
        cursor.execute(
            """
            SELECT count(*),
                   count(*) FILTER (WHERE external_id IS NULL OR length(external_id) > 64
                       OR customer_id IS NULL OR touchpoint_id IS NULL OR length(kind) > 40
                       OR opened IS NULL OR opened !~ %(moment)s OR responded !~ %(moment)s OR resolved !~ %(moment)s
                       OR cost !~ %(number)s OR csat !~ '^[1-5]$'
                       OR btrim(external_id, %(space)s) <> external_id
                       OR btrim(customer_key, %(space)s) <> customer_key
                       OR btrim(touchpoint_key, %(space)s) <> touchpoint_key OR btrim(kind, %(space)s) <> kind),
                   count(*) - count(DISTINCT external_id)
            FROM import_cells
            """,
            {"moment": ISO_MOMENT, "number": number, "space": PYTHON_WHITESPACE},
        )
        total, bad, duplicates = cursor.fetchone()
        if total == 0 or bad or duplicates:
            return None

        def moment(column: str) -> str:  # no offset → the configured time zone, as the row checker does
            return (
                f"CASE WHEN {column} ~ %(offset)s THEN {column}::timestamptz "
                f"ELSE {column}::timestamp AT TIME ZONE %(zone)s END"
            )

        money = "replace(cost, ',', '.')" if comma else "cost"
        cursor.execute(
            f"""
            CREATE TEMP TABLE import_values ON COMMIT DROP AS
            SELECT n, external_id, customer_id, touchpoint_id, kind, {moment("opened")} AS opened_at,
                   {moment("responded")} AS first_response_at, {moment("resolved")} AS resolved_at,
                   CAST({money} AS numeric(12, 2)) AS cost, CAST(csat AS smallint) AS csat
            FROM import_cells
            """,
            {"offset": HAS_OFFSET, "zone": settings.TIME_ZONE},
        )
        cursor.execute(
            "SELECT count(*) FROM import_values WHERE resolved_at < opened_at OR first_response_at < opened_at"
        )
        if cursor.fetchone()[0]:
            return None  # the row checker names them
        # A local time near a daylight-saving change can be ambiguous; the two paths might read it
        # differently, so such files take the row checker's reading.
        cursor.execute(
            """
            SELECT count(*) FROM (
                SELECT DISTINCT date_trunc('hour', local::timestamp) AS hour FROM (
                    SELECT unnest(ARRAY[opened, responded, resolved]) AS local FROM import_cells
                ) cells
                WHERE local IS NOT NULL AND local !~ %(offset)s
            ) hours
            WHERE (hour - interval '3 hours') AT TIME ZONE %(zone)s
                  - (hour + interval '4 hours') AT TIME ZONE %(zone)s <> interval '-7 hours'
            """,
            {"offset": HAS_OFFSET, "zone": settings.TIME_ZONE},
        )
        if cursor.fetchone()[0]:
            return None
        cursor.execute(
            f"""
            INSERT INTO {q(StagedInteraction._meta.db_table)}
                (data_import_id, row_number, external_id, customer_id, touchpoint_id, kind, opened_at,
                 opened_day, first_response_at, resolved_at, resolution_seconds, first_response_seconds,
                 cost, csat)
            SELECT %(import)s, n + 1, external_id, customer_id, touchpoint_id, kind, opened_at,
                   CAST(opened_at AT TIME ZONE %(zone)s AS date), first_response_at, resolved_at,
                   CAST(floor(extract(epoch FROM resolved_at - opened_at)) AS bigint),
                   CAST(floor(extract(epoch FROM first_response_at - opened_at)) AS bigint),
                   cost, csat
            FROM import_values
            """,
            {"import": data_import.pk, "zone": settings.TIME_ZONE},
        )
    return total
