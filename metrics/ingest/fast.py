"""PostgreSQL fast path for interaction CSV files: each line is checked against a strict pattern
in Python while PostgreSQL's COPY parses the same bytes into typed columns (two processes, two
cores); the pipeline then merges straight from a view that joins customers and touchpoints — no
Python per row beyond one regular-expression pass per block, and no copy of the rows between the
COPY and the real table.

The pattern is deliberately stricter than the row-by-row checker (plain ISO 8601 forms, at most two
decimals, exact cell counts, no line breaks inside cells, …). A line outside it is not COPY'd but
handed to the checker (metrics.ingest.checker), which stages it or says what is wrong with it — so a
file with a few bad rows keeps the shortcut's speed, and every problem is still reported by the one
checker. Rules on values that a pattern cannot see are the table's own constraints: an unknown
customer or touchpoint leaves a NULL where none is allowed, an id longer than its column, a case
resolved or answered before it was opened breaks a check constraint. When the merge is refused,
`sift` finds the rows the table refuses, has the checker report each from its line in the file, and
takes them out. Whatever the shortcut is not sure about (a record over several lines, an id given
twice, a checker that finds nothing wrong with a refused row, any other error from PostgreSQL) rolls
the savepoint around the shortcut and its merge back, and the file goes through the ordinary path
(metrics.ingest.pipeline). So a file imports to the same rows, with the same report, either way.
"""

import bisect
import csv
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import BinaryIO
from zoneinfo import ZoneInfo

import psycopg
from django.conf import settings
from django.db import connection

from ..models import Customer, DataImport, Interaction
from .checker import CHUNK_ROWS, Resolver, check_chunk
from .kinds import KINDS, Context
from .reading import record

ROWS_VIEW = "import_rows"  # the file's rows, columns named as Interaction's; the merge reads it
LOADED_VIEW = "import_loaded"  # the COPY'd part of it, with each row's place in the COPY (n)
BLOCK = 1 << 20
GOOD = "\x00"  # what a line the pattern takes is replaced by (PostgreSQL refuses a NUL in text)
MAX_ODD_LINES = 100_000  # lines the checker takes inside the shortcut; more, and it takes the whole file
# What the table refuses, as the view shows it (see Interaction's constraints): sift looks for these.
REFUSED = (
    "customer_id IS NULL OR touchpoint_id IS NULL OR resolution_seconds < 0 OR first_response_seconds < 0 "
    "OR length(external_id) > 64 OR length(kind) > 40"
)
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


@dataclass
class Found:
    """Rows the shortcut did not take, and what the checker said about each."""

    rows: int = 0
    problems: list[dict] = field(default_factory=list)  # {"row", "column", "message"}, as the checker gives them

    def add(self, problems: list[dict]) -> None:
        self.rows += len({problem["row"] for problem in problems})
        self.problems.extend(problems)

    def extend(self, other: "Found") -> None:
        self.rows += other.rows
        self.problems.extend(other.problems)


@dataclass
class Loaded:
    rows: int  # every row of the file (blank lines are not rows)
    stored: int  # rows whose id is stored already (none, on a first load)
    refused: Found  # rows with problems, left out of the view
    odd: list[int]  # the numbers of the lines not COPY'd (rows the checker took, problems, blank lines)
    ids: list[str]  # the ids on those lines
    header: list[str]
    delimiter: str

    @property
    def taken(self) -> int:
        return self.rows - self.refused.rows


def applies(data_import: DataImport) -> bool:
    return data_import.kind == DataImport.Kind.INTERACTIONS and not data_import.file_name.lower().endswith(".xlsx")


def load(source: BinaryIO, resolver: Resolver, *, on_read: Callable[[int, int], None] | None = None) -> Loaded:
    """COPY the file's lines the pattern takes, check the others with the checker, and define
    ROWS_VIEW over both. Raises Declined (or whatever PostgreSQL raises) when the file needs the
    row-by-row path: the caller runs this and the merge in one savepoint, under the merge's locks,
    and rolls it back then. `resolver` finds touchpoints by name or code, and customers, as that
    path does; `on_read(bytes, lines)` hears how far the COPY got."""
    first_line = source.readline().decode("utf-8-sig")
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    header = [column.strip().lower() for column in first_line.strip().split(delimiter)]
    if '"' in first_line or set(header) - set(KINDS["interactions"].columns) or len(set(header)) != len(header):
        raise Declined("a quoted or unusual header")
    discard()
    with connection.cursor() as cursor:
        types = _column_types(delimiter)
        columns = ", ".join(f"c{n} {types.get(column, 'text')}" for n, column in enumerate(header))
        # n: a row's place in the COPY, which sift turns back into its line in the file.
        cursor.execute(
            f"CREATE TEMP TABLE import_load (n bigint GENERATED ALWAYS AS IDENTITY (CACHE 10000), {columns}) "
            "ON COMMIT DROP"
        )
        # COPY reads a moment without an offset in the session's zone: the configured one, as the row checker does.
        cursor.execute("SELECT current_setting('TimeZone'), set_config('TimeZone', %s, true)", [settings.TIME_ZONE])
        session_zone = cursor.fetchone()[0]
        copied = _copy(cursor.cursor, source, header, delimiter, on_read or (lambda done, lines: None))
        cursor.execute("SELECT set_config('TimeZone', %s, true)", [session_zone])
        cell = {column: f"c{n}" for n, column in enumerate(header)}
        if copied.lines and _near_clock_change(cursor, [cell[column] for column in MOMENTS if column in cell]):
            raise Declined("a moment near a daylight-saving change")
        _resolve_touchpoints(cursor, cell["touchpoint"], resolver.touchpoint)
        cursor.execute(_loaded_view(header, delimiter, trim=copied.padded), {"zone": settings.TIME_ZONE})
        cursor.execute(f"CREATE TEMP TABLE import_checked ON COMMIT DROP AS SELECT * FROM {LOADED_VIEW} WITH NO DATA")
        cursor.execute(
            f"CREATE TEMP VIEW {ROWS_VIEW} AS SELECT * FROM {LOADED_VIEW} UNION ALL SELECT * FROM import_checked"
        )
        checked, refused = _check_odd(cursor, copied.odd, header, delimiter, resolver)
        rows = copied.lines + checked + refused.rows
        if rows == 0:
            raise Declined("no rows")
        ids = _odd_ids(copied.odd, header, delimiter)
        if _ids_meet(cursor, ids):
            raise Declined("an id on a line the checker took is on another line too")
        stored = _stored_ids(cursor)
    odd = [number for number, _line in copied.odd]
    return Loaded(rows=rows, stored=stored, refused=refused, odd=odd, ids=ids, header=header, delimiter=delimiter)


def sift(source: BinaryIO, loaded: Loaded, resolver: Resolver, *, must_find: bool = True) -> Found:
    """The COPY'd rows the table refuses (REFUSED), each reported by the checker from its line in the
    file, and taken out of the view. Declined when none is found (unless not `must_find`), when the
    checker finds nothing wrong with one (the two disagree: the checker takes the whole file), or
    when a refused row's id is on another line too (the checker reports that as well)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT n FROM {LOADED_VIEW} WHERE {REFUSED} ORDER BY n LIMIT %s", [MAX_ODD_LINES + 1])
        places = [n for (n,) in cursor.fetchall()]
        if len(places) > MAX_ODD_LINES or (must_find and not places):
            raise Declined("no row, or too many rows, the table refuses")
        if not places:
            return Found()
        numbers = [_line_number(n, loaded.odd) for n in places]
        odd = sorted(_lines_at(source, set(numbers)).items())
        header, delimiter = loaded.header, loaded.delimiter
        context = Context(comma_decimals=delimiter == ";")
        found = Found()
        for start in range(0, len(odd), CHUNK_ROWS):
            chunk = [
                (number, raw)
                for number, line in odd[start : start + CHUNK_ROWS]
                if (raw := _raw(line, header, delimiter))
            ]
            staged, problems = check_chunk(KINDS["interactions"], chunk, context, resolver, {})
            if staged or len({problem["row"] for problem in problems}) != len(chunk):
                raise Declined("the checker finds nothing wrong with a row the table refuses")
            found.add(problems)
        cursor.execute("DELETE FROM import_load WHERE n = ANY(%s)", [places])
        if _ids_meet(cursor, _odd_ids(odd, header, delimiter) + loaded.ids):
            raise Declined("a refused row's id is on another line too")
    return found


def duplicated_ids() -> bool:
    """Whether an id is on two of the view's rows (the merge's unique constraint would refuse them;
    the checker reports them)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT EXISTS (SELECT FROM {ROWS_VIEW} GROUP BY external_id HAVING count(*) > 1)")
        return cursor.fetchone()[0]


def discard() -> None:
    """Drop what an interrupted shortcut left in the session (normally gone with its transaction)."""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP VIEW IF EXISTS {ROWS_VIEW}, {LOADED_VIEW}")
        cursor.execute("DROP TABLE IF EXISTS import_checked, import_load, import_touchpoint")


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


@dataclass
class Copied:
    lines: int = 0  # lines COPY'd
    padded: bool = False  # a text cell with spaces around it (the view trims them)
    odd: list[tuple[int, str]] = field(default_factory=list)  # (line number, line) of the other lines


def _copy(
    cursor: psycopg.Cursor, source: BinaryIO, header: list[str], delimiter: str, on_read: Callable[[int, int], None]
) -> Copied:
    """Send the file's lines to COPY a block at a time, each once Python has checked it (PostgreSQL
    parses one block while Python checks the next). A block whose lines all match goes as it is;
    from any other, the lines that do not (`odd`) are kept back for the checker."""
    tight = _line_pattern(header, delimiter, padded=False)
    loose = _line_pattern(header, delimiter, padded=True)
    copied = Copied()
    number = 1  # the header's line
    tail = b""
    columns = ", ".join(f"c{n}" for n in range(len(header)))
    statement = f"COPY import_load ({columns}) FROM STDIN (FORMAT csv, DELIMITER '{delimiter}', ENCODING 'UTF8')"
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
            pattern = loose if copied.padded else tight
            marked, matched = pattern.subn(GOOD, text)
            if matched == count:
                copy.write(data[:cut])
                taken = count
            else:
                taken = _write_good_lines(copy, text, marked, number, copied, loose if pattern is tight else None)
            copied.lines += taken
            number += count
            on_read(source.tell(), copied.lines)
    if cursor.rowcount != copied.lines:
        raise Declined("COPY read a different number of rows than there are lines")
    return copied


def _write_good_lines(copy, text: str, marked: str, number: int, copied: Copied, loose: re.Pattern | None) -> int:
    """Of a block some of whose lines the pattern did not take, COPY the others; the odd ones are
    kept (with their line numbers) for the checker. A line the loose pattern takes (spaces around
    a cell) is good too, and from then on the loose pattern is the one used."""
    lines = text.split("\n")[:-1]  # the text ends with a line feed
    odd = [index for index, mark in enumerate(marked.split("\n")) if mark != GOOD and index < len(lines)]
    kept: list[str] = []
    start = 0
    for index in odd:
        kept.extend(lines[start:index])
        start = index + 1
        line = lines[index]
        if loose is not None and loose.fullmatch(line):
            kept.append(line)
            copied.padded = True
        else:
            copied.odd.append((number + 1 + index, line.removesuffix("\r")))
    kept.extend(lines[start:])
    if len(copied.odd) > MAX_ODD_LINES:
        raise Declined("too many lines outside the shortcut's forms")
    if kept:
        copy.write(("\n".join(kept) + "\n").encode())
    return len(kept)


def _raw(line: str, header: list[str], delimiter: str) -> dict[str, str] | None:
    """A line's cells by column, as the row checker reads them (reading.record); Declined when the
    record goes on past the line (a line break inside quotes), which only the checker can follow."""
    if "\r" in line:  # the checker's reader ends a record at a lone carriage return too
        raise Declined("a carriage return inside a line")
    pulled = []

    def one_line():
        pulled.append(line)
        yield line + "\n"
        pulled.append(None)  # the reader asked for the next line: the record is not over

    try:
        cells = next(csv.reader(one_line(), delimiter=delimiter))
    except (csv.Error, StopIteration):
        raise Declined("a line the csv reader refuses") from None
    if len(pulled) > 1:
        raise Declined("a record over several lines")
    return record(header, cells)


def _check_odd(
    cursor, odd: list[tuple[int, str]], header: list[str], delimiter: str, resolver: Resolver
) -> tuple[int, Found]:
    """The checker on the lines the pattern did not take: good rows into import_checked (typed as
    the view), problems kept. Returns how many rows it took, and what it refused."""
    context = Context(comma_decimals=delimiter == ";")
    kind = KINDS["interactions"]
    seen: dict[str, int] = {}
    taken = 0
    found = Found()
    columns = ["external_id", *kind.fields]
    for start in range(0, len(odd), CHUNK_ROWS):
        chunk = [
            (number, raw) for number, line in odd[start : start + CHUNK_ROWS] if (raw := _raw(line, header, delimiter))
        ]
        staged, problems = check_chunk(kind, chunk, context, resolver, seen)
        found.add(problems)
        if staged:
            with cursor.cursor.copy(f"COPY import_checked ({', '.join(columns)}) FROM STDIN") as copy:
                for values in staged:
                    copy.write_row([values[column] for column in columns])
            taken += len(staged)
    return taken, found


def _odd_ids(odd: list[tuple[int, str]], header: list[str], delimiter: str) -> list[str]:
    """The ids on lines the pattern did not take, trimmed as the checker trims them."""
    position = header.index("interaction_id")
    ids = []
    for _number, line in odd:
        raw = _raw(line, header, delimiter)
        if raw and "__shape__" not in raw:
            ids.append(raw[header[position]].strip())
    return [value for value in ids if value]


def _ids_meet(cursor, ids: list[str]) -> bool:
    """Whether any of these ids is on a COPY'd row, or twice among themselves (which the checker
    handles, but rarely happens: the checker then takes the whole file, to be sure)."""
    if not ids:
        return False
    if len(set(ids)) != len(ids):
        return True
    cursor.execute(f"SELECT EXISTS (SELECT FROM {LOADED_VIEW} WHERE external_id = ANY(%s::text[]))", [ids])
    return cursor.fetchone()[0]


def _line_number(n: int, odd: list[int]) -> int:
    """The line of the file the n-th COPY'd row came from: the header is line 1, and the lines in
    `odd` (sorted) were not COPY'd. The least r with r = n + 1 + (odd lines up to r)."""
    line = n + 1
    while (moved := n + 1 + bisect.bisect_right(odd, line)) != line:
        line = moved
    return line


def _lines_at(source: BinaryIO, numbers: set[int]) -> dict[int, str]:
    """These lines of the file, read again (only after the table refused rows)."""
    source.seek(0)
    found = {}
    for number, line in enumerate(source, start=1):
        if number in numbers:
            found[number] = line.decode("utf-8-sig" if number == 1 else "utf-8").rstrip("\n").removesuffix("\r")
            if len(found) == len(numbers):
                break
    return found


def _stored_ids(cursor) -> int:
    """How many rows have an id stored already. Two rows for one stored id would update it once,
    silently, so that declines; two for a new id the unique constraint refuses at the insert."""
    interactions = connection.ops.quote_name(Interaction._meta.db_table)
    cursor.execute(
        f"SELECT count(*), count(DISTINCT t.id) FROM {ROWS_VIEW} l "
        f"JOIN {interactions} t ON t.external_id = l.external_id"
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


def _loaded_view(header: list[str], delimiter: str, *, trim: bool) -> str:
    """The COPY'd rows as Interaction's columns (and n): references joined, durations derived (moments,
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
        CREATE TEMP VIEW {LOADED_VIEW} AS
        SELECT l.n, {cell("interaction_id")} COLLATE "C" AS external_id, c.id AS customer_id, t.id AS touchpoint_id,
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
