"""Operational data (DOMAIN.md "Data we ingest"), the targets it is judged against, and its imports.

Every imported row has a unique external id (its id in the source system): re-importing a file
updates rows instead of duplicating them. Day and month columns are stored at import so grouping
by period never truncates timestamps row by row at query time.
"""

from datetime import date

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from journeys.models import Channel


class Customer(models.Model):
    external_id = models.CharField(_("customer id"), max_length=64, unique=True)
    acquired_at = models.DateTimeField(_("acquired"))
    acquired_month = models.DateField(_("acquisition month"), db_index=True)  # first day, local time
    acquisition_cost = models.DecimalField(_("acquisition cost"), max_digits=14, decimal_places=2, default=0)
    segment = models.CharField(_("segment"), max_length=60, blank=True, db_index=True)
    churned_at = models.DateTimeField(_("churned"), null=True, blank=True)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        constraints = [
            models.CheckConstraint(condition=models.Q(acquisition_cost__gte=0), name="customer_cost_positive")
        ]

    def __str__(self) -> str:
        return self.external_id


class Interaction(models.Model):
    """A complaint, request, call, chat or delivery at a touchpoint: opened, maybe answered, maybe resolved."""

    # The biggest table, written in bulk: every index and per-row check costs on each imported row, so
    # it has only what reads need. The id's uniqueness is a constraint (no second pattern-matching
    # index); customer and touchpoint are checked set-based by the import, under a table lock (see
    # metrics.imports.pipeline), and PROTECT still guards deletes through the ORM.
    external_id = models.CharField(_("interaction id"), max_length=64)
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="interactions", db_constraint=False, db_index=False
    )
    touchpoint = models.ForeignKey(
        "journeys.Touchpoint",
        on_delete=models.PROTECT,
        related_name="interactions",
        db_constraint=False,
        db_index=False,  # interaction_tp_day leads with it
    )
    kind = models.CharField(_("kind"), max_length=40, blank=True)
    opened_at = models.DateTimeField(_("opened"))
    opened_day = models.DateField(_("opened on"))
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    # Exact durations in seconds, stored at import (resolution − opening), so rollups need no date math.
    resolution_seconds = models.BigIntegerField(null=True, blank=True)
    first_response_seconds = models.BigIntegerField(null=True, blank=True)
    cost = models.DecimalField(_("cost"), max_digits=12, decimal_places=2, null=True, blank=True)
    csat = models.PositiveSmallIntegerField(
        _("CSAT"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )

    class Meta:
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")
        indexes = [
            # Covering the durations: a touchpoint's percentiles over any span (its figures page) are read
            # from the index alone (PostgreSQL), not from a heap page per case — 1.6 s → ms at 10M rows.
            models.Index(
                fields=["touchpoint", "opened_day"],
                include=["resolution_seconds", "first_response_seconds"],
                name="interaction_tp_day",
            ),
            models.Index(fields=["opened_day"], name="interaction_day"),  # a recompute chunk reads one month
            # Open cases (about 1 %): an incremental run looks for young ones without scanning the table.
            models.Index(fields=["opened_at"], condition=models.Q(resolved_at__isnull=True), name="interaction_open"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["external_id"], name="interaction_external_id_unique"),
            models.CheckConstraint(
                condition=models.Q(resolution_seconds__isnull=True) | models.Q(resolution_seconds__gte=0),
                name="interaction_resolved_after",
            ),
            models.CheckConstraint(
                condition=models.Q(first_response_seconds__isnull=True) | models.Q(first_response_seconds__gte=0),
                name="interaction_answered_after",
            ),
            models.CheckConstraint(
                condition=models.Q(csat__isnull=True) | models.Q(csat__range=(1, 5)), name="interaction_csat_range"
            ),
        ]

    def __str__(self) -> str:
        return self.external_id


class Transaction(models.Model):
    external_id = models.CharField(_("transaction id"), max_length=64, unique=True)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="transactions")
    occurred_at = models.DateTimeField(_("occurred"))
    occurred_day = models.DateField(_("day"), db_index=True)
    occurred_month = models.DateField(_("month"))  # first day, local time: cohorts group by it
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("transaction")
        verbose_name_plural = _("transactions")
        indexes = [models.Index(fields=["customer", "occurred_day"], name="transaction_customer_day")]

    def __str__(self) -> str:
        return self.external_id


class SurveyResponse(models.Model):
    external_id = models.CharField(_("response id"), max_length=64, unique=True)
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    touchpoint = models.ForeignKey(
        "journeys.Touchpoint", null=True, blank=True, on_delete=models.PROTECT, related_name="survey_responses"
    )
    journey = models.ForeignKey(
        "journeys.Journey", null=True, blank=True, on_delete=models.SET_NULL, related_name="survey_responses"
    )
    submitted_at = models.DateTimeField(_("submitted"))
    submitted_day = models.DateField(_("day"), db_index=True)
    nps = models.PositiveSmallIntegerField(_("NPS score"), null=True, blank=True)
    csat = models.PositiveSmallIntegerField(_("CSAT"), null=True, blank=True)
    ces = models.PositiveSmallIntegerField(_("CES"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(nps__isnull=True) | models.Q(nps__range=(0, 10)), name="survey_nps_range"
            ),
            models.CheckConstraint(
                condition=models.Q(csat__isnull=True) | models.Q(csat__range=(1, 5)), name="survey_csat_range"
            ),
            models.CheckConstraint(
                condition=models.Q(ces__isnull=True) | models.Q(ces__range=(1, 7)), name="survey_ces_range"
            ),
        ]

    def __str__(self) -> str:
        return self.external_id


class ServiceTarget(models.Model):
    """A touchpoint's service-level target: `target_share` of interactions resolved within `threshold_days`."""

    touchpoint = models.OneToOneField("journeys.Touchpoint", on_delete=models.CASCADE, related_name="service_target")
    threshold_days = models.PositiveSmallIntegerField(_("within (days)"), validators=[MinValueValidator(1)])
    target_share = models.DecimalField(
        _("target share"),
        max_digits=5,
        decimal_places=4,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text=_("E.g. 0.9 for 90 %."),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("service-level target")
        verbose_name_plural = _("service-level targets")
        constraints = [
            models.CheckConstraint(condition=models.Q(threshold_days__gte=1), name="target_threshold_positive"),
            models.CheckConstraint(condition=models.Q(target_share__range=(0, 1)), name="target_share_range"),
        ]

    def __str__(self) -> str:
        return f"{self.touchpoint}: {self.target_share:.0%} ≤ {self.threshold_days} d"


class ChannelCost(models.Model):
    """What an interaction costs in a channel when the row itself has no cost (service cost S)."""

    channel = models.CharField(_("channel"), max_length=20, choices=Channel, unique=True)
    default_cost = models.DecimalField(_("cost per interaction"), max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("channel cost")
        verbose_name_plural = _("channel costs")
        ordering = ["channel"]
        constraints = [models.CheckConstraint(condition=models.Q(default_cost__gte=0), name="channel_cost_positive")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()}: {self.default_cost}"


class DataImport(models.Model):
    """One file brought in (browser, command line or API): what it was, who, how it went, what was wrong."""

    class Kind(models.TextChoices):
        CUSTOMERS = "customers", _("Customers")
        INTERACTIONS = "interactions", _("Interactions")
        TRANSACTIONS = "transactions", _("Transactions")
        SURVEY_RESPONSES = "survey_responses", _("Survey responses")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Imported")
        FAILED = "failed", _("Refused")

    class Via(models.TextChoices):
        WEB = "web", _("browser")
        CLI = "cli", _("command line")
        API = "api", _("API")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    file_name = models.CharField(_("file"), max_length=255)
    file = models.FileField(upload_to="imports/%Y/%m/", max_length=255, blank=True)
    file_size = models.BigIntegerField(_("size"), default=0)
    via = models.CharField(max_length=10, choices=Via, default=Via.WEB)
    valid_rows_only = models.BooleanField(
        _("import valid rows only"),
        default=False,
        help_text=_("Rows with errors are skipped instead of refusing the file."),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)  # 0–100, for the progress bar
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_created = models.PositiveIntegerField(_("new"), default=0)
    rows_updated = models.PositiveIntegerField(_("updated"), default=0)
    rows_skipped = models.PositiveIntegerField(_("skipped"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    errors = models.JSONField(default=list, blank=True)  # [{"row": 12, "column": "opened_at", "message": …}]
    message = models.TextField(blank=True)
    # Months (YYYY-MM-01) of opened days the import wrote or changed: what the incremental recompute redoes.
    touched_months = models.JSONField(default=list, blank=True)
    touched_days = models.JSONField(default=list, blank=True)  # ISO dates: what an incremental run rebuilds
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("data import")
        verbose_name_plural = _("data imports")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.file_name}"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)

    @property
    def rows_unchanged(self) -> int:
        """Rows identical to their stored record: the merge leaves them alone."""
        if self.status != self.Status.SUCCEEDED:
            return 0
        return max(0, self.rows_total - self.rows_created - self.rows_updated - self.rows_skipped)


# Staging: rows of an import that passed the row checks, waiting for the one transaction that merges
# them into the tables above (INSERT … SELECT … ON CONFLICT). Ids of referenced rows are plain integers.


class StagedRow(models.Model):
    data_import = models.ForeignKey(DataImport, on_delete=models.CASCADE, related_name="+")
    row_number = models.PositiveIntegerField()
    external_id = models.CharField(max_length=64)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"row {self.row_number}: {self.external_id}"


class StagedCustomer(StagedRow):
    acquired_at = models.DateTimeField()
    acquired_month = models.DateField()
    acquisition_cost = models.DecimalField(max_digits=14, decimal_places=2)
    segment = models.CharField(max_length=60, blank=True)
    churned_at = models.DateTimeField(null=True)


class StagedInteraction(StagedRow):
    customer_id = models.BigIntegerField()
    touchpoint_id = models.BigIntegerField()
    kind = models.CharField(max_length=40, blank=True)
    opened_at = models.DateTimeField()
    opened_day = models.DateField()
    first_response_at = models.DateTimeField(null=True)
    resolved_at = models.DateTimeField(null=True)
    resolution_seconds = models.BigIntegerField(null=True)
    first_response_seconds = models.BigIntegerField(null=True)
    cost = models.DecimalField(max_digits=12, decimal_places=2, null=True)
    csat = models.PositiveSmallIntegerField(null=True)


class StagedTransaction(StagedRow):
    customer_id = models.BigIntegerField()
    occurred_at = models.DateTimeField()
    occurred_day = models.DateField()
    occurred_month = models.DateField()
    amount = models.DecimalField(max_digits=14, decimal_places=2)


class StagedSurveyResponse(StagedRow):
    customer_id = models.BigIntegerField(null=True)
    touchpoint_id = models.BigIntegerField(null=True)
    journey_id = models.BigIntegerField(null=True)
    submitted_at = models.DateTimeField()
    submitted_day = models.DateField()
    nps = models.PositiveSmallIntegerField(null=True)
    csat = models.PositiveSmallIntegerField(null=True)
    ces = models.PositiveSmallIntegerField(null=True)
    comment = models.TextField(blank=True)


# Rollups -----------------------------------------------------------------------------------------

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
    chunks (a month of opened days each); each chunk replaces its slice in one transaction."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Done")
        FAILED = "failed", _("Failed")

    full = models.BooleanField(default=True)
    as_of = models.DateTimeField()
    # Incremental runs after an import: the opened days whose interactions changed (ISO dates); the
    # periods holding them get their percentiles re-ranked, the others keep theirs. None: all.
    touched_days = models.JSONField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status, default=Status.RUNNING)
    chunks_total = models.PositiveIntegerField(default=0)
    chunks_done = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"run {self.pk} ({self.status})"


class MetricsChunk(models.Model):
    """A slice of a run: the month of opened days it rebuilds. `done_at` is set in the transaction that
    replaced the slice, so a rerun skips what is done and redoes what is not."""

    run = models.ForeignKey(MetricsRun, on_delete=models.CASCADE, related_name="chunks")
    month = models.DateField(null=True)  # None: the last chunk, the period rollups (metrics.periods)
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


class LoyaltyLink(models.Model):
    """The service–loyalty link at one touchpoint (metrics.loyalty): of the customers whose case there
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
    """What a barrier's service breaches put at stake (metrics.stakes), as of the last full recompute:
    customers who suffered a breach at its touchpoints in the last year, the pooled service–loyalty
    link of those touchpoints, and the CLV it is multiplied by."""

    barrier = models.OneToOneField("barriers.Barrier", on_delete=models.CASCADE, related_name="stake")
    affected = models.PositiveIntegerField(default=0)
    breached_n = models.PositiveIntegerField(default=0)
    breached_retained = models.PositiveIntegerField(default=0)
    clean_n = models.PositiveIntegerField(default=0)
    clean_retained = models.PositiveIntegerField(default=0)
    clv = models.FloatField(null=True)  # overall CLV of the last year; None: no customer data
    # The figure and its range (metrics.stakes.Stake), stored so lists can rank barriers by it.
    value = models.FloatField(null=True)
    value_low = models.FloatField(null=True)
    value_high = models.FloatField(null=True)
    small_n = models.BooleanField(default=False)
    as_of = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.barrier_id}: {self.affected} affected"


class CustomerDay(models.Model):
    """The customer population of one segment on one local day, as of the last full recompute
    (metrics.customer_days): enough to give customer value over any run of whole days exactly, from
    a few hundred rows instead of every customer and transaction.

    A customer enters at acquired_at and leaves at their churn date (metrics.value); only customers
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
    as_of = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "segment"], name="customer_day_unique")]
        indexes = [models.Index(fields=["month", "segment"], name="customer_day_month")]

    def __str__(self) -> str:
        return f"{self.day}/{self.segment}"


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


class ObservedRun(models.Model):
    """One computation of the paths customers really take (metrics.observed): with which gap, as of
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
