"""Writes the service–loyalty link (LoyaltyLink) as metrics.figures.loyalty defines it: in SQL, for
every touchpoint with a target, one statement per distinct T, in the full recompute."""

from datetime import datetime, timedelta

from django.db import connection

from ..figures.customer_value import DEFAULT_INACTIVITY
from ..figures.loyalty import FOLLOW_DAYS
from ..models import Customer, Interaction, LoyaltyLink, ServiceTarget, Transaction
from .sql import plus_duration


def rebuild(as_of: datetime, *, follow_days: int = FOLLOW_DAYS, inactivity: timedelta = DEFAULT_INACTIVITY) -> None:
    """Replace every LoyaltyLink row (run inside the recompute's transaction)."""
    LoyaltyLink.objects.all().delete()
    for days in sorted(set(ServiceTarget.objects.values_list("threshold_days", flat=True))):
        _insert(days, as_of, follow_days, inactivity)


def _insert(days: int, as_of: datetime, follow_days: int, inactivity: timedelta) -> None:
    q = connection.ops.quote_name
    threshold = timedelta(days=days)
    follow = timedelta(days=follow_days)
    implied_churn = plus_duration("COALESCE(lt.last_at, c.acquired_at)", inactivity)
    breach = f"i.resolution_seconds > {days * 86_400} OR (i.resolved_at IS NULL AND i.opened_at < %(decided)s)"
    sql = f"""
        INSERT INTO {q(LoyaltyLink._meta.db_table)}
            (touchpoint_id, threshold_days, follow_days, breached_n, breached_retained, clean_n, clean_retained,
             as_of)
        SELECT t.touchpoint_id, {days}, {follow_days},
               COALESCE(SUM(CASE WHEN g.breached = 1 THEN 1 ELSE 0 END), 0),
               COALESCE(SUM(CASE WHEN g.breached = 1 AND g.retained = 1 THEN 1 ELSE 0 END), 0),
               COALESCE(SUM(CASE WHEN g.breached = 0 THEN 1 ELSE 0 END), 0),
               COALESCE(SUM(CASE WHEN g.breached = 0 AND g.retained = 1 THEN 1 ELSE 0 END), 0),
               %(as_of)s
        FROM {q(ServiceTarget._meta.db_table)} t
        LEFT JOIN (
            SELECT r.touchpoint_id,
                   CASE WHEN r.first_breach IS NULL THEN 0 ELSE 1 END AS breached,
                   CASE WHEN r.churn IS NULL OR r.churn >= {plus_duration("r.reference", threshold + follow)}
                        THEN 1 ELSE 0 END AS retained
            FROM (
                SELECT p.touchpoint_id, p.first_breach, COALESCE(p.first_breach, p.first_opened) AS reference,
                       COALESCE(c.churned_at,
                                CASE WHEN {implied_churn} < %(as_of)s THEN {implied_churn} END) AS churn
                FROM (
                    SELECT i.touchpoint_id, i.customer_id, MIN(i.opened_at) AS first_opened,
                           MIN(CASE WHEN {breach} THEN i.opened_at END) AS first_breach
                    FROM {q(Interaction._meta.db_table)} i
                    JOIN {q(ServiceTarget._meta.db_table)} it
                      ON it.touchpoint_id = i.touchpoint_id AND it.threshold_days = {days}
                    WHERE i.opened_at < %(followed)s
                      AND (i.resolution_seconds IS NOT NULL OR i.opened_at < %(decided)s)
                    GROUP BY i.touchpoint_id, i.customer_id
                ) p
                JOIN {q(Customer._meta.db_table)} c ON c.id = p.customer_id
                LEFT JOIN (
                    SELECT customer_id, MAX(occurred_at) AS last_at FROM {q(Transaction._meta.db_table)}
                    GROUP BY customer_id
                ) lt ON lt.customer_id = p.customer_id
            ) r
            WHERE r.churn IS NULL OR r.churn >= {plus_duration("r.reference", threshold)}
        ) g ON g.touchpoint_id = t.touchpoint_id
        WHERE t.threshold_days = {days}
        GROUP BY t.touchpoint_id
    """
    params = {
        "as_of": as_of,
        "decided": as_of - threshold,
        "followed": as_of - threshold - follow,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
