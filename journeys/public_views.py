"""Pages for people without an account, opened by a share link (journeys.sharing): the map, its print
view and its PNG/PDF — nothing else, and no way into the app from them. An expired, revoked or unknown
link gets a page that says so (never a login form); an address guessing tokens is slowed down."""

import functools
from collections.abc import Callable

from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_GET, require_POST

from cxhub.exports.models import EXPORT_GONE, Export
from cxhub.exports.services import export_request
from cxhub.lib.client_ip import client_ip
from cxhub.lib.downloads import stored_file

from . import lanes, sharing
from .models import ShareLink
from .printing import print_pages
from .selectors import journey_map


def _ip(request: HttpRequest) -> str:
    return client_ip(request)


def _private[R: HttpResponseBase](response: R) -> R:
    """Not for search engines, not for caches, and the token never leaves for another site in a Referer
    header (same-origin: the page's own forms still carry their Origin, which CSRF checks)."""
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "same-origin"
    add_never_cache_headers(response)
    return response


def shared(what: str | None) -> Callable:
    """Resolve the token into its link (logging the view as `what`) or answer with the refusal page."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, token: str, *args, **kwargs) -> HttpResponseBase:
            try:
                link = sharing.resolve(token, ip=_ip(request))
            except sharing.TooManyAttempts:
                return _private(render(request, "journeys/share_refused.html", {"reason": "too_many"}, status=429))
            except sharing.ShareLinkRefused as refused:
                status = 404 if refused.reason == "unknown" else 410
                context = {"reason": refused.reason, "link": refused.link}
                return _private(render(request, "journeys/share_refused.html", context, status=status))
            if what and not request.htmx:  # the live page catching up after a reconnect is not a new view
                sharing.record_view(link, ip=_ip(request), what=what)
            return _private(view(request, link, token, *args, **kwargs))

        return wrapper

    return decorator


@require_GET
@shared("map")
def shared_map_view(request: HttpRequest, link: ShareLink, token: str) -> HttpResponse:
    the_map = journey_map(journey_id=link.journey_id)
    hidden = sharing.hidden_lanes(link)
    lanes.attach(the_map.steps)
    partial = request.htmx and not request.htmx.boosted  # the live map catching up after a reconnect
    context = {
        "map": the_map,
        "journey": the_map.journey,
        "link": link,
        "token": token,
        "can_edit": False,
        "can_comment": False,
        "public": True,
        "hidden_lanes": hidden,
        "live_url": f"/ws/share/{token}/",
    }
    template = "journeys/journey_map.html#journey-map" if partial else "journeys/shared_map.html"
    return render(request, template, context)


@require_GET
@shared("print")
def shared_print_view(request: HttpRequest, link: ShareLink, token: str) -> HttpResponse:
    the_map = journey_map(journey_id=link.journey_id)
    lanes.attach(the_map.steps, printed_only=True)
    context = {
        "journey": the_map.journey,
        "pages": print_pages(the_map, per_page=8),
        "hidden_lanes": sharing.hidden_lanes(link),
        "back_url": reverse("shared:map", args=[token]),
    }
    return render(request, "journeys/journey_print.html", context)


@require_POST
@shared(None)
def shared_export_view(request: HttpRequest, link: ShareLink, token: str, fmt: str) -> HttpResponse:
    if fmt not in ("png", "pdf"):
        raise Http404
    sharing.record_view(link, ip=_ip(request), what=fmt)
    export = export_request(
        kind=f"journey_{fmt}",
        params={"journey_id": link.journey_id, "hidden_lanes": list(sharing.hidden_lanes(link))},
        title=f"{link.journey.title} · {fmt.upper()}",
        actor=None,
        audience=f"share:{link.pk}",
    )
    if request.htmx:
        return render(request, "exports/_status.html", _export_context(export, token))
    return HttpResponseRedirect(reverse("shared:export_status", args=[token, export.token]))


@require_GET
@shared(None)
def shared_export_status_view(request: HttpRequest, link: ShareLink, token: str, export_token) -> HttpResponse:
    export = _export_of(link, export_token)
    template = "exports/_status.html" if request.htmx else "journeys/shared_export.html"
    return render(request, template, {**_export_context(export, token), "link": link, "token": token})


@require_GET
@shared(None)
def shared_export_download_view(request: HttpRequest, link: ShareLink, token: str, export_token) -> FileResponse:
    export = _export_of(link, export_token)
    if export.state != Export.State.DONE:
        raise Http404
    response = stored_file(export.file, missing=EXPORT_GONE, as_attachment=True, filename=export.filename)
    response["Content-Type"] = export.content_type
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _export_of(link: ShareLink, export_token) -> Export:
    export = Export.objects.filter(token=export_token, audience=f"share:{link.pk}").first()
    if export is None:
        raise Http404
    return export


def _export_context(export: Export, token: str) -> dict:
    return {
        "export": export,
        "status_url": reverse("shared:export_status", args=[token, export.token]),
        "download_url": reverse("shared:export_download", args=[token, export.token]),
    }
