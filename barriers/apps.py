from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BarriersConfig(AppConfig):
    """Barriers found by research and worked by departments."""

    name = "barriers"
    verbose_name = _("Barriers")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from journeys import lanes

        from . import map_lane, permissions  # noqa: F401  (permissions registers the rules permissions)

        lanes.register(map_lane.LANE)
