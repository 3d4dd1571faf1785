"""Barriers and research studies over REST, with the same permissions and services as the pages."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
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

from .. import services
from ..filters import BoardFilter
from ..models import Barrier, ResearchStudy
from ..selectors import board_rows
from ..workflow import TransitionError
from .serializers import BarrierSerializer, CommentSerializer, ResearchStudySerializer, TransitionRequestSerializer

REFUSALS = {
    403: OpenApiResponse(description="Your role or department may not do this."),
    409: OpenApiResponse(description="Not from this status, or a stale `version`; nothing changed."),
    412: OpenApiResponse(description="Stale If-Match; nothing changed."),
    428: CONFLICT_RESPONSES[428],
}


@extend_schema_view(
    partial_update=extend_schema(parameters=[IF_MATCH], responses={200: BarrierSerializer, **REFUSALS}),
)
@extend_schema(tags=["barriers"])
class BarrierViewSet(viewsets.ModelViewSet):
    """Barriers, filtered as on the board. CX leads create and edit; the assigned department edits the
    resolution plan; everyone moves them only as the workflow allows (see `allowed_actions`)."""

    serializer_class = BarrierSerializer
    permission_classes = [RulePermission]
    read_perm = "barriers.read"
    write_perm = "barriers.read"  # what each write may do is decided per barrier by the services
    http_method_names = ["get", "post", "patch", "head", "options"]
    filterset_class = BoardFilter  # the board's filters (400 with the reason for a bad value)

    def get_queryset(self):
        if self.action != "list":
            return board_rows()
        by_stake = self.request.query_params.get("sort") == "stake"  # checked by BoardFilter
        return board_rows(by_stake=by_stake).prefetch_related("evidence")

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        barrier = self.get_object()
        return with_etag(Response(self.get_serializer(barrier).data), barrier.version)

    def create(self, request: Request, *args, **kwargs) -> Response:
        given = self.get_serializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = dict(given.validated_data)
        barrier = services.barrier_create(actor=request.user, **data)
        return self._answer(barrier.pk, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args, **kwargs) -> Response:
        barrier = get_object_or_404(Barrier, pk=kwargs["pk"])
        version = expected_version(request)
        given = self.get_serializer(barrier, data=request.data, partial=True)
        given.is_valid(raise_exception=True)
        fields = {k: v for k, v in given.validated_data.items() if k != "evidence"}
        services.barrier_update(barrier_id=barrier.pk, expected_version=version, actor=request.user, **fields)
        return self._answer(barrier.pk)

    @extend_schema(
        request=TransitionRequestSerializer, parameters=[IF_MATCH], responses={200: BarrierSerializer, **REFUSALS}
    )
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, pk: str) -> Response:
        """Accept, start, resolve (note), verify, reopen (reason) or reject (reason)."""
        barrier = get_object_or_404(Barrier, pk=pk)
        given = TransitionRequestSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        try:
            services.barrier_transition(
                barrier_id=barrier.pk,
                action=given.validated_data["action"],
                expected_version=expected_version(request),
                actor=request.user,
                text=given.validated_data.get("text", ""),
            )
        except TransitionError as refused:
            code = status.HTTP_403_FORBIDDEN if refused.forbidden else status.HTTP_409_CONFLICT
            return Response({"detail": refused.message}, status=code)
        return self._answer(barrier.pk)

    @extend_schema(methods=["get"], responses=CommentSerializer(many=True))
    @extend_schema(methods=["post"], request=CommentSerializer, responses={201: CommentSerializer, 403: REFUSALS[403]})
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def comments(self, request: Request, pk: str) -> Response:
        barrier = get_object_or_404(Barrier, pk=pk)
        if request.method == "GET":
            comments = barrier.comments.select_related("author").order_by("created_at", "pk")
            return Response(CommentSerializer(comments, many=True).data)
        given = CommentSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        comment = services.comment_add(barrier_id=barrier.pk, actor=request.user, text=given.validated_data["text"])
        return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)

    def _answer(self, barrier_id: int, code: int = status.HTTP_200_OK) -> Response:
        barrier = board_rows().prefetch_related("evidence").get(pk=barrier_id)
        return with_etag(Response(self.get_serializer(barrier).data, status=code), barrier.version)


@extend_schema_view(
    retrieve=extend_schema(description="ETag carries its version."),
    partial_update=extend_schema(parameters=[IF_MATCH], responses={200: ResearchStudySerializer, **CONFLICT_RESPONSES}),
)
@extend_schema(tags=["barriers"])
class ResearchStudyViewSet(VersionedObjectMixin, viewsets.ModelViewSet):
    """Research studies (interviews, mystery shopping, monitoring…): everyone reads, CX leads write."""

    serializer_class = ResearchStudySerializer
    permission_classes = [RulePermission]
    read_perm = "barriers.read"
    write_perm = "barriers.manage_studies"
    http_method_names = ["get", "post", "patch", "head", "options"]
    queryset = ResearchStudy.objects.order_by("-period_start", "title")
    filterset_fields = ["method"]

    def perform_create(self, serializer: ResearchStudySerializer) -> None:
        serializer.instance = services.study_create(actor=self.request.user, **serializer.validated_data)

    def versioned_update(self, obj, version: int, data: dict):
        return services.study_update(study_id=obj.pk, expected_version=version, actor=self.request.user, **data)
