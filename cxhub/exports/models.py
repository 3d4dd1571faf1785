import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# A finished export whose file is gone (cleaned up, or lost with a volume): the download says so.
EXPORT_GONE = _("This file is no longer kept: export it again.")


class Export(models.Model):
    """One rendering job. `kind` names a renderer an app registered (cxhub.exports.registry); `params`
    are what it needs (a journey id, a dashboard period), never people's data."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Waiting for the worker")
        RUNNING = "running", _("Rendering")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=40)
    params = models.JSONField(default=dict)
    language = models.CharField(max_length=10)
    title = models.CharField(max_length=200)
    # Who may fetch it: the person who asked, or — for a visitor without an account — an `audience` the
    # asking app checks (a share link: "share:<id>").
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    audience = models.CharField(max_length=80, blank=True)
    state = models.CharField(max_length=10, choices=State, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    message = models.CharField(max_length=300, blank=True)
    file = models.FileField(upload_to="exports/%Y/%m/", max_length=200, blank=True)
    filename = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=60, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.token}"

    @property
    def finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)
