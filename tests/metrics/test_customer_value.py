"""Customer value exactly as DOMAIN.md defines it, against a hand-computed case."""

from datetime import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from metrics.figures.customer_value import customer_value
from metrics.models import ChannelCost, Customer, Interaction, Transaction
from tests.factories import TouchpointFactory

pytestmark = pytest.mark.django_db


def at(text: str) -> datetime:
    return timezone.make_aware(datetime.fromisoformat(text))


def customer(external_id, acquired, cost, churned=None, segment="retail"):
    moment = at(acquired)
    return Customer.objects.create(
        external_id=external_id,
        acquired_at=moment,
        acquired_month=moment.date().replace(day=1),
        acquisition_cost=Decimal(cost),
        segment=segment,
        churned_at=at(churned) if churned else None,
    )


def pay(c, external_id, when, amount):
    Transaction.objects.create(
        external_id=external_id,
        customer=c,
        occurred_at=at(when),
        occurred_day=at(when).date(),
        occurred_month=at(when).date().replace(day=1),
        amount=Decimal(amount),
    )


@pytest.fixture
def world(department):
    phone = TouchpointFactory(name="Phone line", channel="phone", department=department)
    ChannelCost.objects.create(channel="phone", default_cost=Decimal("180"))
    c1 = customer("C1", "2024-06-01", "100")  # active all year: last purchase + 365 d falls after the window
    pay(c1, "T1", "2025-03-01", "100")
    pay(c1, "T2", "2025-09-01", "200")
    c2 = customer("C2", "2025-07-01", "300", churned="2025-10-01")  # acquired and churned inside
    pay(c2, "T3", "2025-08-01", "50")
    c3 = customer("C3", "2023-01-01", "100")  # silent since 2024-03-01: churned 2025-03-01 by inactivity
    pay(c3, "T0", "2024-03-01", "999")
    customer("C4", "2025-12-01", "500", segment="business")  # acquired in December, no purchases yet
    for external_id, who, when, cost in [("I1", c1, "2025-05-01", Decimal("40")), ("I2", c2, "2025-08-02", None)]:
        Interaction.objects.create(
            external_id=external_id,
            customer=who,
            touchpoint=phone,
            opened_at=at(when),
            opened_day=at(when).date(),
            cost=cost,
        )


def test_customer_value_follows_the_definitions(world):
    value = customer_value(start=at("2025-01-01"), end=at("2026-01-01"))
    exposure = (365 + 92 + 59 + 31) / 365.25  # C1 all year, C2 Jul–Sep, C3 Jan–Feb, C4 December
    assert value.customers == 4
    assert value.exposure_years == pytest.approx(exposure)
    assert value.churned == 2  # C2 (churned_at) and C3 (inactivity)
    assert value.r == pytest.approx(350 / exposure)  # the 999 of 2024 is outside the window
    assert value.s == pytest.approx((40 + 180) / exposure)  # I2 has no cost: the phone channel's default
    assert value.churn_rate == pytest.approx(2 / exposure)
    assert value.l == pytest.approx(exposure / 2)
    assert value.a == pytest.approx(400)  # C2 and C4 were acquired in the window
    assert value.clv == pytest.approx((350 / exposure - 220 / exposure) * (exposure / 2) - 400)
    assert not value.lifetime_capped


def test_no_churn_caps_the_lifetime_and_says_so(world):
    value = customer_value(start=at("2025-01-01"), end=at("2026-01-01"), segment="business")
    assert value.churned == 0 and value.lifetime_capped and value.l == 10.0
    assert value.exposure_years == pytest.approx(31 / 365.25)


def test_no_customers_is_no_data(db):
    value = customer_value(start=at("2025-01-01"), end=at("2026-01-01"))
    assert (value.customers, value.r, value.l, value.clv) == (0, None, None, None)


def test_repeat_purchase_rate(world):
    from metrics.figures.customer_value import repeat_purchase

    result = repeat_purchase(start=at("2025-01-01"), end=at("2026-01-01"))
    assert (result.buyers, result.repeat_buyers) == (2, 1)  # C1 bought twice, C2 once
    assert result.rate == 0.5
    assert repeat_purchase(start=at("2020-01-01"), end=at("2020-02-01")).rate is None


def test_cohort_retention(world):
    from datetime import date

    from metrics.figures.customer_value import cohort_retention

    c5 = customer("C5", "2025-07-15", "0")
    pay(c5, "T5", "2025-09-10", "10")
    pay(c5, "T6", "2025-09-20", "10")  # twice in one month still counts once
    cohorts = {c.month: c for c in cohort_retention(first_month=date(2025, 1, 1), last_month=date(2025, 12, 1))}
    july = cohorts[date(2025, 7, 1)]
    assert july.size == 2  # C2 and C5
    assert (july.retention(0), july.retention(1), july.retention(2)) == (0.0, 0.5, 0.5)  # C2 in Aug, C5 in Sep
    assert cohorts[date(2025, 12, 1)].retention(0) == 0.0


def test_survey_scores(world):
    from datetime import date

    from metrics.figures.surveys import survey_scores
    from metrics.models import SurveyResponse

    answers = [(10, 5, 2), (9, None, None), (8, 4, 3), (6, 2, 6), (0, 1, None), (None, 5, 1)]
    for n, (nps, csat, ces) in enumerate(answers):
        SurveyResponse.objects.create(
            external_id=f"S{n}",
            submitted_at=at("2025-06-01"),
            submitted_day=date(2025, 6, 1),
            nps=nps,
            csat=csat,
            ces=ces,
        )
    scores = survey_scores(start=date(2025, 1, 1), end=date(2026, 1, 1))
    assert scores.nps_n == 5 and scores.nps == pytest.approx(100 * (2 - 2) / 5)  # promoters 10, 9; detractors 6, 0
    assert scores.csat_n == 5 and scores.csat == pytest.approx(60.0)  # 5, 4, 5 of five answers
    assert scores.ces_n == 4 and scores.ces == pytest.approx(3.0)
    empty = survey_scores(start=date(2020, 1, 1), end=date(2020, 2, 1))
    assert (empty.nps, empty.csat, empty.ces) == (None, None, None)


def test_lifetime_is_flagged_whenever_the_cap_applies():
    from metrics.figures.customer_value import CustomerValue

    def value(churned, years):
        return CustomerValue(
            customers=10, exposure_years=years, revenue=Decimal(1000), service_cost=Decimal(0), churned=churned,
            acquired=0, acquisition_cost_sum=Decimal(0), cap_years=10.0,
        )  # fmt: skip

    assert (value(1, 20).l, value(1, 20).lifetime_capped) == (10.0, True)  # 1 / 0.05 = 20 years > the cap
    assert (value(4, 20).l, value(4, 20).lifetime_capped) == (5.0, False)
    assert (value(0, 20).l, value(0, 20).lifetime_capped) == (10.0, True)
