"""Barrier e-mails, sent by Celery. Thin: the work (and the exactly-once guarantee) is in notifications."""

from celery import shared_task
from django.utils import timezone

from . import notifications
from .models import Notification
from .selectors import overdue_by_department


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_notification(self, notification_id: int) -> bool:
    """Send one queued e-mail; a retry or a duplicate message after it was sent does nothing."""
    return notifications.deliver(notification_id)


def send_on_commit(notification_ids: list[int]) -> int:
    """Send the outbox's new notifications once the transaction that wrote them commits."""
    for pk in notification_ids:
        send_notification.delay_on_commit(pk)
    return len(notification_ids)


@shared_task
def send_pending_notifications() -> int:
    """Safety net (beat): send what a lost task message left in the outbox."""
    pending = Notification.objects.filter(sent_at__isnull=True).values_list("pk", flat=True)[:500]
    return sum(notifications.deliver(pk) for pk in pending)


@shared_task
def overdue_digest(day: str | None = None) -> int:
    """Each department head's daily list of overdue barriers (beat, every morning); once per day each."""
    today = timezone.localdate() if day is None else timezone.datetime.fromisoformat(day).date()
    queued = 0
    for department, barriers in overdue_by_department(today=today):
        queued += send_on_commit(notifications.notify_overdue_digest(department, barriers, day=today))
    return queued
