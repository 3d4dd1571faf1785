"""Writes the observed journeys (ObservedStep) as metrics.figures.observed defines them: one SQL
statement with window functions, in every full recompute and on demand with another gap."""

import time as clock
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from ..figures.observed import current_gap
from ..models import Interaction, ObservedRun, ObservedStep


def start(*, gap_days: int | None = None, as_of: datetime | None = None, user=None) -> ObservedRun:
    """Record a run (computed by `execute`, in a Celery job or right here)."""
    if gap_days is None:
        gap_days = current_gap()
    return ObservedRun.objects.create(gap_days=gap_days, as_of=as_of or timezone.now(), requested_by=user)


def execute(run: ObservedRun) -> ObservedRun:
    """Replace ObservedStep in one transaction; a failure leaves the previous rows and says why."""
    began = clock.perf_counter()
    try:
        with transaction.atomic():
            ObservedStep.objects.all().delete()
            _insert(run.gap_days, run.as_of)
            counts = _counts(run.as_of)
            ObservedRun.objects.filter(pk=run.pk).update(
                status=ObservedRun.Status.SUCCEEDED,
                interactions=counts[0],
                customers=counts[1],
                seconds=clock.perf_counter() - began,
                finished_at=timezone.now(),
            )
    except Exception as error:
        ObservedRun.objects.filter(pk=run.pk).update(
            status=ObservedRun.Status.FAILED, message=str(error)[:2000], finished_at=timezone.now()
        )
        raise
    run.refresh_from_db()
    return run


def compute(*, gap_days: int | None = None, as_of: datetime | None = None) -> ObservedRun:
    return execute(start(gap_days=gap_days, as_of=as_of))


def _counts(as_of: datetime) -> tuple[int, int]:
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*), COUNT(DISTINCT customer_id) FROM {q(Interaction._meta.db_table)} WHERE opened_at < %s",
            [as_of],
        )
        return cursor.fetchone()


def _days_between(later: str, earlier: str) -> str:
    return f"({later} - {earlier})"


def _insert(gap_days: int, as_of: datetime) -> None:
    q = connection.ops.quote_name
    within_next = f"o.next_day IS NOT NULL AND {_days_between('o.next_day', 'o.opened_day')} <= {int(gap_days)}"
    started = f"o.prev_day IS NULL OR {_days_between('o.opened_day', 'o.prev_day')} > {int(gap_days)}"
    sql = f"""
        INSERT INTO {q(ObservedStep._meta.db_table)} (source_id, target_id, kind, contacts, customers, starts)
        SELECT s.source_id, s.target_id, s.kind, COUNT(*), COUNT(DISTINCT s.customer_id), SUM(s.started)
        FROM (
            SELECT o.touchpoint_id AS source_id, o.customer_id,
                   CASE WHEN {within_next} AND o.next_touchpoint <> o.touchpoint_id THEN o.next_touchpoint END
                       AS target_id,
                   CASE WHEN NOT ({within_next}) THEN 'end'
                        WHEN o.next_touchpoint = o.touchpoint_id THEN 'repeat'
                        ELSE 'next' END AS kind,
                   CASE WHEN {started} THEN 1 ELSE 0 END AS started
            FROM (
                SELECT i.customer_id, i.touchpoint_id, i.opened_day,
                       LAG(i.opened_day) OVER w AS prev_day,
                       LEAD(i.opened_day) OVER w AS next_day,
                       LEAD(i.touchpoint_id) OVER w AS next_touchpoint
                FROM {q(Interaction._meta.db_table)} i
                WHERE i.opened_at < %s
                WINDOW w AS (PARTITION BY i.customer_id ORDER BY i.opened_at, i.id)
            ) o
        ) s
        GROUP BY s.source_id, s.target_id, s.kind
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [as_of])
