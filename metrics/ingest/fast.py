"""PostgreSQL fast path for clean interaction CSV files: each line is checked against a strict
pattern in Python while PostgreSQL's COPY parses the same bytes into typed columns (two processes,
two cores); the pipeline then merges straight from a view that joins customers and touchpoints —
no Python per row beyond one regular-expression match per line, and no copy of the rows between
the COPY and the real table.

It is only a shortcut for files without a single problem, and deliberately stricter than the
row-by-row checker (plain ISO 8601 forms, at most two decimals, exact cell counts, no line breaks
inside cells, …). Rules on values that a pattern cannot see are the table's own constraints: an
unknown customer or touchpoint leaves a NULL where none is allowed, an id longer than its column,
a case resolved or answered before it was opened breaks a check constraint. Whatever does not pass,
or makes PostgreSQL raise anything at all, rolls the savepoint around the shortcut and its merge
back, and the file goes through the ordinary path (metrics.ingest.pipeline), which finds and
reports every problem with its row, column and reason. So a file imports to the same rows either
way, and errors are always reported by the one checker.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import BinaryIO
from zoneinfo import ZoneInfo

import psycopg
from django.conf import settings
from django.db import connection

from ..models import Customer, DataImport, Interaction
from .kinds import KINDS

ROWS_VIEW = "import_rows"  # the file's rows, columns named as Interaction's; the merge reads it
BLOCK = 1 << 20
MOMENTS = ("opened_at", "first_response_at", "resolved_at")
TEXTS = ("interaction_id", "customer_id", "touchpoint", "kind")
# Plain ISO 8601 only, every part in range (PostgreSQL would take 24:00, :60 or odd offsets that
# Python refuses, and reads forms Python does not); anything else goes to the row checker.
# ([0-9], not \d: in a str pattern \d takes any script's digits.)
MOMENT = (
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[T ](?:[01][0-9]|2[0-3]):[0-5][0-9]"
    r"(?::[0-5][0-9](?:\.(?:[0-9]{3}|[0-9]{6}))?)?(?:Z|[+-](?:0[0-9]|1[0-5]):[0-5][0-9])?)?"
)
# The inside of a text cell, bare or quoted, without whitespace at its ends (a line is one row: no
# line breaks inside either).
BARE_TEXT = r'[^{d}"\s](?:[^{d}"\r\n]*[^{d}"\s])?'
QUOTED_TEXT = r'(?:[^"\s]|"")(?:(?:[^"\r\n]|"")*(?:[^"\s]|""))?'


class Declined(Exception):
    """The file is not one the shortcut is sure about; the row checker takes it."""


@dataclass(frozen=True)
class Loaded:
    rows: int
    stored: int  # rows whose id is stored already (none, on a first load)


def applies(data_import: DataImport) -> bool:
    return data_import.kind == DataImport.Kind.INTERACTIONS and not data_import.file_name.lower().endswith(".xlsx")


def load(
    source: BinaryIO,
    touchpoint: Callable[[str], int | None],
    *,
    on_read: Callable[[int, int], None] | None = None,
) -> Loaded:
    """COPY a clean file and define ROWS_VIEW over it. Raises Declined (or whatever PostgreSQL
    raises) when the file needs the row-by-row path: the caller runs this and the merge in one
    savepoint, under the merge's locks, and rolls it back then. `touchpoint` finds a touchpoint's
    id by name or code, as that path does; `on_read(bytes, lines)` hears how far the COPY got."""
    first_line = source.readline().decode("utf-8-sig")
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    header = [column.strip().lower() for column in first_line.strip().split(delimiter)]
    if '"' in first_line or set(header) - set(KINDS["interactions"].columns) or len(set(header)) != len(header):
        raise Declined("a quoted or unusual header")
    discard()
    with connection.cursor() as cursor:
        types = _column_types(delimiter)
        columns = ", ".join(f"c{n} {types.get(column, 'text')}" for n, column in enumerate(header))
        cursor.execute(f"CREATE TEMP TABLE import_load ({columns}) ON COMMIT DROP")
        # COPY reads a moment without an offset in the session's zone: the configured one, as the row checker does.
        cursor.execute("SELECT current_setting('TimeZone'), set_config('TimeZone', %s, true)", [settings.TIME_ZONE])
        session_zone = cursor.fetchone()[0]
        lines, padded = _copy(cursor.cursor, source, header, delimiter, on_read or (lambda done, lines: None))
        cursor.execute("SELECT set_config('TimeZone', %s, true)", [session_zone])
        if lines == 0:
            raise Declined("no rows")
        cell = {column: f"c{n}" for n, column in enumerate(header)}
        stored = _stored_ids(cursor, cell["interaction_id"], trim=padded)
        if _near_clock_change(cursor, [cell[column] for column in MOMENTS if column in cell]):
            raise Declined("a moment near a daylight-saving change")
        _resolve_touchpoints(cursor, cell["touchpoint"], touchpoint)
        cursor.execute(_rows_view(header, delimiter, trim=padded), {"zone": settings.TIME_ZONE})
    return Loaded(rows=lines, stored=stored)


def discard() -> None:
    """Drop what an interrupted shortcut left in the session (normally gone with its transaction)."""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP VIEW IF EXISTS {ROWS_VIEW}")
        cursor.execute("DROP TABLE IF EXISTS import_load, import_touchpoint")


def _column_types(delimiter: str) -> dict[str, str]:
    """Columns COPY converts itself (its input functions are C, and run beside Python's check)."""
    types = {column: "timestamptz" for column in MOMENTS} | {"csat": "smallint"}
    if delimiter == ",":  # with `;` the cost may have a decimal comma, which numeric does not read
        types["cost"] = "numeric(12, 2)"
    return types


def _line_pattern(header: list[str], delimiter: str, *, padded: bool) -> re.Pattern:
    """One line of a file the shortcut takes: every cell in a form the shortcut is sure about.
    `padded` also lets text cells have spaces around them, or be empty in quotes; the view then
    trims them (str.strip() and btrim() trim spaces alike; other whitespace never passes)."""
    d = re.escape(delimiter)
    bare = BARE_TEXT.format(d=d)
    space = " *" if padded else ""

    def text(optional: str) -> str:
        quoted_optional = "?" if padded else optional
        return f'(?:{space}(?:{bare}){optional}{space}|"{space}(?:{QUOTED_TEXT}){quoted_optional}{space}")'

    number = r"[0-9]{1,10}(?:[.,][0-9]{1,2})?" if delimiter == ";" else r"[0-9]{1,10}(?:\.[0-9]{1,2})?"

    def either(pattern: str) -> str:  # bare or quoted
        return f'(?:{pattern}|"{pattern}")'

    cells = {
        "interaction_id": text(""),
        "customer_id": text(""),
        "touchpoint": text(""),
        "kind": text("?"),
        "opened_at": either(MOMENT),
        "first_response_at": f"{either(MOMENT)}?",
        "resolved_at": f"{either(MOMENT)}?",
        "cost": f"{either(number)}?",
        "csat": f"{either('[1-5]')}?",
    }
    return re.compile("^" + d.join(cells[column] for column in header) + r"\r?$", re.MULTILINE)


def _copy(
    cursor: psycopg.Cursor, source: BinaryIO, header: list[str], delimiter: str, on_read: Callable[[int, int], None]
) -> tuple[int, bool]:
    """Send the file's lines to COPY a block at a time, each once Python has checked it (PostgreSQL
    parses one block while Python checks the next). Returns the number of lines and whether any
    text cell was padded; raises Declined, having ended the COPY cleanly, at the first block with a
    line outside the shortcut's forms."""
    tight = _line_pattern(header, delimiter, padded=False)
    loose = _line_pattern(header, delimiter, padded=True)
    lines = 0
    padded = declined = False
    tail = b""
    statement = f"COPY import_load FROM STDIN (FORMAT csv, DELIMITER '{delimiter}', ENCODING 'UTF8')"
    with cursor.copy(statement) as copy:
        while True:
            block = source.read(BLOCK)
            if block:
                data = tail + block
            elif tail:
                data = tail + b"\n"  # the last line, without its line feed
            else:
                break
            cut = data.rfind(b"\n") + 1  # a line feed is never part of a multi-byte UTF-8 character
            tail = data[cut:]
            text, count = data[:cut].decode("utf-8"), data.count(b"\n", 0, cut)
            if len(tight.findall(text)) != count:
                if len(loose.findall(text)) != count:
                    declined = True
                    break
                padded = True
            copy.write(data[:cut])
            lines += count
            on_read(source.tell(), lines)
    if declined:
        raise Declined("a line outside the shortcut's forms")
    if cursor.rowcount != lines:
        raise Declined("COPY read a different number of rows than there are lines")
    return lines, padded


def _stored_ids(cursor, column: str, *, trim: bool) -> int:
    """How many rows have an id stored already. Two rows for one stored id would update it once,
    silently, so that declines; two for a new id the unique constraint refuses at the insert."""
    interactions = connection.ops.quote_name(Interaction._meta.db_table)
    cell = f"btrim(l.{column})" if trim else f"l.{column}"
    cursor.execute(
        f"SELECT count(*), count(DISTINCT t.id) FROM import_load l "
        f'JOIN {interactions} t ON t.external_id = {cell} COLLATE "C"'
    )
    rows, ids = cursor.fetchone()
    if rows != ids:
        raise Declined("a stored id given twice")
    return rows


MAX_TOUCHPOINT_CELLS = 10_000  # distinct spellings; a catalogue has hundreds of touchpoints


def _resolve_touchpoints(cursor, column: str, touchpoint: Callable[[str], int | None]) -> None:
    """Each distinct touchpoint cell of the file, as COPY read it, resolved in Python (trimmed and
    lower-cased exactly as the row checker does): a few hundred look-ups instead of a million."""
    cursor.execute(f"SELECT DISTINCT {column} FROM import_load LIMIT {MAX_TOUCHPOINT_CELLS + 1}")
    cells = [value for (value,) in cursor.fetchall()]
    if len(cells) > MAX_TOUCHPOINT_CELLS:
        raise Declined("too many different touchpoint cells")
    found = {value: touchpoint(value.strip()) for value in cells if value is not None}
    found = {value: pk for value, pk in found.items() if pk is not None}
    cursor.execute("CREATE TEMP TABLE import_touchpoint (cell text PRIMARY KEY, id bigint) ON COMMIT DROP")
    cursor.execute(
        "INSERT INTO import_touchpoint SELECT * FROM unnest(%s::text[], %s::bigint[])",
        [list(found), list(found.values())],
    )


def _rows_view(header: list[str], delimiter: str, *, trim: bool) -> str:
    """The file's rows as Interaction's columns: references joined, durations derived (moments,
    and numbers in a comma-separated file, arrive typed from COPY). An unknown reference stays NULL
    for the table's NOT NULL to refuse. (date_part's double holds an interval's whole microseconds
    exactly enough for floor() to give the seconds the row checker counts, at half extract's cost.)"""

    def cell(column: str) -> str:
        if column not in header:
            return "NULL"
        raw = f"l.c{header.index(column)}"
        return f"NULLIF(btrim({raw}), '')" if trim and column in TEXTS else raw

    opened, responded, resolved = (
        f"l.c{header.index(column)}" if column in header else "CAST(NULL AS timestamptz)" for column in MOMENTS
    )
    cost = cell("cost") if delimiter == "," else f"CAST(replace({cell('cost')}, ',', '.') AS numeric(12, 2))"
    customers = connection.ops.quote_name(Customer._meta.db_table)
    return f"""
        CREATE TEMP VIEW {ROWS_VIEW} AS
        SELECT {cell("interaction_id")} COLLATE "C" AS external_id, c.id AS customer_id, t.id AS touchpoint_id,
               COALESCE({cell("kind")}, '') AS kind, {opened} AS opened_at,
               CAST({opened} AT TIME ZONE %(zone)s AS date) AS opened_day,
               {responded} AS first_response_at, {resolved} AS resolved_at,
               CAST(floor(date_part('epoch', {resolved} - {opened})) AS bigint) AS resolution_seconds,
               CAST(floor(date_part('epoch', {responded} - {opened})) AS bigint) AS first_response_seconds,
               CAST({cost} AS numeric(12, 2)) AS cost, CAST({cell("csat")} AS smallint) AS csat
        FROM import_load l
        LEFT JOIN {customers} c ON c.external_id = {cell("customer_id")}
        LEFT JOIN import_touchpoint t ON t.cell = l.c{header.index("touchpoint")}
    """


def _near_clock_change(cursor, columns: list[str]) -> bool:
    """A local time near a daylight-saving change can be ambiguous; the two paths might read it
    differently, so a file with any moment within hours of one takes the row checker's reading.
    The zone's changes in the file's span are found in Python (a few hundred offsets per year)."""
    cursor.execute(
        f"SELECT least({', '.join(f'min({c})' for c in columns)}), greatest({', '.join(f'max({c})' for c in columns)}) "
        "FROM import_load"
    )
    earliest, latest = cursor.fetchone()
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
        f"({column} BETWEEN %(from{n})s AND %(to{n})s)" for n in range(len(changes)) for column in columns
    )
    windows = {}
    for n, change in enumerate(changes):  # the change lies within [change, change + 6 h)
        windows[f"from{n}"] = change - timedelta(hours=12)
        windows[f"to{n}"] = change + timedelta(hours=18)
    cursor.execute(f"SELECT EXISTS (SELECT 1 FROM import_load WHERE {near})", windows)
    return cursor.fetchone()[0]
