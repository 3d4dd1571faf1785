"""The bell in the header: how many notifications the person has not read (one COUNT, only on pages
that draw the header)."""

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .selectors import unread_count


def bell(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "bell_unread": SimpleLazyObject(lambda: unread_count(user=user)),
        "bell_poll_seconds": settings.NOTIFICATIONS_POLL_SECONDS,
    }
