"""PostgreSQL fast path for CSV files of every kind: each line is checked against a strict pattern
in Python while PostgreSQL's COPY parses the same bytes into typed columns (two processes, two
cores); the pipeline then merges straight from a view that joins customers, touchpoints and
journeys — no Python per row beyond one regular-expression pass per block, and no copy of the rows
between the COPY and the real table. What it knows of each kind is its Shape (SHAPES).

The pattern is deliberately stricter than the row-by-row checker (plain ISO 8601 forms, at most two
decimals, exact cell counts, no line breaks inside cells, …). A line outside it is not COPY'd but
handed to the checker (metrics.ingest.checker), which stages it or says what is wrong with it — so a
file with a few bad rows keeps the shortcut's speed, and every problem is still reported by the one
checker. Rules on values that a pattern cannot see are the shape's `refused` condition: `sift` finds
those rows, has the checker report each from its line in the file, and takes them out (after a
refused merge, where the table's own constraints refuse every such row; before the merge where they
do not). Whatever the shortcut is not sure about (a record over several lines, an id given twice, a
checker that finds nothing wrong with a refused row, any other error from PostgreSQL) rolls the
savepoint around the shortcut and its merge back, and the file goes through the ordinary path
(metrics.ingest.pipeline). So a file imports to the same rows, with the same report, either way
(tests/metrics/test_fast_import_property.py, test_fast_import_kinds_property.py).
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
from django.core.files import File
from django.db import connection

from ..models import Customer, DataImport
from .checker import AMBIGUOUS, CHUNK_ROWS, Resolver, check_chunk
from .kinds import KINDS, Context
from .reading import MAX_HEADER_CHARS, reader, record

ROWS_VIEW = "import_rows"  # the file's rows, columns named as Interaction's; the merge reads it
LOADED_VIEW = "import_loaded"  # the COPY'd part of it, with each row's place in the COPY (n)
BLOCK = 1 << 20
MAX_LINE_BYTES = 1 << 20  # a longer line goes to the checker (which refuses cells over 10,000 characters)
GOOD = "\x00"  # what a line the pattern takes is replaced by (PostgreSQL refuses a NUL in text)
MAX_ODD_LINES = 100_000  # lines the checker takes inside the shortcut; more, and it takes the whole file
# Plain ISO 8601 only, every part in range (PostgreSQL would take 24:00, :60 or odd offsets that
# Python refuses, and reads forms Python does not), years 1900–2999 (years near 1 or 9999 can fall
# outside the range of dates in a zone); anything else goes to the row checker.
# ([0-9], not \d: in a str pattern \d takes any script's digits.)
MOMENT = (
    r"(?:19|2[0-9])[0-9]{2}-[0-9]{2}-[0-9]{2}(?:[T ](?:[01][0-9]|2[0-3]):[0-5][0-9]"
    r"(?::[0-5][0-9](?:\.(?:[0-9]{3}|[0-9]{6}))?)?(?:Z|[+-](?:0[0-9]|1[0-5]):[0-5][0-9])?)?"
)
# The inside of a text cell, bare or quoted, without whitespace at its ends (a line is one row: no
# line breaks inside either) and without NUL (the checker says what is wrong with one); not starting
# with an apostrophe, which the checker takes off before a formula-like start (cxhub.lib.spreadsheet).
BARE_TEXT = r'[^{d}"\s\x00\'](?:[^{d}"\r\n\x00]*[^{d}"\s\x00])?'
QUOTED_TEXT = r'(?:[^"\s\x00\']|"")(?:(?:[^"\r\n\x00]|"")*(?:[^"\s\x00]|""))?'


@dataclass(frozen=True)
class Shape:
    """What the shortcut knows of one kind of file: each column's cell pattern (see _line_pattern),
    the view that turns the COPY'd cells into the table's columns, and the rows the table must not
    take (`refused`, over the view's columns). When the table itself refuses every such row
    (`table_refuses`: a NULL where none is allowed, a value too long), sift runs only after a
    refused merge; otherwise (optional references, rules no constraint states) before every merge."""

    cells: dict[str, str]
    view: Callable[["Cells"], str]
    refused: str
    table_refuses: bool

    @property
    def moments(self) -> list[str]:
        return [column for column, cell in self.cells.items() if cell.startswith("moment")]


class Cells:
    """SQL for the file's cells in the view: text trimmed as the checker trims it (when any was
    padded) and empty as NULL; moments and numbers as COPY typed them."""

    def __init__(self, header: list[str], shape: Shape, delimiter: str, *, trim: bool) -> None:
        self.header, self.shape, self.delimiter, self.trim = header, shape, delimiter, trim

    def raw(self, column: str) -> str:
        return f"l.c{self.header.index(column)}" if column in self.header else "NULL"

    def __call__(self, column: str) -> str:
        raw, cell = self.raw(column), self.shape.cells[column]
        if column not in self.header:
            return {"moment?": "CAST(NULL AS timestamptz)"}.get(cell, "NULL")
        if cell.startswith("text") or cell == "id":
            return f"NULLIF(btrim({raw}), '')" if self.trim else f"NULLIF({raw}, '')"
        if cell.startswith("money") and self.delimiter == ";":  # a decimal comma: numeric does not read it
            return f"CAST(replace({raw}, ',', '.') AS numeric(14, 2))"
        return raw

    def local_day(self, column: str) -> str:
        return f"CAST({self(column)} AT TIME ZONE %(zone)s AS date)"


def _interactions_view(cell: Cells) -> str:
    """Durations derived (date_part's double holds an interval's whole microseconds exactly enough
    for floor() to give the seconds the row checker counts, at half extract's cost)."""
    opened, responded, resolved = cell("opened_at"), cell("first_response_at"), cell("resolved_at")
    return f"""
        SELECT l.n, {cell("interaction_id")} COLLATE "C" AS external_id, c.id AS customer_id, t.id AS touchpoint_id,
               COALESCE({cell("kind")}, '') AS kind, {opened} AS opened_at, {cell.local_day("opened_at")} AS opened_day,
               {responded} AS first_response_at, {resolved} AS resolved_at,
               CAST(floor(date_part('epoch', {resolved} - {opened})) AS bigint) AS resolution_seconds,
               CAST(floor(date_part('epoch', {responded} - {opened})) AS bigint) AS first_response_seconds,
               CAST({cell("cost")} AS numeric(12, 2)) AS cost, CAST({cell("csat")} AS smallint) AS csat
        FROM import_load l
        LEFT JOIN {_table(Customer)} c ON c.external_id = {cell("customer_id")}
        LEFT JOIN import_touchpoint t ON t.cell = {cell.raw("touchpoint")}
    """


def _survey_responses_view(cell: Cells) -> str:
    """The references' cells are kept beside their ids: a cell given but not found is refused."""
    return f"""
        SELECT l.n, {cell("response_id")} AS external_id, c.id AS customer_id, t.id AS touchpoint_id,
               j.id AS journey_id, {cell("submitted_at")} AS submitted_at,
               {cell.local_day("submitted_at")} AS submitted_day, CAST({cell("nps")} AS smallint) AS nps,
               CAST({cell("csat")} AS smallint) AS csat, CAST({cell("ces")} AS smallint) AS ces,
               COALESCE({cell("comment")}, '') AS comment, {cell("customer_id")} AS customer_cell,
               {cell("touchpoint")} AS touchpoint_cell, {cell("journey")} AS journey_cell
        FROM import_load l
        LEFT JOIN {_table(Customer)} c ON c.external_id = {cell("customer_id")}
        LEFT JOIN import_touchpoint t ON t.cell = {cell.raw("touchpoint")}
        LEFT JOIN import_journey j ON j.cell = {cell.raw("journey")}
    """


def _transactions_view(cell: Cells) -> str:
    day = cell.local_day("occurred_at")
    return f"""
        SELECT l.n, {cell("transaction_id")} AS external_id, c.id AS customer_id,
               {cell("occurred_at")} AS occurred_at, {day} AS occurred_day,
               CAST(date_trunc('month', {day}) AS date) AS occurred_month,
               CAST({cell("amount")} AS numeric(14, 2)) AS amount
        FROM import_load l
        LEFT JOIN {_table(Customer)} c ON c.external_id = {cell("customer_id")}
    """


def _customers_view(cell: Cells) -> str:
    day = cell.local_day("acquired_at")
    return f"""
        SELECT l.n, {cell("customer_id")} AS external_id, {cell("acquired_at")} AS acquired_at,
               CAST(date_trunc('month', {day}) AS date) AS acquired_month,
               CAST(COALESCE({cell("acquisition_cost")}, 0) AS numeric(14, 2)) AS acquisition_cost,
               COALESCE({cell("segment")}, '') AS segment, {cell("churned_at")} AS churned_at
        FROM import_load l
    """


def _given_but_unknown(*references: str) -> str:
    return " OR ".join(f"({name}_cell IS NOT NULL AND {name}_id IS NULL)" for name in references)


# The checker's rules (metrics.ingest.kinds) as the shortcut sees them: the patterns take only
# values the checker reads the same way; what they cannot see is in `refused`.
SHAPES = {
    "interactions": Shape(
        cells={
            "interaction_id": "id", "customer_id": "id", "touchpoint": "id", "kind": "text",
            "opened_at": "moment", "first_response_at": "moment?", "resolved_at": "moment?", "cost": "money?",
            "csat": "score 1-5",
        },
        view=_interactions_view,
        refused="customer_id IS NULL OR touchpoint_id IS NULL OR resolution_seconds < 0 OR first_response_seconds < 0 "
        "OR length(external_id) > 64 OR length(kind) > 40",
        table_refuses=True,  # NOT NULL, check constraints, varchar lengths
    ),
    "survey_responses": Shape(
        cells={
            "response_id": "id", "customer_id": "text", "touchpoint": "text", "journey": "text",
            "submitted_at": "moment", "nps": "score 0-10", "csat": "score 1-5", "ces": "score 1-7", "comment": "text",
        },
        view=_survey_responses_view,
        refused=_given_but_unknown("customer", "touchpoint", "journey")
        + " OR COALESCE(nps, csat, ces) IS NULL OR length(external_id) > 64 OR length(comment) > 5000",
        table_refuses=False,
    ),
    "transactions": Shape(
        cells={"transaction_id": "id", "customer_id": "id", "occurred_at": "moment", "amount": "money"},
        view=_transactions_view,
        refused="customer_id IS NULL OR length(external_id) > 64",
        table_refuses=True,
    ),
    "customers": Shape(
        cells={
            "customer_id": "id", "acquired_at": "moment", "acquisition_cost": "money?", "segment": "text",
            "churned_at": "moment?",
        },
        view=_customers_view,
        refused="churned_at < acquired_at OR length(external_id) > 64 OR length(segment) > 60",
        table_refuses=False,
    ),
}  # fmt: skip


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


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
    kind: str
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
    return data_import.kind in SHAPES and not data_import.file_name.lower().endswith(".xlsx")


def load(
    source: BinaryIO, kind: str, resolver: Resolver, *, on_read: Callable[[int, int], None] | None = None
) -> Loaded:
    """COPY the file's lines the pattern takes, check the others with the checker, and define
    ROWS_VIEW over both. Raises Declined (or whatever PostgreSQL raises) when the file needs the
    row-by-row path: the caller runs this and the merge in one savepoint, under the merge's locks,
    and rolls it back then. `resolver` finds touchpoints by name or code, and customers, as that
    path does; `on_read(bytes, lines)` hears how far the COPY got. Rows only a rule the table does
    not state refuses are sifted out here (see Shape)."""
    shape = SHAPES[kind]
    first_line = source.readline(MAX_HEADER_CHARS + 1).decode("utf-8-sig")
    if len(first_line) > MAX_HEADER_CHARS or not first_line.endswith("\n"):
        raise Declined("no header line, or a long one")
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    header = [column.strip().lower() for column in first_line.strip().split(delimiter)]
    if '"' in first_line or set(header) - set(shape.cells) or len(set(header)) != len(header):
        raise Declined("a quoted or unusual header")
    discard()
    with connection.cursor() as cursor:
        types = _column_types(shape, delimiter)
        columns = ", ".join(f"c{n} {types.get(column, 'text')}" for n, column in enumerate(header))
        # n: a row's place in the COPY, which sift turns back into its line in the file.
        cursor.execute(
            f"CREATE TEMP TABLE import_load (n bigint GENERATED ALWAYS AS IDENTITY (CACHE 10000), {columns}) "
            "ON COMMIT DROP"
        )
        # COPY reads a moment without an offset in the session's zone: the configured one, as the row checker does.
        cursor.execute("SELECT current_setting('TimeZone'), set_config('TimeZone', %s, true)", [settings.TIME_ZONE])
        session_zone = cursor.fetchone()[0]
        copied = _copy(cursor.cursor, source, shape, header, delimiter, on_read or (lambda done, lines: None))
        cursor.execute("SELECT set_config('TimeZone', %s, true)", [session_zone])
        cell = {column: f"c{n}" for n, column in enumerate(header)}
        if copied.lines and _near_clock_change(cursor, [cell[column] for column in shape.moments if column in cell]):
            raise Declined("a moment near a daylight-saving change")
        _resolve(cursor, "import_touchpoint", cell.get("touchpoint"), resolver.touchpoint)
        _resolve(cursor, "import_journey", cell.get("journey"), resolver.journey)
        view = shape.view(Cells(header, shape, delimiter, trim=copied.padded))
        cursor.execute(f"CREATE TEMP VIEW {LOADED_VIEW} AS {view}", {"zone": settings.TIME_ZONE})
        cursor.execute(f"CREATE TEMP TABLE import_checked ON COMMIT DROP AS SELECT * FROM {LOADED_VIEW} WITH NO DATA")
        cursor.execute(
            f"CREATE TEMP VIEW {ROWS_VIEW} AS SELECT * FROM {LOADED_VIEW} UNION ALL SELECT * FROM import_checked"
        )
        checked, refused = _check_odd(cursor, kind, copied.odd, header, delimiter, resolver)
        rows = copied.lines + checked + refused.rows
        if rows == 0:
            raise Declined("no rows")
        ids = _odd_ids(copied.odd, header, delimiter)
        if _ids_meet(cursor, ids):
            raise Declined("an id on a line the checker took is on another line too")
        stored = _stored_ids(cursor, KINDS[kind].target)
    odd = [number for number, _line in copied.odd]
    loaded = Loaded(
        kind=kind, rows=rows, stored=stored, refused=refused, odd=odd, ids=ids, header=header, delimiter=delimiter
    )
    if not shape.table_refuses:
        loaded.refused.extend(sift(source, loaded, resolver, must_find=False))
    return loaded


def sift(source: BinaryIO | File, loaded: Loaded, resolver: Resolver, *, must_find: bool = True) -> Found:
    """The COPY'd rows the table refuses (the shape's `refused`), each reported by the checker from its line in the
    file, and taken out of the view. Declined when none is found (unless not `must_find`), when the
    checker finds nothing wrong with one (the two disagree: the checker takes the whole file), or
    when a refused row's id is on another line too (the checker reports that as well)."""
    with connection.cursor() as cursor:
        refused = SHAPES[loaded.kind].refused
        cursor.execute(f"SELECT n FROM {LOADED_VIEW} WHERE {refused} ORDER BY n LIMIT %s", [MAX_ODD_LINES + 1])
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
            staged, problems = check_chunk(KINDS[loaded.kind], chunk, context, resolver, {})
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
        cursor.execute("DROP TABLE IF EXISTS import_checked, import_load, import_touchpoint, import_journey")


def _column_types(shape: Shape, delimiter: str) -> dict[str, str]:
    """Columns COPY converts itself (its input functions are C, and run beside Python's check). A
    number in a `;`-separated file may have a decimal comma, which numeric does not read: the
    pattern lets it through only there, and the view converts it."""
    types = {}
    for column, cell in shape.cells.items():
        if cell.startswith("moment"):
            types[column] = "timestamptz"
        elif cell.startswith("score"):
            types[column] = "smallint"
        elif cell.startswith("money") and delimiter == ",":
            types[column] = "numeric(14, 2)"
    return types


def _line_pattern(shape: Shape, header: list[str], delimiter: str, *, padded: bool) -> re.Pattern:
    """One line of a file the shortcut takes: every cell in a form the shortcut is sure about.
    `padded` also lets text cells have spaces around them, or be empty in quotes; the view then
    trims them (str.strip() and btrim() trim spaces alike; other whitespace never passes)."""
    d = re.escape(delimiter)
    bare = BARE_TEXT.format(d=d)
    space = " *" if padded else ""

    def text(optional: str) -> str:
        quoted_optional = "?" if padded else optional
        return f'(?:{space}(?:{bare}){optional}{space}|"{space}(?:{QUOTED_TEXT}){quoted_optional}{space}")'

    # A decimal comma only where the file separates cells with `;` (the view reads it, in text).
    number = r"[0-9]{1,10}(?:[.,][0-9]{1,2})?" if delimiter == ";" else r"[0-9]{1,10}(?:\.[0-9]{1,2})?"

    def either(pattern: str) -> str:  # bare or quoted
        return f'(?:{pattern}|"{pattern}")'

    scores = {"score 1-5": "[1-5]", "score 1-7": "[1-7]", "score 0-10": "(?:10|[0-9])"}
    forms = {
        "id": text(""),
        "text": text("?"),
        "moment": either(MOMENT),
        "moment?": f"{either(MOMENT)}?",
        "money": either(number),
        "money?": f"{either(number)}?",
    } | {name: f"{either(score)}?" for name, score in scores.items()}
    return re.compile("^" + d.join(forms[shape.cells[column]] for column in header) + r"\r?$", re.MULTILINE)


@dataclass
class Copied:
    lines: int = 0  # lines COPY'd
    padded: bool = False  # a text cell with spaces around it (the view trims them)
    odd: list[tuple[int, str]] = field(default_factory=list)  # (line number, line) of the other lines


def _copy(
    cursor: psycopg.Cursor,
    source: BinaryIO,
    shape: Shape,
    header: list[str],
    delimiter: str,
    on_read: Callable[[int, int], None],
) -> Copied:
    """Send the file's lines to COPY a block at a time, each once Python has checked it (PostgreSQL
    parses one block while Python checks the next). A block whose lines all match goes as it is;
    from any other, the lines that do not (`odd`) are kept back for the checker."""
    tight = _line_pattern(shape, header, delimiter, padded=False)
    loose = _line_pattern(shape, header, delimiter, padded=True)
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
            if len(tail) > MAX_LINE_BYTES:
                raise Declined("a line longer than any row the shortcut takes")
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
        cells = next(reader(one_line(), delimiter))
    except (csv.Error, StopIteration):
        raise Declined("a line the csv reader refuses") from None
    if len(pulled) > 1:
        raise Declined("a record over several lines")
    return record(header, cells)


def _check_odd(
    cursor, kind_name: str, odd: list[tuple[int, str]], header: list[str], delimiter: str, resolver: Resolver
) -> tuple[int, Found]:
    """The checker on the lines the pattern did not take: good rows into import_checked (typed as
    the view), problems kept. Returns how many rows it took, and what it refused."""
    context = Context(comma_decimals=delimiter == ";")
    kind = KINDS[kind_name]
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
    ids = []
    for _number, line in odd:
        raw = _raw(line, header, delimiter)
        if raw and "__shape__" not in raw:
            ids.append(raw[header[0]].strip())
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


def _lines_at(source: BinaryIO | File, numbers: set[int]) -> dict[int, str]:
    """These lines of the file, read again (only after the table refused rows)."""
    source.seek(0)
    found = {}
    for number, line in enumerate(source, start=1):
        if number in numbers:
            found[number] = line.decode("utf-8-sig" if number == 1 else "utf-8").rstrip("\n").removesuffix("\r")
            if len(found) == len(numbers):
                break
    return found


def _stored_ids(cursor, target) -> int:
    """How many rows have an id stored already. Two rows for one stored id would update it once,
    silently, so that declines; two for a new id the unique constraint refuses at the insert."""
    cursor.execute(
        f"SELECT count(*), count(DISTINCT t.id) FROM {ROWS_VIEW} l "
        f"JOIN {_table(target)} t ON t.external_id = l.external_id"
    )
    rows, ids = cursor.fetchone()
    if rows != ids:
        raise Declined("a stored id given twice")
    return rows


MAX_REFERENCE_CELLS = 10_000  # distinct spellings; a catalogue has hundreds of touchpoints


def _resolve(cursor, table: str, column: str | None, look_up: Callable[[str], int | None]) -> None:
    """Each distinct touchpoint (or journey) cell of the file, as COPY read it, resolved in Python
    (trimmed and lower-cased exactly as the row checker does) into `table`: a few hundred look-ups
    instead of a million. A journey title several journeys share is left out (refused, as the
    checker refuses it)."""
    cursor.execute(f"CREATE TEMP TABLE {table} (cell text PRIMARY KEY, id bigint) ON COMMIT DROP")
    if column is None:
        return
    cursor.execute(f"SELECT DISTINCT {column} FROM import_load LIMIT {MAX_REFERENCE_CELLS + 1}")
    cells = [value for (value,) in cursor.fetchall()]
    if len(cells) > MAX_REFERENCE_CELLS:
        raise Declined("too many different reference cells")
    found = {value: look_up(value.strip()) for value in cells if value is not None and value.strip()}
    found = {value: pk for value, pk in found.items() if pk is not None and pk != AMBIGUOUS}
    cursor.execute(
        f"INSERT INTO {table} SELECT * FROM unnest(%s::text[], %s::bigint[])", [list(found), list(found.values())]
    )


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
