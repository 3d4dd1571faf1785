"""Barrier jobs, run by Celery. Thin: the e-mails and their exactly-once guarantee are cxhub.notifications'."""

from celery import shared_task
from django.utils import timezone

from cxhub.notifications import services as notification_services
from cxhub.notifications.tasks import send_on_commit

from . import notifications
from .selectors import overdue_by_department


@shared_task(bind=True)
def send_notification(self, notification_id: int) -> bool:
    """The task name older releases queued (messages may still be in the broker after an upgrade)."""
    return notification_services.deliver(notification_id)


@shared_task
def overdue_digest(day: str | None = None) -> int:
    """Each department head's daily list of overdue barriers (beat, every morning); once per day each."""
    today = timezone.localdate() if day is None else timezone.datetime.fromisoformat(day).date()
    queued = 0
    for department, barriers in overdue_by_department(today=today):
        queued += send_on_commit(notifications.notify_overdue_digest(department, barriers, day=today))
    return queued
