from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExportsConfig(AppConfig):
    """Files rendered by headless Chromium in a Celery job (map PNG/PDF, dashboard report): requested on a
    page, rendered by the worker with a progress state, downloaded by the person who asked."""

    name = "cxhub.exports"
    label = "exports"
    verbose_name = _("Exports")
    default_auto_field = "django.db.models.BigAutoField"
