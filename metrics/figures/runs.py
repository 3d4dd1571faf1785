"""Which recompute the stored figures are as of."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from ..models import MetricsRun


def last_run() -> MetricsRun | None:
    return MetricsRun.objects.filter(status=MetricsRun.Status.SUCCEEDED).order_by("-finished_at").first()


def last_customer_run() -> MetricsRun | None:
    """The run the customer-value rollup and value at stake are as of: the last full run, or the last
    incremental one after an import of customers, transactions or interactions."""
    return (
        MetricsRun.objects.filter(Q(full=True) | Q(customers=True), status=MetricsRun.Status.SUCCEEDED)
        .order_by("-finished_at")
        .first()
    )


def last_full_run() -> MetricsRun | None:
    """The run the service–loyalty link and observed journeys are as of."""
    return MetricsRun.objects.filter(status=MetricsRun.Status.SUCCEEDED, full=True).order_by("-finished_at").first()


def recent_window(*, days: int = 90, today: date | None = None) -> tuple[date, date]:
    """The last `days` days up to the last recompute (or today)."""
    run = last_run()
    last = timezone.localtime(run.as_of).date() if run else today or timezone.localdate()
    end = last + timedelta(days=1)
    return end - timedelta(days=days), end


@dataclass(frozen=True)
class RecomputeState:
    """What the Data page says about recomputes: the running run (and since when no worker has moved
    it, when that is longer than the sweeper waits), the queued one, the last finished one and the
    last that succeeded (the one the figures are as of)."""

    running: MetricsRun | None
    stalled: datetime | None
    queued: MetricsRun | None
    last: MetricsRun | None
    succeeded: MetricsRun | None


def recompute_state() -> RecomputeState:
    current = {run.status: run for run in MetricsRun.objects.filter(status__in=["running", "queued"])}
    running = current.get(MetricsRun.Status.RUNNING)
    stalled = None
    if running is not None:
        beat = running.heartbeat_at or running.started_at
        if beat < timezone.now() - timedelta(seconds=settings.METRICS_RUN_STALE_SECONDS * 2):
            stalled = beat
    finished = MetricsRun.objects.filter(status__in=["succeeded", "failed"]).order_by("-finished_at", "-pk").first()
    return RecomputeState(
        running=running,
        stalled=stalled,
        queued=current.get(MetricsRun.Status.QUEUED),
        last=finished,
        succeeded=finished if finished and finished.status == MetricsRun.Status.SUCCEEDED else last_run(),
    )
