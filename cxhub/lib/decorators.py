"""View decorators shared by the apps."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django_htmx.middleware import HtmxDetails

View = Callable[..., HttpResponse | StreamingHttpResponse]


class AuthenticatedHttpRequest(HttpRequest):
    """The request a @login_required view gets: its user is signed in, and htmx's details are set by
    django-htmx's middleware (for type checking only)."""

    user: User
    htmx: HtmxDetails


def permission_required(perm: str) -> Callable[[View], View]:
    """403 unless the signed-in user has `perm` (a rules permission); use under @login_required."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse | StreamingHttpResponse:
            if not request.user.has_perm(perm):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
