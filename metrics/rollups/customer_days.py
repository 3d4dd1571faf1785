"""The customer-value rollup: the population, money and churn of each segment on each local day
(CustomerDay) and cohort activity (CohortActivity), so dashboards and reports give customer value,
churn and cohorts over any run of whole days from a few hundred rows. Full runs rebuild it
(`rebuild`); a run after an import updates it (`update`) by the customers and days that changed.

Customer value is additive over days once each customer's churn date is fixed (metrics.figures.customer_value): a
customer is active from acquired_at to the churn date, so the exposure of a window is the sum of
its days' exposures, churn events and money fall on one day each, and the customers active in a
window are those active at its first moment plus those who entered during it. The churn date as of
`as_of` is what metrics.figures.customer_value uses for any window ending by then, so the rollup gives exactly what
metrics.figures.customer_value.customer_value gives (tests/metrics/test_customer_days.py checks it).

A day's exposure comes from its events without visiting customers twice: those active at the day's
start count the whole day, an entry at t adds (day end − t), an exit at t takes (day end − t) back.
The events are stored as exact sums, so each customer's share is a sum of terms: an update takes the
old share of the customers that changed out (from CustomerState, what the last run counted) and puts
their new share in, re-sums money on the days whose transactions or interactions changed, and
derives the days from the first one that changed — exactly the rows a rebuild would write
(tests/metrics/test_customer_days_incremental.py).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from journeys.models import Touchpoint

from ..figures.customer_value import DEFAULT_INACTIVITY
from ..models import (
    ChannelCost,
    CohortActivity,
    Customer,
    CustomerDay,
    CustomerState,
    CustomerTouch,
    Interaction,
    Transaction,
)
from .sql import plus_duration, table


def rebuild(as_of: datetime, *, inactivity: timedelta = DEFAULT_INACTIVITY) -> None:
    """Replace every CustomerDay, CohortActivity and CustomerState row (inside the recompute's
    transaction). Touches recorded before this point are counted by it and dropped."""
    CustomerTouch.objects.all().delete()
    CustomerDay.objects.all().delete()
    CohortActivity.objects.all().delete()
    with connection.cursor() as cursor:
        # Only runs use it, one at a time; a TRUNCATE leaves no dead rows for the INSERT to step over.
        cursor.execute(f"TRUNCATE {table(CustomerState)}")
        cursor.execute(
            f"""INSERT INTO {table(CustomerState)} ({_STATE_COLUMNS}, next_change_at, as_of)
                SELECT cu.id, cu.segment, cu.acquired_at, cu.acquisition_cost, cu.churned_at, l.last_at,
                       {_next_change("cu.acquired_at", "cu.churned_at", "l.last_at", inactivity)}, %(as_of)s
                FROM {table(Customer)} cu LEFT JOIN (
                    SELECT customer_id, MAX(occurred_at) AS last_at FROM {table(Transaction)} GROUP BY customer_id
                ) l ON l.customer_id = cu.id""",
            {"as_of": as_of},
        )
    entries, exits = _events(
        f"SELECT {_SHARE_COLUMNS}, as_of AS t, 1 AS sign FROM {table(CustomerState)}", {}, inactivity
    )
    money = _money(as_of)
    rows = []
    for segment in sorted({s for _d, s in entries} | {s for _d, s in exits} | {s for _d, s in money}):
        rows += _segment_days(segment, entries, exits, money, as_of)
    CustomerDay.objects.bulk_create(rows, batch_size=2000)
    _insert_cohort_activity(as_of)


def update(as_of: datetime, *, money_days: set[date], inactivity: timedelta = DEFAULT_INACTIVITY) -> bool:
    """Bring the rollup to `as_of` after imports: the customers touched since the last run
    (CustomerTouch) and those whose acquisition or churn date as_of has passed get their new share;
    money is re-summed on `money_days` and on the days from the last run's as_of to this one; cohort
    activity in those days' months. Returns False, having written nothing the caller keeps, when only
    a rebuild will do: no earlier rollup, an as_of before the last, a customer moved to another
    segment or acquisition month, or more than CustomerTouch.LIMIT customers changed."""
    with transaction.atomic():  # the temporary tables live until commit
        return _update(as_of, money_days, inactivity)


def _update(as_of: datetime, money_days: set[date], inactivity: timedelta) -> bool:
    # The last run's as_of: every day row carries it (with no day row yet, the customers it last
    # counted do; an earlier moment only makes the money re-summed on more days).
    last_as_of = CustomerDay.objects.aggregate(last=Max("as_of"))["last"]
    last_as_of = last_as_of or CustomerState.objects.aggregate(last=Max("as_of"))["last"]
    if last_as_of is None or as_of < last_as_of:
        return False
    if not _changed_customers(as_of):
        return False
    days = set(money_days) | _days_between(last_as_of, as_of)
    entries, exits = _events(
        f"""SELECT {_SHARE_COLUMNS}, as_of AS t, -1 AS sign FROM {table(CustomerState)}
            WHERE customer_id IN (SELECT customer_id FROM cv_changed)
            UNION ALL
            SELECT {_SHARE_COLUMNS}, %(as_of)s AS t, 1 AS sign FROM cv_new""",
        {"as_of": as_of},
        inactivity,
    )
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table(CustomerState)} WHERE customer_id IN (SELECT customer_id FROM cv_changed)")
        cursor.execute(
            f"""INSERT INTO {table(CustomerState)} ({_STATE_COLUMNS}, next_change_at, as_of)
                SELECT {_STATE_COLUMNS},
                       {_next_change("acquired_at", "churned_at", "last_purchase_at", inactivity)}, %(as_of)s
                FROM cv_new""",
            {"as_of": as_of},
        )
    entries = {key: events for key, events in entries.items() if events != _Events()}
    exits = {key: events for key, events in exits.items() if events != _Events()}
    money = _money(as_of, days=days)
    first = min([d for d, _s in (*entries, *exits)] + list(days))
    _derive_days_from(first, entries, exits, money, days, as_of)
    months = {day.replace(day=1) for day in money_days}
    CohortActivity.objects.filter(month__in=months).delete()
    _insert_cohort_activity(as_of, months=months)
    CustomerDay.objects.exclude(as_of=as_of).update(as_of=as_of)
    CohortActivity.objects.exclude(as_of=as_of).update(as_of=as_of)
    return True


_STATE_COLUMNS = "customer_id, segment, acquired_at, acquisition_cost, churned_at, last_purchase_at"
# A customer's inputs as the share query reads them.
_SHARE_COLUMNS = "segment, acquired_at AS acq, acquisition_cost AS cost, churned_at, last_purchase_at AS last_at"


def _next_change(acquired: str, churned: str, last: str, inactivity: timedelta) -> str:
    """SQL: the first moment from as_of on at which the customer's share changes by time passing
    alone — their acquisition, or their churn date (given, or implied by inactivity) — or NULL."""
    churn = f"COALESCE({churned}, {plus_duration(f'COALESCE({last}, {acquired})', inactivity)})"
    return (
        f"LEAST(CASE WHEN {acquired} >= %(as_of)s THEN {acquired} END, CASE WHEN {churn} >= %(as_of)s THEN {churn} END)"
    )


def _changed_customers(as_of: datetime) -> bool:
    """Fill the temporary tables cv_changed (ids) and cv_new (their inputs now). False when an update
    cannot do: too many, or one moved to another segment or acquisition month (their money and
    cohort move with them) or is gone."""
    tz = settings.TIME_ZONE
    with connection.cursor() as cursor:
        # Kept for the session, emptied at each commit: creating tables in a long transaction (a test,
        # many imports) would hold a lock per table until its end.
        cursor.execute(
            "CREATE TEMPORARY TABLE IF NOT EXISTS cv_changed (customer_id bigint PRIMARY KEY) ON COMMIT DELETE ROWS"
        )
        cursor.execute(
            """CREATE TEMPORARY TABLE IF NOT EXISTS cv_new (
                    customer_id bigint PRIMARY KEY, segment varchar(60), acquired_at timestamptz,
                    acquisition_cost numeric(14, 2), churned_at timestamptz, last_purchase_at timestamptz
                ) ON COMMIT DELETE ROWS"""
        )
        cursor.execute("TRUNCATE cv_changed, cv_new")
        cursor.execute(
            f"""WITH touched AS (DELETE FROM {table(CustomerTouch)} RETURNING customer_id)
                INSERT INTO cv_changed SELECT customer_id FROM touched
                UNION SELECT customer_id FROM {table(CustomerState)} WHERE next_change_at < %s""",
            [as_of],
        )
        if cursor.rowcount > CustomerTouch.LIMIT:
            return False
        cursor.execute(
            f"""INSERT INTO cv_new
                SELECT cu.id, cu.segment, cu.acquired_at, cu.acquisition_cost, cu.churned_at,
                       (SELECT MAX(t.occurred_at) FROM {table(Transaction)} t WHERE t.customer_id = cu.id)
                FROM {table(Customer)} cu JOIN cv_changed c ON c.customer_id = cu.id"""
        )
        month = "date_trunc('month', {} AT TIME ZONE %(tz)s)"
        cursor.execute(
            f"""SELECT EXISTS (
                    SELECT FROM {table(CustomerState)} s JOIN cv_changed c USING (customer_id)
                    LEFT JOIN cv_new n USING (customer_id)
                    WHERE n.customer_id IS NULL OR n.segment <> s.segment
                       OR {month.format("n.acquired_at")} <> {month.format("s.acquired_at")})""",
            {"tz": tz},
        )
        return not cursor.fetchone()[0]


@dataclass
class _Events:
    n: int = 0  # entries: ever-active customers acquired that day; exits: churn dates that day
    epoch_sum: Decimal = field(default_factory=Decimal)  # Σ seconds since 1970 of those moments, exact
    acquired: int = 0  # entries only: every customer acquired that day
    acquisition_cost: Decimal = field(default_factory=Decimal)
    at_midnight: int = 0  # exits only: churn dates exactly at the day's start

    def add(self, other: "_Events") -> None:
        self.n += other.n
        self.epoch_sum += other.epoch_sum
        self.acquired += other.acquired
        self.acquisition_cost += other.acquisition_cost
        self.at_midnight += other.at_midnight


def _events(source: str, params: dict, inactivity: timedelta) -> tuple[dict, dict]:
    """{(day, segment): _Events} of acquisitions and of churn dates before each customer's as_of `t`,
    summed with each customer's `sign` over `source` (rows of _SHARE_COLUMNS, t, sign): one query."""
    implied = plus_duration("COALESCE(last_at, acq)", inactivity)
    ever_active = "(cd IS NULL OR cd > acq)"
    sql = f"""
        WITH c AS MATERIALIZED (
            SELECT segment, acq, cost, t, sign, COALESCE(churned_at, CASE WHEN {implied} < t THEN {implied} END) AS cd
            FROM ({source}) src WHERE acq < t
        )
        SELECT TRUE, {_day("acq")}, segment, SUM(CASE WHEN {ever_active} THEN sign ELSE 0 END),
               SUM(CASE WHEN {ever_active} THEN sign * {_epoch("acq")} ELSE 0 END), SUM(sign), SUM(sign * cost)
        FROM c GROUP BY 2, 3
        UNION ALL
        SELECT FALSE, {_day("cd")}, segment, SUM(sign), SUM(sign * {_epoch("cd")}),
               SUM(CASE WHEN {_time("cd")} THEN sign ELSE 0 END), NULL
        FROM c WHERE cd < t AND cd > acq GROUP BY 2, 3
    """
    entries: dict = {}
    exits: dict = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, {**params, "tz": settings.TIME_ZONE})
        for entry, day, segment, n, epoch_sum, third, cost in cursor.fetchall():
            if entry:
                entries[_date(day), segment] = _Events(n, Decimal(epoch_sum or 0), third, Decimal(cost or 0))
            else:
                exits[_date(day), segment] = _Events(n, Decimal(epoch_sum or 0), at_midnight=third)
    return entries, exits


def _day(column: str) -> str:
    return f"({column} AT TIME ZONE %(tz)s)::date"


def _time(column: str) -> str:
    """SQL: the moment is a local midnight."""
    return f"({column} AT TIME ZONE %(tz)s)::time = TIME '00:00:00'"


def _epoch(column: str) -> str:
    return f"EXTRACT(EPOCH FROM {column})"  # numeric, exact to the microsecond


def _date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def _days_between(first: datetime, last: datetime) -> set[date]:
    """The local days from the one holding `first` to the one holding `last`."""
    day, end = timezone.localtime(first).date(), timezone.localtime(last).date()
    days = set()
    while day <= end:
        days.add(day)
        day += timedelta(days=1)
    return days


def _money(as_of: datetime, *, days: set[date] | None = None) -> dict[tuple[date, str], list[Decimal]]:
    """{(day, segment): [revenue, service cost]} of moments before as_of, on `days` (None: every day);
    two queries; an interaction without a cost of its own costs its channel's default, joined, not
    looked up row by row."""
    money: dict = defaultdict(lambda: [Decimal(0), Decimal(0)])
    on_days = ""
    params: list = [as_of]
    if days is not None:
        on_days, params = "AND {} = ANY(%s)", [as_of, sorted(days)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT t.occurred_day, cu.segment, SUM(t.amount)
                FROM {table(Transaction)} t JOIN {table(Customer)} cu ON cu.id = t.customer_id
                WHERE t.occurred_at < %s {on_days.format("t.occurred_day")} GROUP BY 1, 2""",
            params,
        )
        for day, segment, total in cursor.fetchall():
            money[_date(day), segment][0] = total
        cursor.execute(
            f"""SELECT i.opened_day, cu.segment, SUM(COALESCE(i.cost, cc.default_cost, 0))
                FROM {table(Interaction)} i
                JOIN {table(Customer)} cu ON cu.id = i.customer_id
                JOIN {table(Touchpoint)} tp ON tp.id = i.touchpoint_id
                LEFT JOIN {table(ChannelCost)} cc ON cc.channel = tp.channel
                WHERE i.opened_at < %s {on_days.format("i.opened_day")} GROUP BY 1, 2""",
            params,
        )
        for day, segment, total in cursor.fetchall():
            money[_date(day), segment][1] = total
    return money


def _derive_days_from(
    first: date, deltas_in: dict, deltas_out: dict, money: dict, money_days: set[date], as_of: datetime
) -> None:
    """Rewrite the rows from `first` on: their stored events plus the changed customers' deltas,
    money re-summed on `money_days` (the stored money elsewhere), each segment carrying on from the
    customers active at `first`'s start — which no change before `first` has moved."""
    stored = list(CustomerDay.objects.filter(day__gte=first))
    entries: dict = defaultdict(_Events)
    exits: dict = defaultdict(_Events)
    kept_money: dict = {}
    active: dict[str, int] = defaultdict(int)
    for row in stored:
        key = (row.day, row.segment)
        entries[key] = _Events(row.entered, row.entered_epoch, row.acquired, row.acquisition_cost)
        exits[key] = _Events(row.churned, row.churned_epoch, at_midnight=row.churned_at_midnight)
        if row.day not in money_days:
            kept_money[key] = [row.revenue, row.service_cost]
        if row.day == first:
            active[row.segment] = row.active_at_start + row.churned_at_midnight
    for key, delta in deltas_in.items():
        entries[key].add(delta)
    for key, delta in deltas_out.items():
        exits[key].add(delta)
    kept_money.update({key: value for key, value in money.items() if key[0] in money_days})
    segments = {s for _d, s in (*entries, *exits, *kept_money)}
    rows = []
    for segment in sorted(segments):
        rows += _segment_days(segment, entries, exits, kept_money, as_of, first=first, active=active[segment])
    CustomerDay.objects.filter(day__gte=first).delete()
    CustomerDay.objects.bulk_create(rows, batch_size=2000)


def _segment_days(
    segment: str,
    entries: dict,
    exits: dict,
    money: dict,
    as_of: datetime,
    *,
    first: date | None = None,
    active: int = 0,
) -> list[CustomerDay]:
    """One row per day from `first` (None: the segment's first event) to as_of's day, `active`
    customers active at `first`'s start; loops over days, not customers."""
    if first is None:
        first = min(d for d, s in (*entries, *exits, *money) if s == segment)
    last_day = timezone.localtime(as_of).date()
    day = first  # active: entered before the day minus exited before it
    rows = []
    none = _Events()
    while day <= last_day:
        start = _midnight(day)
        end = min(_midnight(day + timedelta(days=1)), as_of)
        entered = entries.get((day, segment), none)
        exited = exits.get((day, segment), none)
        revenue, service_cost = money.get((day, segment), (Decimal(0), Decimal(0)))
        end_epoch = _epoch_of(end)
        exposure = (
            active * (end_epoch - _epoch_of(start))
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
                    exposure_seconds=max(float(exposure), 0.0),
                    churned=exited.n,
                    acquired=entered.acquired,
                    acquisition_cost=entered.acquisition_cost,
                    revenue=revenue,
                    service_cost=service_cost,
                    entered_epoch=entered.epoch_sum,
                    churned_epoch=exited.epoch_sum,
                    churned_at_midnight=exited.at_midnight,
                    as_of=as_of,
                )
            )
        active += entered.n - exited.n
        day += timedelta(days=1)
    return rows


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _epoch_of(moment: datetime) -> Decimal:
    """Seconds since 1970, exact to the microsecond (as PostgreSQL's EXTRACT(EPOCH …))."""
    delta = moment - _EPOCH
    return Decimal(delta.days * 86400 + delta.seconds) + Decimal(delta.microseconds).scaleb(-6)


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time()))


def _insert_cohort_activity(as_of: datetime, *, months: set[date] | None = None) -> None:
    """Distinct buyers per cohort, month and segment: of every month, or of `months` (read by day,
    through the transactions' day index)."""
    transactions = Transaction.objects.all()
    if months is not None:
        if not months:
            return
        in_months = Q()
        for month in months:
            following = (month + timedelta(days=32)).replace(day=1)
            in_months |= Q(occurred_day__gte=month, occurred_day__lt=following)
        transactions = transactions.filter(in_months)
    activity = (
        transactions.values("customer__acquired_month", "occurred_month", "customer__segment")
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
