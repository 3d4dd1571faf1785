"""Imports: one file brought in, and the rows that passed its checks waiting to be merged."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cxhub.lib.messages import render


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
    # The file itself is kept for METRICS_IMPORT_FILE_DAYS after the import finished, then deleted
    # (metrics.ingest.retention); the record, its report and its figures stay.
    file_removed_at = models.DateTimeField(_("file deleted"), null=True, blank=True)
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
    # [{"row": 12, "column": "opened_at", "message": {"text": <English message id>, "params": {…}}}]: kept
    # untranslated and shown in each reader's language (metrics.ingest.problems); older rows hold text.
    errors = models.JSONField(default=list, blank=True)
    message = models.TextField(blank=True)  # the English message id (or, in older rows, finished text)
    message_params = models.JSONField(null=True, blank=True)  # its parameters: {"params", "plural", "count"}
    # Months (YYYY-MM-01) of opened days the import wrote or changed: what the incremental recompute redoes.
    touched_months = models.JSONField(default=list, blank=True)
    touched_days = models.JSONField(default=list, blank=True)  # ISO dates: what an incremental run rebuilds
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    # Set with each progress update: with the worker's advisory lock gone (cxhub.lib.jobs), an old
    # heartbeat means the worker died mid-import, and the sweeper marks the import failed.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Failed for a reason the file is not to blame for (the worker was lost, a time limit): worth a retry.
    retryable = models.BooleanField(default=False)
    # Times a worker has started it: a file that stops its worker (killed at the time limit, out of
    # memory) would otherwise be redelivered to the next worker for ever (metrics.ingest.pipeline).
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("data import")
        verbose_name_plural = _("data imports")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.file_name}"

    @property
    def message_text(self) -> str:
        """Why it failed, in the active language (kept untranslated: cxhub.lib.messages)."""
        if self.message_params:
            return render({"text": self.message, **self.message_params})
        return render(self.message)

    @property
    def problems(self) -> list[dict]:
        """The problems found, each {"row", "column", "message"} with the message in the active language."""
        return [{**error, "message": render(error.get("message"))} for error in self.errors]

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
