"""Journeys over REST: everyone signed in reads, CX leads write (the same rules as the pages).

Writes go through journeys.services, like the map page; versioned objects (journeys, stages, steps)
need the version they were based on (If-Match or a `version` field, see cxhub.lib.api).
"""

import django_filters
from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from cxhub.lib.api import (
    CONFLICT_RESPONSES,
    IF_MATCH,
    RulePermission,
    VersionedObjectMixin,
    expected_version,
    with_etag,
)
from cxhub.lib.parsers import ObjectJSONParser

from .. import services
from ..models import Journey, Persona, Stage, Step
from ..selectors import journey_list, touchpoint_list
from ..transfer import JourneyImportError, journey_import
from .serializers import (
    JourneyDetailSerializer,
    JourneyDuplicateSerializer,
    JourneyImportSerializer,
    JourneySerializer,
    PersonaSerializer,
    StageMoveSerializer,
    StageSerializer,
    StepMoveSerializer,
    StepSerializer,
    TouchpointSerializer,
)


class MapPermissions:
    permission_classes = [RulePermission]
    read_perm = "journeys.view_map"
    write_perm = "journeys.edit_map"


# Reference data ------------------------------------------------------------------------------------


@extend_schema_view(
    retrieve=extend_schema(description="ETag carries its version."),
    partial_update=extend_schema(parameters=[IF_MATCH], responses={200: TouchpointSerializer, **CONFLICT_RESPONSES}),
    destroy=extend_schema(parameters=[IF_MATCH], responses={204: None, **CONFLICT_RESPONSES}),
)
@extend_schema(tags=["journeys"])
class TouchpointViewSet(MapPermissions, VersionedObjectMixin, viewsets.ModelViewSet):
    """The touchpoint catalogue shared by all journeys. Names are unique in any case (400 with the
    reason); a touchpoint used on a map cannot be deleted (409)."""

    serializer_class = TouchpointSerializer
    filterset_fields = ["channel", "department", "code"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return touchpoint_list()

    def perform_create(self, serializer: TouchpointSerializer) -> None:
        data = serializer.validated_data
        if data.get("code"):
            serializer.instance = services.touchpoint_upsert(**data, actor=self.request.user)
        else:
            serializer.instance = services.touchpoint_create(**data, actor=self.request.user)

    def versioned_update(self, obj, version: int, data: dict):
        return services.touchpoint_update(
            touchpoint_id=obj.pk, expected_version=version, actor=self.request.user, **data
        )

    def versioned_delete(self, obj, version: int) -> None:
        services.touchpoint_delete(touchpoint_id=obj.pk, expected_version=version, actor=self.request.user)


@extend_schema_view(
    retrieve=extend_schema(description="ETag carries its version."),
    partial_update=extend_schema(parameters=[IF_MATCH], responses={200: PersonaSerializer, **CONFLICT_RESPONSES}),
    destroy=extend_schema(parameters=[IF_MATCH], responses={204: None, **CONFLICT_RESPONSES}),
)
@extend_schema(tags=["journeys"])
class PersonaViewSet(MapPermissions, VersionedObjectMixin, viewsets.ModelViewSet):
    """Personas (customer types) journeys are drawn for. Names are unique in any case (400 with the
    reason); one in use cannot be deleted (409)."""

    serializer_class = PersonaSerializer
    queryset = Persona.objects.order_by("name")
    filterset_fields = {"name": ["exact", "icontains"], "is_archived": ["exact"]}
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def perform_create(self, serializer: PersonaSerializer) -> None:
        serializer.instance = services.persona_create(**serializer.validated_data, actor=self.request.user)

    def versioned_update(self, obj, version: int, data: dict):
        return services.persona_update(persona_id=obj.pk, expected_version=version, actor=self.request.user, **data)

    def versioned_delete(self, obj, version: int) -> None:
        services.persona_delete(persona_id=obj.pk, expected_version=version, actor=self.request.user)


# Journeys ------------------------------------------------------------------------------------------


class JourneyFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search in title and description")
    status = django_filters.ChoiceFilter(
        choices=Journey.Status.choices, method="by_status", label="Status (default: draft and published)"
    )

    class Meta:
        model = Journey
        fields = ["persona", "state", "owner", "to_be_of"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(title__icontains=value) | Q(description__icontains=value))

    def by_status(self, queryset, name, value):
        return queryset.filter(status=value)

    @property
    def qs(self):
        # Archived journeys are hidden unless asked for, as on the journeys page.
        queryset = super().qs
        if not self.form.cleaned_data.get("status"):
            queryset = queryset.active()
        return queryset


@extend_schema_view(
    retrieve=extend_schema(description="The journey with its whole map; ETag carries its version."),
    partial_update=extend_schema(parameters=[IF_MATCH], responses={200: JourneyDetailSerializer, **CONFLICT_RESPONSES}),
    destroy=extend_schema(parameters=[IF_MATCH], responses={204: None, **CONFLICT_RESPONSES}),
)
@extend_schema(tags=["journeys"])
class JourneyViewSet(MapPermissions, viewsets.ModelViewSet):
    """Journey maps. Lists hide archived journeys unless `status` is given."""

    filterset_class = JourneyFilter
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        if self.action == "list":
            return journey_list(include_archived=True)
        steps = Step.objects.select_related("touchpoint").order_by("position")
        stages = Stage.objects.order_by("position").prefetch_related(Prefetch("steps", queryset=steps))
        return Journey.objects.select_related("owner").prefetch_related(Prefetch("stages", queryset=stages))

    def get_serializer_class(self):
        return JourneySerializer if self.action == "list" else JourneyDetailSerializer

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        journey = self.get_object()
        return with_etag(Response(self.get_serializer(journey).data), journey.version)

    def create(self, request: Request, *args, **kwargs) -> Response:
        given = self.get_serializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = {k: v for k, v in given.validated_data.items() if k != "owner"}
        journey = services.journey_create(actor=request.user, **data)
        return self._detail(journey.pk, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args, **kwargs) -> Response:
        journey = get_object_or_404(Journey, pk=kwargs["pk"])
        version = expected_version(request)
        given = self.get_serializer(journey, data=request.data, partial=True)
        given.is_valid(raise_exception=True)
        services.journey_update(
            journey_id=journey.pk, expected_version=version, actor=request.user, **given.validated_data
        )
        return self._detail(journey.pk)

    def destroy(self, request: Request, *args, **kwargs) -> Response:
        journey = get_object_or_404(Journey, pk=kwargs["pk"])
        services.journey_delete(journey_id=journey.pk, expected_version=expected_version(request), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=JourneyDuplicateSerializer, responses={201: JourneyDetailSerializer})
    @action(detail=True, methods=["post"])
    def duplicate(self, request: Request, pk: str) -> Response:
        """Copy the journey with its map; `as_to_be` makes the copy its to-be version."""
        journey = get_object_or_404(Journey, pk=pk)
        given = JourneyDuplicateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        copy = services.journey_duplicate(
            journey_id=journey.pk,
            actor=request.user,
            as_to_be=given.validated_data["as_to_be"],
            title=given.validated_data.get("title") or None,
        )
        return self._detail(copy.pk, status.HTTP_201_CREATED)

    @extend_schema(
        request={"multipart/form-data": JourneyImportSerializer, "application/json": OpenApiTypes.OBJECT},
        responses={201: JourneyDetailSerializer, 400: OpenApiResponse(description="What is wrong, and where.")},
    )
    @action(detail=False, methods=["post"], url_path="import", parser_classes=[MultiPartParser, ObjectJSONParser])
    def import_journey(self, request: Request) -> Response:
        """A new draft journey from a JSON export: upload it as `file`, or post the document itself."""
        if "file" in request.FILES:
            upload = request.FILES["file"]
            raw, filename = upload.read(), upload.name
        elif request.content_type.startswith("application/json"):
            raw, filename = request.body, ""
        else:
            raise ValidationError({"file": ["Upload the JSON export as `file`, or post it as application/json."]})
        try:
            journey = journey_import(raw=raw, actor=request.user, filename=filename)
        except JourneyImportError as error:
            return Response(
                {"errors": [{"where": p.where, "message": p.message} for p in error.problems], "total": error.total},
                status=status.HTTP_400_BAD_REQUEST,
            )
        return self._detail(journey.pk, status.HTTP_201_CREATED)

    def _detail(self, journey_id: int, code: int = status.HTTP_200_OK) -> Response:
        journey = self.get_queryset().get(pk=journey_id)
        return with_etag(Response(JourneyDetailSerializer(journey).data, status=code), journey.version)


# Stages and steps ----------------------------------------------------------------------------------


class VersionedWrites:
    """Create, edit (PATCH with a version), delete (with a version) and move, through the services."""

    move_serializer_class: type
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        obj = self.get_object()
        return with_etag(Response(self.get_serializer(obj).data), obj.version)

    def _answer(self, obj, code: int = status.HTTP_200_OK) -> Response:
        obj = self.get_queryset().get(pk=obj.pk)
        return with_etag(Response(self.get_serializer(obj).data, status=code), obj.version)

    def _refuse_structure_in_patch(self, request: Request, fields: tuple[str, ...]) -> None:
        given = [name for name in fields if name in request.data]
        if given:
            raise ValidationError({name: ["Use the move action to change this."] for name in given})


@extend_schema_view(
    partial_update=extend_schema(parameters=[IF_MATCH], responses={200: StageSerializer, **CONFLICT_RESPONSES}),
    destroy=extend_schema(parameters=[IF_MATCH], responses={204: None, **CONFLICT_RESPONSES}),
)
@extend_schema(tags=["journeys"])
class StageViewSet(MapPermissions, VersionedWrites, viewsets.ModelViewSet):
    """Stages of journeys, in order (filter by `journey`). Deleting a stage deletes its steps."""

    serializer_class = StageSerializer
    filterset_fields = ["journey"]

    def get_queryset(self):
        return Stage.objects.order_by("journey_id", "position")

    def create(self, request: Request, *args, **kwargs) -> Response:
        given = self.get_serializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        stage = services.stage_add(
            journey_id=data["journey"].pk, name=data["name"], actor=request.user, position=data.get("position")
        )
        return self._answer(stage, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args, **kwargs) -> Response:
        stage = self.get_object()
        self._refuse_structure_in_patch(request, ("journey", "position"))
        version = expected_version(request)
        given = self.get_serializer(stage, data=request.data, partial=True)
        given.is_valid(raise_exception=True)
        fields = {k: v for k, v in given.validated_data.items() if k == "name"}
        return self._answer(
            services.stage_update(stage_id=stage.pk, expected_version=version, actor=request.user, **fields)
        )

    def destroy(self, request: Request, *args, **kwargs) -> Response:
        stage = self.get_object()
        services.stage_delete(stage_id=stage.pk, expected_version=expected_version(request), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=StageMoveSerializer, parameters=[IF_MATCH], responses={200: StageSerializer, **CONFLICT_RESPONSES}
    )
    @action(detail=True, methods=["post"])
    def move(self, request: Request, pk: str) -> Response:
        """Move the stage (with its steps) to `to_position` (0 = first) in its journey."""
        stage = self.get_object()
        given = StageMoveSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        moved = services.stage_move(
            stage_id=stage.pk,
            to_position=given.validated_data["to_position"],
            expected_version=expected_version(request),
            actor=request.user,
        )
        return self._answer(moved)


class StepFilter(django_filters.FilterSet):
    journey = django_filters.ModelChoiceFilter(field_name="stage__journey", queryset=Journey.objects.all())

    class Meta:
        model = Step
        fields = ["journey", "stage", "touchpoint", "is_moment_of_truth"]


@extend_schema_view(
    partial_update=extend_schema(parameters=[IF_MATCH], responses={200: StepSerializer, **CONFLICT_RESPONSES}),
    destroy=extend_schema(parameters=[IF_MATCH], responses={204: None, **CONFLICT_RESPONSES}),
)
@extend_schema(tags=["journeys"])
class StepViewSet(MapPermissions, VersionedWrites, viewsets.ModelViewSet):
    """Steps in map order (filter by `journey` or `stage`)."""

    serializer_class = StepSerializer
    filterset_class = StepFilter

    def get_queryset(self):
        return Step.objects.select_related("touchpoint", "stage").order_by(
            "stage__journey_id", "stage__position", "position"
        )

    def create(self, request: Request, *args, **kwargs) -> Response:
        given = self.get_serializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = dict(given.validated_data)
        stage, position = data.pop("stage"), data.pop("position", None)
        step = services.step_add(stage_id=stage.pk, actor=request.user, position=position, **data)
        return self._answer(step, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args, **kwargs) -> Response:
        step = self.get_object()
        self._refuse_structure_in_patch(request, ("stage", "position"))
        version = expected_version(request)
        given = self.get_serializer(step, data=request.data, partial=True)
        given.is_valid(raise_exception=True)
        fields = {k: v for k, v in given.validated_data.items() if k in services.STEP_FIELDS}
        return self._answer(
            services.step_update(step_id=step.pk, expected_version=version, actor=request.user, **fields)
        )

    def destroy(self, request: Request, *args, **kwargs) -> Response:
        step = self.get_object()
        services.step_delete(step_id=step.pk, expected_version=expected_version(request), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=StepMoveSerializer, parameters=[IF_MATCH], responses={200: StepSerializer, **CONFLICT_RESPONSES}
    )
    @action(detail=True, methods=["post"])
    def move(self, request: Request, pk: str) -> Response:
        """Move the step to `to_position` (0 = first) in `to_stage` (default: its own stage), same journey."""
        step = self.get_object()
        given = StepMoveSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        to_stage = given.validated_data.get("to_stage")
        moved = services.step_move(
            step_id=step.pk,
            to_stage_id=to_stage.pk if to_stage else step.stage_id,
            to_position=given.validated_data["to_position"],
            expected_version=expected_version(request),
            actor=request.user,
        )
        return self._answer(moved)
