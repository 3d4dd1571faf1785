"""The answer to a locked-out login attempt (django-axes AXES_LOCKOUT_CALLABLE)."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

LOCKED_STATUS = 429


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict | None = None
) -> HttpResponse:
    """JSON for API clients, the explanatory page for people; 429 either way."""
    by_address = getattr(request, "cxhub_address_locked", False)  # cxhub.lib.login_limit
    if request.path.startswith("/api/"):
        detail = (
            _("Too many failed logins from your address: try again later.")
            if by_address
            else _("Too many failed attempts: this user name is locked for a while from your address.")
        )
        return JsonResponse({"detail": detail, "code": "locked_out"}, status=LOCKED_STATUS)
    return render(request, "registration/locked_out.html", {"by_address": by_address}, status=LOCKED_STATUS)
