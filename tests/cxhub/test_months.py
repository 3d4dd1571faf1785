"""Month and week arithmetic, the one place periods are counted."""

from datetime import date

import pytest

from cxhub.lib.months import add_months, block_start, month_start, months_between, next_month, week_start


@pytest.mark.parametrize(
    ("month", "count", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 1)),
        (date(2026, 12, 1), 1, date(2027, 1, 1)),
        (date(2026, 3, 15), -3, date(2025, 12, 1)),
        (date(2026, 3, 1), -27, date(2023, 12, 1)),
        (date(2026, 3, 1), 0, date(2026, 3, 1)),
    ],
)
def test_add_months_lands_on_the_first_of_the_month(month, count, expected):
    assert add_months(month, count) == expected


def test_months_between_counts_whole_months_either_way():
    assert months_between(date(2025, 11, 30), date(2026, 2, 1)) == 3
    assert months_between(date(2026, 2, 1), date(2025, 11, 30)) == -3
    assert months_between(date(2026, 2, 1), date(2026, 2, 28)) == 0


def test_blocks_and_weeks():
    assert block_start(date(2026, 5, 17), 3) == date(2026, 4, 1)  # Q2
    assert block_start(date(2026, 12, 31), 12) == date(2026, 1, 1)
    assert block_start(date(2026, 5, 17), 1) == month_start(date(2026, 5, 17)) == date(2026, 5, 1)
    assert week_start(date(2026, 11, 30)) == date(2026, 11, 30)  # a Monday
    assert week_start(date(2026, 12, 6)) == date(2026, 11, 30)  # the Sunday after
    assert next_month(date(2024, 2, 29)) == date(2024, 3, 1)
