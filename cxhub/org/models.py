from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class DepartmentQuerySet(models.QuerySet["Department"]):
    def of_user(self, user: AbstractBaseUser | AnonymousUser) -> "DepartmentQuerySet":
        """Departments the user heads or belongs to."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(models.Q(head=user) | models.Q(members=user)).distinct()


class Department(models.Model):
    """A unit of the company: owns touchpoints, works the barriers assigned to it, led by its head."""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("short name"), max_length=60, unique=True, help_text=_("Used in user names and URLs."))
    description = models.TextField(_("description"), blank=True)
    head = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("head"),
        null=True,
        blank=True,
        # Losing a head must not delete the department or its barriers; the admin appoints a new one.
        on_delete=models.SET_NULL,
        related_name="headed_departments",
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("members"), blank=True, related_name="departments"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = DepartmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="department_name_unique_ci"),
        ]

    def __str__(self) -> str:
        return self.name
