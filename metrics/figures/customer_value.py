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

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import (
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
from django.utils import timezone

from cxhub.lib.months import months_between

from ..models import ChannelCost, CohortActivity, Customer, CustomerDay, Interaction, Transaction

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
        rate = self.churn_rate
        return self.exposure_years > 0 and (self.churned == 0 or (rate is not None and 1 / rate > self.cap_years))

    @property
    def l(self) -> float | None:  # noqa: E743  (the brief's letter)
        if not self.exposure_years:
            return None
        rate = self.churn_rate
        if self.churned == 0 or rate is None:
            return self.cap_years
        return min(1 / rate, self.cap_years)

    @property
    def a(self) -> float | None:
        return float(self.acquisition_cost_sum) / self.acquired if self.acquired else None

    @property
    def clv(self) -> float | None:
        r, s, lifetime = self.r, self.s, self.l
        if r is None or s is None or lifetime is None:
            return None
        return (r - s) * lifetime - (self.a or 0.0)


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
    # The window's rows are found by their local days through an index, not by a pass over every
    # transaction (the executive dashboard's slowest read at 10M): a window of whole local days is
    # its days; otherwise the days bound the moments (a superset) and the moments decide.
    first, last = timezone.localtime(start), timezone.localtime(end)
    if first.time() == last.time() == time():
        window = Q(occurred_day__gte=first.date(), occurred_day__lt=last.date())
    else:
        days = Q(occurred_day__gte=first.date(), occurred_day__lte=last.date())
        window = days & Q(occurred_at__gte=start, occurred_at__lt=end)
    per_customer = (
        Transaction.objects.filter(window)
        .filter(**({"customer__segment": segment} if segment is not None else {}))
        .values("customer_id")
        .annotate(n=Count("customer_id"))  # not the id: the index holds the customer, not the row's id
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
    active: dict[date, dict[int, int]] = {month: {} for month in sizes}
    for cohort_month, month, n in activity:
        k = months_between(cohort_month, month)
        if k >= 0:
            active[cohort_month][k] = n
    return [Cohort(month=month, size=sizes[month], active=active[month]) for month in sorted(sizes)]


# From the customer-value rollup (CustomerDay, CohortActivity; metrics.rollups.customer_days): the
# same figures over any run of whole days, from a few hundred rows.


def values_by_segment(
    start: date, end: date, *, cap_years: float = DEFAULT_CAP_YEARS
) -> dict[str | None, CustomerValue]:
    """Customer value over the days [start, end) per segment, and overall under None (one query)."""
    rows = (
        CustomerDay.objects.filter(day__gte=start, day__lt=end)
        .values("segment")
        .annotate(**_sums(start))
        .order_by("segment")
    )
    result: dict[str | None, CustomerValue] = {row["segment"]: _value(row, cap_years) for row in rows}
    result[None] = _value(_total(rows), cap_years)
    return result


def values_by_month(
    start: date, end: date, *, segment: str | None = None, cap_years: float = DEFAULT_CAP_YEARS
) -> list[tuple[date, CustomerValue]]:
    """Customer value of each calendar month touching [start, end), clipped to it (one query)."""
    days = CustomerDay.objects.filter(day__gte=start, day__lt=end)
    if segment is not None:
        days = days.filter(segment=segment)
    rows = days.values("month").annotate(**_sums(start, by_month=True)).order_by("month")
    return [(row["month"], _value(row, cap_years)) for row in rows]


def _sums(first_day: date, *, by_month: bool = False) -> dict[str, Sum]:
    """The window's sums; customers active at its start are those of its first day's row (by month:
    of each month's first day inside the window)."""
    at_start = Q(day=first_day) | Q(day__day=1) if by_month else Q(day=first_day)
    return {
        "at_start": Sum("active_at_start", filter=at_start),
        "entered_n": Sum("entered"),
        "exposure": Sum("exposure_seconds"),
        "churned_n": Sum("churned"),
        "acquired_n": Sum("acquired"),
        "acquisition": Sum("acquisition_cost"),
        "revenue_sum": Sum("revenue"),
        "service_sum": Sum("service_cost"),
    }


def empty_value(cap_years: float = DEFAULT_CAP_YEARS) -> CustomerValue:
    """Customer value with no customers: every figure is "no data"."""
    return _value(_total([]), cap_years)


def _total(rows: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    keys = ("at_start", "entered_n", "exposure", "churned_n", "acquired_n", "acquisition", "revenue_sum", "service_sum")
    return {key: sum((row[key] or 0) for row in rows) for key in keys}


def _value(row: Mapping[str, Any], cap_years: float) -> CustomerValue:
    return CustomerValue(
        customers=(row["at_start"] or 0) + (row["entered_n"] or 0),
        exposure_years=(row["exposure"] or 0) / YEAR.total_seconds(),
        revenue=Decimal(row["revenue_sum"] or 0),
        service_cost=Decimal(row["service_sum"] or 0),
        churned=row["churned_n"] or 0,
        acquired=row["acquired_n"] or 0,
        acquisition_cost_sum=Decimal(row["acquisition"] or 0),
        cap_years=cap_years,
    )


def cohorts(first_month: date, last_month: date, *, segment: str | None = None) -> list[Cohort]:
    """Monthly acquisition cohorts from the rollup, as cohort_retention gives them (two queries)."""
    days = CustomerDay.objects.filter(month__gte=first_month, month__lte=last_month, acquired__gt=0)
    activity = CohortActivity.objects.filter(cohort_month__gte=first_month, cohort_month__lte=last_month)
    if segment is not None:
        days, activity = days.filter(segment=segment), activity.filter(segment=segment)
    sizes = dict(days.values("month").annotate(n=Sum("acquired")).values_list("month", "n"))
    active: dict[date, dict[int, int]] = {month: {} for month in sizes}
    for cohort_month, month, n in (
        activity.values("cohort_month", "month").annotate(n=Sum("customers")).values_list("cohort_month", "month", "n")
    ):
        if cohort_month in active:
            active[cohort_month][months_between(cohort_month, month)] = n
    return [Cohort(month=month, size=sizes[month], active=active[month]) for month in sorted(sizes)]
