"""The edit history of one journey: its own records, its stages' and its steps', newest first."""

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _

from .models import Comment, CommentThread, Journey, Stage, Step
from .templatetags.journeys import signed

_KIND = {"+": "created", "~": "changed", "-": "deleted"}
_IGNORED = {"version", "position", "updated_by"}


@dataclass(frozen=True)
class HistoryEntry:
    when: datetime
    who: str
    what: str  # "journey", "stage", "step"
    label: str
    kind: str  # created / changed / deleted; commented; resolved / reopened
    changes: list[tuple[str, str, str]]  # (field label, old, new)


def journey_history(*, journey_id: int, limit: int = 300) -> list[HistoryEntry]:
    """Who changed what and when, with field-level before/after, from django-simple-history's tables."""
    journey_records = list(
        Journey.history.filter(id=journey_id).select_related("history_user").order_by("-history_date")[:limit]
    )
    stage_records = list(
        Stage.history.filter(journey_id=journey_id).select_related("history_user").order_by("-history_date")[:limit]
    )
    stage_ids = {record.id for record in stage_records} | set(
        Stage.objects.filter(journey_id=journey_id).values_list("pk", flat=True)
    )
    step_records = list(
        Step.history.filter(stage_id__in=stage_ids)
        .select_related("history_user", "touchpoint")
        .order_by("-history_date")[:limit]
    )
    comment_records = list(
        Comment.history.filter(thread__journey_id=journey_id, history_type="+")
        .select_related("history_user")
        .order_by("-history_date")[:limit]
    )
    thread_records = [
        record
        for record in CommentThread.history.filter(journey_id=journey_id, history_type="~")
        .select_related("history_user")
        .order_by("-history_date")[:limit]
        if record.prev_record is not None and (record.resolved_at is None) != (record.prev_record.resolved_at is None)
    ]
    entries = [
        *(_entry(r, _("journey"), r.title) for r in journey_records),
        *(_said(r) for r in comment_records),
        *(_settled(r) for r in thread_records),
        *(_entry(r, _("stage"), r.name) for r in stage_records),
        *(_entry(r, _("step"), (r.action or _("(no action yet)"))[:80]) for r in step_records),
    ]
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries[:limit]


def _said(record) -> HistoryEntry:
    """A comment written (its text, shortened)."""
    return HistoryEntry(
        when=record.history_date, who=_who(record.history_user), what=_("comment"), label=record.text[:120],
        kind="commented", changes=[],
    )  # fmt: skip


def _settled(record) -> HistoryEntry:
    """A thread resolved or reopened."""
    return HistoryEntry(
        when=record.history_date, who=_who(record.history_user), what=_("thread"),
        label=record.anchor or _("the map as a whole"), kind="resolved" if record.resolved_at else "reopened",
        changes=[],
    )  # fmt: skip


def _who(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else _("system")


def _entry(record, what: str, label: str) -> HistoryEntry:
    changes: list[tuple[str, str, str]] = []
    if record.history_type == "~" and record.prev_record is not None:
        delta = record.diff_against(record.prev_record)
        for change in delta.changes:
            if change.field in _IGNORED:
                continue
            field = record.instance_type._meta.get_field(change.field)
            changes.append((str(field.verbose_name), _display(field, change.old), _display(field, change.new)))
    user = record.history_user
    return HistoryEntry(
        when=record.history_date,
        who=(user.get_full_name() or user.get_username()) if user else _("system"),
        what=what,
        label=label,
        kind=_KIND[record.history_type],
        changes=changes,
    )


def _display(field, value) -> str:
    if value is None or value == "":
        return "—"
    if field.name == "emotion":
        return signed(value)  # −2, not "-2": a hyphen reads as nothing next to a strikethrough
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field.is_relation:
        obj = field.related_model.objects.filter(pk=value).first()
        return str(obj) if obj else f"#{value}"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)
