"""The customer-value rollup: the population, money and churn of each segment on each local day
(CustomerDay) and cohort activity (CohortActivity), rebuilt by full recomputes, so dashboards and
reports give customer value, churn and cohorts over any run of whole days from a few hundred rows.

Customer value is additive over days once each customer's churn date is fixed (metrics.figures.customer_value): a
customer is active from acquired_at to the churn date, so the exposure of a window is the sum of
its days' exposures, churn events and money fall on one day each, and the customers active in a
window are those active at its first moment plus those who entered during it. The churn date as of
`as_of` is what metrics.figures.customer_value uses for any window ending by then, so the rollup gives exactly what
metrics.figures.customer_value.customer_value gives (tests/metrics/test_customer_days.py checks it).

A day's exposure comes from its events without visiting customers twice: those active at the day's
start count the whole day, an entry at t adds (day end − t), an exit at t takes (day end − t) back.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from journeys.models import Touchpoint

from ..figures.customer_value import DEFAULT_INACTIVITY
from ..models import ChannelCost, CohortActivity, Customer, CustomerDay, Interaction, Transaction
from .sql import plus_duration


def rebuild(as_of: datetime, *, inactivity: timedelta = DEFAULT_INACTIVITY) -> None:
    """Replace every CustomerDay and CohortActivity row (inside the recompute's transaction)."""
    CustomerDay.objects.all().delete()
    CohortActivity.objects.all().delete()
    entries, exits = _events(as_of, inactivity)
    money = _money(as_of)
    rows = []
    for segment in sorted({s for _d, s in entries} | {s for _d, s in exits} | {s for _d, s in money}):
        rows += _segment_days(segment, entries, exits, money, as_of)
    CustomerDay.objects.bulk_create(rows, batch_size=2000)
    _insert_cohort_activity(as_of)


@dataclass
class _Events:
    n: int = 0  # entries: ever-active customers acquired that day; exits: churn dates that day
    epoch_sum: float = 0.0  # Σ seconds since 1970 of those moments
    acquired: int = 0  # entries only: every customer acquired that day
    acquisition_cost: Decimal = Decimal(0)
    at_midnight: int = 0  # exits only: churn dates exactly at the day's start


def _events(as_of: datetime, inactivity: timedelta) -> tuple[dict, dict]:
    """{(day, segment): _Events} of acquisitions and of churn dates before as_of: one query, one pass
    over the transactions (each customer's last one) feeding both."""
    q = connection.ops.quote_name
    tz = settings.TIME_ZONE
    implied = plus_duration("COALESCE(l.last_at, cu.acquired_at)", inactivity)
    churn_date = f"COALESCE(cu.churned_at, CASE WHEN {implied} < %(as_of)s THEN {implied} END)"
    ever_active = "(cd IS NULL OR cd > acq)"
    sql = f"""
        WITH l AS (
            SELECT customer_id, MAX(occurred_at) AS last_at FROM {q(Transaction._meta.db_table)} GROUP BY customer_id
        ),
        c AS MATERIALIZED (
            SELECT cu.segment, cu.acquired_at AS acq, cu.acquisition_cost AS cost, {churn_date} AS cd
            FROM {q(Customer._meta.db_table)} cu LEFT JOIN l ON l.customer_id = cu.id
            WHERE cu.acquired_at < %(as_of)s
        )
        SELECT TRUE, {_day("acq")}, segment, SUM(CASE WHEN {ever_active} THEN 1 ELSE 0 END),
               SUM(CASE WHEN {ever_active} THEN {_epoch("acq")} ELSE 0 END), COUNT(*), SUM(cost)
        FROM c GROUP BY 2, 3
        UNION ALL
        SELECT FALSE, {_day("cd")}, segment, COUNT(*), SUM({_epoch("cd")}),
               SUM(CASE WHEN {_time("cd")} THEN 1 ELSE 0 END), NULL
        FROM c WHERE cd < %(as_of)s AND cd > acq GROUP BY 2, 3
    """
    entries: dict = {}
    exits: dict = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, {"as_of": as_of, "tz": tz})
        for entry, day, segment, n, epoch_sum, third, cost in cursor.fetchall():
            if entry:
                entries[_date(day), segment] = _Events(n, float(epoch_sum or 0), third, Decimal(cost or 0))
            else:
                exits[_date(day), segment] = _Events(n, float(epoch_sum or 0), at_midnight=third)
    return entries, exits


def _day(column: str) -> str:
    return f"({column} AT TIME ZONE %(tz)s)::date"


def _time(column: str) -> str:
    """SQL: the moment is a local midnight."""
    return f"({column} AT TIME ZONE %(tz)s)::time = TIME '00:00:00'"


def _epoch(column: str) -> str:
    return f"EXTRACT(EPOCH FROM {column})"


def _date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def _money(as_of: datetime) -> dict[tuple[date, str], list[Decimal]]:
    """{(day, segment): [revenue, service cost]} of moments before as_of (two queries; an interaction
    without a cost of its own costs its channel's default, joined, not looked up row by row)."""
    q = connection.ops.quote_name
    money: dict = defaultdict(lambda: [Decimal(0), Decimal(0)])
    customers = q(Customer._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT t.occurred_day, cu.segment, SUM(t.amount)
                FROM {q(Transaction._meta.db_table)} t JOIN {customers} cu ON cu.id = t.customer_id
                WHERE t.occurred_at < %s GROUP BY 1, 2""",
            [as_of],
        )
        for day, segment, total in cursor.fetchall():
            money[_date(day), segment][0] = total
        cursor.execute(
            f"""SELECT i.opened_day, cu.segment, SUM(COALESCE(i.cost, cc.default_cost, 0))
                FROM {q(Interaction._meta.db_table)} i
                JOIN {customers} cu ON cu.id = i.customer_id
                JOIN {q(Touchpoint._meta.db_table)} tp ON tp.id = i.touchpoint_id
                LEFT JOIN {q(ChannelCost._meta.db_table)} cc ON cc.channel = tp.channel
                WHERE i.opened_at < %s GROUP BY 1, 2""",
            [as_of],
        )
        for day, segment, total in cursor.fetchall():
            money[_date(day), segment][1] = total
    return money


def _segment_days(segment: str, entries: dict, exits: dict, money: dict, as_of: datetime) -> list[CustomerDay]:
    """One row per day from the segment's first event to as_of's day (loops over days, not customers)."""
    days = [d for d, s in (*entries, *exits, *money) if s == segment]
    last_day = timezone.localtime(as_of).date()
    day, active = min(days), 0  # active: entered before the day minus exited before it
    rows = []
    while day <= last_day:
        start = _midnight(day)
        end = min(_midnight(day + timedelta(days=1)), as_of)
        entered = entries.get((day, segment), _Events())
        exited = exits.get((day, segment), _Events())
        revenue, service_cost = money.get((day, segment), (Decimal(0), Decimal(0)))
        end_epoch = end.timestamp()
        exposure = (
            active * (end - start).total_seconds()
            + entered.n * end_epoch - entered.epoch_sum
            - (exited.n * end_epoch - exited.epoch_sum)
        )  # fmt: skip
        if active or entered.acquired or exited.n or revenue or service_cost:
            rows.append(
                CustomerDay(
                    day=day,
                    month=day.replace(day=1),
                    segment=segment,
                    active_at_start=active - exited.at_midnight,
                    entered=entered.n,
                    exposure_seconds=max(exposure, 0.0),
                    churned=exited.n,
                    acquired=entered.acquired,
                    acquisition_cost=entered.acquisition_cost,
                    revenue=revenue,
                    service_cost=service_cost,
                    as_of=as_of,
                )
            )
        active += entered.n - exited.n
        day += timedelta(days=1)
    return rows


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time()))


def _insert_cohort_activity(as_of: datetime) -> None:
    activity = (
        Transaction.objects.values("customer__acquired_month", "occurred_month", "customer__segment")
        .annotate(n=Count("customer_id", distinct=True))
        .values_list("customer__acquired_month", "occurred_month", "customer__segment", "n")
    )
    CohortActivity.objects.bulk_create(
        [
            CohortActivity(cohort_month=cohort, month=month, segment=segment, customers=n, as_of=as_of)
            for cohort, month, segment, n in activity
            if month >= cohort
        ],
        batch_size=2000,
    )
