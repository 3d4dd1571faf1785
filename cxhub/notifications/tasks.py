"""Notification e-mails, sent by Celery. Thin: the work (and the exactly-once guarantee) is in services."""

from celery import shared_task

from . import services
from .models import Notification


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_notification(self, notification_id: int) -> bool:
    """E-mail one notification (a no-op if it has been sent)."""
    return services.deliver(notification_id)


def send_on_commit(notification_ids: list[int]) -> int:
    """E-mail the outbox's new notifications once the transaction that wrote them commits."""
    for pk in notification_ids:
        send_notification.delay_on_commit(pk)
    return len(notification_ids)


@shared_task
def send_pending_notifications() -> int:
    """Safety net (beat): e-mail whatever a lost task message left unsent."""
    pending = Notification.objects.filter(email=True, sent_at__isnull=True).values_list("pk", flat=True)[:500]
    return sum(services.deliver(pk) for pk in pending)
