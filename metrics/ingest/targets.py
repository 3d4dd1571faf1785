"""The targets page's form: every touchpoint's target and each channel's cost, one row each.

Each row carries the values and the version it was read with, so a save changes only the rows the
person changed, and refuses a row someone else changed meanwhile (nothing is saved then; the row
keeps the person's value and takes the new version, so saving again deliberately replaces theirs).
"""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cxhub.lib.concurrency import StaleVersion
from journeys.models import Channel, Touchpoint

from ..models import ChannelCost, ServiceTarget
from ..services import CostRow, TargetRow

MAX_COST = Decimal("9999999999.99")  # the column's 12 digits, 2 after the point
MAX_DAYS = 3650


@dataclass
class Row:
    key: str  # the inputs' names end with it: the touchpoint's id or the channel
    label: str
    department: str
    values: tuple[str, ...]  # as shown: share and days, or the cost
    was: tuple[str, ...]  # as read
    version: int  # 0: nothing stored
    error: str = ""


def stored_rows(touchpoints: list[Touchpoint]) -> tuple[list[Row], list[Row]]:
    targets = {t.touchpoint_id: t for t in ServiceTarget.objects.filter(touchpoint__in=touchpoints)}
    costs = {c.channel: c for c in ChannelCost.objects.all()}
    target_rows = []
    for touchpoint in touchpoints:
        target = targets.get(touchpoint.pk)
        shown = (percent(target.target_share), str(target.threshold_days)) if target else ("", "")
        target_rows.append(
            Row(
                str(touchpoint.pk),
                touchpoint.name,
                touchpoint.department.name,
                shown,
                shown,
                target.version if target else 0,
            )
        )
    cost_rows = []
    for value, label in Channel.choices:
        cost = costs.get(value)
        cost_shown = (f"{cost.default_cost:f}",) if cost else ("",)
        cost_rows.append(Row(value, str(label), "", cost_shown, cost_shown, cost.version if cost else 0))
    return target_rows, cost_rows


def posted_rows(data: QueryDict, stored: tuple[list[Row], list[Row]]) -> tuple[list[Row], list[Row]]:
    """The rows as the person left them; a row the form did not send stays as stored."""
    target_rows, cost_rows = stored
    for row in target_rows:
        if f"v-{row.key}" in data:
            row.values = (data.get(f"share-{row.key}", "").strip(), data.get(f"days-{row.key}", "").strip())
            row.was = (data.get(f"was-share-{row.key}", ""), data.get(f"was-days-{row.key}", ""))
            row.version = _whole(data.get(f"v-{row.key}")) or 0
    for row in cost_rows:
        if f"v-cost-{row.key}" in data:
            row.values = (data.get(f"cost-{row.key}", "").strip(),)
            row.was = (data.get(f"was-cost-{row.key}", ""),)
            row.version = _whole(data.get(f"v-cost-{row.key}")) or 0
    return target_rows, cost_rows


def changes(target_rows: list[Row], cost_rows: list[Row], touchpoints: list[Touchpoint]):
    """What the person changed, as the service takes it; a row it cannot read gets its `error`."""
    by_id = {str(t.pk): t for t in touchpoints}
    targets, costs = [], []
    for row in target_rows:
        if row.values == row.was:
            continue
        share, days = row.values
        if not share and not days:
            targets.append(TargetRow(by_id[row.key], None, None, row.version))
            continue
        parsed_days, parsed_share = _whole(days), _decimal(share)
        if (
            parsed_days is None
            or parsed_days < 1
            or parsed_days > 3650
            or parsed_share is None
            or not 0 <= parsed_share <= 100
        ):
            row.error = _("Give whole days (1 to 3650) and a share from 0 to 100 %.")
            continue
        if parsed_share != parsed_share.quantize(Decimal("0.01")):
            row.error = _("The share takes at most two decimals, e.g. 92.5.")
            continue
        targets.append(TargetRow(by_id[row.key], parsed_days, parsed_share / 100, row.version))
    for row in cost_rows:
        if row.values == row.was:
            continue
        (raw,) = row.values
        if not raw:
            costs.append(CostRow(row.key, None, row.version))
            continue
        cost = _decimal(raw)
        if cost is None or cost < 0 or cost > MAX_COST or cost != cost.quantize(Decimal("0.01")):
            row.error = _("The cost must be a number from 0 to 9,999,999,999.99, with at most two decimals.")
            continue
        costs.append(CostRow(row.key, cost, row.version))
    return targets, costs


def mark_stale(stale: dict[int | str, StaleVersion], target_rows: list[Row], cost_rows: list[Row]) -> None:
    """Say on each row someone else changed who did it, when, and what it is now; the row keeps the
    person's value and takes the stored version, so saving again deliberately puts theirs instead."""
    touchpoints = Touchpoint.objects.filter(pk__in=[key for key in stale if isinstance(key, int)])
    fresh_targets, fresh_costs = stored_rows(list(touchpoints.select_related("department")))
    fresh = {row.key: row for row in fresh_targets} | {f"cost-{row.key}": row for row in fresh_costs}
    for row, key, now_key in [(r, int(r.key), r.key) for r in target_rows] + [
        (r, r.key, f"cost-{r.key}") for r in cost_rows
    ]:
        if key not in stale:
            continue
        now = fresh[now_key]
        if now_key.startswith("cost-"):
            shown = now.was[0] or _("no cost")
        elif now.was[0]:
            days = int(now.was[1])
            shown = ngettext("%(share)s %% within %(days)s day", "%(share)s %% within %(days)s days", days) % {
                "share": now.was[0], "days": days,
            }  # fmt: skip
        else:
            shown = _("no target")
        row.error = _stale_message(stale[key], shown)
        row.was, row.version = now.was, now.version


def _stale_message(conflict: StaleVersion, now: str) -> str:
    if conflict.changed_at is None:
        text = _(
            "%(what)s was changed by another user: now %(now)s. Nothing was saved; save again to put your "
            "value instead, or reload to keep theirs."
        )
        return text % {"what": conflict.label, "now": now}
    text = _(
        "%(what)s was changed by %(who)s at %(when)s: now %(now)s. Nothing was saved; save again to put your "
        "value instead, or reload to keep theirs."
    )
    return text % {"what": conflict.label, "who": conflict.who, "when": conflict.when, "now": now}


def percent(share: Decimal) -> str:
    """0.9550 → "95.5": the share as the person typed it, so an untouched row reads as unchanged."""
    return f"{(share * 100).normalize():f}"


def _whole(raw: str | None) -> int | None:
    raw = (raw or "").strip()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 9 else None


def _decimal(raw: str) -> Decimal | None:
    raw = raw.replace(",", ".").replace(" ", "").replace("\u00a0", "")
    if not raw or len(raw) > 20:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None
