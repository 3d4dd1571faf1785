"""Which recompute the stored figures are as of."""

from datetime import date, timedelta

from django.utils import timezone

from ..models import MetricsRun


def last_run() -> MetricsRun | None:
    return MetricsRun.objects.filter(status=MetricsRun.Status.SUCCEEDED).order_by("-finished_at").first()


def last_full_run() -> MetricsRun | None:
    """The run the customer-value rollups, the service–loyalty link and value at stake are as of."""
    return MetricsRun.objects.filter(status=MetricsRun.Status.SUCCEEDED, full=True).order_by("-finished_at").first()


def recent_window(*, days: int = 90, today: date | None = None) -> tuple[date, date]:
    """The last `days` days up to the last recompute (or today)."""
    run = last_run()
    last = timezone.localtime(run.as_of).date() if run else today or timezone.localdate()
    end = last + timedelta(days=1)
    return end - timedelta(days=days), end
