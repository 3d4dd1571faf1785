"""Value at stake per barrier: what the service breaches at a barrier's touchpoints cost in customer
value, by the formula

    value at stake = customers affected in the last 12 months × churn uplift × CLV

- the barrier's touchpoints: its own, and those of the journey steps it sits on; only touchpoints
  with a service-level target count (a breach is defined against the target);
- customers affected: distinct customers with an interaction at those touchpoints opened in the
  12 months before `as_of` that breached the target (resolved after more than T, or open after T);
- churn uplift: clean retention − breached retention of the service–loyalty link (metrics.figures.loyalty),
  pooled over the same touchpoints, with its 95 % interval;
- CLV: the overall customer value of the same 12 months (metrics.figures.customer_value).

Nothing is at stake below 0: a negative uplift (breached customers stayed more often) or a
negative CLV (customers who cost more than they bring) give 0. With fewer than SMALL_N customers in
either group of the link the figure is shown as the range the interval gives (affected × uplift
bounds × CLV, floored at 0); with no link data, no customer value or no touchpoint with a target it
is "no data". Built by full recomputes into BarrierStake (the
barrier's touchpoints as they were then), so lists and dashboards read one row per barrier.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from ..models import BarrierStake
from .loyalty import Link

SMALL_N = 30


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
        uplift = self.link.churn_uplift
        if uplift is None or self.clv is None:
            return None
        return self.affected * max(uplift, 0.0) * max(self.clv, 0.0)

    @property
    def value_range(self) -> tuple[float, float] | None:
        interval = self.link.churn_uplift_interval
        if interval is None or self.clv is None:
            return None
        low, high = interval
        value = max(self.clv, 0.0) * self.affected
        return max(0.0, low * value), max(0.0, high * value)

    @property
    def rank_value(self) -> float:
        """For ranking barriers: the point figure, 0 without data."""
        return self.value or 0.0


def stakes_for(barrier_ids: Iterable[int]) -> dict[int, Stake]:
    """Value at stake of the given barriers (one query)."""
    barrier_ids = list(barrier_ids)
    rows = {row.barrier_id: row for row in BarrierStake.objects.filter(barrier_id__in=barrier_ids)}
    return {pk: Stake.of(rows.get(pk)) for pk in barrier_ids}
