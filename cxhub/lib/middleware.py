"""Request-level guards that apply to every view."""

import json
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.utils.translation import gettext as _


class RequestSizeLimitMiddleware:
    """Refuse a request body larger than CXHUB_MAX_REQUEST_BYTES before anything reads it.

    Django's own limits cover form fields held in memory; file uploads stream to disk
    unbounded, so a 2 GB upload would fill the disk. Checking Content-Length up front
    answers 413 at once and keeps the server responsive.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.CXHUB_MAX_REQUEST_BYTES
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit:
            return self._too_large(request, length=length, limit=limit)
        return self.get_response(request)

    @staticmethod
    def _too_large(request: HttpRequest, *, length: int, limit: int) -> HttpResponse:
        message = _("The upload is %(size)s; the limit is %(limit)s.") % {
            "size": filesizeformat(length),
            "limit": filesizeformat(limit),
        }
        if request.path.startswith("/api/"):
            return HttpResponse(
                json.dumps({"detail": message, "code": "request_too_large"}),
                status=413,
                content_type="application/json",
            )
        body = render_to_string("errors/413.html", {"message": message})
        return HttpResponse(body, status=413)
