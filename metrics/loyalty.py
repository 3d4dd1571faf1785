"""The service–loyalty link, measured: do customers who suffered a service-level breach at a
touchpoint stay with us less often than those who did not?

For a touchpoint with a target "share within T days", as of a moment `as_of`, following each
customer for F days (default 365):
- an interaction is *decided* once it is resolved or has been open longer than T (as in the service
  level: an open case younger than T is left out); it *breaches* when it was resolved after more
  than T, or is still open after T;
- the *cohort*: customers with a decided interaction there opened at least T + F days before
  `as_of`, so that a full year after the moment its fate was known can be observed;
- a customer is *breached* when one of those interactions breached, else *clean*; the reference
  moment is opened_at + T of the first breached interaction (breached) or of the first interaction
  (clean); customers who had already churned by then are left out;
- *retained*: not churned within F days of the reference moment, with the churn date as in customer
  value (churned_at, else the last transaction — or the acquisition — plus the inactivity threshold,
  when that falls before `as_of`).

Retention of each group is retained / n; the churn uplift of a breach is clean retention − breached
retention, with a 95 % interval (Newcombe's hybrid score interval from two Wilson intervals; sound
for small n and for shares near 0 or 1). Computed in SQL for every touchpoint with a target, one
statement per distinct T, in the full recompute (nightly and on demand) into LoyaltyLink.
"""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection

from .models import Customer, Interaction, LoyaltyLink, ServiceTarget, Transaction
from .value import DEFAULT_INACTIVITY

FOLLOW_DAYS = 365
Z95 = 1.959963984540054


def rebuild(as_of: datetime, *, follow_days: int = FOLLOW_DAYS, inactivity: timedelta = DEFAULT_INACTIVITY) -> None:
    """Replace every LoyaltyLink row (run inside the recompute's transaction)."""
    LoyaltyLink.objects.all().delete()
    for days in sorted(set(ServiceTarget.objects.values_list("threshold_days", flat=True))):
        _insert(days, as_of, follow_days, inactivity)


def _plus(expression: str, delta: timedelta) -> str:
    """SQL for a stored moment plus a fixed duration."""
    return f"({expression} + make_interval(secs => {delta.total_seconds()}))"


def _insert(days: int, as_of: datetime, follow_days: int, inactivity: timedelta) -> None:
    q = connection.ops.quote_name
    moment = connection.ops.adapt_datetimefield_value
    threshold = timedelta(days=days)
    follow = timedelta(days=follow_days)
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
                   CASE WHEN r.churn IS NULL OR r.churn >= {_plus("r.reference", threshold + follow)}
                        THEN 1 ELSE 0 END AS retained
            FROM (
                SELECT p.touchpoint_id, p.first_breach, COALESCE(p.first_breach, p.first_opened) AS reference,
                       COALESCE(c.churned_at,
                                CASE WHEN {_plus("COALESCE(lt.last_at, c.acquired_at)", inactivity)} < %(as_of)s
                                     THEN {_plus("COALESCE(lt.last_at, c.acquired_at)", inactivity)} END) AS churn
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
            WHERE r.churn IS NULL OR r.churn >= {_plus("r.reference", threshold)}
        ) g ON g.touchpoint_id = t.touchpoint_id
        WHERE t.threshold_days = {days}
        GROUP BY t.touchpoint_id
    """
    params = {
        "as_of": moment(as_of),
        "decided": moment(as_of - threshold),
        "followed": moment(as_of - threshold - follow),
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval of a share (n > 0)."""
    share = successes / n
    centre = (share + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(share * (1 - share) / n + z * z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class Link:
    """Retention of breached and clean customers at a touchpoint (or several, pooled)."""

    breached_n: int
    breached_retained: int
    clean_n: int
    clean_retained: int

    @property
    def has_data(self) -> bool:
        return self.breached_n > 0 and self.clean_n > 0

    @property
    def breached_retention(self) -> float | None:
        return self.breached_retained / self.breached_n if self.breached_n else None

    @property
    def clean_retention(self) -> float | None:
        return self.clean_retained / self.clean_n if self.clean_n else None

    @property
    def churn_uplift(self) -> float | None:
        """How much more often breached customers churned within the year (clean − breached retention)."""
        if not self.has_data:
            return None
        return self.clean_retention - self.breached_retention

    @property
    def churn_uplift_interval(self) -> tuple[float, float] | None:
        """95 % interval of the uplift (Newcombe's method 10 on the two Wilson intervals)."""
        if not self.has_data:
            return None
        p1, p2 = self.clean_retention, self.breached_retention
        l1, u1 = wilson(self.clean_retained, self.clean_n)
        l2, u2 = wilson(self.breached_retained, self.breached_n)
        difference = p1 - p2
        return (
            difference - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2),
            difference + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2),
        )

    @property
    def breached_retention_pct(self) -> float | None:
        return None if self.breached_retention is None else 100 * self.breached_retention

    @property
    def clean_retention_pct(self) -> float | None:
        return None if self.clean_retention is None else 100 * self.clean_retention

    @property
    def churn_uplift_points(self) -> tuple[float, float, float] | None:
        """The uplift and its interval in percentage points, for pages."""
        if not self.has_data:
            return None
        low, high = self.churn_uplift_interval
        return 100 * self.churn_uplift, 100 * low, 100 * high

    @classmethod
    def pooled(cls, rows) -> "Link":
        rows = list(rows)
        return cls(
            breached_n=sum(r.breached_n for r in rows),
            breached_retained=sum(r.breached_retained for r in rows),
            clean_n=sum(r.clean_n for r in rows),
            clean_retained=sum(r.clean_retained for r in rows),
        )
