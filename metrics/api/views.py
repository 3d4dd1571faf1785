from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from cxhub.lib.api import RulePermission
from journeys.models import Touchpoint

from .. import services
from ..figures import report
from ..ingest import exports
from ..models import DataImport
from .serializers import DataImportSerializer, ImportRequestSerializer, ReportQuerySerializer


@extend_schema(tags=["data"])
class DataImportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Imports of operational data (CX leads). POST a file; poll the import until `status` is
    `succeeded` or `failed`; `errors` lists problems with row, column and reason."""

    serializer_class = DataImportSerializer
    permission_classes = [RulePermission]
    read_perm = "metrics.view_data"
    write_perm = "metrics.import_data"
    queryset = DataImport.objects.order_by("-created_at", "-pk")
    filterset_fields = ["kind", "status"]

    @extend_schema(
        request={"multipart/form-data": ImportRequestSerializer},
        responses={202: DataImportSerializer, 400: OpenApiResponse(description="Missing kind or file.")},
    )
    def create(self, request: Request) -> Response:
        given = ImportRequestSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        upload = given.validated_data["file"]
        data_import = services.import_start(
            kind=given.validated_data["kind"],
            source=upload,
            file_name=upload.name,
            actor=request.user,
            via=DataImport.Via.API,
            valid_rows_only=given.validated_data["valid_rows_only"],
        )
        return Response(DataImportSerializer(data_import).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        parameters=[
            OpenApiParameter("kind", str, OpenApiParameter.PATH, enum=list(exports.SOURCES)),
        ],
        responses={
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR, description="Every stored row of the kind, in the import format (docs/import.md)."
            ),
            404: OpenApiResponse(description="Unknown kind."),
        },
    )
    @action(detail=False, methods=["get"], url_path=r"export/(?P<kind>[a-z_]+)")
    def export(self, request: Request, kind: str) -> StreamingHttpResponse:
        """Export operational data as CSV: the file imports back unchanged (same columns and formats)."""
        if kind not in exports.SOURCES:
            raise exceptions.NotFound(f"Unknown kind “{kind}”; use one of {', '.join(exports.SOURCES)}.")
        return exports.response(kind)

    def get_parsers(self):
        if getattr(self, "action", None) == "create" or (self.request and self.request.method == "POST"):
            return [MultiPartParser()]
        return super().get_parsers()


REPORT_EXAMPLE = {
    "window": {"start": "2026-06-01", "end": "2026-07-01", "as_of": "2026-06-30T12:00:00+03:00"},
    "rollups": {"as_of": "2026-06-30T12:00:00+03:00", "finished_at": "2026-06-30T12:00:04+03:00"},
    "service": {
        "opened": 5,
        "resolved": 4,
        "service_level": {"5": {"within": 3, "eligible": 5, "share": 0.6}},
        "against_targets": {"within": 1, "eligible": 4, "share": 0.25},
        "resolution_days": {"n": 4, "mean": 4.25, "p50": 3.0, "p80": 8.0, "p90": 8.0},
        "first_response_hours": {"n": 1, "mean": 3.0, "p50": 3.0, "p90": 3.0},
        "interaction_csat": {"score": None, "n": 0},
    },
    "surveys": {
        "nps": {"score": 25.0, "n": 4, "promoters": 2, "detractors": 1},
        "csat": {"score": 66.67, "n": 3},
        "ces": {"score": 4.0, "n": 3},
    },
    "customer_value": {"overall": {"customers": 9800, "R": 41000.0, "S": 2100.0, "A": 3200.0, "L": 5.2,
                                   "CLV": 199000.0, "churn_rate": 0.19, "exposure_years": 8100.5}, "segments": {}},
    "repeat_purchase": {"buyers": 8000, "repeat_buyers": 6100, "rate": 0.7625},
    "cohorts": [{"month": "2026-06-01", "size": 210, "retention": [0.81]}],
}  # fmt: skip


@extend_schema(tags=["metrics"])
class MetricsViewSet(viewsets.ViewSet):
    """Headline figures from the stored rollups — the same as `manage.py metrics_report --json`.
    Service figures carry within/eligible and n; a figure with n = 0 is null (no data)."""

    permission_classes = [RulePermission]
    read_perm = "metrics.view_figures"
    write_perm = "metrics.configure_targets"

    def _window(self, request: Request) -> report.Window:
        query = ReportQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        try:
            return report.window(**query.validated_data)
        except report.ReportError as error:
            raise exceptions.ValidationError({"end": [str(error)]}) from error

    @extend_schema(
        parameters=[ReportQuerySerializer],
        responses={200: OpenApiResponse(OpenApiTypes.OBJECT, description="The headline figures of the window.")},
        examples=[OpenApiExample("June", value=REPORT_EXAMPLE, response_only=True)],
    )
    @action(detail=False, methods=["get"])
    def headline(self, request: Request) -> Response:
        """Service level at 1, 3, 5, 10 days and against targets, percentiles, NPS/CSAT/CES, customer value
        (R, S, A, L, churn rate, exposure, CLV) overall and per segment, repeat purchase, cohort retention."""
        return Response(report.report(self._window(request)))

    @extend_schema(
        parameters=[ReportQuerySerializer],
        responses={
            200: OpenApiResponse(OpenApiTypes.OBJECT, description="Service and survey figures of one touchpoint."),
            404: OpenApiResponse(description="No such touchpoint."),
        },
    )
    @action(detail=False, methods=["get"], url_path=r"touchpoints/(?P<touchpoint_id>\d+)")
    def touchpoint(self, request: Request, touchpoint_id: str) -> Response:
        """One touchpoint's service and survey figures for the window."""
        chosen = get_object_or_404(Touchpoint.objects.select_related("department"), pk=touchpoint_id)
        return Response(report.report(self._window(request), touchpoint=chosen))
