"""CSV files people open in a spreadsheet. A text cell that starts like a formula (=, +, -, @, a tab
or a carriage return) would be run as one when the file is opened — survey comments come from
customers — so it is written with a leading apostrophe (OWASP's rule for CSV injection); the
imports take that apostrophe off again, so an export imports back to the same values."""

import csv
import re
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Apostrophes (any number, none included) before a formula-like start: the cells `safe` prefixes,
# so that text which already starts with the apostrophe also comes back as it was.
_LIKE_A_FORMULA = re.compile("'*[=+\\-@\t\r]")


def safe(value: Any) -> Any:
    """The cell as written: text that starts like a formula gets an apostrophe; anything else as is
    (numbers are written as numbers, never run)."""
    if isinstance(value, str) and _LIKE_A_FORMULA.match(value):
        return "'" + value
    return value


def unescaped(text: str) -> str:
    """An imported cell without the apostrophe an export put before a formula-like start."""
    if text[:1] == "'" and _LIKE_A_FORMULA.match(text, 1):
        return text[1:]
    return text


class Writer:
    """csv.writer whose rows are made safe cell by cell."""

    def __init__(self, stream: Any, **options: Any) -> None:
        self._writer = csv.writer(stream, **options)

    def writerow(self, row: Any) -> Any:
        return self._writer.writerow([safe(value) for value in row])
