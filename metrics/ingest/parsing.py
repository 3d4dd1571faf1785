"""Cell parsers for imports: each returns the value or raises CellError with a reason people understand.

Every parser does bounded work whatever the cell holds: numbers are matched against a plain form
(at most MAX_NUMBER_CHARS characters, an exponent of at most three digits) before anything converts
them — `1e999999999` would otherwise keep a worker busy for minutes — and Infinity or NaN are not
numbers here."""

import re
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_noop

from cxhub.lib.messages import Message


class CellError(ValueError):
    """A cell the column cannot take; `message` says why, in any reader's language."""

    def __init__(self, message: Message) -> None:
        super().__init__(message.text)
        self.message = message


MAX_NUMBER_CHARS = 40
NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?")


def _number(raw: str, value: str, *, whole: bool = False) -> Decimal:
    """A plain decimal number (bounded: see the module's docstring); CellError otherwise."""
    if len(raw) > MAX_NUMBER_CHARS or not NUMBER.fullmatch(raw):
        text = (
            gettext_noop("“%(value)s” is not a whole number") if whole else gettext_noop("“%(value)s” is not a number")
        )
        raise CellError(Message(text, {"value": value[:40]}))
    return Decimal(raw)


def no_nul(value: str) -> str:
    """A cell with a NUL character (byte 0) is refused: no text column can hold one."""
    if "\x00" in value:
        raise CellError(Message(gettext_noop("contains a NUL character (byte 0)")))
    return value


def text(value: str, *, max_length: int) -> str:
    value = no_nul(value).strip()
    if len(value) > max_length:
        raise CellError(Message(gettext_noop("longer than %(max)s characters"), {"max": max_length}))
    return value


def moment(value: str, zone: tzinfo | None = None) -> datetime:
    """ISO 8601 date or date-time; no offset → `zone` (default: the configured time zone); a date →
    its midnight. Imports pass the zone once rather than looking it up per cell."""
    value = value.strip()
    try:
        parsed = datetime.fromisoformat(value)  # dates, date-times, offsets and "Z" (Python ≥ 3.11)
    except ValueError:
        raise CellError(
            Message(
                gettext_noop("“%(value)s” is not a date (ISO 8601, e.g. 2026-03-31 or 2026-03-31T14:05)"),
                {"value": value[:40]},
            )
        ) from None
    try:
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=zone or timezone.get_current_timezone())
            parsed.astimezone(UTC)  # (year 1 or 9999 in a zone may fall outside the years there are)
            return parsed
        # In UTC: Python takes offsets up to ±23:59, PostgreSQL stores only up to ±15:59.
        return parsed.astimezone(UTC)
    except OverflowError:
        raise CellError(
            Message(gettext_noop("“%(value)s” is out of the range of dates"), {"value": value[:40]})
        ) from None


def decimal(value: str, *, comma: bool, minimum: Decimal | None = None, below: Decimal = Decimal("1e12")) -> Decimal:
    """A decimal with `.`; with `,` too when the file separates columns with `;`. To the cent, and
    under `below` (what its column holds: 10^(max_digits − 2))."""
    raw = value.strip().replace("\u00a0", "").replace(" ", "")
    if comma:
        raw = raw.replace(",", ".")
    number = _number(raw, value)
    if minimum is not None and number < minimum:
        raise CellError(Message(gettext_noop("must not be negative") if minimum == 0 else gettext_noop("too small")))
    if abs(number) < below:
        number = number.quantize(Decimal("0.01"))  # (a huge number would overflow quantize)
    if abs(number) >= below:  # also when the cents round it up to the limit
        raise CellError(Message(gettext_noop("too large")))
    return number


def whole(value: str, *, low: int, high: int) -> int:
    raw = value.strip()
    number = _number(raw.replace(",", "."), value, whole=True)
    if number != number.to_integral_value():
        raise CellError(Message(gettext_noop("“%(value)s” is not a whole number"), {"value": value[:40]}))
    if not low <= number <= high:
        raise CellError(Message(gettext_noop("must be from %(low)s to %(high)s"), {"low": low, "high": high}))
    return int(number)


def local_day(moment_value: datetime, zone: tzinfo | None = None) -> date:
    current = zone or timezone.get_current_timezone()
    if moment_value.tzinfo is current:
        return moment_value.date()
    return moment_value.astimezone(current).date()


def month_start(moment_value: datetime, zone: tzinfo | None = None) -> date:
    return local_day(moment_value, zone).replace(day=1)
