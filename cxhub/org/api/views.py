from django.contrib.auth import authenticate
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.parsers import FormParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cxhub.lib.api import ClientScopedRateThrottle
from cxhub.lib.parsers import ObjectJSONParser

from ..roles import Role, user_roles
from ..selectors import department_ids_of, department_list
from .serializers import DepartmentSerializer, MeSerializer, TokenRequestSerializer, TokenResponseSerializer


class TokenView(APIView):
    """Exchange a username and password for an API token (`Authorization: Token <key>`)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    parser_classes = [ObjectJSONParser, FormParser]  # `curl -d username=… -d password=…` works too
    throttle_classes = [ClientScopedRateThrottle]
    throttle_scope = "token"

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: TokenResponseSerializer,
            400: OpenApiResponse(description="Missing field or wrong username/password."),
            429: OpenApiResponse(description="Locked out after too many failed attempts (or throttled)."),
        },
        auth=[],
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        given = TokenRequestSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        # django-axes needs the Django request: it counts failures per username + IP, and its
        # middleware turns a lockout into a 429 (cxhub.lib.lockout).
        user = authenticate(
            request._request, username=given.validated_data["username"], password=given.validated_data["password"]
        )
        if user is None or not user.is_active:
            return Response(
                {"non_field_errors": [_("Unable to log in with the given username and password.")]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        token, _created = Token.objects.get_or_create(user=user)
        return Response(TokenResponseSerializer({"token": token.key}).data)


class MeView(APIView):
    """Who the caller is: roles and departments, for scripts that act on someone's behalf."""

    @extend_schema(responses=MeSerializer, tags=["auth"])
    def get(self, request: Request) -> Response:
        user = request.user
        data = {
            "id": user.pk,
            "username": user.get_username(),
            "full_name": user.get_full_name(),
            "email": user.email,
            "roles": [role.value for role in Role if role in user_roles(user)],
            "department_ids": sorted(department_ids_of(user)),
            "language": get_language(),
        }
        return Response(MeSerializer(data).data)


@extend_schema(tags=["organisation"])
class DepartmentViewSet(viewsets.ReadOnlyModelViewSet):
    """Departments with their heads and members (read-only here; admins edit them in the Django admin)."""

    serializer_class = DepartmentSerializer
    filterset_fields = ["slug"]

    def get_queryset(self):
        return department_list()
