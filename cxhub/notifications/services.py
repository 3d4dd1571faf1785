"""Writes of notifications: queue them with what causes them, send their e-mail once, mark them read.

Each event notifies each recipient at most once: the row's key is unique per event and person, and
delivery locks the row and skips it when `sent_at` is already set — so a retried task, a re-run beat
job or a duplicated queue message never sends twice."""

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import EmailPreference, Kind, Notification


def queue(
    *, key: str, kind: Kind | str, recipients: Iterable[User], subject: str, body: str, url: str = ""
) -> list[int]:
    """One notification per recipient (under the bell); the ids of the new ones to e-mail (the recipient
    has an address and has not turned this kind off), for the caller to send after the commit
    (tasks.send_on_commit)."""
    people = {user.pk: user for user in recipients if user.is_active}
    if not people:
        return []
    declined = set(
        EmailPreference.objects.filter(user_id__in=people, kind=kind, email=False).values_list("user_id", flat=True)
    )
    to_mail = []
    for user in people.values():
        email = bool(user.email) and user.pk not in declined
        try:
            with transaction.atomic():
                notification = Notification.objects.create(
                    key=f"{key}:{user.pk}"[:200],
                    recipient=user,
                    kind=kind,
                    subject=subject[:250],
                    body=body,
                    url=url[:500],
                    email=email,
                )
        except IntegrityError:
            continue  # this event already notified this person
        if email:
            to_mail.append(notification.pk)
    return to_mail


def deliver(notification_id: int) -> bool:
    """E-mail one notification unless it has been sent (or is not to be e-mailed); True when this call sent it."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update().select_related("recipient").filter(pk=notification_id).first()
        )
        if notification is None or notification.sent_at is not None or not notification.email:
            return False
        send_mail(notification.subject, notification.body, settings.DEFAULT_FROM_EMAIL, [notification.recipient.email])
        notification.sent_at = timezone.now()
        notification.save(update_fields=["sent_at"])
        return True


def mark_read(*, user: User, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications read (these ids, or all of them); how many were unread."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=list(notification_ids))
    return unread.update(read_at=timezone.now())


@transaction.atomic
def set_email_preferences(*, user: User, wanted: dict[str, bool]) -> None:
    """E-mail on or off per kind (kinds not named keep their setting)."""
    unknown = set(wanted) - set(Kind.values)
    if unknown:
        raise ValueError(f"unknown kinds: {', '.join(sorted(unknown))}")
    for kind, email in wanted.items():
        EmailPreference.objects.update_or_create(user=user, kind=kind, defaults={"email": email})
