"""A touchpoint's figures page: SL against target over time, percentiles, volumes, from the rollups."""

from decimal import Decimal

import pytest
from django.urls import reverse

from metrics.models import ServiceTarget
from metrics.rollups import runs
from tests.metrics.test_periods import AS_OF
from tests.metrics.test_periods import case as periods_case  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(periods_case):  # noqa: F811
    runs.recompute(as_of=AS_OF)
    return periods_case


@pytest.mark.parametrize(
    ("who", "status"), [("cx_lead", 200), ("executive", 200), ("head", 200), ("no_role_user", 403)]
)
def test_everyone_with_a_role_reads_the_figures(client, request, case, who, status):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("metrics:touchpoint", args=[case["phone"].pk])).status_code == status


def test_the_page_shows_the_periods_and_the_target(client, cx_lead, case):
    client.force_login(cx_lead)
    html = client.get(reverse("metrics:touchpoint", args=[case["phone"].pk])).content.decode()
    # June (phone line): A2 within 3 d of A2–A5 → 25 %; May: A1 (1 d) → 100 %
    assert 'data-testid="against-target">40 %' in html  # May + June: A1, A2 of A1–A5
    assert "2 of 5" in html
    assert "June 2026" in html and "May 2026" in html
    assert 'id="figures-chart-data"' in html


def test_weeks_and_an_empty_touchpoint(client, cx_lead, case):
    from tests.factories import TouchpointFactory

    client.force_login(cx_lead)
    weekly = client.get(reverse("metrics:touchpoint", args=[case["phone"].pk]), {"by": "week"})
    assert weekly.status_code == 200 and 'aria-current="page" data-testid="by-week"' in weekly.content.decode()
    quiet = TouchpointFactory(name="Quiet desk", department=case["phone"].department)
    html = client.get(reverse("metrics:touchpoint", args=[quiet.pk])).content.decode()
    assert 'data-testid="figures-empty"' in html and "No journey map uses this touchpoint yet." in html
    assert client.get(reverse("metrics:touchpoint", args=[999999])).status_code == 404


def test_query_count_does_not_grow_with_periods_or_steps(client, cx_lead, case, django_assert_num_queries):
    from journeys.services import journey_create, stage_add, step_add

    client.force_login(cx_lead)
    url = reverse("metrics:touchpoint", args=[case["phone"].pk])
    client.get(url)
    # The as_of day and the open cases: one query (counts_as_of); whether a row of the window was
    # opened at or after as_of, which the percentiles must then leave out: one.
    with django_assert_num_queries(21) as captured:
        client.get(url)
    journey = journey_create(title="Complain", actor=cx_lead)
    stage = stage_add(journey_id=journey.pk, name="Complain", actor=cx_lead)
    for n in range(5):
        step_add(stage_id=stage.pk, action=f"Calls {n}", touchpoint=case["phone"], actor=cx_lead)
    with django_assert_num_queries(len(captured)):
        client.get(url, {"by": "week"})


def test_the_map_service_lane_links_to_the_figures(client, cx_lead, case):
    from journeys.services import journey_create, stage_add, step_add

    journey = journey_create(title="Complain", actor=cx_lead)
    stage = stage_add(journey_id=journey.pk, name="Complain", actor=cx_lead)
    step_add(stage_id=stage.pk, action="Calls the line", touchpoint=case["phone"], actor=cx_lead)
    client.force_login(cx_lead)
    html = client.get(reverse("journeys:journey_map", args=[journey.pk])).content.decode()
    assert f'href="{reverse("metrics:touchpoint", args=[case["phone"].pk])}"' in html
    # 40 % within the target against an 80 % target: the step says "service first".
    assert "sl-bad" in html and 'data-testid="service-first"' in html and "Service first" in html
    ServiceTarget.objects.filter(touchpoint=case["phone"]).update(target_share=Decimal("0.3"))
    html = client.get(reverse("journeys:journey_map", args=[journey.pk])).content.decode()
    assert "sl-ok" in html and 'data-testid="service-first"' not in html


def test_the_service_loyalty_card(client, cx_lead, case):
    from metrics.models import LoyaltyLink

    client.force_login(cx_lead)
    url = reverse("metrics:touchpoint", args=[case["phone"].pk])
    card = client.get(url).content.decode().split('data-testid="loyalty-link"')[1]
    assert "No data yet" in card.split("</div>\n</div>")[0]  # the case's customers cannot be followed a year
    LoyaltyLink.objects.update_or_create(
        touchpoint=case["phone"],
        defaults={"threshold_days": 3, "follow_days": 365, "breached_n": 20, "breached_retained": 14,
                  "clean_n": 100, "clean_retained": 90, "as_of": AS_OF},
    )  # fmt: skip
    card = client.get(url).content.decode().split('data-testid="loyalty-link"')[1]
    assert "70.0 %" in card and "14 of 20 customers" in card
    assert "90.0 %" in card and "90 of 100 customers" in card
    assert "20.0 pp" in card and "95 % interval" in card
