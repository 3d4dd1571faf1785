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
negative CLV (customers who cost more than they bring) give 0. With fewer than
settings.CXHUB_MIN_SAMPLE customers (30 unless configured) in either group of the link the figure is
shown as the range the interval gives (affected × uplift bounds × CLV, floored at 0); with no link
data, no customer value or no touchpoint with a target it is "no data". Either way the pages say
why in place — which input is missing or zero (`Stake.missing`, `Stake.zero_because`) — and how to
fix it. Built by full recomputes into BarrierStake (the
barrier's touchpoints as they were then), so lists and dashboards read one row per barrier.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from ..models import BarrierStake
from ..stake_reasons import EXPLAINED, SHORT, missing_input, zero_because
from .loyalty import Link


@dataclass(frozen=True)
class Stake:
    """A barrier's value at stake, read from its BarrierStake row."""

    affected: int
    link: Link
    clv: float | None
    as_of: datetime | None
    touchpoints: int = 0
    target_touchpoints: int = 0

    @classmethod
    def of(cls, row: BarrierStake | None) -> "Stake":
        if row is None:
            return cls(affected=0, link=Link(0, 0, 0, 0), clv=None, as_of=None)
        link = Link(row.breached_n, row.breached_retained, row.clean_n, row.clean_retained)
        return cls(
            affected=row.affected, link=link, clv=row.clv, as_of=row.as_of, touchpoints=row.touchpoints,
            target_touchpoints=row.target_touchpoints,
        )  # fmt: skip

    @property
    def missing(self) -> str | None:
        """Which input keeps the figure from existing (metrics.stake_reasons), None when it exists."""
        return missing_input(
            computed=self.as_of is not None, touchpoints=self.touchpoints, target_touchpoints=self.target_touchpoints,
            clv=self.clv, breached_n=self.link.breached_n, clean_n=self.link.clean_n,
        )  # fmt: skip

    @property
    def zero_because(self) -> str | None:
        """Why the figure is 0 (metrics.stake_reasons), None when it is not."""
        if self.missing or self.small_n:
            return None
        return zero_because(affected=self.affected, value=self.value, clv=self.clv)

    @property
    def reason(self) -> str:
        """The reason in a few words, empty when there is none."""
        key = self.missing or self.zero_because
        return str(SHORT[key]) if key else ""

    @property
    def explanation(self) -> str:
        """What a reader sees beside "no data" or "0": why, and what to do."""
        key = self.missing or self.zero_because
        return str(EXPLAINED[key]) if key else ""

    @property
    def has_data(self) -> bool:
        return self.link.has_data and self.clv is not None

    @property
    def small_n(self) -> bool:
        return self.has_data and self.link.too_few

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
