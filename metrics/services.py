"""Writes of the metrics app: imports (one path for browser, command line and API), targets, costs."""

from dataclasses import dataclass
from decimal import Decimal
from typing import BinaryIO

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext as _

from cxhub.lib.concurrency import StaleVersion, bump
from journeys.models import Channel, Touchpoint

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
            pk=data_import.pk, status=DataImport.Status.FAILED, retryable=True, file_removed_at__isnull=True
        ).update(
            status=DataImport.Status.QUEUED, retryable=False, attempts=0, progress=0, message="", error_count=0,
            errors=[], rows_total=0, rows_skipped=0, started_at=None, heartbeat_at=None, finished_at=None,
        )  # fmt: skip
        if not retried:
            if DataImport.objects.filter(pk=data_import.pk, file_removed_at__isnull=False).exists():
                gone = _("The file of this import is no longer kept (files go after %(days)d days): upload it again.")
                raise ValidationError(gone % {"days": settings.METRICS_IMPORT_FILE_DAYS})
            raise ValidationError(_("Only an import that failed through no fault of its file can be retried."))
        run_import.delay_on_commit(data_import.pk)
    data_import.refresh_from_db()
    return data_import


@dataclass(frozen=True)
class TargetRow:
    """One row of the targets page as the person left it: `threshold_days` and `target_share` both None
    clear the target; `expected_version` is the target's version when the page was read (0: none)."""

    touchpoint: Touchpoint
    threshold_days: int | None
    target_share: Decimal | None
    expected_version: int


@dataclass(frozen=True)
class CostRow:
    channel: str
    default_cost: Decimal | None  # None: the channel has no default cost
    expected_version: int  # 0: it had none when the page was read


class StaleRows(Exception):
    """Rows someone else changed since the page was read; nothing was saved. `stale` maps each row's
    key (touchpoint id or channel) to what happened."""

    def __init__(self, stale: dict[int | str, StaleVersion]):
        self.stale = stale
        super().__init__("; ".join(conflict.message for conflict in stale.values()))


@transaction.atomic
def targets_save(*, targets: list[TargetRow], costs: list[CostRow], actor: User) -> None:
    """Save the rows the person changed on the targets page, all or none: a row someone else changed
    since the page was read refuses the whole save (StaleRows), so nobody's change is lost; rows not
    given are not touched. One recompute at the end, of what the changes affect."""
    if not actor.has_perm("metrics.configure_targets"):
        raise PermissionDenied(_("Only CX leads set service-level targets and channel costs."))
    stale: dict[int | str, StaleVersion] = {}
    recount = reprice = False
    for row in targets:
        Touchpoint.objects.select_for_update().filter(pk=row.touchpoint.pk).first()  # one writer per row
        target = ServiceTarget.objects.filter(touchpoint=row.touchpoint).first()
        label = _("The target of “%(touchpoint)s”") % {"touchpoint": row.touchpoint.name}
        if (target.version if target else 0) != row.expected_version:
            stale[row.touchpoint.pk] = _stale(target, label)
        elif row.threshold_days is None or row.target_share is None:
            recount |= target is not None
            if target is not None:
                target.delete()
        else:
            target = target or ServiceTarget(touchpoint=row.touchpoint, version=0)
            recount |= target.threshold_days != row.threshold_days
            target.threshold_days, target.target_share = row.threshold_days, row.target_share
            bump(target, actor)
            target.full_clean()
            target.save()
    for cost_row in costs:
        cost = ChannelCost.objects.select_for_update().filter(channel=cost_row.channel).first()
        label = _("The cost of “%(channel)s”") % {"channel": Channel(cost_row.channel).label}
        if (cost.version if cost else 0) != cost_row.expected_version:
            stale[cost_row.channel] = _stale(cost, label)
        elif cost_row.default_cost is None:
            reprice |= cost is not None
            if cost is not None:
                cost.delete()
        else:
            cost = cost or ChannelCost(channel=cost_row.channel, version=0)
            reprice |= cost.default_cost != cost_row.default_cost
            cost.default_cost = cost_row.default_cost
            bump(cost, actor)
            cost.full_clean()
            cost.save()
    if stale:
        raise StaleRows(stale)  # the transaction rolls back what the other rows wrote
    if recount:
        # The rollups count "within the target" at the threshold they were written with: recount.
        start_recompute(full=True)
    elif reprice:
        # Service cost S, hence CLV and value at stake, counts interactions without a cost at this price.
        start_recompute(full=False, customers_full=True)


def _stale(row: ServiceTarget | ChannelCost | None, label: str) -> StaleVersion:
    if row is None:  # deleted since the page was read
        return StaleVersion(label=label, current_version=0, changed_by=None, changed_at=None)
    return StaleVersion.of(row, label)


@transaction.atomic
def target_set(*, touchpoint: Touchpoint, threshold_days: int, target_share: Decimal, actor: User) -> ServiceTarget:
    """A touchpoint's target "`target_share` within `threshold_days` days" (CX leads), whatever it was."""
    current = ServiceTarget.objects.filter(touchpoint=touchpoint).first()
    row = TargetRow(touchpoint, threshold_days, Decimal(target_share), current.version if current else 0)
    targets_save(targets=[row], costs=[], actor=actor)
    return ServiceTarget.objects.get(touchpoint=touchpoint)


@transaction.atomic
def target_clear(*, touchpoint: Touchpoint, actor: User) -> None:
    """The touchpoint has no target any more (CX leads); the rollups are recounted without it."""
    current = ServiceTarget.objects.filter(touchpoint=touchpoint).first()
    targets_save(targets=[TargetRow(touchpoint, None, None, current.version if current else 0)], costs=[], actor=actor)


@transaction.atomic
def channel_cost_set(*, channel: str, default_cost: Decimal, actor: User) -> ChannelCost:
    """What an interaction costs in a channel when its row has no cost (CX leads), whatever it was."""
    current = ChannelCost.objects.filter(channel=channel).first()
    targets_save(targets=[], costs=[CostRow(channel, default_cost, current.version if current else 0)], actor=actor)
    return ChannelCost.objects.get(channel=channel)


@transaction.atomic
def channel_cost_clear(*, channel: str, actor: User) -> None:
    """A channel's interactions cost nothing unless their row says otherwise (CX leads)."""
    current = ChannelCost.objects.filter(channel=channel).first()
    targets_save(targets=[], costs=[CostRow(channel, None, current.version if current else 0)], actor=actor)
