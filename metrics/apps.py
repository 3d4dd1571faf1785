from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MetricsConfig(AppConfig):
    """Operational data and the service-level and customer-value figures computed from it."""

    name = "metrics"
    verbose_name = _("Metrics")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from journeys import lanes

        from . import permissions  # noqa: F401  (registers the rules permissions)
        from .dashboards import exports, map_lane  # noqa: F401  (exports registers the PDF report's renderer)

        lanes.register(map_lane.LANE)
