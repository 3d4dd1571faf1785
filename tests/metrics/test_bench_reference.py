"""The benchmark's reference (bench/reference.py) writes the same rows as the app's rollups: plain SQL
written apart from the app agrees with it row for row, for a full run and an incremental one."""

from datetime import date, timedelta

import pytest

from bench import reference
from metrics.rollups import runs
from tests.metrics.test_periods import AS_OF, add, at
from tests.metrics.test_periods import case as periods_case  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


def differing(found: dict) -> dict:
    return {name: n for name, n in found.items() if not name.endswith("rows") and n}


def test_the_reference_writes_the_rollups_of_a_full_run(periods_case):  # noqa: F811
    run = runs.recompute(full=True, as_of=AS_OF)
    reference.service_rollups(run.as_of)
    found = reference.same_rows()
    assert differing(found) == {}
    assert found["ServiceDay rows"] == 7 and found["ServicePeriod rows"] > 20 and found["SurveyPeriod rows"] > 5


def test_the_restricted_reference_writes_the_rows_of_an_incremental_run(periods_case):  # noqa: F811
    runs.recompute(full=True, as_of=AS_OF)
    add(periods_case["phone"], "A9", at("2026-06-30", 9), days=0.1)
    run, _start = runs.request(full=False, days={date(2026, 6, 30)}, as_of=AS_OF + timedelta(hours=1))
    run = runs.execute(run)
    days = sorted({date.fromisoformat(d) for chunk in run.chunks.exclude(days__isnull=True) for d in chunk.days})
    periods = [(date(2026, 6, 29), date(2026, 7, 6)), (date(2026, 6, 1), date(2026, 7, 1))]
    reference.service_rollups(run.as_of, days=days, periods=periods)
    assert differing(reference.same_rows(days=days, periods=periods)) == {}


def test_a_wrong_app_row_is_caught(periods_case):  # noqa: F811
    from metrics.models import ServicePeriod

    run = runs.recompute(full=True, as_of=AS_OF)
    ServicePeriod.objects.filter(grain="month", dimension="overall").update(resolution_p50=1)
    reference.service_rollups(run.as_of)
    assert differing(reference.same_rows()) == {"ServicePeriod": 4}  # two months, each side once
