"""The REST API, version 1: every app registers its endpoints here."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from barriers.api.views import BarrierViewSet, ResearchStudyViewSet
from cxhub.org.api.views import DepartmentViewSet, MeView, TokenView
from journeys.api.views import JourneyViewSet, PersonaViewSet, StageViewSet, StepViewSet, TouchpointViewSet
from metrics.api.views import DataImportViewSet, MetricsViewSet


class NumericIdRouter(DefaultRouter):
    """Object ids are whole numbers: anything else in their place is a 404 by the URL itself, before a
    view tries to look it up (a non-numeric id used to reach the database and answer 500)."""

    def get_lookup_regex(self, viewset, lookup_prefix: str = "") -> str:
        lookup_field = getattr(viewset, "lookup_field", "pk")
        lookup_url_kwarg = getattr(viewset, "lookup_url_kwarg", None) or lookup_field
        lookup_value = getattr(viewset, "lookup_value_regex", "[0-9]+")
        return f"(?P<{lookup_prefix}{lookup_url_kwarg}>{lookup_value})"


router = NumericIdRouter()
router.register("departments", DepartmentViewSet, basename="department")
router.register("touchpoints", TouchpointViewSet, basename="touchpoint")
router.register("personas", PersonaViewSet, basename="persona")
router.register("journeys", JourneyViewSet, basename="journey")
router.register("stages", StageViewSet, basename="stage")
router.register("steps", StepViewSet, basename="step")
router.register("barriers", BarrierViewSet, basename="barrier")
router.register("research-studies", ResearchStudyViewSet, basename="research-study")
router.register("imports", DataImportViewSet, basename="import")
router.register("metrics", MetricsViewSet, basename="metrics")

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("me/", MeView.as_view(), name="api-me"),
    path("", include(router.urls)),
]
