"""Whole-history analyses, rebuilt by full recomputes: the service–loyalty link per touchpoint,
each barrier's value at stake, and the paths customers really take (observed journeys)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .. import stake_reasons


class LoyaltyLink(models.Model):
    """The service–loyalty link at one touchpoint (metrics.figures.loyalty): of the customers whose case there
    was decided against the touchpoint's target long enough ago to follow them for a year, how many
    of those who suffered a breach, and of those who did not, were still customers a year later."""

    touchpoint = models.OneToOneField("journeys.Touchpoint", on_delete=models.CASCADE, related_name="loyalty_link")
    threshold_days = models.PositiveSmallIntegerField()  # the target's T when computed
    follow_days = models.PositiveSmallIntegerField()
    breached_n = models.PositiveIntegerField(default=0)
    breached_retained = models.PositiveIntegerField(default=0)
    clean_n = models.PositiveIntegerField(default=0)
    clean_retained = models.PositiveIntegerField(default=0)
    as_of = models.DateTimeField()

    def __str__(self) -> str:
        breached, clean = f"{self.breached_retained}/{self.breached_n}", f"{self.clean_retained}/{self.clean_n}"
        return f"{self.touchpoint_id}: {breached} vs {clean}"


class BarrierStake(models.Model):
    """What a barrier's service breaches put at stake (metrics.figures.stakes), as of the last full recompute:
    customers who suffered a breach at its touchpoints in the last year, the pooled service–loyalty
    link of those touchpoints, and the CLV it is multiplied by."""

    barrier = models.OneToOneField("barriers.Barrier", on_delete=models.CASCADE, related_name="stake")
    # Its touchpoints (own and its steps'), and how many of them have a target: when nothing is at
    # stake, pages say which input is missing.
    touchpoints = models.PositiveIntegerField(default=0)
    target_touchpoints = models.PositiveIntegerField(default=0)
    affected = models.PositiveIntegerField(default=0)
    breached_n = models.PositiveIntegerField(default=0)
    breached_retained = models.PositiveIntegerField(default=0)
    clean_n = models.PositiveIntegerField(default=0)
    clean_retained = models.PositiveIntegerField(default=0)
    clv = models.FloatField(null=True)  # overall CLV of the last year; None: no customer data
    # The figure and its range (metrics.figures.stakes.Stake), stored so lists can rank barriers by it.
    value = models.FloatField(null=True)
    value_low = models.FloatField(null=True)
    value_high = models.FloatField(null=True)
    small_n = models.BooleanField(default=False)
    as_of = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.barrier_id}: {self.affected} affected"

    @property
    def missing(self) -> str | None:
        """Why there is no figure (metrics.stake_reasons); None when there is one."""
        if self.value is not None:
            return None
        return stake_reasons.missing_input(
            computed=True, touchpoints=self.touchpoints, target_touchpoints=self.target_touchpoints, clv=self.clv,
            breached_n=self.breached_n, clean_n=self.clean_n,
        )  # fmt: skip

    @property
    def zero_because(self) -> str | None:
        """Why the figure is 0 (metrics.stake_reasons); None when it is not."""
        if self.missing or self.small_n:
            return None
        return stake_reasons.zero_because(affected=self.affected, value=self.value, clv=self.clv)

    @property
    def explanation(self) -> str:
        key = self.missing or self.zero_because
        return str(stake_reasons.EXPLAINED[key]) if key else ""


class ObservedRun(models.Model):
    """One computation of the paths customers really take (metrics.figures.observed): with which gap, as of
    when, how it went. The latest succeeded one is what the observed-journeys page shows."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    gap_days = models.PositiveSmallIntegerField(
        _("gap (days)"), default=30, validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    as_of = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status, default=Status.RUNNING)
    interactions = models.PositiveIntegerField(default=0)
    customers = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(null=True)
    message = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.gap_days} d as of {self.as_of:%Y-%m-%d}: {self.status}"


class ObservedStep(models.Model):
    """From one touchpoint, where customers' next contact went (as of the latest ObservedRun): to
    another touchpoint within the gap, back to the same one (a repeat), or nowhere (they dropped off:
    no contact within the gap). `starts` counts contacts that began a path (none in the gap before)."""

    source = models.ForeignKey("journeys.Touchpoint", on_delete=models.CASCADE, related_name="+")
    target = models.ForeignKey("journeys.Touchpoint", null=True, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8)  # "next", "repeat" or "end"
    contacts = models.PositiveIntegerField(default=0)
    customers = models.PositiveIntegerField(default=0)
    starts = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["source", "kind"], name="observed_step_source"),
            models.Index(fields=["kind", "-contacts"], name="observed_step_frequent"),  # the top transitions
        ]

    def __str__(self) -> str:
        return f"{self.source_id} → {self.target_id or self.kind}: {self.contacts}"
