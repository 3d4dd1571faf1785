"""The REST API, version 1: every app registers its endpoints here."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from barriers.api.views import BarrierViewSet, ResearchStudyViewSet
from cxhub.org.api.views import DepartmentViewSet, MeView, TokenView
from journeys.api.views import JourneyViewSet, PersonaViewSet, StageViewSet, StepViewSet, TouchpointViewSet
from metrics.api.views import DataImportViewSet, MetricsViewSet

router = DefaultRouter()
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
