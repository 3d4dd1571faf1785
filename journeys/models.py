from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Channel(models.TextChoices):
    """How the customer reaches a touchpoint (DOMAIN.md)."""

    PHONE = "phone", _("Phone")
    OFFICE = "office", _("Office")
    WEBSITE = "website", _("Website")
    MOBILE_APP = "mobile_app", _("Mobile app")
    MESSENGER = "messenger", _("Messenger")
    EMAIL = "email", _("Email")
    SOCIAL_MEDIA = "social_media", _("Social media")
    DELIVERY = "delivery", _("Delivery")
    SELF_SERVICE = "self_service", _("ATM / self-service")
    OTHER = "other", _("Other")


class Touchpoint(models.Model):
    """A place of interaction, e.g. "Call centre — complaint line": one channel, one owning department."""

    name = models.CharField(_("name"), max_length=160)
    code = models.SlugField(_("code"), max_length=60, unique=True, help_text=_("Short id used in data imports."))
    channel = models.CharField(_("channel"), max_length=20, choices=Channel)
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,  # reference data: a department with touchpoints cannot vanish
        related_name="touchpoints",
    )
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("touchpoint")
        verbose_name_plural = _("touchpoints")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="touchpoint_name_unique_ci"),
            models.CheckConstraint(condition=models.Q(channel__in=Channel.values), name="touchpoint_channel_valid"),
        ]

    def __str__(self) -> str:
        return self.name
