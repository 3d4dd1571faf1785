from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from cxhub.lib.api import RulePermission

from .. import services
from ..models import DataImport
from .serializers import DataImportSerializer, ImportRequestSerializer


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

    def get_parsers(self):
        if getattr(self, "action", None) == "create" or (self.request and self.request.method == "POST"):
            return [MultiPartParser()]
        return super().get_parsers()
