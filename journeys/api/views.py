from drf_spectacular.utils import extend_schema
from rest_framework import viewsets

from ..selectors import touchpoint_list
from .serializers import TouchpointSerializer


@extend_schema(tags=["journeys"])
class TouchpointViewSet(viewsets.ReadOnlyModelViewSet):
    """The touchpoint catalogue shared by all journeys."""

    serializer_class = TouchpointSerializer
    filterset_fields = ["channel", "department", "code"]

    def get_queryset(self):
        return touchpoint_list()
