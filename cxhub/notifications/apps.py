from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """What people are told: one outbox for every app (barriers, comments and mentions, reviews). Each
    notification shows under the bell in the header; it is e-mailed too unless its reader turned that
    kind of e-mail off."""

    name = "cxhub.notifications"
    label = "notifications"
    verbose_name = _("Notifications")
    default_auto_field = "django.db.models.BigAutoField"
