from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    """What a notification is about; people turn e-mail on or off per kind."""

    BARRIER_ASSIGNED = "barrier_assigned", _("A barrier is assigned to my department")
    BARRIER_STATUS = "barrier_status", _("A barrier I work on changes status")
    BARRIER_OVERDUE = "barrier_overdue", _("My department's overdue barriers (daily digest)")
    MENTION = "mention", _("Someone mentions me in a comment")
    COMMENT = "comment", _("A reply in a comment thread I take part in")
    REVIEW_DUE = "review_due", _("Journeys I own are due for review (weekly digest)")


class Notification(models.Model):
    """One thing to tell one person: shown under the bell, and an e-mail when `email` is set, written
    in the same transaction as what caused it (an outbox).

    `key` is unique per event and recipient, so an event notifies each person once however often the
    code around it is retried; `sent_at` is set in the transaction that sends the e-mail."""

    key = models.CharField(max_length=200, unique=True)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    subject = models.CharField(max_length=250)
    body = models.TextField()
    url = models.CharField(max_length=500, blank=True, help_text="Where the notification leads (a path).")
    email = models.BooleanField(default=True, help_text="Whether to e-mail it (the reader's preference).")
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["sent_at"], name="notifications_unsent"),
            models.Index(fields=["recipient", "read_at"], name="notifications_unread"),
            models.Index(fields=["recipient", "-created_at"], name="notifications_recent"),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def title(self) -> str:
        """The subject as the bell's list shows it (an e-mail's "[CX Hub]" tag says nothing in the app)."""
        return self.subject.removeprefix("[CX Hub] ")


class EmailPreference(models.Model):
    """A person's choice to get (or not) e-mail for one kind; no row means yes."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    email = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="one_email_preference_per_kind")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}: {self.email}"
