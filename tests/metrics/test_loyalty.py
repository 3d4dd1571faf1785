"""The service–loyalty link (metrics.figures.loyalty) against hand-computed cases."""

import math
from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.utils import formats, timezone, translation

from metrics.figures.loyalty import Link, wilson
from metrics.models import Customer, Interaction, LoyaltyLink, ServiceTarget, Transaction
from metrics.rollups import loyalty, runs
from tests.factories import TouchpointFactory

pytestmark = pytest.mark.django_db

AS_OF = timezone.make_aware(datetime(2026, 6, 1, 12, 0))
DAY = 86_400


def at(text: str) -> datetime:
    return timezone.make_aware(datetime.fromisoformat(text))


def customer(external_id: str, acquired: str = "2023-01-01", churned: str | None = None) -> Customer:
    moment = at(acquired)
    return Customer.objects.create(
        external_id=external_id,
        acquired_at=moment,
        acquired_month=moment.date().replace(day=1),
        churned_at=at(churned) if churned else None,
    )


def case(who: Customer, touchpoint, opened: str, resolved_after_days: float | None) -> Interaction:
    opened_at = at(opened)
    resolved_at = None if resolved_after_days is None else opened_at + timedelta(days=resolved_after_days)
    return Interaction.objects.create(
        external_id=f"I{Interaction.objects.count() + 1}",
        customer=who,
        touchpoint=touchpoint,
        opened_at=opened_at,
        opened_day=opened_at.date(),
        resolved_at=resolved_at,
        resolution_seconds=None if resolved_at is None else int((resolved_at - opened_at).total_seconds()),
    )


def pay(who: Customer, when: str) -> None:
    moment = at(when)
    Transaction.objects.create(
        external_id=f"T{Transaction.objects.count() + 1}",
        customer=who,
        occurred_at=moment,
        occurred_day=moment.date(),
        occurred_month=moment.date().replace(day=1),
        amount=Decimal("10"),
    )


@pytest.fixture
def line(department):
    touchpoint = TouchpointFactory(name="Complaint line", department=department)
    ServiceTarget.objects.create(touchpoint=touchpoint, threshold_days=5, target_share=Decimal("0.9"))
    return touchpoint


def test_breached_and_clean_customers_followed_for_a_year(line, department):
    # The cohort: decided interactions opened before as_of − 5 d − 365 d = 2025-05-27 12:00.
    # B1: resolved after 8 days (breach, reference 2025-01-15) and churned 2025-06-01, inside the year → lost.
    b1 = customer("B1", churned="2025-06-01")
    case(b1, line, "2025-01-10", 8)
    # B2: a clean case first, then one never resolved (breach at 2025-03-06); still a customer → kept.
    b2 = customer("B2")
    case(b2, line, "2025-02-01", 1)
    case(b2, line, "2025-03-01", None)
    pay(b2, "2026-05-01")
    # C1: resolved within 5 days; churned 2026-03-01, more than a year after 2025-02-06 → kept.
    c1 = customer("C1", churned="2026-03-01")
    case(c1, line, "2025-02-01", 2)
    # C2: resolved in exactly 5 days (within); no transactions, acquired 2023-01-01 → churned by
    # inactivity on 2024-01-01, before its reference moment → left out.
    c2 = customer("C2", acquired="2023-01-01")
    case(c2, line, "2025-02-01", 5)
    # C3: clean, last purchase 2025-01-01 → churned by inactivity 2026-01-01, inside its year → lost.
    c3 = customer("C3")
    case(c3, line, "2025-01-20", 0.5)
    pay(c3, "2025-01-01")
    # Not in the cohort: opened too late to follow for a year (2025-06-01), and a young open case.
    late = customer("L1")
    case(late, line, "2025-06-01", 9)
    case(late, line, "2026-05-30", None)
    # Another touchpoint without a target: no row.
    case(b1, TouchpointFactory(name="Chat", department=department), "2025-01-10", 30)

    loyalty.rebuild(AS_OF)

    link = LoyaltyLink.objects.get()
    assert (link.touchpoint, link.threshold_days, link.follow_days) == (line, 5, 365)
    assert (link.breached_n, link.breached_retained, link.clean_n, link.clean_retained) == (2, 1, 2, 1)
    assert LoyaltyLink.objects.filter(touchpoint__name="Chat").count() == 0


def test_a_touchpoint_with_a_target_but_no_followable_cases_has_an_empty_row(line):
    case(customer("X"), line, "2026-05-01", 1)  # too recent to follow
    loyalty.rebuild(AS_OF)
    link = LoyaltyLink.objects.get()
    assert (link.breached_n, link.clean_n) == (0, 0)
    stats = Link.pooled([link])
    assert (stats.has_data, stats.churn_uplift, stats.churn_uplift_interval, stats.clean_retention) == (
        False,
        None,
        None,
        None,
    )


def test_the_full_recompute_builds_the_link_and_an_incremental_one_keeps_it(line):
    b = customer("B")
    case(b, line, "2025-01-10", 8)
    pay(b, "2026-05-01")
    runs.recompute(full=True, as_of=AS_OF)
    assert LoyaltyLink.objects.get().breached_n == 1
    LoyaltyLink.objects.update(breached_n=7)  # an incremental run leaves the link alone
    runs.recompute(full=False, months={at("2025-01-10").date()}, as_of=AS_OF)
    assert LoyaltyLink.objects.get().breached_n == 7


def test_uplift_and_its_interval_by_hand():
    # Clean 90 of 100 retained, breached 14 of 20: uplift 0.9 − 0.7 = 0.2.
    link = Link(breached_n=20, breached_retained=14, clean_n=100, clean_retained=90)
    assert link.churn_uplift == pytest.approx(0.2)
    # Wilson 95 % for 90/100: 0.8256–0.9448; for 14/20: 0.4810–0.8545 (published tables).
    assert wilson(90, 100) == pytest.approx((0.8256, 0.9448), abs=1e-4)
    assert wilson(14, 20) == pytest.approx((0.4810, 0.8545), abs=1e-4)
    low, high = link.churn_uplift_interval
    assert low == pytest.approx(0.2 - math.sqrt((0.9 - 0.8256) ** 2 + (0.8545 - 0.7) ** 2), abs=1e-3)
    assert high == pytest.approx(0.2 + math.sqrt((0.9448 - 0.9) ** 2 + (0.7 - 0.4810) ** 2), abs=1e-3)
    assert low < 0.2 < high
    # All retained in both groups: no uplift, and the interval still has width.
    same = Link(breached_n=5, breached_retained=5, clean_n=5, clean_retained=5)
    assert same.churn_uplift == 0
    low, high = same.churn_uplift_interval
    assert low < 0 < high


# Value at stake per barrier (metrics.figures.stakes).


def test_value_at_stake_counts_breached_customers_at_the_barriers_touchpoints(line, department, cx_lead):
    from barriers.services import barrier_create
    from journeys.services import journey_create, stage_add, step_add
    from metrics.figures.customer_value import customer_value
    from metrics.figures.stakes import stakes_for
    from metrics.models import BarrierStake
    from metrics.rollups import customer_days, stakes

    courier = TouchpointFactory(name="Courier", department=department)
    ServiceTarget.objects.create(touchpoint=courier, threshold_days=2, target_share=Decimal("0.8"))
    untargeted = TouchpointFactory(name="Website", department=department)
    journey = journey_create(title="Get a card", actor=cx_lead)
    stage = stage_add(journey_id=journey.pk, name="Delivery", actor=cx_lead)
    step = step_add(stage_id=stage.pk, action="Waits for the courier", touchpoint=courier, actor=cx_lead)
    on_both = barrier_create(
        actor=cx_lead, title="Slow answers", type="service_failure", severity=3, source="complaints",
        touchpoints=[line], steps=[step],
    )  # fmt: skip
    on_nothing_measured = barrier_create(
        actor=cx_lead, title="Confusing site", type="experience_gap", severity=2, source="interviews",
        touchpoints=[untargeted],
    )  # fmt: skip

    # In the last 12 months (from 2025-06-01 12:00): A breached at both touchpoints (counted once),
    # B breached at the courier (open for 3 days > 2), C within target everywhere, D breached but
    # before the 12 months, E's breach at the website (no target) does not count.
    a, b, c, d, e = (customer(name) for name in "ABCDE")
    for who in (a, b, c, d, e):
        pay(who, "2026-05-01")
    case(a, line, "2026-01-10", 6)
    case(a, courier, "2026-02-10", 3)
    case(b, courier, "2026-05-25", None)
    case(c, line, "2026-03-01", 1)
    case(d, line, "2025-05-01", 30)
    case(e, untargeted, "2026-03-01", 40)
    LoyaltyLink.objects.bulk_create(
        [
            LoyaltyLink(touchpoint=line, threshold_days=5, follow_days=365, breached_n=40, breached_retained=28,
                        clean_n=100, clean_retained=90, as_of=AS_OF),
            LoyaltyLink(touchpoint=courier, threshold_days=2, follow_days=365, breached_n=10, breached_retained=7,
                        clean_n=50, clean_retained=45, as_of=AS_OF),
        ]
    )  # fmt: skip

    customer_days.rebuild(AS_OF)  # the CLV is the customer-value rollup's, written before it in a run
    stakes.rebuild(AS_OF)

    row = BarrierStake.objects.get(barrier=on_both)
    assert row.affected == 2
    assert (row.breached_n, row.breached_retained, row.clean_n, row.clean_retained) == (50, 35, 150, 135)
    # The 365 days ending with AS_OF's day, as the dashboards and metrics_report give customer value.
    year_start = timezone.make_aware(datetime.combine(AS_OF.date() + timedelta(days=1 - 365), time()))
    clv = customer_value(start=year_start, end=AS_OF).clv
    assert row.clv == pytest.approx(clv)
    stake = stakes_for([on_both.pk, on_nothing_measured.pk])
    # Pooled retention: clean 135/150 = 0.9, breached 35/50 = 0.7 → uplift 0.2; 2 customers × 0.2 × CLV.
    assert stake[on_both.pk].value == pytest.approx(2 * 0.2 * clv)
    assert not stake[on_both.pk].small_n
    low, high = stake[on_both.pk].value_range
    assert low <= stake[on_both.pk].value <= high
    nothing = stake[on_nothing_measured.pk]
    assert (nothing.affected, nothing.has_data, nothing.value, nothing.value_range) == (0, False, None, None)
    # Which input is missing, and what to do, where the figure would be.
    assert (row.touchpoints, row.target_touchpoints) == (2, 2)
    assert (nothing.touchpoints, nothing.target_touchpoints, nothing.missing) == (1, 0, "no_target")
    assert "set a target on the Targets page" in nothing.explanation
    assert stake[on_both.pk].missing is None and stake[on_both.pk].zero_because is None


def test_value_at_stake_counts_the_twelve_months_to_the_minute(line, cx_lead):
    from barriers.services import barrier_create
    from metrics.models import BarrierStake
    from metrics.rollups import customer_days, stakes

    barrier = barrier_create(
        actor=cx_lead, title="Slow answers", type="service_failure", severity=3, source="complaints",
        touchpoints=[line],
    )  # fmt: skip
    inside, before, after = customer("F"), customer("G"), customer("H")
    case(inside, line, "2025-06-01T12:30", 9)  # AS_OF − 365 days is 2025-06-01 12:00
    case(before, line, "2025-06-01T11:30", 9)
    case(after, line, "2026-06-01T12:30", None)  # opened after AS_OF
    customer_days.rebuild(AS_OF)
    stakes.rebuild(AS_OF)
    assert BarrierStake.objects.get(barrier=barrier).affected == 1


@pytest.mark.parametrize(
    ("stake", "missing", "zero_because"),
    [
        (dict(as_of=None), "not_computed", None),
        (dict(touchpoints=0, target_touchpoints=0), "no_touchpoint", None),
        (dict(target_touchpoints=0), "no_target", None),
        (dict(clv=None), "no_customer_value", None),
        (dict(link=Link(0, 0, 80, 70)), "no_loyalty_link", None),
        (dict(affected=0), None, "no_breach"),
        (dict(link=Link(breached_n=40, breached_retained=38, clean_n=40, clean_retained=30)), None, "no_uplift"),
        (dict(clv=-10.0), None, "no_clv"),
        (dict(), None, None),
    ],
)  # fmt: skip
def test_a_stake_says_why_it_has_no_figure_or_is_zero(stake, missing, zero_because):
    from metrics.figures.stakes import Stake

    fields = dict(affected=12, link=Link(40, 28, 100, 90), clv=1000.0, as_of=AS_OF, touchpoints=2, target_touchpoints=1)
    made = Stake(**{**fields, **stake})
    assert (made.missing, made.zero_because) == (missing, zero_because)
    assert bool(made.explanation) == bool(missing or zero_because)
    assert (made.value == 0) == (zero_because is not None)


def test_value_at_stake_by_hand_with_small_n():
    from metrics.figures.stakes import Stake

    small = Stake(affected=10, link=Link(breached_n=8, breached_retained=4, clean_n=20, clean_retained=18),
                  clv=1000.0, as_of=AS_OF)  # fmt: skip
    # Uplift 0.9 − 0.5 = 0.4 → 10 × 0.4 × 1000 = 4000, shown as a range because 8 < 30.
    assert small.value == pytest.approx(4000)
    assert small.small_n
    low, high = small.value_range
    uplift_low, uplift_high = small.link.churn_uplift_interval
    assert (low, high) == pytest.approx((max(0, 10 * uplift_low * 1000), 10 * uplift_high * 1000))
    assert 0 <= low < 4000 < high
    # Breached customers stayed more often, or customers lose money: nothing at stake.
    better = Stake(affected=10, link=Link(breached_n=40, breached_retained=38, clean_n=40, clean_retained=30),
                   clv=1000.0, as_of=AS_OF)  # fmt: skip
    assert (better.value, better.value_range) == (0, (0.0, 0.0))  # the whole interval is below 0
    assert Stake(affected=10, link=small.link, clv=-50.0, as_of=AS_OF).value_range == (0.0, 0.0)
    no_value = Stake(affected=10, link=small.link, clv=None, as_of=AS_OF)
    assert (no_value.has_data, no_value.value, no_value.rank_value) == (False, None, 0.0)


def test_the_board_ranks_barriers_by_value_at_stake(client, cx_lead, line):
    from barriers.models import Barrier
    from barriers.services import barrier_create
    from metrics.models import BarrierStake

    def barrier(title, **stake):
        made = barrier_create(actor=cx_lead, title=title, type="service_failure", severity=2, source="complaints",
                              touchpoints=[line])  # fmt: skip
        if stake:
            BarrierStake.objects.create(barrier=made, as_of=AS_OF, **stake)
        return made

    small = barrier("Small", value=1200.0, value_low=100.0, value_high=2500.0, clv=1000.0)
    big = barrier("Big", value=90000.0, value_low=40000.0, value_high=150000.0, clv=1000.0, affected=300)
    unsure = barrier("Unsure", value=5000.0, value_low=0.0, value_high=12000.0, small_n=True, breached_n=6, clv=1000.0)
    unknown = barrier("Unknown")
    Barrier.objects.update(severity=2)
    client.force_login(cx_lead)
    page = client.get("/barriers/?sort=stake")
    rows = [b.title for b in page.context["page"].object_list]
    assert rows == ["Big", "Unsure", "Small", "Unknown"]
    html = page.content.decode()
    assert ">₽90K<" in html  # large sums in short, in the company's currency
    assert ">₽0–₽12K<" in html  # few customers: the range
    assert f'data-testid="stake-{unknown.pk}"><span class="text-secondary"' in html and "no data" in html
    # Never computed: it says so, in place.
    assert "not computed yet" in html.split(f'data-testid="stake-{unknown.pk}"')[1][:600]
    # Written by the recomputes, not at request time: the board says as of when, beside the figures.
    stated = formats.date_format(timezone.localtime(AS_OF), "SHORT_DATE_FORMAT")
    assert 'data-testid="stakes-as-of"' in html and stated in html.split('data-testid="stakes-as-of"')[1][:200]
    api = client.get(f"/api/v1/barriers/{big.pk}/").json()["value_at_stake"]
    assert api["value"] == 90000.0 and api["affected"] == 300 and api["as_of_kind"] == "last_recompute"
    assert api["as_of"] == timezone.localtime(AS_OF).isoformat()
    assert (api["currency"], api["missing"], api["zero_because"], api["explanation"]) == ("RUB", None, None, "")
    assert client.get(f"/api/v1/barriers/{unknown.pk}/").json()["value_at_stake"] is None
    # Without the choice, the board keeps its urgency order (same severity, no due dates: oldest first).
    assert [b.pk for b in client.get("/barriers/").context["page"].object_list] == [
        small.pk, big.pk, unsure.pk, unknown.pk
    ]  # fmt: skip
    # A computed barrier on a touchpoint without a target: the API says which input is missing, in
    # the caller's language.
    no_target = BarrierStake.objects.create(barrier=barrier("No target"), as_of=AS_OF, touchpoints=1, clv=1000.0)
    api = client.get(f"/api/v1/barriers/{no_target.barrier_id}/").json()["value_at_stake"]
    assert (api["value"], api["missing"]) == (None, "no_target") and "set a target" in api["explanation"]
    with translation.override("en"):  # (the middleware leaves the request's language active)
        russian = client.get(f"/api/v1/barriers/{no_target.barrier_id}/", HTTP_ACCEPT_LANGUAGE="ru").json()
    assert "задайте цель" in russian["value_at_stake"]["explanation"]


NB = "\u00a0"  # money keeps its number, unit and symbol on one line


@pytest.mark.parametrize(
    ("value", "english", "russian"),
    [(None, "", ""), (950.4, "₽950", f"950{NB}₽"), (90_000, "₽90K", f"90{NB}тыс.{NB}₽"),
     (50_422_715, "₽50.4M", f"50,4{NB}млн{NB}₽"), (-1_500, "−₽1.5K", f"−1,5{NB}тыс.{NB}₽"),
     (3.2e9, "₽3.2B", f"3,2{NB}млрд{NB}₽"), (123_456, "₽123K", f"123{NB}тыс.{NB}₽"), (0, "₽0", f"0{NB}₽")],
)  # fmt: skip
def test_money_in_the_company_currency(value, english, russian):
    from django.utils import translation

    from metrics.templatetags.figures import money

    with translation.override("en"):
        assert money(value) == english
    with translation.override("ru"):
        assert money(value) == russian


def test_another_currency_and_sums_in_full(settings):
    from django.utils import translation

    from metrics.templatetags.figures import money, money_full

    settings.CXHUB_CURRENCY = "EUR"
    with translation.override("en"):
        assert (money(538_000), money_full(1234.5)) == ("€538K", "€1,234.50")
    with translation.override("ru"):
        assert (money(538_000), money_full(1234.5)) == (f"538{NB}тыс.{NB}€", f"1{NB}234,50{NB}€")
    settings.CXHUB_CURRENCY = "KZT"  # English writes the code, people the narrow symbol
    with translation.override("en"):
        assert money(2_000_000) == "₸2M"


def test_a_currency_that_is_not_one_stops_the_app():
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={**__import__("os").environ, "DJANGO_SETTINGS_MODULE": "cxhub.settings", "CXHUB_CURRENCY": "roubles"},
        capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode != 0
    assert "CXHUB_CURRENCY='ROUBLES' is not an ISO 4217 currency code" in result.stderr


def test_without_any_target_every_barrier_has_no_data(department, cx_lead):
    from barriers.services import barrier_create
    from metrics.models import BarrierStake
    from metrics.rollups import stakes

    site = TouchpointFactory(name="Website", department=department)
    case(customer("A"), site, "2026-03-01", 40)
    made = barrier_create(actor=cx_lead, title="Slow site", type="experience_gap", severity=2, source="interviews",
                          touchpoints=[site])  # fmt: skip
    loyalty.rebuild(AS_OF)
    stakes.rebuild(AS_OF)
    assert not LoyaltyLink.objects.exists()
    row = BarrierStake.objects.get(barrier=made)
    assert (row.affected, row.breached_n, row.value) == (0, 0, None)
    assert runs.recompute(full=True, as_of=AS_OF).status == "succeeded"
