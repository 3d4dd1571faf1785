"""The answer to a locked-out login attempt (django-axes AXES_LOCKOUT_CALLABLE)."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

LOCKED_STATUS = 429


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict | None = None
) -> HttpResponse:
    """JSON for API clients, the explanatory page for people; 429 either way."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {
                "detail": _("Too many failed attempts: this user name is locked for a while from your address."),
                "code": "locked_out",
            },
            status=LOCKED_STATUS,
        )
    return render(request, "registration/locked_out.html", status=LOCKED_STATUS)
