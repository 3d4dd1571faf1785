"""A limit on failed logins per client address, across user names.

django-axes locks a user name + address pair after a few failures, so people behind one office proxy
do not lock each other out; this catches the other attack, one password tried against many user names
from one address. Both the login page and the API token endpoint count and are refused (429) here.
Counters live in the shared cache (Redis, or the database), so every web process sees the same count.
"""

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.signals import user_login_failed
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver
from django.http import HttpRequest

from .client_ip import client_ip


def _key(request: HttpRequest) -> str:
    return f"login-failures:{client_ip(request)}"


def over_limit(request: HttpRequest) -> bool:
    return (cache.get(_key(request)) or 0) >= settings.CXHUB_LOGIN_FAILURES_PER_IP


@receiver(user_login_failed)
def count_failure(sender, credentials: dict, request: HttpRequest | None = None, **kwargs) -> None:
    if request is None:
        return
    key = _key(request)
    window = int(settings.CXHUB_LOGIN_FAILURE_WINDOW.total_seconds())
    cache.add(key, 0, timeout=window)  # the window starts at the first failure
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)


class AddressLimitBackend:
    """First of the authentication backends: refuses every login from an address over the limit, before
    any password is checked; django-axes' middleware answers with the lockout response (429)."""

    def authenticate(self, request: HttpRequest | None, **credentials) -> None:
        if request is not None and over_limit(request):
            request.axes_locked_out = True  # type: ignore[attr-defined]
            request.cxhub_address_locked = True  # type: ignore[attr-defined]  # the lockout says why
            raise PermissionDenied
        return None

    def get_user(self, user_id: int):
        # Being first, it is the backend `force_login` and sessions may name: find users as Django does.
        return ModelBackend().get_user(user_id)
