"""Journey jobs, run by Celery. Thin: the work is in journeys.reviews."""

from datetime import date

from celery import shared_task
from django.utils import timezone

from . import reviews


@shared_task
def review_digest(day: str | None = None) -> int:
    """Each owner's weekly list of journeys due for review (beat, Monday mornings); once a week each."""
    today = timezone.localdate() if day is None else date.fromisoformat(day)
    return reviews.send_review_digests(today=today)
