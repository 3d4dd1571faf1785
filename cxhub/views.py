from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.http import require_GET


@require_GET
def healthz_view(request: HttpRequest) -> JsonResponse:
    """Liveness for the container health check: the process answers and the database responds."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@require_GET
def favicon_view(request: HttpRequest) -> HttpResponseRedirect:
    """Browsers ask for /favicon.ico whatever the page says; point them at the logo."""
    return HttpResponseRedirect(static("img/logo.svg"))


def not_found_view(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The API answers in JSON even for an address it does not have; pages get the 404 page, with the
    reason when a view gave one ("this file is no longer stored…")."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    reason = exception.args[0] if isinstance(exception, Http404) and exception.args else None
    message = str(reason) if isinstance(reason, str | Promise) else ""
    return render(request, "404.html", {"message": message}, status=404)


def server_error_view(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"detail": _("Server error: it has been logged; please try again in a minute.")}, status=500
        )
    return defaults.server_error(request)
