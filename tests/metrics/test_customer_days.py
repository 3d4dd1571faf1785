"""The customer-value rollup gives exactly what metrics.value computes from the raw tables, for any
run of whole days, per segment and overall; cohorts likewise."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metrics.figures import customer_value as figures
from metrics.figures.customer_value import cohort_retention, customer_value
from metrics.models import ChannelCost, CohortActivity, Customer, CustomerDay, Interaction, Transaction
from metrics.rollups import customer_days
from tests.factories import TouchpointFactory

from .test_customer_value import at, customer
from .test_customer_value import world as world  # the hand-computed fixture

pytestmark = pytest.mark.django_db

AS_OF = at("2026-01-01 10:30")


def midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time()))


def assert_same(rolled, raw):
    assert rolled.customers == raw.customers
    assert rolled.churned == raw.churned
    assert rolled.acquired == raw.acquired
    assert rolled.revenue == raw.revenue
    assert rolled.service_cost == raw.service_cost
    assert rolled.acquisition_cost_sum == raw.acquisition_cost_sum
    assert rolled.exposure_years == pytest.approx(raw.exposure_years, abs=1e-7)
    assert (rolled.clv is None) == (raw.clv is None)
    if raw.clv is not None:
        assert rolled.clv == pytest.approx(raw.clv, rel=1e-6, abs=1e-4)


def test_the_hand_computed_year_from_the_rollup(world):
    customer_days.rebuild(AS_OF)
    by_segment = figures.values_by_segment(date(2025, 1, 1), date(2026, 1, 1))
    assert_same(by_segment[None], customer_value(start=at("2025-01-01"), end=at("2026-01-01")))
    business = customer_value(start=at("2025-01-01"), end=at("2026-01-01"), segment="business")
    assert_same(by_segment["business"], business)
    assert set(by_segment) == {None, "retail", "business"}
    # The day of as_of ends at as_of: a window running to the end of that day stops there.
    today = figures.values_by_segment(date(2025, 12, 1), date(2026, 1, 2))[None]
    assert_same(today, customer_value(start=at("2025-12-01"), end=AS_OF))


def test_months_add_up_to_the_year_and_a_churn_at_midnight_is_counted_once(world):
    customer("C5", "2025-02-10", "10", churned="2025-06-01")  # exactly at a month's first moment
    customer_days.rebuild(AS_OF)
    months = figures.values_by_month(date(2025, 1, 1), date(2026, 1, 1))
    assert [month for month, _value in months] == [date(2025, m, 1) for m in range(1, 13)]
    year = figures.values_by_segment(date(2025, 1, 1), date(2026, 1, 1))[None]
    assert sum(v.churned for _m, v in months) == year.churned
    assert sum(v.exposure_years for _m, v in months) == pytest.approx(year.exposure_years)
    june = dict(months)[date(2025, 6, 1)]
    assert_same(june, customer_value(start=at("2025-06-01"), end=at("2025-07-01")))
    assert june.churned == 1 + 0  # C5, though it was never active in June; C2 churned in October
    assert_same(dict(months)[date(2025, 5, 1)], customer_value(start=at("2025-05-01"), end=at("2025-06-01")))


def test_nothing_imported_gives_no_rows_and_no_figures():
    customer_days.rebuild(AS_OF)
    assert not CustomerDay.objects.exists() and not CohortActivity.objects.exists()
    empty = figures.values_by_segment(date(2025, 1, 1), date(2026, 1, 1))
    assert list(empty) == [None]
    assert empty[None].clv is None and empty[None].customers == 0
    assert figures.values_by_month(date(2025, 1, 1), date(2026, 1, 1)) == []


moments = st.builds(
    lambda day, minute: midnight(date(2024, 1, 1) + timedelta(days=day)) + timedelta(minutes=minute),
    st.integers(0, 730),
    st.sampled_from([0, 0, 1, 600, 1439]),  # midnights often: the edges of days and windows
)


@st.composite
def worlds(draw):
    customers = []
    for index in range(draw(st.integers(1, 6))):
        acquired = draw(moments)
        churned = draw(st.one_of(st.none(), moments))
        payments = draw(st.lists(st.tuples(moments, st.integers(1, 500)), max_size=3))
        calls = draw(st.lists(st.tuples(moments, st.one_of(st.none(), st.integers(0, 90))), max_size=2))
        segment = draw(st.sampled_from(["", "retail", "business"]))
        customers.append((index, acquired, churned, payments, calls, segment))
    start = draw(st.integers(0, 740))
    length = draw(st.integers(1, 400))
    return customers, date(2024, 1, 1) + timedelta(days=start), length


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=worlds())
def test_any_window_of_days_matches_the_definition(department, data):
    people, start, length = data
    for model in (Interaction, Transaction, Customer):
        model.objects.all().delete()
    ChannelCost.objects.update_or_create(channel="phone", defaults={"default_cost": Decimal("7.50")})
    phone = TouchpointFactory(channel="phone", department=department)
    as_of = midnight(date(2026, 1, 10)) + timedelta(hours=13)
    for index, acquired, churned, payments, calls, segment in people:
        c = Customer.objects.create(
            external_id=f"C{index}",
            acquired_at=acquired,
            acquired_month=timezone.localtime(acquired).date().replace(day=1),
            acquisition_cost=Decimal(index * 10),
            segment=segment,
            churned_at=churned,
        )
        for number, (when, amount) in enumerate(payments):
            local = timezone.localtime(when).date()
            Transaction.objects.create(
                external_id=f"T{index}-{number}", customer=c, occurred_at=when, occurred_day=local,
                occurred_month=local.replace(day=1), amount=Decimal(amount),
            )  # fmt: skip
        for number, (when, cost) in enumerate(calls):
            Interaction.objects.create(
                external_id=f"I{index}-{number}", customer=c, touchpoint=phone, opened_at=when,
                opened_day=timezone.localtime(when).date(), cost=None if cost is None else Decimal(cost),
            )  # fmt: skip
    customer_days.rebuild(as_of)
    end = min(start + timedelta(days=length), timezone.localtime(as_of).date() + timedelta(days=1))
    if end <= start:
        return
    rolled = figures.values_by_segment(start, end)
    window_end = min(midnight(end), as_of)
    assert_same(rolled[None], customer_value(start=midnight(start), end=window_end))
    for segment in ("", "retail", "business"):
        raw = customer_value(start=midnight(start), end=window_end, segment=segment)
        assert_same(rolled.get(segment) or figures._value(figures._total([]), 10.0), raw)
    first, last = start.replace(day=1), (end - timedelta(days=1)).replace(day=1)
    expected = cohort_retention(first_month=first, last_month=last)
    assert figures.cohorts(first, last) == expected
