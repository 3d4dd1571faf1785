"""Why a barrier's value at stake has no figure, or is 0, and what to do about it — the one place
for these rules, read by metrics.figures.stakes.Stake and by BarrierStake rows (the API). It imports
no model, so both can use it."""

from django.utils.translation import gettext_lazy as _

# Why there is no figure: the first missing input, in the order to fix them.
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
# Why the figure is 0.
ZERO_BECAUSE = {
    "no_breach": _("No customer suffered a breach of the target at its touchpoints in the last 12 months."),
    "no_uplift": _("Customers after a breach churned no more often than customers whose cases were within target."),
    "no_clv": _("Customer value is zero or negative: customers cost more than they bring."),
}
EXPLAINED = {**MISSING, **ZERO_BECAUSE}
# The same in two or three words beside the figure (the sentence is its tooltip).
SHORT = {
    "not_computed": _("not computed yet"),
    "no_touchpoint": _("no step linked"),
    "no_target": _("no target set"),
    "no_customer_value": _("no customer data"),
    "no_loyalty_link": _("too little history"),
    "no_breach": _("no breaches"),
    "no_uplift": _("no extra churn"),
    "no_clv": _("CLV ≤ 0"),
}


def missing_input(
    *, computed: bool, touchpoints: int, target_touchpoints: int, clv: float | None, breached_n: int, clean_n: int
) -> str | None:
    """The key of MISSING for the first input the figure lacks, None when it has them all."""
    if not computed:
        return "not_computed"
    if touchpoints == 0:
        return "no_touchpoint"
    if target_touchpoints == 0:
        return "no_target"
    if clv is None:
        return "no_customer_value"
    if breached_n == 0 or clean_n == 0:
        return "no_loyalty_link"
    return None


def zero_because(*, affected: int, value: float | None, clv: float | None) -> str | None:
    """The key of ZERO_BECAUSE when a figure that exists is 0 (value = affected × max(uplift, 0) ×
    max(CLV, 0), so with customers affected and a positive CLV it is the uplift), None otherwise."""
    if value is None or value > 0:
        return None
    if affected == 0:
        return "no_breach"
    if (clv or 0.0) <= 0:
        return "no_clv"
    return "no_uplift"
