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
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .samples import too_few

FOLLOW_DAYS = 365


Z95 = 1.959963984540054


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
    def smaller_n(self) -> int:
        return min(self.breached_n, self.clean_n)

    @property
    def too_few(self) -> bool:
        """Either group smaller than the minimum sample (figures.samples): greyed, never ranked."""
        return too_few(self.smaller_n)

    @property
    def breached_retention(self) -> float | None:
        return self.breached_retained / self.breached_n if self.breached_n else None

    @property
    def clean_retention(self) -> float | None:
        return self.clean_retained / self.clean_n if self.clean_n else None

    @property
    def churn_uplift(self) -> float | None:
        """How much more often breached customers churned within the year (clean − breached retention)."""
        clean, breached = self.clean_retention, self.breached_retention
        return None if clean is None or breached is None else clean - breached

    @property
    def churn_uplift_interval(self) -> tuple[float, float] | None:
        """95 % interval of the uplift (Newcombe's method 10 on the two Wilson intervals)."""
        p1, p2 = self.clean_retention, self.breached_retention
        if p1 is None or p2 is None:
            return None
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
        uplift, interval = self.churn_uplift, self.churn_uplift_interval
        if uplift is None or interval is None:
            return None
        low, high = interval
        return 100 * uplift, 100 * low, 100 * high

    @classmethod
    def pooled(cls, rows: Iterable[Any]) -> "Link":
        """Several touchpoints' links as one (rows: anything with the four counts, e.g. LoyaltyLink)."""
        rows = list(rows)
        return cls(
            breached_n=sum(r.breached_n for r in rows),
            breached_retained=sum(r.breached_retained for r in rows),
            clean_n=sum(r.clean_n for r in rows),
            clean_retained=sum(r.clean_retained for r in rows),
        )
