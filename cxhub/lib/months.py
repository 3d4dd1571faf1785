"""Calendar arithmetic on whole months and ISO weeks: the one place periods are counted."""

from datetime import date, timedelta


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(month: date, count: int) -> date:
    """The first day of the month `count` months after (or before) the month of `month`."""
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def shift_months(day: date, count: int) -> date:
    """The same day `count` months later (or earlier); the month's last day where it is shorter."""
    first = add_months(day, count)
    last = (add_months(first, 1) - timedelta(days=1)).day
    return first.replace(day=min(day.day, last))


def next_month(day: date) -> date:
    """The first day of the month after the month of `day`."""
    return add_months(day, 1)


def months_between(first: date, last: date) -> int:
    """Whole months from the month of `first` to the month of `last` (negative when last is earlier)."""
    return (last.year - first.year) * 12 + last.month - first.month


def block_start(day: date, months: int) -> date:
    """The first day of the aligned block of `months` months holding `day`: its quarter for 3, its
    year for 12, its month for 1."""
    return date(day.year, (day.month - 1) // months * months + 1, 1)


def week_start(day: date) -> date:
    """The Monday of the ISO week of `day`."""
    return day - timedelta(days=day.weekday())
