from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.templatetags.static import static
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
    """The API answers in JSON even for an address it does not have; pages get the 404 page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return defaults.page_not_found(request, exception)


def server_error_view(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"detail": _("Server error: it has been logged; please try again in a minute.")}, status=500
        )
    return defaults.server_error(request)
