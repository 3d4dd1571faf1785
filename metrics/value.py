"""Customer value over an observation window [start, end), exactly as DOMAIN.md defines it, in SQL.

- churn date = churned_at if given, else the last transaction (or, with none, the acquisition) plus
  the inactivity threshold, when that falls before `end`;
- exposure = Σ years (365.25 days) each customer was active inside the window:
  from max(acquired_at, start) to min(churn date, end);
- R = revenue in the window / exposure; S = service cost in the window / exposure (an interaction's
  cost, else its channel's default cost);
- annual churn rate = customers churned in the window / exposure; L = 1 / churn rate (capped, and
  flagged, when no churn is observed);
- A = mean acquisition cost of the customers acquired in the window;
- CLV = (R − A/L − S) × L = (R − S) × L − A.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.contrib.postgres.fields import ArrayField
from django.db.models import (
    Aggregate,
    BigIntegerField,
    Case,
    Count,
    DateTimeField,
    DecimalField,
    DurationField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, Least

from .models import ChannelCost, Customer, Interaction, Transaction

YEAR = timedelta(days=365.25)
DEFAULT_INACTIVITY = timedelta(days=365)
DEFAULT_CAP_YEARS = 10.0


@dataclass(frozen=True)
class CustomerValue:
    customers: int  # active at some point inside the window
    exposure_years: float
    revenue: Decimal
    service_cost: Decimal
    churned: int
    acquired: int  # customers acquired in the window (the n of A)
    acquisition_cost_sum: Decimal
    cap_years: float

    @property
    def r(self) -> float | None:
        return float(self.revenue) / self.exposure_years if self.exposure_years else None

    @property
    def s(self) -> float | None:
        return float(self.service_cost) / self.exposure_years if self.exposure_years else None

    @property
    def churn_rate(self) -> float | None:
        return self.churned / self.exposure_years if self.exposure_years else None

    @property
    def lifetime_capped(self) -> bool:
        """L is the cap: no churn observed, or so little that 1 / churn rate exceeds it."""
        return self.exposure_years > 0 and (self.churned == 0 or 1 / self.churn_rate > self.cap_years)

    @property
    def l(self) -> float | None:  # noqa: E743  (the brief's letter)
        if not self.exposure_years:
            return None
        if self.churned == 0:
            return self.cap_years
        return min(1 / self.churn_rate, self.cap_years)

    @property
    def a(self) -> float | None:
        return float(self.acquisition_cost_sum) / self.acquired if self.acquired else None

    @property
    def clv(self) -> float | None:
        if self.r is None or self.l is None:
            return None
        return (self.r - self.s) * self.l - (self.a or 0.0)


def customer_value(
    *,
    start: datetime,
    end: datetime,
    segment: str | None = None,
    inactivity: timedelta = DEFAULT_INACTIVITY,
    cap_years: float = DEFAULT_CAP_YEARS,
) -> CustomerValue:
    customers = Customer.objects.all() if segment is None else Customer.objects.filter(segment=segment)
    last_transaction = Subquery(
        Transaction.objects.filter(customer=OuterRef("pk")).order_by("-occurred_at").values("occurred_at")[:1]
    )
    last_activity = Coalesce(last_transaction, F("acquired_at"), output_field=DateTimeField())
    implied = ExpressionWrapper(last_activity + Value(inactivity), output_field=DateTimeField())
    churn_date = Coalesce(
        "churned_at",
        Case(When(Q(implied_churn__lt=end), then=F("implied_churn")), default=None, output_field=DateTimeField()),
        output_field=DateTimeField(),
    )
    annotated = customers.annotate(implied_churn=implied).annotate(
        churn_date=churn_date,
        active_from=Greatest("acquired_at", Value(start, output_field=DateTimeField())),
        active_to=Least(
            Coalesce("churn_date", Value(end, output_field=DateTimeField())), Value(end, output_field=DateTimeField())
        ),
    )
    active = Q(active_to__gt=F("active_from"))
    totals = annotated.aggregate(
        customers=Count("pk", filter=active),
        exposure=Sum(ExpressionWrapper(F("active_to") - F("active_from"), output_field=DurationField()), filter=active),
        # A churn at the window's very first moment is the window's (each churn falls in exactly one
        # of a run of windows), though it leaves no active time in it.
        churned=Count("pk", filter=Q(churn_date__gte=start, churn_date__lt=end, churn_date__gt=F("acquired_at"))),
    )
    acquired = customers.filter(acquired_at__gte=start, acquired_at__lt=end).aggregate(
        n=Count("pk"), cost=Sum("acquisition_cost")
    )
    revenue = Transaction.objects.filter(customer__in=customers, occurred_at__gte=start, occurred_at__lt=end).aggregate(
        total=Sum("amount")
    )["total"] or Decimal(0)
    default_cost = Subquery(
        ChannelCost.objects.filter(channel=OuterRef("touchpoint__channel")).values("default_cost")[:1]
    )
    service_cost = Interaction.objects.filter(
        customer__in=customers, opened_at__gte=start, opened_at__lt=end
    ).aggregate(
        total=Sum(
            Coalesce(
                "cost", default_cost, Value(Decimal(0)), output_field=DecimalField(max_digits=14, decimal_places=2)
            )
        )
    )["total"] or Decimal(0)
    exposure = totals["exposure"] or timedelta(0)
    return CustomerValue(
        customers=totals["customers"],
        exposure_years=exposure / YEAR,
        revenue=revenue,
        service_cost=service_cost,
        churned=totals["churned"],
        acquired=acquired["n"],
        acquisition_cost_sum=acquired["cost"] or Decimal(0),
        cap_years=cap_years,
    )


@dataclass(frozen=True)
class RepeatPurchase:
    buyers: int  # customers with at least one transaction in the window
    repeat_buyers: int  # … with at least two

    @property
    def rate(self) -> float | None:
        return self.repeat_buyers / self.buyers if self.buyers else None


def repeat_purchase(*, start: datetime, end: datetime, segment: str | None = None) -> RepeatPurchase:
    """Share of the window's buyers with at least two transactions in it (one query)."""
    per_customer = (
        Transaction.objects.filter(occurred_at__gte=start, occurred_at__lt=end)
        .filter(**({"customer__segment": segment} if segment is not None else {}))
        .values("customer_id")
        .annotate(n=Count("pk"))
    )
    # Aggregating the per-customer counts: Django wraps the grouped query in a subquery (one query).
    totals = per_customer.aggregate(buyers=Count("customer_id"), repeat=Count("customer_id", filter=Q(n__gte=2)))
    return RepeatPurchase(buyers=totals["buyers"], repeat_buyers=totals["repeat"])


@dataclass(frozen=True)
class Cohort:
    month: date
    size: int
    active: dict[int, int]  # k (months after acquisition) → customers with a transaction in month c + k

    def retention(self, k: int) -> float | None:
        return self.active.get(k, 0) / self.size if self.size else None


def cohort_retention(*, first_month: date, last_month: date, segment: str | None = None) -> list[Cohort]:
    """Monthly acquisition cohorts: for customers acquired in month c, how many bought in month c + k.
    Two queries; distinct customers are counted in SQL per (cohort, month)."""
    customers = Customer.objects.filter(acquired_month__gte=first_month, acquired_month__lte=last_month)
    if segment is not None:
        customers = customers.filter(segment=segment)
    sizes = dict(customers.values("acquired_month").annotate(n=Count("pk")).values_list("acquired_month", "n"))
    activity = (
        Transaction.objects.filter(customer__in=customers)
        .values("customer__acquired_month", "occurred_month")
        .annotate(n=Count("customer_id", distinct=True))
        .values_list("customer__acquired_month", "occurred_month", "n")
    )
    active: dict = {month: {} for month in sizes}
    for cohort_month, month, n in activity:
        k = (month.year - cohort_month.year) * 12 + month.month - cohort_month.month
        if k >= 0:
            active[cohort_month][k] = n
    return [Cohort(month=month, size=sizes[month], active=active[month]) for month in sorted(sizes)]


PERCENTILES = (50, 80, 90)


class _PercentilesDisc(Aggregate):
    """PostgreSQL: percentile_disc(ARRAY[f, …]) WITHIN GROUP (ORDER BY column), the values at several
    nearest ranks from one sort."""

    function = "percentile_disc"
    template = "%(function)s(ARRAY[%(fractions)s]::float8[]) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression: str, fractions: list[float]) -> None:
        super().__init__(
            expression, fractions=", ".join(repr(f) for f in fractions), output_field=ArrayField(BigIntegerField())
        )


def resolution_percentiles(
    *,
    start: date,
    end: date,
    touchpoint_ids: list[int] | None = None,
    by_touchpoint: bool = False,
    column: str = "resolution_seconds",
    percentiles: tuple[int, ...] = PERCENTILES,
) -> dict[int | None, dict[int, float]]:
    """Nearest-rank percentiles of resolution time (or another duration column) in days — the smallest
    duration d such that at least p % of the known durations are ≤ d — for interactions opened in
    [start, end), overall (key None) or per touchpoint. One query: percentile_disc(f) is the ⌈f·n⌉-th
    smallest value, the same nearest rank, one sort per group (a touchpoint's year at 10M cases: 0.05 s)."""
    qs = Interaction.objects.filter(opened_day__gte=start, opened_day__lt=end, **{f"{column}__isnull": False})
    if touchpoint_ids is not None:
        qs = qs.filter(touchpoint_id__in=touchpoint_ids)
    pick = _PercentilesDisc(column, [p / 100 for p in percentiles])
    if by_touchpoint:
        rows = list(qs.values("touchpoint_id").order_by().annotate(v=pick).values_list("touchpoint_id", "v"))
    else:
        found = qs.aggregate(v=pick)["v"]
        rows = [(None, found)] if found else []
    return {key: {p: s / 86_400 for p, s in zip(percentiles, found, strict=True)} for key, found in rows}


@dataclass(frozen=True)
class SurveyScores:
    nps_n: int
    promoters: int
    detractors: int
    csat_n: int
    csat_good: int
    ces_n: int
    ces_sum: int

    @property
    def nps(self) -> float | None:
        """% promoters (9–10) − % detractors (0–6), from −100 to 100."""
        return 100 * (self.promoters - self.detractors) / self.nps_n if self.nps_n else None

    @property
    def csat(self) -> float | None:
        """% of answers that are 4 or 5."""
        return 100 * self.csat_good / self.csat_n if self.csat_n else None

    @property
    def ces(self) -> float | None:
        return self.ces_sum / self.ces_n if self.ces_n else None


def survey_scores(*, start: date, end: date, touchpoint_ids: list[int] | None = None) -> SurveyScores:
    """NPS, CSAT and CES of the answers submitted in [start, end), each with its own n (one query)."""
    from .models import SurveyResponse

    qs = SurveyResponse.objects.filter(submitted_day__gte=start, submitted_day__lt=end)
    if touchpoint_ids is not None:
        qs = qs.filter(touchpoint_id__in=touchpoint_ids)
    totals = qs.aggregate(
        nps_n=Count("nps"),
        promoters=Count("pk", filter=Q(nps__gte=9)),
        detractors=Count("pk", filter=Q(nps__lte=6)),
        csat_n=Count("csat"),
        csat_good=Count("pk", filter=Q(csat__gte=4)),
        ces_n=Count("ces"),
        ces_sum=Coalesce(Sum("ces"), 0),
    )
    return SurveyScores(**totals)
