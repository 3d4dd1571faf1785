"""Barriers: what stops customers from easily choosing us, loving us and recommending us (DOMAIN.md),
the research they come from, and everything that happens to them on the way to being verified."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Method(models.TextChoices):
    """How a study finds barriers; a barrier's source is one of these."""

    INTERVIEWS = "interviews", _("In-depth interviews")
    SOCIAL_MEDIA = "social_media", _("Social-media monitoring")
    MYSTERY_SHOPPING = "mystery_shopping", _("Mystery shopping")
    COMPLAINTS = "complaints", _("Complaint analysis")
    SURVEY = "survey", _("Survey")
    OPERATIONAL_DATA = "operational_data", _("Operational data")


class ResearchStudy(models.Model):
    """An interview series, a mystery-shopping wave, a monitoring period: where barriers are found."""

    title = models.CharField(_("title"), max_length=200)
    method = models.CharField(_("method"), max_length=20, choices=Method)
    period_start = models.DateField(_("from"), null=True, blank=True)
    period_end = models.DateField(_("to"), null=True, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(_("version"), default=1)  # optimistic concurrency
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("research study")
        verbose_name_plural = _("research studies")
        ordering = ["-period_start", "title"]
        constraints = [
            models.CheckConstraint(condition=models.Q(method__in=Method.values), name="study_method_valid"),
            models.CheckConstraint(
                condition=models.Q(period_start__isnull=True)
                | models.Q(period_end__isnull=True)
                | models.Q(period_end__gte=models.F("period_start")),
                name="study_period_ordered",
                violation_error_message=_("The period must end on or after its start."),
            ),
        ]

    def __str__(self) -> str:
        return self.title


def attachment_path(instance: "StudyAttachment", filename: str) -> str:
    # The stored name is not the uploaded one: no user-chosen paths or extensions on disk.
    return f"studies/{instance.study_id}/{instance.token}"


class StudyAttachment(models.Model):
    """A transcript, photo or checklist of a study; served only to signed-in users, as a download."""

    study = models.ForeignKey(ResearchStudy, on_delete=models.CASCADE, related_name="attachments")
    token = models.CharField(max_length=40, unique=True, editable=False)
    file = models.FileField(upload_to=attachment_path, max_length=200)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.name


class Status(models.TextChoices):
    NEW = "new", _("New")
    ACCEPTED = "accepted", _("Accepted")
    IN_PROGRESS = "in_progress", _("In progress")
    RESOLVED = "resolved", _("Resolved")
    VERIFIED = "verified", _("Verified")
    REOPENED = "reopened", _("Reopened")
    REJECTED = "rejected", _("Rejected")


OPEN_STATUSES = (Status.NEW, Status.ACCEPTED, Status.IN_PROGRESS, Status.REOPENED)
CLOSED_STATUSES = (Status.VERIFIED, Status.REJECTED)


class BarrierType(models.TextChoices):
    SERVICE_FAILURE = "service_failure", _("Service failure")
    EXPERIENCE_GAP = "experience_gap", _("Experience gap")
    CROSS_CHANNEL = "cross_channel", _("Cross-channel inconsistency")
    HAND_OFF = "hand_off", _("Process / hand-off gap")
    COMMUNICATION = "communication", _("Communication")
    PRODUCT = "product", _("Product")


class Severity(models.IntegerChoices):
    LOW = 1, _("1 · Low — an annoyance")
    MEDIUM = 2, _("2 · Medium — effort and friction")
    HIGH = 3, _("3 · High — complaints, customers think of leaving")
    CRITICAL = 4, _("4 · Critical — customers leave, money or trust lost")


SEVERITY_SHORT = {1: _("Low"), 2: _("Medium"), 3: _("High"), 4: _("Critical")}


class Barrier(models.Model):
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    type = models.CharField(_("type"), max_length=20, choices=BarrierType)
    severity = models.PositiveSmallIntegerField(_("severity"), choices=Severity, default=Severity.MEDIUM)
    customers_affected = models.PositiveIntegerField(
        _("customers affected"), null=True, blank=True, help_text=_("An estimate per year, if known.")
    )
    steps = models.ManyToManyField(
        "journeys.Step", verbose_name=_("journey steps"), blank=True, related_name="barriers"
    )
    touchpoints = models.ManyToManyField(
        "journeys.Touchpoint", verbose_name=_("touchpoints"), blank=True, related_name="barriers"
    )
    study = models.ForeignKey(
        ResearchStudy,
        verbose_name=_("research study"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="barriers",
    )
    source = models.CharField(_("source"), max_length=20, choices=Method)
    department = models.ForeignKey(
        "org.Department", verbose_name=_("assigned department"), on_delete=models.PROTECT, related_name="barriers"
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.NEW)
    resolution_plan = models.TextField(_("resolution plan"), blank=True)
    resolution_note = models.TextField(_("resolution note"), blank=True)
    rejection_reason = models.TextField(_("rejection reason"), blank=True)
    reopen_reason = models.TextField(_("reason for reopening"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="created_barriers"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status_changed_at = models.DateTimeField(_("status changed"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("barrier")
        verbose_name_plural = _("barriers")
        ordering = ["-severity", "due_date", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=Status.values), name="barrier_status_valid"),
            models.CheckConstraint(condition=models.Q(type__in=BarrierType.values), name="barrier_type_valid"),
            models.CheckConstraint(condition=models.Q(source__in=Method.values), name="barrier_source_valid"),
            models.CheckConstraint(condition=models.Q(severity__range=(1, 4)), name="barrier_severity_range"),
        ]
        indexes = [
            models.Index(fields=["department", "status"], name="barrier_department_status"),
            models.Index(fields=["status", "due_date"], name="barrier_status_due"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_past_due(self) -> bool:
        return self.is_open and self.due_date is not None and self.due_date < timezone.localdate()

    @property
    def severity_short(self) -> str:
        return str(SEVERITY_SHORT[self.severity])


class Evidence(models.Model):
    """A quote or observation that shows the barrier, with where it came from."""

    class Kind(models.TextChoices):
        QUOTE = "quote", _("Quote")
        OBSERVATION = "observation", _("Observation")
        FIGURE = "figure", _("Figure")

    barrier = models.ForeignKey(Barrier, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.QUOTE)
    text = models.TextField(_("text"))
    source = models.CharField(_("source"), max_length=200, blank=True, help_text=_("E.g. “Interview 7, 12 Nov”."))
    study = models.ForeignKey(ResearchStudy, null=True, blank=True, on_delete=models.SET_NULL, related_name="evidence")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.text[:80]

    @property
    def display_text(self) -> str:
        """A quote in quotation marks, unless it brings its own (“…”, «…»)."""
        text = self.text.strip()
        if self.kind != self.Kind.QUOTE or text[:1] in "“«\"„'":
            return text
        return f"“{text}”"


class Comment(models.Model):
    barrier = models.ForeignKey(Barrier, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.text[:80]


class Activity(models.Model):
    """The barrier's log: creation, every field change and transition, comments — who and when."""

    class Kind(models.TextChoices):
        CREATED = "created", _("created")
        CHANGED = "changed", _("changed")
        ASSIGNED = "assigned", _("assigned")
        TRANSITION = "transition", _("status")
        COMMENTED = "commented", _("commented")
        EVIDENCE = "evidence", _("evidence added")

    barrier = models.ForeignKey(Barrier, on_delete=models.CASCADE, related_name="activity")
    kind = models.CharField(max_length=20, choices=Kind)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    # {"field": [old, new]} for changes (values as shown to people); from/to for transitions.
    changes = models.JSONField(default=dict, blank=True)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["barrier", "at"], name="activity_barrier_at")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"

    @property
    def to_status_label(self) -> str:
        return str(Status(self.to_status).label) if self.to_status else ""

    @property
    def changes_shown(self) -> list[tuple[str, str, str]]:
        """(field as people call it, old, new) for each changed field."""
        return [
            (str(Barrier._meta.get_field(name).verbose_name), old, new) for name, (old, new) in self.changes.items()
        ]
