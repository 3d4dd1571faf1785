from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JourneysConfig(AppConfig):
    """Journey maps and the touchpoint catalogue they are built on."""

    name = "journeys"
    verbose_name = _("Journeys")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import comment_lane, exports, lanes, permissions  # noqa: F401  (export renderers, rules permissions)

        lanes.register(comment_lane.LANE)
