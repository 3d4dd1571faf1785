"""Rollups: the stored figures every page and report reads, written by the recompute runs
(metrics.rollups). Service-level counts by day (ServiceDay, ServiceKindDay) and by period
(ServicePeriod, SurveyPeriod); the customer population by day (CustomerDay, CohortActivity); the
runs themselves. How a service level follows from the counts: metrics.figures.service_level."""

from datetime import date

from django.db import models
from django.utils.translation import gettext_lazy as _

THRESHOLD_DAYS = (1, 3, 5, 10)  # the service-level thresholds every figure is shown at (DOMAIN.md)


class ServiceCounts(models.Model):
    """The counts every service-level figure is derived from, for a set of interactions, as of the
    recompute that wrote them (`as_of`).

    For a threshold T: within_T = resolved in ≤ T days; open_older_T = still open and opened more
    than T days before as_of. So eligible(T) = resolved + open_older_T and SL(T) = within_T / eligible(T),
    exactly, at any coarser grouping (sums of these columns). Against each interaction's touchpoint
    target: within_target / (resolved_with_target + open_older_target)."""

    day = models.DateField()
    opened = models.PositiveIntegerField(default=0)
    resolved = models.PositiveIntegerField(default=0)
    within_1 = models.PositiveIntegerField(default=0)
    within_3 = models.PositiveIntegerField(default=0)
    within_5 = models.PositiveIntegerField(default=0)
    within_10 = models.PositiveIntegerField(default=0)
    open_older_1 = models.PositiveIntegerField(default=0)
    open_older_3 = models.PositiveIntegerField(default=0)
    open_older_5 = models.PositiveIntegerField(default=0)
    open_older_10 = models.PositiveIntegerField(default=0)
    resolved_with_target = models.PositiveIntegerField(default=0)  # of interactions whose touchpoint has one
    within_target = models.PositiveIntegerField(default=0)
    open_older_target = models.PositiveIntegerField(default=0)
    resolution_seconds_sum = models.BigIntegerField(default=0)
    first_response_n = models.PositiveIntegerField(default=0)
    first_response_seconds_sum = models.BigIntegerField(default=0)
    csat_n = models.PositiveIntegerField(default=0)
    csat_good = models.PositiveIntegerField(default=0)  # 4 or 5
    as_of = models.DateTimeField()

    class Meta:
        abstract = True


class ServiceDay(ServiceCounts):
    """The fine grain of service figures: interactions of one touchpoint opened on one day. Derived
    data, rebuilt by every recompute: no database foreign key (its check on every inserted row was a
    large share of the recompute), the touchpoint's deletion still cascades through Django."""

    touchpoint = models.ForeignKey(
        "journeys.Touchpoint", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    # The touchpoint's target threshold when the row was written (None: no target then).
    target_days = models.PositiveSmallIntegerField(null=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["touchpoint", "day"], name="service_day_unique")]
        indexes = [models.Index(fields=["day"], name="service_day_day")]

    def __str__(self) -> str:
        return f"{self.touchpoint_id}/{self.day}"


class ServiceKindDay(ServiceCounts):
    """Interactions of one kind (complaint, request, …) opened on one day, over all touchpoints: kept
    apart from ServiceDay so the daily grain stays touchpoints × days, not × kinds."""

    kind = models.CharField(max_length=40, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "day"], name="service_kind_day_unique")]

    def __str__(self) -> str:
        return f"{self.kind}/{self.day}"


class MetricsRun(models.Model):
    """One recompute: full (nightly, on demand) or incremental (after an import). Work is split into
    chunks (a month of opened days each); each chunk replaces its slice in one transaction.

    One run at a time (metrics.rollups.runs.request): a request while one runs waits as the one queued
    run, which later requests join; it is planned (as_of, chunks) when it starts."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for the running recompute")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Done")
        FAILED = "failed", _("Failed")

    full = models.BooleanField(default=True)
    # An incremental run after an import of customers, transactions or interactions updates the
    # customer-value rollup and value at stake too (full runs always rebuild them): by the customers
    # the imports touched (CustomerTouch) and the days whose money changed (money_days, ISO dates) —
    # or whole, with customers_full (a channel's default cost changed; a big import).
    customers = models.BooleanField(default=False)
    customers_full = models.BooleanField(default=False)
    money_days = models.JSONField(null=True, blank=True)
    as_of = models.DateTimeField()  # of a queued run: when it was asked for; set again when it starts…
    as_of_asked = models.BooleanField(default=False)  # …unless the request named the moment
    # Incremental runs after an import: the opened days whose interactions changed (ISO dates); the
    # periods holding them get their percentiles re-ranked, the others keep theirs. None: all.
    touched_days = models.JSONField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status, default=Status.RUNNING)
    chunks_total = models.PositiveIntegerField(default=0)
    chunks_done = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)
    # Seconds per part (daily rollups, periods, customer value, …): wall and the database's CPU,
    # added up over the chunks as they commit (metrics.rollups.sql.Timings).
    timings = models.JSONField(default=dict, blank=True)
    # A queued run's request, until it starts: the days and whole months to rebuild (ISO dates).
    requested_days = models.JSONField(null=True, blank=True)
    requested_months = models.JSONField(null=True, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    # Set as each chunk starts: with the worker's advisory lock gone (cxhub.lib.jobs), an old
    # heartbeat means the worker died, and the sweeper resumes the run.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        constraints = [
            # One run at a time, and at most one waiting: what runs.request relies on.
            models.UniqueConstraint(fields=["status"], condition=models.Q(status="running"), name="one_running_run"),
            models.UniqueConstraint(fields=["status"], condition=models.Q(status="queued"), name="one_queued_run"),
        ]

    def __str__(self) -> str:
        return f"run {self.pk} ({self.status})"


class MetricsChunk(models.Model):
    """A slice of a run: the month of opened days it rebuilds. `done_at` is set in the transaction that
    replaced the slice, so a rerun skips what is done and redoes what is not."""

    run = models.ForeignKey(MetricsRun, on_delete=models.CASCADE, related_name="chunks")
    month = models.DateField(null=True)  # None: the last chunk, the period rollups (metrics.rollups.periods)
    days = models.JSONField(null=True, blank=True)  # the month's days to rebuild (ISO dates); None: all
    attempts = models.PositiveSmallIntegerField(default=0)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "month"], name="metrics_chunk_unique")]
        ordering = ["month"]

    def __str__(self) -> str:
        return f"{self.run_id}/{self.month}"


class Grain(models.TextChoices):
    WEEK = "week", _("ISO week")
    MONTH = "month", _("Month")
    ALL = "all", _("All time")


class Dimension(models.TextChoices):
    OVERALL = "overall", _("Overall")
    TOUCHPOINT = "touchpoint", _("Touchpoint")
    DEPARTMENT = "department", _("Department")
    CHANNEL = "channel", _("Channel")
    KIND = "kind", _("Kind")


ALL_TIME = date(1, 1, 1)  # period_start of the all-time grain


class PeriodGroup(models.Model):
    """Which figures a period row holds: a grain, the period's start and a group (`key` holds the
    touchpoint or department id, the channel or the kind; empty overall)."""

    grain = models.CharField(max_length=5, choices=Grain)
    period_start = models.DateField()  # Monday of the week, first of the month, or ALL_TIME
    dimension = models.CharField(max_length=10, choices=Dimension)
    key = models.CharField(max_length=64, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.grain}/{self.period_start}/{self.dimension}/{self.key}"


class ServicePeriod(PeriodGroup):
    """Service figures of one group (overall, a touchpoint, department, channel or kind — `key` holds
    the id, channel or kind) in one ISO week, month or all time, by interactions' opened day.

    Counts are sums of ServiceDay, or ServiceKindDay for kinds (so shares stay exact). Percentiles
    are nearest-rank over the period's interactions themselves, exact, for weeks and months; the
    all-time row leaves them empty (they would need every interaction on every run, and are computed
    on request instead). Each figure comes with its n."""

    opened = models.PositiveIntegerField(default=0)
    resolved = models.PositiveIntegerField(default=0)
    within_1 = models.PositiveIntegerField(default=0)
    within_3 = models.PositiveIntegerField(default=0)
    within_5 = models.PositiveIntegerField(default=0)
    within_10 = models.PositiveIntegerField(default=0)
    eligible_1 = models.PositiveIntegerField(default=0)
    eligible_3 = models.PositiveIntegerField(default=0)
    eligible_5 = models.PositiveIntegerField(default=0)
    eligible_10 = models.PositiveIntegerField(default=0)
    # Against each touchpoint's own target, summed over the touchpoints of the group that have one.
    within_target = models.PositiveIntegerField(default=0)
    eligible_target = models.PositiveIntegerField(default=0)
    resolution_seconds_sum = models.BigIntegerField(default=0)  # mean = sum / resolved
    resolution_p50 = models.BigIntegerField(null=True)  # seconds; None when nothing was resolved
    resolution_p80 = models.BigIntegerField(null=True)
    resolution_p90 = models.BigIntegerField(null=True)
    first_response_n = models.PositiveIntegerField(default=0)
    first_response_seconds_sum = models.BigIntegerField(default=0)
    first_response_p50 = models.BigIntegerField(null=True)
    first_response_p90 = models.BigIntegerField(null=True)
    csat_n = models.PositiveIntegerField(default=0)  # CSAT given on the interaction itself
    csat_good = models.PositiveIntegerField(default=0)
    as_of = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["grain", "dimension", "key", "period_start"], name="service_period_unique")
        ]
        indexes = [models.Index(fields=["grain", "period_start"], name="service_period_start")]


class SurveyPeriod(PeriodGroup):
    """Survey answers of one group (overall, touchpoint, department, channel) in one ISO week, month
    or all time, by submitted day: NPS, CSAT and CES, each with its own n."""

    nps_n = models.PositiveIntegerField(default=0)
    promoters = models.PositiveIntegerField(default=0)  # 9–10
    detractors = models.PositiveIntegerField(default=0)  # 0–6
    csat_n = models.PositiveIntegerField(default=0)
    csat_good = models.PositiveIntegerField(default=0)  # 4–5
    ces_n = models.PositiveIntegerField(default=0)
    ces_sum = models.BigIntegerField(default=0)
    as_of = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["grain", "dimension", "key", "period_start"], name="survey_period_unique")
        ]


class CustomerDay(models.Model):
    """The customer population of one segment on one local day, as of the last full recompute
    (metrics.rollups.customer_days): enough to give customer value over any run of whole days exactly, from
    a few hundred rows instead of every customer and transaction.

    A customer enters at acquired_at and leaves at their churn date (metrics.figures.customer_value); only customers
    whose churn date is after their acquisition ever count as active. The day containing as_of ends
    at as_of."""

    day = models.DateField()
    month = models.DateField()  # first day of the day's month: over-time charts group by it
    segment = models.CharField(max_length=60, blank=True)
    active_at_start = models.PositiveIntegerField(default=0)  # acquired before the day, churn date after its start
    entered = models.PositiveIntegerField(default=0)  # acquired on the day (and ever active)
    exposure_seconds = models.FloatField(default=0)  # Σ seconds customers were active on the day
    churned = models.PositiveIntegerField(default=0)  # churn date on the day, after acquisition
    acquired = models.PositiveIntegerField(default=0)  # every customer acquired on the day: the n of A
    acquisition_cost = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    revenue = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    service_cost = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    # The day's events as sums, exact, so an incremental run can add a few customers' changes to
    # them and derive the day again (metrics.rollups.customer_days): Σ epoch seconds of the entries
    # and of the churn dates, and the churn dates exactly at the day's start.
    entered_epoch = models.DecimalField(max_digits=30, decimal_places=6, default=0)
    churned_epoch = models.DecimalField(max_digits=30, decimal_places=6, default=0)
    churned_at_midnight = models.PositiveIntegerField(default=0)
    as_of = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "segment"], name="customer_day_unique")]
        indexes = [models.Index(fields=["month", "segment"], name="customer_day_month")]

    def __str__(self) -> str:
        return f"{self.day}/{self.segment}"


class CustomerState(models.Model):
    """Each customer as the customer-value rollup last counted them: the inputs of their churn date and
    the moment the rollup did (as_of). An incremental run takes a changed customer's old share out of
    CustomerDay from here and puts the new one in; `next_change_at` (their acquisition or churn date
    still ahead of as_of) finds, by index, the customers whose share changes as time passes."""

    customer_id = models.BigIntegerField(primary_key=True)  # no reference: a rollup, rebuilt wholesale
    segment = models.CharField(max_length=60, blank=True)
    acquired_at = models.DateTimeField()
    acquisition_cost = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    churned_at = models.DateTimeField(null=True)
    last_purchase_at = models.DateTimeField(null=True)
    next_change_at = models.DateTimeField(null=True, db_index=True)
    as_of = models.DateTimeField()

    def __str__(self) -> str:
        return f"customer {self.customer_id} as of {self.as_of}"


class CustomerTouch(models.Model):
    """A customer an import created or changed, or whose transactions it changed, since the last run
    counted them (written by metrics.ingest.merge, consumed by the next run's customer part)."""

    # A file with more rows records none: its recompute rebuilds the customer figures whole (as fast).
    LIMIT = 50_000

    customer_id = models.BigIntegerField(primary_key=True)

    def __str__(self) -> str:
        return f"customer {self.customer_id}"


class CohortActivity(models.Model):
    """Distinct customers of one acquisition month and segment with a transaction in a later month
    (cohort retention's numerator; its sizes are CustomerDay.acquired), as of the last full recompute."""

    cohort_month = models.DateField()
    month = models.DateField()
    segment = models.CharField(max_length=60, blank=True)
    customers = models.PositiveIntegerField(default=0)
    as_of = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cohort_month", "month", "segment"], name="cohort_activity_unique")
        ]

    def __str__(self) -> str:
        return f"{self.cohort_month}→{self.month}/{self.segment}: {self.customers}"
