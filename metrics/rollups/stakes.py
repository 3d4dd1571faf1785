"""Writes each barrier's value at stake (BarrierStake) as metrics.figures.stakes defines it: in the
full recompute, after the service–loyalty link, and after imports that move its other inputs
(customers affected, CLV), with the link of the last full recompute."""

from datetime import datetime, timedelta

from django.db import connection
from django.utils import timezone

from barriers.models import Barrier
from journeys.models import Step

from ..figures.customer_value import values_by_segment
from ..figures.stakes import Stake
from ..models import BarrierStake, Interaction, LoyaltyLink, ServiceTarget

YEAR = timedelta(days=365)


def rebuild(as_of: datetime) -> None:
    """Replace every BarrierStake row (after loyalty.rebuild, inside the recompute's transaction)."""
    BarrierStake.objects.all().delete()
    # CLV of the year up to as_of, from the customer-value rollup written just before in the same run
    # (the 365 days ending with as_of's day, as the dashboards and metrics_report give it).
    end = timezone.localtime(as_of).date() + timedelta(days=1)
    clv = values_by_segment(end - YEAR, end)[None].clv
    q = connection.ops.quote_name
    barrier_touchpoints = f"""
        SELECT barrier_id, touchpoint_id FROM {q(Barrier.touchpoints.through._meta.db_table)}
        UNION
        SELECT bs.barrier_id, s.touchpoint_id
        FROM {q(Barrier.steps.through._meta.db_table)} bs JOIN {q(Step._meta.db_table)} s ON s.id = bs.step_id
    """
    thresholds = sorted(set(ServiceTarget.objects.values_list("threshold_days", flat=True)))
    params: list = []
    breached = []
    # The year's days as well as its moments: the days bound the (touchpoint, day) index read, so the
    # touchpoint's older cases are not fetched to be dropped (a day either side covers any offset).
    first_day = timezone.localtime(as_of - YEAR).date() - timedelta(days=1)
    for days in thresholds:  # a constant T per part keeps the date arithmetic out of the rows
        breached.append(f"""
            SELECT bt.barrier_id, i.customer_id
            FROM bt
            JOIN {q(ServiceTarget._meta.db_table)} t ON t.touchpoint_id = bt.touchpoint_id AND t.threshold_days = {days}
            JOIN {q(Interaction._meta.db_table)} i ON i.touchpoint_id = bt.touchpoint_id
            WHERE i.opened_day >= %s AND i.opened_day <= %s AND i.opened_at >= %s AND i.opened_at < %s
              AND (i.resolution_seconds > {days * 86_400} OR (i.resolved_at IS NULL AND i.opened_at < %s))
        """)  # fmt: skip
        params += [first_day, end, as_of - YEAR, as_of, as_of - timedelta(days=days)]
    if breached:
        affected = f"""SELECT barrier_id, COUNT(DISTINCT customer_id) AS n
                       FROM ({" UNION ALL ".join(breached)}) x GROUP BY barrier_id"""
    else:
        # No target anywhere, so no breach: an empty set typed like the barrier ids (PostgreSQL joins on it).
        affected = f"SELECT id AS barrier_id, 0 AS n FROM {q(Barrier._meta.db_table)} WHERE 1 = 0"
    sql = f"""
        WITH bt AS MATERIALIZED ({barrier_touchpoints})
        INSERT INTO {q(BarrierStake._meta.db_table)}
            (barrier_id, touchpoints, target_touchpoints, affected, breached_n, breached_retained, clean_n,
             clean_retained, clv, as_of, small_n)
        SELECT b.id, COALESCE(tp.n, 0), COALESCE(tp.with_target, 0), COALESCE(a.n, 0), COALESCE(l.breached_n, 0),
               COALESCE(l.breached_retained, 0), COALESCE(l.clean_n, 0), COALESCE(l.clean_retained, 0), %s, %s, %s
        FROM {q(Barrier._meta.db_table)} b
        LEFT JOIN (
            SELECT bt.barrier_id, COUNT(*) AS n, COUNT(t.touchpoint_id) AS with_target
            FROM bt LEFT JOIN {q(ServiceTarget._meta.db_table)} t ON t.touchpoint_id = bt.touchpoint_id
            WHERE bt.touchpoint_id IS NOT NULL
            GROUP BY bt.barrier_id
        ) tp ON tp.barrier_id = b.id
        LEFT JOIN ({affected}) a ON a.barrier_id = b.id
        LEFT JOIN (
            SELECT bt.barrier_id, SUM(ll.breached_n) AS breached_n, SUM(ll.breached_retained) AS breached_retained,
                   SUM(ll.clean_n) AS clean_n, SUM(ll.clean_retained) AS clean_retained
            FROM bt JOIN {q(LoyaltyLink._meta.db_table)} ll ON ll.touchpoint_id = bt.touchpoint_id
            GROUP BY bt.barrier_id
        ) l ON l.barrier_id = b.id
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [clv, as_of, False, *params])  # in the order they appear
    # The figures from the counts: one row per barrier (dozens to hundreds), not per interaction.
    rows = list(BarrierStake.objects.all())
    for row in rows:
        stake = Stake.of(row)
        row.value = stake.value
        row.value_low, row.value_high = stake.value_range or (None, None)
        row.small_n = stake.small_n
    BarrierStake.objects.bulk_update(rows, ["value", "value_low", "value_high", "small_n"], batch_size=500)
