"""What every API endpoint shares: rule-based permissions, optimistic concurrency and error shapes.

Concurrency: a response for a versioned object carries `ETag: "<version>"`. A write names the version
it was based on, either as `If-Match: "<version>"` or as a `version` field in the body:
- no version at all → 428 Precondition Required;
- stale `If-Match` → 412 Precondition Failed; stale `version` field → 409 Conflict;
both with `detail` (who changed it and when) and `current_version`, and nothing written.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import exceptions, status
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import exception_handler as drf_exception_handler

from .client_ip import client_ip
from .concurrency import Gone, StaleVersion

# In the schema of every versioned write.
IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description='The version the change is based on, e.g. "3" (or send a `version` field).',
)
CONFLICT_RESPONSES = {
    404: OpenApiResponse(description="Not found, or deleted by someone else meanwhile."),
    409: OpenApiResponse(description="Stale `version` field: someone changed it first; nothing written."),
    412: OpenApiResponse(description="Stale If-Match: someone changed it first; nothing written."),
    428: OpenApiResponse(description="No version given (If-Match or `version`)."),
}


class RulePermission(BasePermission):
    """Reads need the view's `read_perm`, writes its `write_perm` (rules permissions, as in the pages)."""

    def has_permission(self, request: Request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        perm = view.read_perm if request.method in SAFE_METHODS else view.write_perm
        return request.user.has_perm(perm)


class PreconditionRequired(exceptions.APIException):
    status_code = 428
    default_code = "precondition_required"
    default_detail = "Send the version this change is based on: an If-Match header or a `version` field."


def expected_version(request: Request) -> int:
    """The version a write is based on: If-Match ("3", W/"3" or 3) first, else the body's `version`."""
    header = request.headers.get("If-Match", "").strip()
    if header:
        tag = header.removeprefix("W/").strip('"')
        if not tag.isdigit():
            raise exceptions.ValidationError({"If-Match": [_('Expected a version number such as "3".')]})
        return int(tag)
    value = request.data.get("version") if hasattr(request.data, "get") else None
    if value in (None, ""):
        raise PreconditionRequired(
            _("Send the version this change is based on: an If-Match header or a version field.")
        )
    try:
        return int(value)
    except (TypeError, ValueError):
        raise exceptions.ValidationError({"version": [_("A whole number is required.")]}) from None


def with_etag(response: Response, version: int) -> Response:
    response["ETag"] = f'"{version}"'
    return response


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF's handler, plus the domain exceptions the services raise."""
    if isinstance(exc, StaleVersion):
        request = context.get("request")
        by_header = bool(request and request.headers.get("If-Match"))
        response = Response(
            {"detail": exc.message, "current_version": exc.current_version},
            status=status.HTTP_412_PRECONDITION_FAILED if by_header else status.HTTP_409_CONFLICT,
        )
        return with_etag(response, exc.current_version)
    if isinstance(exc, Gone):
        exc = Http404(exc.message)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return Response(detail, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, ProtectedError):
        used_by = sorted({str(obj._meta.verbose_name) for obj in exc.protected_objects})
        return Response(
            {"detail": _("Still in use by: %(things)s. Nothing was deleted.") % {"things": ", ".join(used_by)}},
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, Http404) and exc.args and isinstance(exc.args[0], str):
        return Response({"detail": exc.args[0]}, status=status.HTTP_404_NOT_FOUND)
    return drf_exception_handler(exc, context)


class VersionedObjectMixin:
    """A model viewset whose objects carry a version: reads answer with an ETag, and PATCH and DELETE
    need the version they were based on (see the module's docstring). The viewset says how to write:
    `versioned_update(obj, version, data)` and `versioned_delete(obj, version)` call the services."""

    def versioned_update(self, obj, version: int, data: dict):
        raise NotImplementedError

    def versioned_delete(self, obj, version: int) -> None:
        raise NotImplementedError

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        obj = self.get_object()  # type: ignore[attr-defined]
        return with_etag(Response(self.get_serializer(obj).data), obj.version)  # type: ignore[attr-defined]

    def create(self, request: Request, *args, **kwargs) -> Response:
        response = super().create(request, *args, **kwargs)  # type: ignore[misc]
        return with_etag(response, response.data["version"])

    def partial_update(self, request: Request, *args, **kwargs) -> Response:
        obj = self.get_object()  # type: ignore[attr-defined]
        version = expected_version(request)
        given = self.get_serializer(obj, data=request.data, partial=True)  # type: ignore[attr-defined]
        given.is_valid(raise_exception=True)
        saved = self.versioned_update(obj, version, given.validated_data)
        saved = type(saved)._default_manager.get(pk=saved.pk)  # as stored, with what the write derived
        return with_etag(Response(self.get_serializer(saved).data), saved.version)  # type: ignore[attr-defined]

    def destroy(self, request: Request, *args, **kwargs) -> Response:
        obj = self.get_object()  # type: ignore[attr-defined]
        self.versioned_delete(obj, expected_version(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class ClientScopedRateThrottle(ScopedRateThrottle):
    """DRF's scoped throttle, counted per real client address (cxhub.lib.client_ip) in the shared cache:
    DRF's own trusts any X-Forwarded-For, so rotating the header escaped it."""

    def get_ident(self, request: Request) -> str:
        return client_ip(request._request)
