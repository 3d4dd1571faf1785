from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    """The organisation: departments, their heads and members, and the user roles."""

    name = "cxhub.org"
    label = "org"
    verbose_name = _("Organisation")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from cxhub.lib import login_limit  # noqa: F401  (counts failed logins per address)

        from . import permissions, signals  # noqa: F401  (register the rules permissions and receivers)
