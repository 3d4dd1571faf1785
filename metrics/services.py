"""Writes of the metrics app: imports (one path for browser, command line and API), targets, costs."""

from decimal import Decimal
from typing import BinaryIO

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext as _

from journeys.models import Touchpoint

from .ingest import pipeline
from .ingest.kinds import KINDS
from .models import ChannelCost, DataImport, ServiceTarget
from .rollups import runs
from .tasks import run_import, start_recompute


def import_start(
    *,
    kind: str,
    source: BinaryIO,
    file_name: str,
    actor: User | None,
    via: str = DataImport.Via.WEB,
    valid_rows_only: bool = False,
    background: bool = True,
) -> DataImport:
    """Record an import and run it: in a Celery job (background) or right here (the command line)."""
    if actor is not None and not actor.has_perm("metrics.import_data"):
        raise PermissionDenied(_("Only CX leads import data."))
    if kind not in KINDS:
        raise ValidationError(
            {"kind": _("Unknown kind “%(kind)s”; use one of %(kinds)s.") % {"kind": kind, "kinds": ", ".join(KINDS)}}
        )
    data_import = DataImport(
        kind=kind, file_name=file_name[:255], via=via, valid_rows_only=valid_rows_only, created_by=actor
    )
    data_import.file.save(file_name.rsplit("/", 1)[-1][:100] or "upload", File(source), save=False)
    data_import.file_size = data_import.file.size
    data_import.save()
    if not background:
        finished = pipeline.run(data_import)
        assert finished is not None  # recorded just now: no other worker can hold it
        asked = runs.after_import(finished)
        if asked is not None:
            runs.finish(asked[0])  # here, or waiting for the worker doing it
        return finished
    run_import.delay_on_commit(data_import.pk)
    return data_import


def import_retry(*, data_import: DataImport, actor: User | None) -> DataImport:
    """Queue a failed, retryable import again (same file, same choices)."""
    if actor is not None and not actor.has_perm("metrics.import_data"):
        raise PermissionDenied(_("Only CX leads import data."))
    with transaction.atomic():
        retried = DataImport.objects.filter(
            pk=data_import.pk, status=DataImport.Status.FAILED, retryable=True
        ).update(
            status=DataImport.Status.QUEUED, retryable=False, attempts=0, progress=0, message="", error_count=0,
            errors=[], rows_total=0, rows_skipped=0, started_at=None, heartbeat_at=None, finished_at=None,
        )  # fmt: skip
        if not retried:
            raise ValidationError(_("Only an import that failed through no fault of its file can be retried."))
        run_import.delay_on_commit(data_import.pk)
    data_import.refresh_from_db()
    return data_import


@transaction.atomic
def target_set(*, touchpoint: Touchpoint, threshold_days: int, target_share: Decimal, actor: User) -> ServiceTarget:
    """A touchpoint's target "`target_share` within `threshold_days` days" (CX leads)."""
    if not actor.has_perm("metrics.configure_targets"):
        raise PermissionDenied(_("Only CX leads set service-level targets."))
    target = ServiceTarget.objects.filter(touchpoint=touchpoint).first() or ServiceTarget(touchpoint=touchpoint)
    threshold_changed = target.threshold_days != threshold_days
    target.threshold_days, target.target_share, target.updated_by = threshold_days, target_share, actor
    target.full_clean()
    target.save()
    if threshold_changed:
        # The rollups count "within the target" at the threshold they were written with: recount.
        start_recompute(full=True)
    return target


@transaction.atomic
def target_clear(*, touchpoint: Touchpoint, actor: User) -> None:
    """The touchpoint has no target any more (CX leads); the rollups are recounted without it."""
    if not actor.has_perm("metrics.configure_targets"):
        raise PermissionDenied(_("Only CX leads set service-level targets."))
    deleted, _rows = ServiceTarget.objects.filter(touchpoint=touchpoint).delete()
    if deleted:
        start_recompute(full=True)


@transaction.atomic
def channel_cost_set(*, channel: str, default_cost: Decimal, actor: User) -> ChannelCost:
    """What an interaction costs in a channel when its row has no cost (CX leads)."""
    if not actor.has_perm("metrics.configure_targets"):
        raise PermissionDenied(_("Only CX leads set channel costs."))
    cost = ChannelCost.objects.filter(channel=channel).first() or ChannelCost(channel=channel)
    changed = cost.default_cost != default_cost
    cost.default_cost = default_cost
    cost.full_clean()
    cost.save()
    if changed:
        # Service cost S, hence CLV and value at stake, counts interactions without a cost at this price.
        start_recompute(full=False, customers=True)
    return cost


@transaction.atomic
def channel_cost_clear(*, channel: str, actor: User) -> None:
    """A channel's interactions cost nothing unless their row says otherwise (CX leads)."""
    if not actor.has_perm("metrics.configure_targets"):
        raise PermissionDenied(_("Only CX leads set channel costs."))
    deleted, _rows = ChannelCost.objects.filter(channel=channel).delete()
    if deleted:
        start_recompute(full=False, customers=True)  # those interactions now cost nothing
