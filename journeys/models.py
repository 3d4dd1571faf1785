import re
from datetime import date

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cxhub.lib.months import shift_months


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
    version = models.PositiveIntegerField(_("version"), default=1)  # optimistic concurrency
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

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


class Persona(models.Model):
    """Who a journey is drawn for: a customer type or segment, with their goals."""

    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("short description"), blank=True)
    goals = models.TextField(_("goals"), blank=True)
    frustrations = models.TextField(_("frustrations"), blank=True)
    quote = models.CharField(_("quote"), max_length=300, blank=True, help_text=_("In the customer's own words."))
    # Served only through the persona's photo view (login required), with the type checked at upload.
    photo = models.FileField(_("photo"), upload_to="personas/", max_length=200, blank=True)
    photo_type = models.CharField(max_length=40, blank=True)
    is_archived = models.BooleanField(
        _("archived"), default=False, help_text=_("Hidden from new journeys; journeys drawn for it keep it.")
    )
    version = models.PositiveIntegerField(_("version"), default=1)  # optimistic concurrency
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("persona")
        verbose_name_plural = _("personas")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="persona_name_unique_ci")]

    def __str__(self) -> str:
        return self.name


class JourneyQuerySet(models.QuerySet["Journey"]):
    def active(self) -> "JourneyQuerySet":
        return self.exclude(status=Journey.Status.ARCHIVED)


class Journey(models.Model):
    """A customer journey map for one persona: ordered stages holding ordered steps; as-is or to-be."""

    class State(models.TextChoices):
        AS_IS = "as_is", _("As-is")
        TO_BE = "to_be", _("To-be")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        ARCHIVED = "archived", _("Archived")

    title = models.CharField(_("title"), max_length=200)
    persona = models.ForeignKey(
        Persona,
        verbose_name=_("persona"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,  # reference data: a persona in use cannot vanish under its maps
        related_name="journeys",
    )
    description = models.TextField(_("description"), blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State, default=State.AS_IS)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.DRAFT)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_journeys",
    )
    to_be_of = models.ForeignKey(
        "self",
        verbose_name=_("to-be version of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="to_be_versions",
    )

    class Cadence(models.TextChoices):
        """How often the owner checks the map against reality."""

        MONTHLY = "monthly", _("Monthly")
        QUARTERLY = "quarterly", _("Quarterly")
        HALF_YEARLY = "half_yearly", _("Half-yearly")

    review_cadence = models.CharField(_("review cadence"), max_length=12, choices=Cadence, default=Cadence.QUARTERLY)
    reviewed_at = models.DateTimeField(_("last reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    version = models.PositiveIntegerField(_("version"), default=1)  # optimistic concurrency
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = JourneyQuerySet.as_manager()

    class Meta:
        verbose_name = _("journey")
        verbose_name_plural = _("journeys")
        ordering = ["title", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(state__in=["as_is", "to_be"]), name="journey_state_valid"),
            models.CheckConstraint(
                condition=models.Q(status__in=["draft", "published", "archived"]), name="journey_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(to_be_of__isnull=True) | models.Q(state="to_be"),
                name="journey_only_to_be_improves_another",
            ),
            models.CheckConstraint(
                condition=models.Q(review_cadence__in=["monthly", "quarterly", "half_yearly"]),
                name="journey_review_cadence_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def review_due_on(self) -> date:
        """When the map is next due a check against reality: its cadence after its last review (or, never
        reviewed, after it was created)."""
        last = self.reviewed_at or self.created_at
        return shift_months(timezone.localdate(last), CADENCE_MONTHS[self.review_cadence])

    @property
    def is_due_for_review(self) -> bool:
        return self.status != self.Status.ARCHIVED and self.review_due_on <= timezone.localdate()


# Months between reviews, per cadence (journeys.selectors.due_for_review says the same in SQL).
CADENCE_MONTHS = {"monthly": 1, "quarterly": 3, "half_yearly": 6}


class Stage(models.Model):
    """A phase of a journey (awareness, choice, purchase, …); positions are dense from 0 within the journey."""

    journey = models.ForeignKey(Journey, verbose_name=_("journey"), on_delete=models.CASCADE, related_name="stages")
    name = models.CharField(_("name"), max_length=120)
    position = models.PositiveIntegerField(_("position"))
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        ordering = ["journey", "position"]
        constraints = [models.UniqueConstraint(fields=["journey", "position"], name="stage_position_unique")]

    def __str__(self) -> str:
        return self.name


class Step(models.Model):
    """One interaction in a stage, at a touchpoint: what the customer does and expects, what really happens."""

    EMOTION_MIN, EMOTION_MAX = -2, 2

    stage = models.ForeignKey(Stage, verbose_name=_("stage"), on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveIntegerField(_("position"))
    touchpoint = models.ForeignKey(
        Touchpoint,
        verbose_name=_("touchpoint"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,  # a touchpoint on a map cannot be deleted from the catalogue
        related_name="steps",
    )
    action = models.TextField(_("customer action / goal"), blank=True)
    expectation = models.TextField(_("expectation"), blank=True)
    reality = models.TextField(_("reality"), blank=True)
    emotion = models.SmallIntegerField(_("emotion"), default=0, help_text=_("From −2 (very negative) to +2."))
    is_moment_of_truth = models.BooleanField(_("moment of truth"), default=False)
    notes = models.TextField(_("notes"), blank=True)
    # The step this one was copied from (to-be versions and duplicates): how the compare view pairs steps.
    origin = models.ForeignKey(
        "self",
        verbose_name=_("copied from"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="copies",
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("step")
        verbose_name_plural = _("steps")
        ordering = ["stage", "position"]
        constraints = [
            models.UniqueConstraint(fields=["stage", "position"], name="step_position_unique"),
            models.CheckConstraint(
                condition=models.Q(emotion__range=(-2, 2)),
                name="step_emotion_range",
                violation_error_message=_("Emotion must be between −2 and +2."),
            ),
        ]

    def __str__(self) -> str:
        return self.action[:60] or gettext("Step %(number)s") % {"number": self.position + 1}

    @property
    def emotion_key(self) -> str:
        """A CSS-safe name for the score: m2, m1, 0, p1, p2."""
        return {-2: "m2", -1: "m1", 0: "0", 1: "p1", 2: "p2"}[self.emotion]

    @property
    def has_gap(self) -> bool:
        """Expectation and reality differ while the customer feels bad: the gap CX has to close."""
        return (
            bool(self.expectation and self.reality)
            and self.expectation.strip() != self.reality.strip()
            and self.emotion < 0
        )


class JourneyTemplate(models.Model):
    """A journey to start from: stages and steps with expectations and typical barriers, kept as a
    cxhub.journey document (the JSON export's `journey` part), in one language. The built-in library
    (journeys/template_library.py) has a `key`; templates saved from a map have none."""

    class Language(models.TextChoices):
        EN = "en", "English"
        RU = "ru", "Русский"

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    language = models.CharField(_("language"), max_length=5, choices=Language)
    document = models.JSONField(_("stages and steps"))
    key = models.SlugField(max_length=60, blank=True)
    stage_count = models.PositiveIntegerField(default=0)
    step_count = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("journey template")
        verbose_name_plural = _("journey templates")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["key", "language"], condition=~models.Q(key=""), name="journey_template_builtin_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_builtin(self) -> bool:
        return bool(self.key)


class CommentThread(models.Model):
    """A conversation on one step of a journey, or on the journey as a whole (no step); resolved when its
    point is settled, reopened if it comes back. A step deleted later leaves its threads on the journey,
    with the step's action as it was (`anchor`)."""

    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="threads")
    step = models.ForeignKey(Step, null=True, blank=True, on_delete=models.SET_NULL, related_name="threads")
    anchor = models.CharField(_("step"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("comment thread")
        verbose_name_plural = _("comment threads")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["journey", "resolved_at"], name="thread_open_by_journey")]

    def __str__(self) -> str:
        return f"{self.journey_id}/{self.step_id or '-'} #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


# @username in a comment, as Django usernames are spelled (letters, digits, . + - _ @), not inside an address.
MENTION = re.compile(r"(?<![\w@.])@([\w.+-]*[\w+-])")


class Comment(models.Model):
    """One message of a thread; @username in its text mentions that person (they are told)."""

    MAX_LENGTH = 4000

    thread = models.ForeignKey(CommentThread, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(_("comment"), max_length=MAX_LENGTH)
    mentions = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["mentions"])

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.text[:60]


class ShareLink(models.Model):
    """A read-only link to one journey for people without an account: the map, its print view and its
    PNG/PDF, nothing else. Only a hash of its token is kept (the link is shown once, when made); it
    expires, and can be revoked at any time."""

    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="share_links")
    token_hash = models.CharField(max_length=64, unique=True)
    hide_figures = models.BooleanField(
        _("hide service levels and barriers"), default=False, help_text=_("Only the customer's side of the map.")
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    view_count = models.PositiveIntegerField(_("views"), default=0)
    last_viewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("share link")
        verbose_name_plural = _("share links")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.journey_id} until {self.expires_at:%Y-%m-%d}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class ShareView(models.Model):
    """One opening of a share link: when, what (map, print view, PNG, PDF) and a hash of the address
    (enough to tell viewers apart, not to find them)."""

    link = models.ForeignKey(ShareLink, on_delete=models.CASCADE, related_name="views")
    viewed_at = models.DateTimeField(auto_now_add=True)
    what = models.CharField(max_length=10)
    ip_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["-viewed_at", "-pk"]
        indexes = [models.Index(fields=["link", "-viewed_at"], name="share_views_by_link")]

    def __str__(self) -> str:
        return f"{self.link_id} {self.what} {self.viewed_at:%Y-%m-%d %H:%M}"
