"""Reads of notifications: the bell's count, the list, the e-mail preferences."""

from django.contrib.auth.models import User
from django.db.models import QuerySet

from .models import EmailPreference, Kind, Notification


def unread_count(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notification_list(*, user: User, unread_only: bool = False) -> QuerySet[Notification]:
    """Newest first."""
    notifications = Notification.objects.filter(recipient=user).order_by("-created_at", "-pk")
    return notifications.filter(read_at__isnull=True) if unread_only else notifications


def email_preferences(*, user: User) -> dict[str, bool]:
    """E-mail on or off for every kind (on unless turned off)."""
    stored = dict(EmailPreference.objects.filter(user=user).values_list("kind", "email"))
    return {kind: stored.get(kind, True) for kind in Kind.values}
