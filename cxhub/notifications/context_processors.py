"""The bell in the header: how many notifications the person has not read (one COUNT, only on pages
that draw the header)."""

import functools

from django.conf import settings
from django.http import HttpRequest

from .selectors import unread_count


def bell(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        # Called by the template where the bell is drawn, once (a number, for plural forms too).
        "bell_unread": functools.cache(lambda: unread_count(user=user)),
        "bell_poll_seconds": settings.NOTIFICATIONS_POLL_SECONDS,
    }
