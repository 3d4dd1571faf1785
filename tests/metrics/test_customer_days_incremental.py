"""An update of the customer-value rollup (after imports, as time passes) writes exactly the rows a
rebuild as of the same moment writes: every CustomerDay column, every CohortActivity row and the
customer states the next update starts from."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metrics.models import (
    ChannelCost,
    CohortActivity,
    Customer,
    CustomerDay,
    CustomerState,
    CustomerTouch,
    Interaction,
    Transaction,
)
from metrics.rollups import customer_days
from tests.factories import TouchpointFactory

pytestmark = pytest.mark.django_db

START = date(2024, 1, 1)
T0 = timezone.make_aware(datetime(2025, 6, 10, 13, 0))


def midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time()))


moments = st.builds(
    lambda day, minute: midnight(START + timedelta(days=day)) + timedelta(minutes=minute),
    st.integers(0, 900),
    st.sampled_from([0, 0, 1, 600, 1439]),  # midnights often: the edges of days
)
people = st.tuples(
    moments,  # acquired
    st.one_of(st.none(), moments),  # churned
    st.lists(st.tuples(moments, st.integers(1, 500)), max_size=3),  # payments
    st.lists(st.tuples(moments, st.one_of(st.none(), st.integers(0, 90))), max_size=2),  # calls
    st.sampled_from(["", "retail", "business"]),
)
# What an import may do to a customer already counted: nothing, pay, call, churn or un-churn, cost.
changes = st.tuples(
    st.lists(st.tuples(moments, st.integers(1, 500)), max_size=2),
    st.lists(st.tuples(moments, st.one_of(st.none(), st.integers(0, 90))), max_size=1),
    st.sampled_from(["keep", "keep", "churn", "unchurn"]),
    moments,
    st.booleans(),  # acquisition cost changes
)


def add_customer(number: int, acquired, churned, segment: str, cost: int) -> Customer:
    return Customer.objects.create(
        external_id=f"C{number}",
        acquired_at=acquired,
        acquired_month=timezone.localtime(acquired).date().replace(day=1),
        acquisition_cost=Decimal(cost),
        segment=segment,
        churned_at=churned,
    )


def pay(customer: Customer, key: str, when, amount: int) -> date:
    day = timezone.localtime(when).date()
    Transaction.objects.create(
        external_id=key, customer=customer, occurred_at=when, occurred_day=day,
        occurred_month=day.replace(day=1), amount=Decimal(amount),
    )  # fmt: skip
    return day


def call(customer: Customer, key: str, touchpoint, when, cost) -> date:
    day = timezone.localtime(when).date()
    Interaction.objects.create(
        external_id=key, customer=customer, touchpoint=touchpoint, opened_at=when, opened_day=day,
        cost=None if cost is None else Decimal(cost),
    )  # fmt: skip
    return day


def stored() -> tuple[list, list, list]:
    days = sorted(
        CustomerDay.objects.values_list(
            "day", "segment", "active_at_start", "entered", "exposure_seconds", "churned", "acquired",
            "acquisition_cost", "revenue", "service_cost", "entered_epoch", "churned_epoch", "churned_at_midnight",
            "as_of",
        )
    )  # fmt: skip
    cohorts = sorted(CohortActivity.objects.values_list("cohort_month", "month", "segment", "customers", "as_of"))
    states = sorted(
        CustomerState.objects.values_list(
            "customer_id", "segment", "acquired_at", "acquisition_cost", "churned_at", "last_purchase_at"
        )
    )
    return days, cohorts, states


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    before=st.lists(people, min_size=1, max_size=5),
    after=st.lists(changes, min_size=1, max_size=5),
    newcomers=st.lists(people, max_size=2),
    hours_later=st.sampled_from([0, 1, 30, 24 * 40, 24 * 200, 24 * 400]),
)
def test_an_update_writes_what_a_rebuild_writes(department, before, after, newcomers, hours_later):
    for model in (Interaction, Transaction, Customer, CustomerTouch):
        model.objects.all().delete()
    ChannelCost.objects.update_or_create(channel="phone", defaults={"default_cost": Decimal("7.50")})
    phone = TouchpointFactory(channel="phone", department=department)
    counted = []
    for number, (acquired, churned, payments, calls, segment) in enumerate(before):
        who = add_customer(number, acquired, churned, segment, number * 10)
        for index, (when, amount) in enumerate(payments):
            pay(who, f"T{number}-{index}", when, amount)
        for index, (when, cost) in enumerate(calls):
            call(who, f"I{number}-{index}", phone, when, cost)
        counted.append(who)
    customer_days.rebuild(T0)

    # Imports after the run: what they change, the days whose money moved and the customers touched.
    money_days: set[date] = set()
    for who, (payments, calls, churn, moment, new_cost) in zip(counted, after, strict=False):
        for index, (when, amount) in enumerate(payments):
            money_days.add(pay(who, f"T{who.pk}-late-{index}", when, amount))
        for index, (when, cost) in enumerate(calls):
            money_days.add(call(who, f"I{who.pk}-late-{index}", phone, when, cost))
        if churn != "keep" or new_cost:
            who.churned_at = moment if churn == "churn" else None if churn == "unchurn" else who.churned_at
            who.acquisition_cost += 5 if new_cost else 0
            who.save()
        if payments or churn != "keep" or new_cost:
            CustomerTouch.objects.get_or_create(customer_id=who.pk)
    for number, (acquired, churned, payments, _calls, segment) in enumerate(newcomers, start=100):
        who = add_customer(number, acquired, churned, segment, 3)
        for index, (when, amount) in enumerate(payments):
            money_days.add(pay(who, f"T{number}-{index}", when, amount))
        CustomerTouch.objects.create(customer_id=who.pk)

    as_of = T0 + timedelta(hours=hours_later)
    assert customer_days.update(as_of, money_days=money_days)
    updated = stored()
    assert not CustomerTouch.objects.exists()
    customer_days.rebuild(as_of)
    assert updated == stored()


def test_a_customer_moved_to_another_segment_calls_for_a_rebuild(department):
    moved = add_customer(1, midnight(date(2025, 1, 5)), None, "retail", 10)
    pay(moved, "T1", midnight(date(2025, 2, 1)), 100)
    customer_days.rebuild(T0)
    moved.segment = "business"
    moved.save()
    CustomerTouch.objects.create(customer_id=moved.pk)
    assert not customer_days.update(T0 + timedelta(hours=1), money_days=set())


def test_an_as_of_before_the_last_run_calls_for_a_rebuild(department):
    add_customer(1, midnight(date(2025, 1, 5)), None, "retail", 10)
    customer_days.rebuild(T0)
    assert not customer_days.update(T0 - timedelta(hours=1), money_days=set())
    assert customer_days.update(T0 + timedelta(hours=1), money_days=set())


def test_time_passing_alone_churns_the_silent_customer(department):
    silent = add_customer(1, midnight(date(2024, 1, 5)), None, "retail", 10)
    pay(silent, "T1", midnight(date(2024, 6, 20)), 100)  # implied churn: 2025-06-20
    customer_days.rebuild(T0)
    assert not CustomerDay.objects.filter(churned__gt=0).exists()
    assert customer_days.update(T0 + timedelta(days=30), money_days=set())
    assert list(CustomerDay.objects.filter(churned__gt=0).values_list("day", flat=True)) == [date(2025, 6, 20)]
