"""Value at stake per barrier: what the service breaches at a barrier's touchpoints cost in customer
value, by the formula

    value at stake = customers affected in the last 12 months × churn uplift × CLV

- the barrier's touchpoints: its own, and those of the journey steps it sits on; only touchpoints
  with a service-level target count (a breach is defined against the target);
- customers affected: distinct customers with an interaction at those touchpoints opened in the
  12 months before `as_of` that breached the target (resolved after more than T, or open after T);
- churn uplift: clean retention − breached retention of the service–loyalty link (metrics.loyalty),
  pooled over the same touchpoints, with its 95 % interval;
- CLV: the overall customer value of the same 12 months (metrics.value).

Nothing is at stake below 0: a negative uplift (breached customers stayed more often) or a
negative CLV (customers who cost more than they bring) give 0. With fewer than SMALL_N customers in
either group of the link the figure is shown as the range the interval gives (affected × uplift
bounds × CLV, floored at 0); with no link data, no customer value or no touchpoint with a target it
is "no data". Built by full recomputes into BarrierStake (the
barrier's touchpoints as they were then), so lists and dashboards read one row per barrier.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection

from barriers.models import Barrier
from journeys.models import Step

from .loyalty import Link
from .models import BarrierStake, Interaction, LoyaltyLink, ServiceTarget
from .value import customer_value

SMALL_N = 30
YEAR = timedelta(days=365)


def rebuild(as_of: datetime) -> None:
    """Replace every BarrierStake row (after loyalty.rebuild, inside the recompute's transaction)."""
    BarrierStake.objects.all().delete()
    clv = customer_value(start=as_of - YEAR, end=as_of).clv
    q = connection.ops.quote_name
    moment = connection.ops.adapt_datetimefield_value
    barrier_touchpoints = f"""
        SELECT barrier_id, touchpoint_id FROM {q(Barrier.touchpoints.through._meta.db_table)}
        UNION
        SELECT bs.barrier_id, s.touchpoint_id
        FROM {q(Barrier.steps.through._meta.db_table)} bs JOIN {q(Step._meta.db_table)} s ON s.id = bs.step_id
    """
    thresholds = sorted(set(ServiceTarget.objects.values_list("threshold_days", flat=True)))
    params: list = []
    breached = []
    for days in thresholds:  # a constant T per part keeps the date arithmetic out of the rows
        breached.append(f"""
            SELECT bt.barrier_id, i.customer_id
            FROM bt
            JOIN {q(ServiceTarget._meta.db_table)} t ON t.touchpoint_id = bt.touchpoint_id AND t.threshold_days = {days}
            JOIN {q(Interaction._meta.db_table)} i ON i.touchpoint_id = bt.touchpoint_id
            WHERE i.opened_at >= %s AND i.opened_at < %s
              AND (i.resolution_seconds > {days * 86_400} OR (i.resolved_at IS NULL AND i.opened_at < %s))
        """)  # fmt: skip
        params += [moment(as_of - YEAR), moment(as_of), moment(as_of - timedelta(days=days))]
    if breached:
        affected = f"""SELECT barrier_id, COUNT(DISTINCT customer_id) AS n
                       FROM ({" UNION ALL ".join(breached)}) x GROUP BY barrier_id"""
    else:
        # No target anywhere, so no breach: an empty set typed like the barrier ids (PostgreSQL joins on it).
        affected = f"SELECT id AS barrier_id, 0 AS n FROM {q(Barrier._meta.db_table)} WHERE 1 = 0"
    sql = f"""
        WITH bt AS MATERIALIZED ({barrier_touchpoints})
        INSERT INTO {q(BarrierStake._meta.db_table)}
            (barrier_id, affected, breached_n, breached_retained, clean_n, clean_retained, clv, as_of, small_n)
        SELECT b.id, COALESCE(a.n, 0), COALESCE(l.breached_n, 0), COALESCE(l.breached_retained, 0),
               COALESCE(l.clean_n, 0), COALESCE(l.clean_retained, 0), %s, %s, %s
        FROM {q(Barrier._meta.db_table)} b
        LEFT JOIN ({affected}) a ON a.barrier_id = b.id
        LEFT JOIN (
            SELECT bt.barrier_id, SUM(ll.breached_n) AS breached_n, SUM(ll.breached_retained) AS breached_retained,
                   SUM(ll.clean_n) AS clean_n, SUM(ll.clean_retained) AS clean_retained
            FROM bt JOIN {q(LoyaltyLink._meta.db_table)} ll ON ll.touchpoint_id = bt.touchpoint_id
            GROUP BY bt.barrier_id
        ) l ON l.barrier_id = b.id
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [clv, moment(as_of), False, *params])  # in the order they appear
    # The figures from the counts: one row per barrier (dozens to hundreds), not per interaction.
    rows = list(BarrierStake.objects.all())
    for row in rows:
        stake = Stake.of(row)
        row.value = stake.value
        row.value_low, row.value_high = stake.value_range or (None, None)
        row.small_n = stake.small_n
    BarrierStake.objects.bulk_update(rows, ["value", "value_low", "value_high", "small_n"], batch_size=500)


@dataclass(frozen=True)
class Stake:
    """A barrier's value at stake, read from its BarrierStake row."""

    affected: int
    link: Link
    clv: float | None
    as_of: datetime | None

    @classmethod
    def of(cls, row: BarrierStake | None) -> "Stake":
        if row is None:
            return cls(affected=0, link=Link(0, 0, 0, 0), clv=None, as_of=None)
        link = Link(row.breached_n, row.breached_retained, row.clean_n, row.clean_retained)
        return cls(affected=row.affected, link=link, clv=row.clv, as_of=row.as_of)

    @property
    def has_data(self) -> bool:
        return self.link.has_data and self.clv is not None

    @property
    def small_n(self) -> bool:
        return self.has_data and min(self.link.breached_n, self.link.clean_n) < SMALL_N

    @property
    def value(self) -> float | None:
        """The point figure (None without data; shown as a range instead when n is small)."""
        if not self.has_data:
            return None
        return self.affected * max(self.link.churn_uplift, 0.0) * max(self.clv, 0.0)

    @property
    def value_range(self) -> tuple[float, float] | None:
        if not self.has_data:
            return None
        low, high = self.link.churn_uplift_interval
        value = max(self.clv, 0.0) * self.affected
        return max(0.0, low * value), max(0.0, high * value)

    @property
    def rank_value(self) -> float:
        """For ranking barriers: the point figure, 0 without data."""
        return self.value or 0.0


def stakes_for(barrier_ids) -> dict[int, Stake]:
    """Value at stake of the given barriers (one query)."""
    rows = {row.barrier_id: row for row in BarrierStake.objects.filter(barrier_id__in=list(barrier_ids))}
    return {pk: Stake.of(rows.get(pk)) for pk in barrier_ids}
