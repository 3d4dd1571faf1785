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

from django.utils.translation import gettext_lazy as _

from ..models import BarrierStake
from .loyalty import Link

# Why a barrier has no figure (the first missing input, in the order to fix them), and why it is 0.
MISSING = {
    "not_computed": _("Not computed yet: it appears after the next full recompute."),
    "no_touchpoint": _("Linked to no journey step or touchpoint: link it to the steps where it happens."),
    "no_target": _(
        "None of its touchpoints has a service-level target, so no case counts as a breach: "
        "set a target on the Targets page."
    ),
    "no_customer_value": _("No customer value yet: import customers and their transactions."),
    "no_loyalty_link": _(
        "No customers followed for a year after cases at its touchpoints yet (with and without a breach): "
        "it needs a longer history of interactions."
    ),
}
# The same, in two or three words beside the figure (the sentence is its tooltip).
MISSING_SHORT = {
    "not_computed": _("not computed yet"),
    "no_touchpoint": _("no step linked"),
    "no_target": _("no target set"),
    "no_customer_value": _("no customer data"),
    "no_loyalty_link": _("too little history"),
}
ZERO_SHORT = {"no_breach": _("no breaches"), "no_uplift": _("no extra churn"), "no_clv": _("CLV ≤ 0")}
ZERO_BECAUSE = {
    "no_breach": _("No customer suffered a breach of the target at its touchpoints in the last 12 months."),
    "no_uplift": _("Customers after a breach churned no more often than customers whose cases were within target."),
    "no_clv": _("Customer value is zero or negative: customers cost more than they bring."),
}


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
        """Which input keeps the figure from existing (a key of MISSING), None when it exists."""
        if self.as_of is None:
            return "not_computed"
        if self.touchpoints == 0:
            return "no_touchpoint"
        if self.target_touchpoints == 0:
            return "no_target"
        if self.clv is None:
            return "no_customer_value"
        if not self.link.has_data:
            return "no_loyalty_link"
        return None

    @property
    def zero_because(self) -> str | None:
        """Why the figure is 0 (a key of ZERO_BECAUSE), None when it is not."""
        if self.missing or self.small_n:
            return None
        if self.affected == 0:
            return "no_breach"
        if (self.link.churn_uplift or 0.0) <= 0:
            return "no_uplift"
        if (self.clv or 0.0) <= 0:
            return "no_clv"
        return None

    @property
    def reason(self) -> str:
        """The reason in a few words (MISSING_SHORT, ZERO_SHORT), empty when there is none."""
        if self.missing:
            return str(MISSING_SHORT[self.missing])
        return str(ZERO_SHORT[self.zero_because]) if self.zero_because else ""

    @property
    def explanation(self) -> str:
        """What a reader sees beside "no data" or "0": why, and what to do."""
        if self.missing:
            return str(MISSING[self.missing])
        return str(ZERO_BECAUSE[self.zero_because]) if self.zero_because else ""

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
