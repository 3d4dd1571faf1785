"""Reading import files: CSV (UTF-8 with or without BOM, `,` or `;`) and XLSX, as numbered rows of text.

Everything that can make a file unreadable becomes a FileRefused with a sentence saying why: wrong
encoding, empty file, wrong header, too big, an XLSX that would expand into gigabytes."""

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from django.utils.translation import gettext_noop

from cxhub.lib.messages import Message

from .problems import Refused

MAX_FILE_BYTES = 1024 * 1024 * 1024  # 1 GB: far beyond a year of interactions for the companies we serve
MAX_XLSX_EXPANDED_BYTES = 500 * 1024 * 1024  # the XML inside an .xlsx, unpacked
MAX_XLSX_RATIO = 200  # unpacked / packed; bombs have ratios in the thousands
MAX_CELL_CHARS = 10_000
MAX_HEADER_CHARS = 10_000  # a header row longer than this is not one


class FileRefused(Refused):
    """The file as a whole cannot be read; nothing was imported."""


@dataclass
class Table:
    header: list[str]
    rows: Iterator[tuple[int, dict[str, str]]]  # (row number as people count it, header 1, {column: text})
    comma_decimals: bool  # `;`-separated CSV: `,` may be the decimal separator
    size: int  # bytes, for progress
    position: "callable"  # bytes read so far (CSV) or rows read × average (XLSX)


def open_table(source: BinaryIO, *, name: str, size: int, expected: list[str], required: set[str]) -> Table:
    if size > MAX_FILE_BYTES:
        raise FileRefused(
            Message(
                gettext_noop("%(name)s is %(size)s MB; the limit is 1,024 MB — split the file."),
                {"name": name, "size": size // (1024 * 1024)},
            )
        )
    if size == 0:
        raise FileRefused(Message(gettext_noop("%(name)s is empty."), {"name": name}))
    if name.lower().endswith(".xlsx"):
        table = _open_xlsx(source, name=name, size=size)
    else:
        table = _open_csv(source, name=name, size=size)
    _check_header(table.header, expected=expected, required=required, name=name)
    return table


def _check_header(header: list[str], *, expected: list[str], required: set[str], name: str) -> None:
    unknown = [column for column in header if column not in expected]
    missing = [column for column in expected if column in required and column not in header]
    duplicated = sorted({column for column in header if header.count(column) > 1})
    problems = []
    if missing:
        problems.append(Message(gettext_noop("missing %(columns)s"), {"columns": ", ".join(missing)}))
    if unknown:
        problems.append(Message(gettext_noop("unknown %(columns)s"), {"columns": ", ".join(unknown)}))
    if duplicated:
        problems.append(Message(gettext_noop("repeated %(columns)s"), {"columns": ", ".join(duplicated)}))
    if problems:
        raise FileRefused(
            Message(
                gettext_noop("%(name)s: the header row is wrong (%(problems)s). Expected: %(expected)s."),
                {"name": name, "problems": problems, "expected": ", ".join(expected)},
            )
        )


class _CountingReader(io.RawIOBase):
    def __init__(self, raw: BinaryIO):
        self.raw, self.count = raw, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.raw.read(len(buffer))
        self.count += len(data)
        buffer[: len(data)] = data
        return len(data)


def _open_csv(source: BinaryIO, *, name: str, size: int) -> Table:
    counting = _CountingReader(source)
    text = io.TextIOWrapper(io.BufferedReader(counting, 1 << 20), encoding="utf-8-sig", newline="")
    try:
        first_line = text.readline(MAX_HEADER_CHARS + 1)
    except UnicodeDecodeError:
        raise FileRefused(
            Message(gettext_noop("%(name)s is not UTF-8 text; save it as “CSV UTF-8”."), {"name": name})
        ) from None
    if not first_line.strip():
        raise FileRefused(Message(gettext_noop("%(name)s has no header row."), {"name": name}))
    if len(first_line) > MAX_HEADER_CHARS:
        raise FileRefused(
            Message(
                gettext_noop(
                    "%(name)s: the first row is longer than %(max)s characters; it should be the header row (the "
                    "column names)."
                ),
                {"name": name, "max": f"{MAX_HEADER_CHARS:,}"},
            )
        )
    if "\x00" in first_line:
        raise FileRefused(
            Message(gettext_noop("%(name)s: the header row contains a NUL character (byte 0)."), {"name": name})
        )
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    csv.field_size_limit(MAX_CELL_CHARS)
    try:
        header = [column.strip().lower() for column in next(reader([first_line], delimiter))]
    except csv.Error as error:
        raise FileRefused(
            Message(
                gettext_noop("%(name)s, row %(row)s: %(reason)s"),
                {"name": name, "row": 1, "reason": csv_problem(error)},
            )
        ) from None
    rows_reader = reader(text, delimiter)

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        number = 1
        try:
            for cells in rows_reader:
                number += 1
                raw = record(header, cells)
                if raw is not None:
                    yield number, raw
        except UnicodeDecodeError:
            raise FileRefused(
                Message(
                    gettext_noop("%(name)s is not UTF-8 text (around row %(row)s); save it as “CSV UTF-8”."),
                    {"name": name, "row": number + 1},
                )
            ) from None
        except csv.Error as error:
            raise FileRefused(
                Message(
                    gettext_noop("%(name)s, row %(row)s: %(reason)s"),
                    {"name": name, "row": number + 1, "reason": csv_problem(error)},
                )
            ) from None

    return Table(
        header=header, rows=rows(), comma_decimals=delimiter == ";", size=size, position=lambda: counting.count
    )


def reader(lines, delimiter: str):
    """The CSV reader of every import path: strict, so a quote left open or text after a closing
    quote is an error, not a cell that swallows the rows after it."""
    return csv.reader(lines, delimiter=delimiter, strict=True)


def csv_problem(error: csv.Error) -> Message | str:
    """What the csv module's error means, in words people act on (its own words when it is another)."""
    text = str(error)
    if "unexpected end of data" in text:
        return Message(gettext_noop('a quote (") opens a cell here that is never closed'))
    if "expected after" in text:
        return Message(
            gettext_noop('text after a closing quote ("): put the whole cell in quotes and double each quote inside it')
        )
    if "field larger than field limit" in text:
        return Message(gettext_noop("a cell is longer than %(max)s characters"), {"max": f"{MAX_CELL_CHARS:,}"})
    if "NUL" in text:
        return Message(gettext_noop("contains a NUL character (byte 0)"))
    return text


def record(header: list[str], cells: list[str]) -> dict[str, str] | None:
    """A CSV record's cells by column; None for a blank line (e.g. at the end of the file), which is
    not a row; a wrong number of cells as {"__shape__": …} for the checker to report."""
    if not any(cell.strip() for cell in cells):
        return None
    if len(cells) != len(header):  # how many, how many expected, and the first column missing
        return {
            "__shape__": str(len(cells)),
            "__expected__": str(len(header)),
            "__missing__": ",".join(header[len(cells) :]),
        }
    return dict(zip(header, cells, strict=True))


def _open_xlsx(source: BinaryIO, *, name: str, size: int) -> Table:
    try:
        archive = zipfile.ZipFile(source)
        expanded = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise FileRefused(Message(gettext_noop("%(name)s is not an XLSX workbook."), {"name": name})) from None
    if expanded > MAX_XLSX_EXPANDED_BYTES or expanded > MAX_XLSX_RATIO * max(size, 1):
        raise FileRefused(
            Message(
                gettext_noop(
                    "%(name)s would unpack to %(mb)s MB; that is refused as unsafe. Save the sheet as CSV instead."
                ),
                {"name": name, "mb": expanded // (1024 * 1024)},
            )
        )
    source.seek(0)
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(source, read_only=True, data_only=True)
        # The same sheet again with its formulas: a formula Excel never calculated has no value
        # saved (openpyxl cannot calculate one), and must not import as an empty cell.
        formulas_book = load_workbook(source, read_only=True, data_only=False)
    except Exception as error:
        raise FileRefused(
            Message(gettext_noop("%(name)s cannot be read as XLSX: %(reason)s"), {"name": name, "reason": str(error)})
        ) from None
    sheet = workbook.worksheets[0]
    cells = sheet.iter_rows(values_only=True)
    formulas = formulas_book.worksheets[0].iter_rows(values_only=True)
    next(formulas, None)
    first = next(cells, None)
    if first is None or not any(first):
        raise FileRefused(Message(gettext_noop("%(name)s has no header row."), {"name": name}))
    header = [str(value or "").strip().lower() for value in first]
    while header and not header[-1]:
        header.pop()
    total_rows = max(sheet.max_row or 1, 1)
    state = {"row": 1}

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        for number, values in enumerate(cells, start=2):
            state["row"] = number
            written = next(formulas, ())
            values = list(values[: len(header)]) + [None] * (len(header) - len(values))
            uncalculated = [
                column
                for column, value, formula in zip(header, values, written, strict=False)
                if value is None and _is_formula(formula)
            ]
            if all(value in (None, "") for value in values) and not uncalculated:
                continue
            raw = {column: _xlsx_text(value) for column, value in zip(header, values, strict=True)}
            if uncalculated:
                raw["__formulas__"] = ",".join(uncalculated)
            yield number, raw
        workbook.close()
        formulas_book.close()

    return Table(
        header=header,
        rows=rows(),
        comma_decimals=False,
        size=size,
        position=lambda: int(size * min(state["row"] / total_rows, 1)),
    )


def _is_formula(value) -> bool:
    return (isinstance(value, str) and value.startswith("=")) or type(value).__name__ in (
        "ArrayFormula",
        "DataTableFormula",
    )


def _xlsx_text(value) -> str:
    """Cells as the CSV would have them: dates in ISO 8601, numbers without float noise."""
    from datetime import date, datetime

    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep="T")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value) if not value.is_integer() else str(int(value))
    return str(value)
