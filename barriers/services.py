"""Writes to barriers and research studies. Every write checks who is asking (barriers.permissions),
names the version it was based on where two people may collide, logs itself in the barrier's
activity and queues its notifications in the same transaction."""

import hashlib
import secrets
from datetime import date
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cxhub.lib.concurrency import Gone, StaleVersion, bump, locked_at
from cxhub.lib.uploads import FILE_TYPES, checked_upload
from cxhub.notifications.tasks import send_on_commit
from cxhub.org.models import Department
from journeys import live
from journeys.models import Step, Touchpoint

from . import notifications, workflow
from .models import Activity, Barrier, Comment, Evidence, ResearchStudy, Severity, Status, StudyAttachment
from .permissions import actor_flags

# Fields a CX lead sets; the assigned department only plans (resolution_plan).
BARRIER_FIELDS = {
    "title",
    "description",
    "type",
    "severity",
    "customers_affected",
    "study",
    "source",
    "department",
    "due_date",
    "resolution_plan",
}
PLAN_FIELDS = {"resolution_plan"}


def default_department(*, steps: list[Step], touchpoints: list[Touchpoint]) -> Department | None:
    """The owner of the barrier's first touchpoint (a step's, else one named directly)."""
    for touchpoint in [step.touchpoint for step in steps if step.touchpoint_id] + list(touchpoints):
        if touchpoint is not None:
            return touchpoint.department
    return None


@transaction.atomic
def barrier_create(
    *,
    actor: User,
    title: str,
    type: str,
    severity: int = Severity.MEDIUM,
    source: str = "",
    description: str = "",
    customers_affected: int | None = None,
    steps: list[Step] | None = None,
    touchpoints: list[Touchpoint] | None = None,
    study: ResearchStudy | None = None,
    department: Department | None = None,
    due_date: date | None = None,
    resolution_plan: str = "",
    evidence: list[dict[str, str]] | None = None,
) -> Barrier:
    """Record a barrier (CX leads). Its department defaults to the owner of its touchpoint; the
    department hears about it by e-mail."""
    if not actor.has_perm("barriers.create"):
        raise PermissionDenied(_("Only CX leads record barriers."))
    steps, touchpoints = list(steps or []), list(touchpoints or [])
    department = department or default_department(steps=steps, touchpoints=touchpoints)
    if department is None:
        raise ValidationError(
            {"department": _("Choose the department to assign it to (no step or touchpoint names an owner).")}
        )
    barrier = Barrier(
        title=title,
        description=description,
        type=type,
        severity=severity,
        source=source or (study.method if study else ""),
        customers_affected=customers_affected,
        study=study,
        department=department,
        due_date=due_date,
        resolution_plan=resolution_plan,
        created_by=actor,
        updated_by=actor,
        status_changed_at=timezone.now(),
    )
    if not barrier.source:
        raise ValidationError({"source": _("Say where the barrier was found (or pick its research study).")})
    barrier.full_clean()
    barrier.save()
    barrier.steps.set(steps)
    barrier.touchpoints.set(touchpoints)
    live.steps_changed(step_ids={step.pk for step in steps}, fields=["barriers"], actor=actor)
    for item in evidence or []:
        Evidence.objects.create(barrier=barrier, study=study, created_by=actor, **item)
    event = Activity.objects.create(barrier=barrier, kind=Activity.Kind.CREATED, actor=actor, to_status=Status.NEW)
    send_on_commit(notifications.notify_assigned(barrier, actor=actor, event_id=event.pk))
    return barrier


@transaction.atomic
def barrier_update(*, barrier_id: int, expected_version: int, actor: User, **fields: Any) -> Barrier:
    """Change fields: CX leads any of BARRIER_FIELDS (and steps/touchpoints), the department only the plan."""
    unknown = set(fields) - BARRIER_FIELDS - {"steps", "touchpoints"}
    if unknown:
        raise TypeError(f"not editable here: {', '.join(sorted(unknown))}")
    barrier = _locked(barrier_id)
    if barrier.version != expected_version:
        raise StaleVersion.of(barrier, _("This barrier"))
    if not actor.has_perm("barriers.edit_any_field"):
        if not actor.has_perm("barriers.plan", barrier):
            raise PermissionDenied(_("Only CX leads and the assigned department can change this barrier."))
        if set(fields) - PLAN_FIELDS:
            raise PermissionDenied(_("The assigned department can change the resolution plan only."))
    changes: dict[str, list[str]] = {}
    old_department = barrier.department
    steps_before = set(barrier.steps.values_list("pk", flat=True))
    for name, value in fields.items():
        if name in ("steps", "touchpoints"):
            before = set(getattr(barrier, name).values_list("pk", flat=True))
            after = {obj.pk for obj in value}
            if before != after:
                getattr(barrier, name).set(value)
                changes[name] = [str(len(before)), str(len(after))]  # how many, before and after
            continue
        old = getattr(barrier, name)
        if old != value:
            changes[name] = [_shown(barrier, name, old), _shown(barrier, name, value)]
            setattr(barrier, name, value)
    if not changes:
        return barrier
    barrier.version += 1
    barrier.updated_by = actor
    barrier.full_clean()
    barrier.save()
    department_changed = "department" in changes
    kind = Activity.Kind.ASSIGNED if department_changed else Activity.Kind.CHANGED
    event = Activity.objects.create(barrier=barrier, kind=kind, actor=actor, changes=changes)
    # The map's barrier lane shows each step's barriers: the steps it left and those it is on now.
    steps_after = set(barrier.steps.values_list("pk", flat=True))
    live.steps_changed(step_ids=steps_before | steps_after, fields=["barriers"], actor=actor)
    if department_changed and barrier.department != old_department:
        send_on_commit(notifications.notify_assigned(barrier, actor=actor, event_id=event.pk))
    return barrier


@transaction.atomic
def barrier_transition(*, barrier_id: int, action: str, expected_version: int, actor: User, text: str = "") -> Barrier:
    """Move a barrier along the workflow; `text` is the reason (reject, reopen) or the resolution note."""
    barrier = _locked(barrier_id)
    transition = workflow.check(
        action=action,
        status=barrier.status,
        department=barrier.department.name,
        **actor_flags(actor, barrier),
    )
    if barrier.version != expected_version:
        raise StaleVersion.of(barrier, _("This barrier"))
    text = (text or "").strip()
    if transition.needs and not text:
        field = "reason" if transition.needs == "reason" else "note"
        message = (
            _("Give the reason: it is required to %(action)s a barrier.")
            if transition.needs == "reason"
            else _("Say what was done: a resolution note is required.")
        )
        raise ValidationError({field: message % {"action": str(transition.label).lower()}})
    from_status = barrier.status
    barrier.status = transition.target
    barrier.status_changed_at = timezone.now()
    if transition.action == "resolve":
        barrier.resolution_note = text
        barrier.resolved_at = barrier.status_changed_at
    elif transition.action == "reject":
        barrier.rejection_reason = text
    elif transition.action == "reopen":
        barrier.reopen_reason = text
        barrier.resolved_at = None
    barrier.version += 1
    barrier.updated_by = actor
    barrier.save()
    event = Activity.objects.create(
        barrier=barrier,
        kind=Activity.Kind.TRANSITION,
        actor=actor,
        from_status=from_status,
        to_status=barrier.status,
        note=text,
    )
    by_department = transition.by == workflow.DEPARTMENT
    live.steps_changed(step_ids=set(barrier.steps.values_list("pk", flat=True)), fields=["barriers"], actor=actor)
    send_on_commit(
        notifications.notify_transition(barrier, actor=actor, event_id=event.pk, by_department=by_department, text=text)
    )
    return barrier


@transaction.atomic
def barriers_bulk_assign(*, barrier_ids: list[int], department: Department, due_date: date | None, actor: User) -> int:
    """Assign many barriers at once (the board); each gets its own activity entry and notification."""
    if not actor.has_perm("barriers.edit_any_field"):
        raise PermissionDenied(_("Only CX leads assign barriers."))
    changed = 0
    for barrier in Barrier.objects.filter(pk__in=barrier_ids).order_by("pk"):
        fields: dict[str, Any] = {"department": department}
        if due_date is not None:
            fields["due_date"] = due_date
        updated = barrier_update(barrier_id=barrier.pk, expected_version=barrier.version, actor=actor, **fields)
        changed += updated.version != barrier.version
    return changed


@transaction.atomic
def comment_add(*, barrier_id: int, actor: User, text: str) -> Comment:
    barrier = Barrier.objects.filter(pk=barrier_id).first()
    if barrier is None:
        raise Gone(_("This barrier"))
    if not actor.has_perm("barriers.comment", barrier):
        raise PermissionDenied(_("Only CX leads and the assigned department comment on a barrier."))
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write something first.")})
    comment = Comment.objects.create(barrier=barrier, author=actor, text=text)
    Activity.objects.create(barrier=barrier, kind=Activity.Kind.COMMENTED, actor=actor, note=text[:300])
    return comment


@transaction.atomic
def evidence_add(
    *, barrier_id: int, actor: User, text: str, kind: str = Evidence.Kind.QUOTE, source: str = ""
) -> Evidence:
    barrier = Barrier.objects.filter(pk=barrier_id).first()
    if barrier is None:
        raise Gone(_("This barrier"))
    if not actor.has_perm("barriers.edit_any_field"):
        raise PermissionDenied(_("Only CX leads add evidence."))
    evidence = Evidence(
        barrier=barrier, kind=kind, text=(text or "").strip(), source=source, study=barrier.study, created_by=actor
    )
    evidence.full_clean()
    evidence.save()
    Activity.objects.create(barrier=barrier, kind=Activity.Kind.EVIDENCE, actor=actor, note=evidence.text[:300])
    return evidence


# Research studies ------------------------------------------------------------------------------------


STUDY_FIELDS = {"title", "method", "period_start", "period_end", "summary"}


@transaction.atomic
def study_create(*, actor: User, **fields: Any) -> ResearchStudy:
    _ensure_manages_studies(actor)
    _check_study_fields(fields)
    study = ResearchStudy(created_by=actor, updated_by=actor, **fields)
    study.full_clean()
    study.save()
    return study


@transaction.atomic
def study_update(*, study_id: int, expected_version: int, actor: User, **fields: Any) -> ResearchStudy:
    """Change a study, if it is still as the writer read it."""
    _ensure_manages_studies(actor)
    _check_study_fields(fields)
    study = locked_at(ResearchStudy, study_id, _("This study"), expected_version)
    if any(getattr(study, name) != value for name, value in fields.items()):
        for name, value in fields.items():
            setattr(study, name, value)
        bump(study, actor)
        study.full_clean()
        study.save()
    return study


def _ensure_manages_studies(actor: User) -> None:
    if not actor.has_perm("barriers.manage_studies"):
        raise PermissionDenied(_("Only CX leads record research studies."))


def _check_study_fields(fields: dict[str, Any]) -> None:
    unknown = set(fields) - STUDY_FIELDS
    if unknown:
        raise TypeError(f"not editable here: {', '.join(sorted(unknown))}")


@transaction.atomic
def attachment_add(*, study_id: int, actor: User, upload: "UploadedFile[Any]") -> StudyAttachment:
    """Keep a transcript, photo or checklist with its study (size- and type-checked)."""
    if not actor.has_perm("barriers.manage_studies"):
        raise PermissionDenied(_("Only CX leads add attachments."))
    study = ResearchStudy.objects.filter(pk=study_id).first()
    if study is None:
        raise Gone(_("This study"))
    name, content_type = checked_upload(upload, extensions=tuple(FILE_TYPES), max_mb=20)
    token = hashlib.sha256(secrets.token_bytes(32)).hexdigest()[:40]
    attachment = StudyAttachment(
        study=study, token=token, name=name, content_type=content_type, size=upload.size or 0, uploaded_by=actor
    )
    attachment.file.save(token, upload, save=False)
    attachment.save()
    return attachment


# Helpers ---------------------------------------------------------------------------------------------


def _locked(barrier_id: int) -> Barrier:
    barrier = Barrier.objects.select_for_update().filter(pk=barrier_id).first()
    if barrier is None:
        raise Gone(_("This barrier"))
    return barrier


def _shown(barrier: Barrier, name: str, value: Any) -> str:
    """A value as people read it in the activity log."""
    if value is None or value == "":
        return "—"
    field = barrier._meta.get_field(name)
    if isinstance(field, models.Field) and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, date):
        return value.isoformat()
    return str(value)[:300]
