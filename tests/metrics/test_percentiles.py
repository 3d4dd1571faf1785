"""Period percentiles (metrics.rollups.periods: every grouping of a grain ranked in one GROUPING SETS
pass over the covering index) are exactly those of one plain percentile_disc query per grouping, on
random data: ties, zeros, huge values, cases without a value, groups of one case, kinds left blank."""

import random
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection

from journeys.models import Channel
from metrics.figures.service_level import FIRST_RESPONSE_PERCENTILES, PERCENTILES
from metrics.models import Customer, Interaction, ServicePeriod
from metrics.rollups import periods, runs
from tests.factories import DepartmentFactory, TouchpointFactory

pytestmark = pytest.mark.django_db
AS_OF = datetime(2026, 8, 1, tzinfo=UTC)
RANKED = [
    *((f"resolution_p{p}", "resolution_seconds", p / 100) for p in PERCENTILES),
    *((f"first_response_p{p}", "first_response_seconds", p / 100) for p in FIRST_RESPONSE_PERCENTILES),
]


def durations(rng: random.Random) -> int | None:
    pick = rng.random()
    if pick < 0.15:
        return None
    if pick < 0.3:
        return rng.choice([0, 1, 60, 3600, 86_400])  # ties
    if pick < 0.32:
        return rng.randrange(10**9, 10**11)
    return int(rng.lognormvariate(10, 1.5))


def reference() -> dict:
    """Every period row's percentiles as percentile_disc ranks them, one plain query per grouping."""
    found = {}
    keys = {
        "overall": "''",
        "touchpoint": "CAST(tp.id AS varchar)",
        "department": "CAST(tp.department_id AS varchar)",
        "channel": "tp.channel",
        "kind": "i.kind",
    }
    with connection.cursor() as cursor:
        for grain in ("week", "month"):
            for dimension, key in keys.items():
                cursor.execute(
                    f"""
                    SELECT CAST(date_trunc('{grain}', CAST(i.opened_day AS timestamp)) AS date), {key},
                           {", ".join(f"percentile_disc({f}) WITHIN GROUP (ORDER BY i.{s})" for _c, s, f in RANKED)}
                    FROM metrics_interaction i JOIN journeys_touchpoint tp ON tp.id = i.touchpoint_id
                    GROUP BY 1, 2
                    """
                )
                for start, group, *values in cursor.fetchall():
                    found[(grain, dimension, group, start)] = tuple(values)
    return found


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_period_percentiles_are_exactly_percentile_disc(seed):
    rng = random.Random(seed)
    departments = [DepartmentFactory() for _ in range(2)]
    touchpoints = [
        TouchpointFactory(department=rng.choice(departments), channel=rng.choice([Channel.PHONE, Channel.EMAIL]))
        for _ in range(rng.randint(2, 5))
    ]
    customer = Customer.objects.create(external_id="C", acquired_at=AS_OF, acquired_month=date(2026, 1, 1))
    rows = []
    for n in range(rng.randint(50, 400)):
        opened = datetime(2026, 5, 1, tzinfo=UTC) + timedelta(hours=rng.randrange(0, 24 * 80))
        resolution = durations(rng)
        rows.append(
            Interaction(
                external_id=f"I{n}",
                customer=customer,
                touchpoint=rng.choice(touchpoints),
                kind=rng.choice(["complaint", "request", ""]),
                opened_at=opened,
                opened_day=opened.date(),
                resolved_at=None if resolution is None else opened + timedelta(seconds=resolution),
                resolution_seconds=resolution,
                first_response_seconds=durations(rng),
            )
        )
    Interaction.objects.bulk_create(rows)
    runs.recompute(full=True, as_of=AS_OF)

    expected = reference()
    stored = {
        (row[0], row[1], row[2], row[3]): tuple(row[4:])
        for row in ServicePeriod.objects.filter(grain__in=["week", "month"]).values_list(
            "grain", "dimension", "key", "period_start", *periods.PERCENTILE_COLUMNS
        )
    }
    assert len(expected) > 20
    assert {key: stored.get(key) for key in expected} == expected
    # Rows for a group without cases carry no percentiles, as before.
    empty = (None,) * len(periods.PERCENTILE_COLUMNS)
    assert all(values == empty for key, values in stored.items() if key not in expected)
