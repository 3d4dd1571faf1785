"""Writes to journeys and the touchpoint catalogue.

Structural changes (add, move, delete of stages and steps) lock the journey row first, so two of them
on one journey run one after the other and positions stay dense (0, 1, 2, … within each parent).
Edits name the version they were based on; a stale one raises StaleVersion and writes nothing.
"""

import functools
import operator
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from cxhub.lib.concurrency import Gone, StaleVersion, bump, locked_at
from cxhub.lib.text import unidecode_ascii
from cxhub.lib.uploads import IMAGE_EXTENSIONS, checked_upload
from cxhub.notifications.models import Kind
from cxhub.notifications.services import queue
from cxhub.notifications.tasks import send_on_commit
from cxhub.org.models import Department
from cxhub.org.roles import Role

from . import live
from .models import MENTION, Channel, Comment, CommentThread, Journey, Persona, Stage, Step, Touchpoint

# Positions are moved out of the way (+OFFSET) before being rewritten, so the unique
# (parent, position) constraints never see two rows on one position mid-update.
_POSITION_OFFSET = 1_000_000

TOUCHPOINT_FIELDS = {"name", "code", "channel", "department", "description"}
PERSONA_FIELDS = {"name", "description", "goals", "frustrations", "quote", "is_archived"}
JOURNEY_FIELDS = {"title", "persona", "description", "state", "status", "owner", "review_cadence"}
STAGE_FIELDS = {"name"}
STEP_FIELDS = {"touchpoint", "action", "expectation", "reality", "emotion", "is_moment_of_truth", "notes"}


def ensure_can_edit(actor: User | None) -> None:
    """Only CX leads change journeys, the catalogue and personas (the pages and the API ask the same
    rule; `None` is the system itself: the demo, a command)."""
    if actor is not None and not actor.has_perm("journeys.edit_map"):
        raise PermissionDenied(_("Only CX leads edit journey maps, touchpoints and personas."))


@transaction.atomic
def touchpoint_upsert(
    *,
    code: str,
    name: str,
    channel: Channel,
    department: Department,
    description: str = "",
    actor: User | None = None,
) -> Touchpoint:
    """Create the touchpoint with this code, or bring an existing one up to date."""
    ensure_can_edit(actor)
    touchpoint = Touchpoint.objects.select_for_update().filter(code=code).first() or Touchpoint(code=code)
    fields = {"name": name, "channel": channel, "department": department, "description": description}
    if touchpoint.pk and _changes(touchpoint, fields):
        bump(touchpoint, actor)
    return _save_touchpoint(touchpoint, **fields)


@transaction.atomic
def touchpoint_create(
    *, name: str, channel: str, department: Department, description: str = "", actor: User | None = None
) -> Touchpoint:
    """Add a touchpoint to the catalogue (e.g. from the map); its code is derived from the name."""
    ensure_can_edit(actor)
    base = slugify(unidecode_ascii(name))[:50] or "touchpoint"
    code, n = base, 1
    while Touchpoint.objects.filter(code=code).exists():
        n += 1
        code = f"{base}-{n}"
    touchpoint = Touchpoint(code=code)
    return _save_touchpoint(touchpoint, name=name, channel=channel, department=department, description=description)


@transaction.atomic
def touchpoint_update(*, touchpoint_id: int, expected_version: int, actor: User | None, **fields: Any) -> Touchpoint:
    """Change a touchpoint of the catalogue (name, code, channel, department, description)."""
    ensure_can_edit(actor)
    _check_fields(fields, TOUCHPOINT_FIELDS)
    touchpoint = locked_at(Touchpoint, touchpoint_id, _("This touchpoint"), expected_version)
    if _changes(touchpoint, fields):
        bump(touchpoint, actor)
        _save_touchpoint(touchpoint, **fields)
    return touchpoint


@transaction.atomic
def touchpoint_delete(*, touchpoint_id: int, expected_version: int, actor: User | None) -> None:
    """Remove a touchpoint from the catalogue; one a step or a figure uses is protected (ProtectedError)."""
    ensure_can_edit(actor)
    locked_at(Touchpoint, touchpoint_id, _("This touchpoint"), expected_version).delete()


def _save_touchpoint(touchpoint: Touchpoint, **fields: Any) -> Touchpoint:
    _save_named(touchpoint, _("A touchpoint named “%(name)s” already exists."), **fields)
    return touchpoint


def _save_named(instance: Touchpoint | Persona, taken: str, **fields: Any) -> None:
    """Set the fields, refuse a name another row has (in any case) with `taken`, validate and save.
    Names are unique in any case (a database constraint); this says so in words, on the name field. Two
    writers racing for one name: the constraint refuses the second, which `_locked`'s row lock and this
    check make rare."""
    for name, value in fields.items():
        setattr(instance, name, value)
    if type(instance).objects.filter(name__iexact=instance.name).exclude(pk=instance.pk).exists():
        raise ValidationError({"name": [taken % {"name": instance.name}]})
    instance.full_clean(validate_constraints=False)  # the name's uniqueness is checked above, in words
    try:
        with transaction.atomic():  # a writer that took the name since the check above
            instance.save()
    except IntegrityError as error:
        if "name_unique_ci" in str(error):
            raise ValidationError({"name": [taken % {"name": instance.name}]}) from None
        raise ValidationError(
            _("Another user has just saved something that clashes with this; reload and try again.")
        ) from None


@transaction.atomic
def persona_upsert(*, name: str, actor: User | None = None, **texts: str) -> Persona:
    """Create the persona with this name (case-insensitive) or update its texts."""
    ensure_can_edit(actor)
    _check_fields(texts, PERSONA_FIELDS - {"name", "is_archived"})
    persona = Persona.objects.select_for_update().filter(name__iexact=name).first() or Persona(name=name)
    if persona.pk and _changes(persona, texts):
        bump(persona, actor)
    return _save_persona(persona, **texts)


@transaction.atomic
def persona_create(*, name: str, actor: User | None, photo: "UploadedFile[Any] | None" = None, **texts: Any) -> Persona:
    """A new persona; a name another persona has (in any case) is refused."""
    ensure_can_edit(actor)
    _check_fields(texts, PERSONA_FIELDS - {"name"})
    persona = _save_persona(Persona(), name=name, **texts)
    if photo is not None:
        _store_photo(persona, photo)
    return persona


@transaction.atomic
def persona_update(
    *, persona_id: int, expected_version: int, actor: User | None, photo: "UploadedFile[Any] | None" = None,
    remove_photo: bool = False, **fields: Any,
) -> Persona:  # fmt: skip
    """Change a persona's texts, archive or restore it (`is_archived`), replace or remove its photo."""
    ensure_can_edit(actor)
    _check_fields(fields, PERSONA_FIELDS)
    persona = locked_at(Persona, persona_id, _("This persona"), expected_version)
    removing = remove_photo and photo is None and bool(persona.photo)
    if not (_changes(persona, fields) or photo is not None or removing):
        return persona
    bump(persona, actor)
    _save_persona(persona, **fields)
    if photo is not None:
        _store_photo(persona, photo)
    elif removing:
        old = persona.photo.name or ""
        persona.photo, persona.photo_type = "", ""
        persona.save(update_fields=["photo", "photo_type", "updated_at"])
        transaction.on_commit(lambda: persona.photo.storage.delete(old))
    return persona


@transaction.atomic
def persona_delete(*, persona_id: int, expected_version: int, actor: User | None) -> None:
    """Remove a persona; one a journey is drawn for is protected (ProtectedError): archive it instead."""
    ensure_can_edit(actor)
    locked_at(Persona, persona_id, _("This persona"), expected_version).delete()


MAX_PHOTO_MB = 5


def _store_photo(persona: Persona, upload: "UploadedFile[Any]") -> None:
    """Checked like research files: a PNG or JPEG by its first bytes, at most 5 MB; stored under a random name."""
    _name, content_type = checked_upload(upload, extensions=IMAGE_EXTENSIONS, max_mb=MAX_PHOTO_MB, field="photo")
    old = persona.photo.name if persona.photo else ""
    persona.photo.save(secrets.token_hex(20), upload, save=False)
    persona.photo_type = content_type
    persona.save(update_fields=["photo", "photo_type", "updated_at"])
    if old:
        storage = persona.photo.storage
        transaction.on_commit(lambda: storage.delete(old))


def _save_persona(persona: Persona, **fields: Any) -> Persona:
    _save_named(persona, _("A persona named “%(name)s” already exists."), **fields)
    return persona


# Journeys ------------------------------------------------------------------------------------------


@transaction.atomic
def journey_create(
    *,
    title: str,
    actor: User,
    persona: Persona | None = None,
    description: str = "",
    state: str = Journey.State.AS_IS,
    status: str = Journey.Status.DRAFT,
) -> Journey:
    """A new, empty journey owned by its creator."""
    ensure_can_edit(actor)
    journey = Journey(
        title=title,
        persona=persona,
        description=description,
        state=state,
        status=status,
        owner=actor,
        updated_by=actor,
    )
    journey.full_clean()
    _save_with_history(journey, actor)
    return journey


@transaction.atomic
def journey_update(*, journey_id: int, expected_version: int, actor: User, **fields: Any) -> Journey:
    """Change the journey's own fields (title, persona, description, state, status, owner)."""
    ensure_can_edit(actor)
    _check_fields(fields, JOURNEY_FIELDS)
    journey = _versioned_update(Journey, journey_id, _("This journey"), expected_version, actor, fields)
    live.map_changed(journey_id=journey.pk, actor=actor)
    return journey


@transaction.atomic
def journey_mark_reviewed(*, journey_id: int, actor: User) -> Journey:
    """The map was checked against reality today: who and when go into its history, and its next review
    is a cadence away."""
    ensure_can_edit(actor)
    journey = _locked(Journey, journey_id, _("This journey"))
    journey.reviewed_at, journey.reviewed_by = timezone.now(), actor
    journey.version += 1
    journey.updated_by = actor
    _save_with_history(journey, actor)
    live.map_changed(journey_id=journey.pk, actor=actor)
    return journey


@transaction.atomic
def journey_delete(*, journey_id: int, expected_version: int, actor: User) -> None:
    """Delete a journey with its stages and steps (the history keeps what they were)."""
    ensure_can_edit(actor)
    journey = _locked(Journey, journey_id, _("This journey"))
    if journey.version != expected_version:
        raise StaleVersion.of(journey, _("This journey"))
    for step in Step.objects.filter(stage__journey=journey):
        _delete_with_history(step, actor)
    for stage in journey.stages.all():
        _delete_with_history(stage, actor)
    _delete_with_history(journey, actor)
    live.map_changed(journey_id=journey_id, actor=actor)


@transaction.atomic
def journey_duplicate(*, journey_id: int, actor: User, title: str | None = None, as_to_be: bool = False) -> Journey:
    """Copy a journey with all its stages and steps; as_to_be makes it the to-be version of the original."""
    ensure_can_edit(actor)
    source = Journey.objects.select_related("persona").get(pk=journey_id)
    if as_to_be:
        default_title = _("%(title)s (to-be)") % {"title": source.title}
    else:
        default_title = _("%(title)s (copy)") % {"title": source.title}
    copy = journey_create(
        title=(title or default_title)[:200],
        actor=actor,
        persona=source.persona,
        description=source.description,
        state=Journey.State.TO_BE if as_to_be else source.state,
    )
    if as_to_be:
        copy.to_be_of = source if source.state == Journey.State.AS_IS else source.to_be_of
        copy.full_clean()
        copy.save(update_fields=["to_be_of"])
    _copy_structure(source=source, target=copy, actor=actor)
    return copy


def _copy_structure(*, source: Journey, target: Journey, actor: User) -> None:
    stages = list(source.stages.order_by("position"))
    new_stages = bulk_create_with_history(
        [Stage(journey=target, name=s.name, position=s.position, updated_by=actor) for s in stages],
        Stage,
        default_user=actor,
    )
    stage_map = {old.pk: new.pk for old, new in zip(stages, new_stages, strict=True)}
    bulk_create_with_history(
        [
            Step(
                stage_id=stage_map[step.stage_id],
                position=step.position,
                touchpoint_id=step.touchpoint_id,
                action=step.action,
                expectation=step.expectation,
                reality=step.reality,
                emotion=step.emotion,
                is_moment_of_truth=step.is_moment_of_truth,
                notes=step.notes,
                origin=step,
                updated_by=actor,
            )
            for step in Step.objects.filter(stage__journey=source).order_by("stage__position", "position")
        ],
        Step,
        default_user=actor,
    )


# Stages --------------------------------------------------------------------------------------------


@transaction.atomic
def stage_add(*, journey_id: int, name: str, actor: User, position: int | None = None) -> Stage:
    """Insert a stage at `position` (default: last); later stages shift right."""
    ensure_can_edit(actor)
    _locked(Journey, journey_id, _("This journey"))
    ids = list(Stage.objects.filter(journey_id=journey_id).order_by("position").values_list("pk", flat=True))
    at = _clamp(position, len(ids))
    stage = Stage(journey_id=journey_id, name=name, position=len(ids) + _POSITION_OFFSET, updated_by=actor)
    stage.full_clean(exclude=["position"])
    _save_with_history(stage, actor)
    ids.insert(at, stage.pk)
    _write_positions(Stage, "journey_id", {journey_id: ids})
    stage.refresh_from_db()
    live.map_changed(journey_id=journey_id, actor=actor, stage_id=stage.pk)
    return stage


@transaction.atomic
def stage_update(*, stage_id: int, expected_version: int, actor: User, **fields: Any) -> Stage:
    """Rename a stage."""
    ensure_can_edit(actor)
    _check_fields(fields, STAGE_FIELDS)
    stage = _versioned_update(Stage, stage_id, _("This stage"), expected_version, actor, fields)
    live.map_changed(journey_id=stage.journey_id, actor=actor, stage_id=stage.pk)
    return stage


@transaction.atomic
def stage_move(*, stage_id: int, to_position: int, expected_version: int, actor: User) -> Stage:
    """Move a stage (with its steps) to another place in its journey."""
    ensure_can_edit(actor)
    stage = _stage_for_structure(stage_id, expected_version)
    ids = [
        pk
        for pk in Stage.objects.filter(journey_id=stage.journey_id).order_by("position").values_list("pk", flat=True)
        if pk != stage.pk
    ]
    ids.insert(_clamp(to_position, len(ids)), stage.pk)
    _write_positions(Stage, "journey_id", {stage.journey_id: ids})
    stage.refresh_from_db()
    stage.version += 1
    stage.updated_by = actor
    _save_with_history(stage, actor)
    live.map_changed(journey_id=stage.journey_id, actor=actor, stage_id=stage.pk)
    return stage


@transaction.atomic
def stage_delete(*, stage_id: int, expected_version: int, actor: User) -> None:
    """Delete a stage and its steps; the stages after it close the gap."""
    ensure_can_edit(actor)
    stage = _stage_for_structure(stage_id, expected_version)
    journey_id = stage.journey_id
    for step in stage.steps.all():
        _delete_with_history(step, actor)
    _delete_with_history(stage, actor)
    ids = list(Stage.objects.filter(journey_id=journey_id).order_by("position").values_list("pk", flat=True))
    _write_positions(Stage, "journey_id", {journey_id: ids})
    live.map_changed(journey_id=journey_id, actor=actor)


def _stage_for_structure(stage_id: int, expected_version: int) -> Stage:
    return _lock_for_structure(Stage, stage_id, "journey_id", _("This stage"), expected_version)


# Steps ---------------------------------------------------------------------------------------------


@transaction.atomic
def step_add(*, stage_id: int, actor: User, position: int | None = None, **fields: Any) -> Step:
    """Insert a step into a stage at `position` (default: last); later steps shift right."""
    ensure_can_edit(actor)
    _check_fields(fields, STEP_FIELDS)
    journey_id = Stage.objects.filter(pk=stage_id).values_list("journey_id", flat=True).first()
    if journey_id is None:
        raise Gone(_("This stage"))
    _locked(Journey, journey_id, _("This journey"))
    ids = list(Step.objects.filter(stage_id=stage_id).order_by("position").values_list("pk", flat=True))
    step = Step(stage_id=stage_id, position=len(ids) + _POSITION_OFFSET, updated_by=actor, **fields)
    step.full_clean(exclude=["position"])
    _save_with_history(step, actor)
    ids.insert(_clamp(position, len(ids)), step.pk)
    _write_positions(Step, "stage_id", {stage_id: ids})
    step.refresh_from_db()
    live.map_changed(journey_id=journey_id, actor=actor, step_id=step.pk)
    return step


@transaction.atomic
def step_update(*, step_id: int, expected_version: int, actor: User, **fields: Any) -> Step:
    """Edit a step's cells (action, expectation, reality, touchpoint, emotion, moment of truth, notes)."""
    ensure_can_edit(actor)
    _check_fields(fields, STEP_FIELDS)
    step = _versioned_update(Step, step_id, _("This step"), expected_version, actor, fields)
    live.step_changed(step=step, fields=sorted(fields), actor=actor)
    return step


@transaction.atomic
def step_move(*, step_id: int, to_stage_id: int, to_position: int, expected_version: int, actor: User) -> Step:
    """Move a step within its stage or into another stage of the same journey."""
    ensure_can_edit(actor)
    step = _step_for_structure(step_id, expected_version)
    source_stage_id = step.stage_id
    target_journey = Stage.objects.filter(pk=to_stage_id).values_list("journey_id", flat=True).first()
    if target_journey is None:
        raise Gone(_("The target stage"))
    if target_journey != Stage.objects.get(pk=source_stage_id).journey_id:
        raise ValidationError({"to_stage": _("A step can only move to a stage of the same journey.")})
    orders: dict[int, list[int]] = {}
    for stage_id in {source_stage_id, to_stage_id}:
        orders[stage_id] = [
            pk
            for pk in Step.objects.filter(stage_id=stage_id).order_by("position").values_list("pk", flat=True)
            if pk != step.pk
        ]
    orders[to_stage_id].insert(_clamp(to_position, len(orders[to_stage_id])), step.pk)
    _write_positions(Step, "stage_id", orders)
    step.refresh_from_db()
    step.version += 1
    step.updated_by = actor
    _save_with_history(step, actor)
    live.map_changed(journey_id=target_journey, actor=actor, step_id=step.pk)
    return step


@transaction.atomic
def step_nudge(*, step_id: int, direction: str, expected_version: int, actor: User) -> Step:
    """Move a step one place left or right; at a stage's edge it crosses into the neighbouring stage.

    The keyboard and button alternative to dragging."""
    ensure_can_edit(actor)
    step = Step.objects.select_related("stage").filter(pk=step_id).first()
    if step is None:
        raise Gone(_("This step"))
    stage, position = step.stage, step.position
    if direction == "left" and position > 0:
        return step_move(
            step_id=step_id,
            to_stage_id=stage.pk,
            to_position=position - 1,
            expected_version=expected_version,
            actor=actor,
        )
    if direction == "right" and position < stage.steps.count() - 1:
        return step_move(
            step_id=step_id,
            to_stage_id=stage.pk,
            to_position=position + 1,
            expected_version=expected_version,
            actor=actor,
        )
    neighbour_position = stage.position - 1 if direction == "left" else stage.position + 1
    neighbour = Stage.objects.filter(journey_id=stage.journey_id, position=neighbour_position).first()
    if neighbour is None:
        return step  # already at the very start or end of the journey
    to_position = neighbour.steps.count() if direction == "left" else 0
    return step_move(
        step_id=step_id,
        to_stage_id=neighbour.pk,
        to_position=to_position,
        expected_version=expected_version,
        actor=actor,
    )


@transaction.atomic
def step_delete(*, step_id: int, expected_version: int, actor: User) -> None:
    """Delete a step; the steps after it close the gap."""
    ensure_can_edit(actor)
    step = _step_for_structure(step_id, expected_version)
    stage_id = step.stage_id
    journey_id = Stage.objects.filter(pk=stage_id).values_list("journey_id", flat=True).get()
    _delete_with_history(step, actor)
    ids = list(Step.objects.filter(stage_id=stage_id).order_by("position").values_list("pk", flat=True))
    _write_positions(Step, "stage_id", {stage_id: ids})
    live.map_changed(journey_id=journey_id, actor=actor)


def _step_for_structure(step_id: int, expected_version: int) -> Step:
    return _lock_for_structure(Step, step_id, "stage__journey_id", _("This step"), expected_version)


# Comments ------------------------------------------------------------------------------------------

COMMENTER_ROLES = (Role.CX_LEAD, Role.DEPARTMENT_HEAD, Role.EXECUTIVE)


def ensure_can_comment(actor: User) -> None:
    if not actor.has_perm("journeys.comment"):
        raise PermissionDenied(_("Only CX leads, department heads and executives comment on journey maps."))


def mentionable_people() -> models.QuerySet[User]:
    """Who can be @mentioned: the active people who may comment."""
    return (
        User.objects.filter(is_active=True, groups__name__in=[role.value for role in COMMENTER_ROLES])
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def _clean_text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write something first.")})
    if len(text) > Comment.MAX_LENGTH:
        raise ValidationError(
            {
                "text": _("A comment is at most %(max)s characters (this one has %(n)s).")
                % {"max": Comment.MAX_LENGTH, "n": len(text)}
            }
        )
    return text


@transaction.atomic
def thread_start(*, journey_id: int, actor: User, text: str, step_id: int | None = None) -> CommentThread:
    """A new thread on a step (or on the whole map), with its first comment."""
    ensure_can_comment(actor)
    text = _clean_text(text)
    journey = Journey.objects.filter(pk=journey_id).first()
    if journey is None:
        raise Gone(_("This journey"))
    step = None
    if step_id is not None:
        step = Step.objects.filter(pk=step_id, stage__journey_id=journey_id).first()
        if step is None:
            raise Gone(_("This step"))
    thread = CommentThread(journey=journey, step=step, anchor=(step.action if step else "")[:200], created_by=actor)
    _save_with_history(thread, actor)
    _add_comment(thread, actor, text)
    return thread


@transaction.atomic
def comment_reply(*, thread_id: int, actor: User, text: str) -> Comment:
    """Answer in a thread (a resolved one opens again: the point is not settled after all)."""
    ensure_can_comment(actor)
    text = _clean_text(text)
    thread = _locked(CommentThread, thread_id, _("This thread"))
    if thread.resolved_at is not None:
        thread.resolved_at, thread.resolved_by = None, None
        _save_with_history(thread, actor)
    return _add_comment(thread, actor, text)


@transaction.atomic
def thread_resolve(*, thread_id: int, actor: User, resolved: bool = True) -> CommentThread:
    """Resolve a thread, or reopen it: CX leads, and whoever started it."""
    ensure_can_comment(actor)
    thread = _locked(CommentThread, thread_id, _("This thread"))
    if not actor.has_perm("journeys.edit_map") and thread.created_by_id != actor.pk:
        raise PermissionDenied(_("Only CX leads and the person who started a thread resolve or reopen it."))
    if thread.is_open == resolved:  # an open thread resolved, or a resolved one reopened
        thread.resolved_at, thread.resolved_by = (timezone.now(), actor) if resolved else (None, None)
        _save_with_history(thread, actor)
        _comments_changed(thread, actor)
    return thread


def _add_comment(thread: CommentThread, actor: User, text: str) -> Comment:
    comment = Comment(thread=thread, author=actor, text=text)
    _save_with_history(comment, actor)
    usernames = {name.lower() for name in MENTION.findall(text)}
    mentioned: list[User] = []
    if usernames:
        any_of = functools.reduce(operator.or_, (models.Q(username__iexact=name) for name in usernames))
        mentioned = list(mentionable_people().filter(any_of).exclude(pk=actor.pk))
        comment.mentions.set(mentioned)
    _notify_comment(comment, actor, mentioned)
    _comments_changed(thread, actor)
    return comment


def _comments_changed(thread: CommentThread, actor: User) -> None:
    if thread.step_id:
        live.step_changed(step=Step(pk=thread.step_id), fields=["comments"], actor=actor, journey_id=thread.journey_id)
    else:
        live.comments_changed(journey_id=thread.journey_id, actor=actor)


def _who(user: User) -> str:
    return user.get_full_name() or user.get_username()


def _notify_comment(comment: Comment, actor: User, mentioned: list[User]) -> None:
    """The people mentioned (once each), and the others taking part in the thread: under the bell and by
    e-mail, in the site's language."""
    thread = comment.thread
    link = reverse("journeys:comments", args=[thread.journey_id]) + f"?thread={thread.pk}"
    authors = Comment.objects.filter(thread=thread).exclude(pk=comment.pk).values_list("author_id", flat=True)
    earlier: set[int] = {pk for pk in [*authors, thread.created_by_id] if pk is not None}
    mentioned_ids = {user.pk for user in mentioned}
    taking_part = [
        user
        for user in User.objects.filter(pk__in=earlier - mentioned_ids - {actor.pk})
        if user.has_perm("journeys.comment")
    ]
    journey_title = Journey.objects.filter(pk=thread.journey_id).values_list("title", flat=True).first() or ""
    base = settings.CXHUB_BASE_URL.rstrip("/")
    with translation.override(settings.LANGUAGE_CODE):
        where = thread.anchor or _("the map as a whole")
        context = {
            "actor": _who(actor),
            "journey": journey_title,
            "where": where,
            "text": comment.text,
            "url": base + link,
        }
        ids = queue(
            key=f"comment:{comment.pk}:mention",
            kind=Kind.MENTION,
            recipients=mentioned,
            subject=_("%(actor)s mentioned you on “%(journey)s”") % context,
            body=_(
                "%(actor)s mentioned you in a comment on “%(journey)s” (%(where)s):\n\n%(text)s\n\nOpen it: %(url)s\n"
            )
            % context,
            url=link,
        )
        ids += queue(
            key=f"comment:{comment.pk}:reply",
            kind=Kind.COMMENT,
            recipients=taking_part,
            subject=_("%(actor)s replied on “%(journey)s”") % context,
            body=_(
                "%(actor)s replied in a thread you take part in on “%(journey)s” (%(where)s):\n\n%(text)s\n\n"
                "Open it: %(url)s\n"
            )
            % context,
            url=link,
        )
    send_on_commit(ids)


# Helpers -------------------------------------------------------------------------------------------


def _locked[M: models.Model](model: type[M], pk: int, label: str) -> M:
    """The row, locked for this transaction."""
    obj: M | None = model._default_manager.select_for_update().filter(pk=pk).first()
    if obj is None:
        raise Gone(label)
    return obj


def _delete_with_history(obj: models.Model, actor: User) -> None:
    obj._history_user = actor  # type: ignore[attr-defined]  # django-simple-history records who
    obj.delete()


def _versioned_update[M: Journey | Stage | Step](
    model: type[M], pk: int, label: str, expected_version: int, actor: User, fields: dict[str, Any]
) -> M:
    """Apply `fields` if the row is still at `expected_version`; bump the version and record who did it."""
    obj = _locked(model, pk, label)
    if obj.version != expected_version:
        raise StaleVersion.of(obj, label)
    for name, value in fields.items():
        setattr(obj, name, value)
    obj.version += 1
    obj.updated_by = actor
    # Only what changed is checked (the rest was valid when stored): a cell save costs no lookups of
    # the stage, the touchpoint or the step's position.
    obj.full_clean(exclude=[f.name for f in model._meta.concrete_fields if f.name not in fields])
    _save_with_history(obj, actor)
    return obj


def _lock_for_structure[M: Stage | Step](
    model: type[M], pk: int, journey_lookup: str, label: str, expected_version: int
) -> M:
    """Lock the journey first (structural changes on one journey run one at a time), then the row."""
    journey_id = model.objects.filter(pk=pk).values_list(journey_lookup, flat=True).first()
    if journey_id is None:
        raise Gone(label)
    _locked(Journey, journey_id, _("This journey"))
    obj = _locked(model, pk, label)
    if obj.version != expected_version:
        raise StaleVersion.of(obj, label)
    return obj


def _save_with_history(obj: models.Model, actor: User) -> None:
    obj._history_user = actor  # type: ignore[attr-defined]  # django-simple-history records who
    obj.save()


def _changes(obj: models.Model, fields: dict[str, Any]) -> bool:
    """Whether saving `fields` would change anything (a save that changes nothing keeps the version)."""
    return any(getattr(obj, name) != value for name, value in fields.items())


def _check_fields(fields: dict[str, Any], allowed: set[str]) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"not editable here: {', '.join(sorted(unknown))}")


def _clamp(position: int | None, length: int) -> int:
    if position is None:
        return length
    return max(0, min(position, length))


def _write_positions(model: type[Stage] | type[Step], parent_field: str, orders: dict[int, list[int]]) -> None:
    """Give each parent's children the positions 0..n-1 in the given order (two statements per call)."""
    all_ids: list[int] = [pk for ids in orders.values() for pk in ids]
    if not all_ids:
        return
    model.objects.filter(pk__in=all_ids).update(position=F("position") + _POSITION_OFFSET)
    rows = [
        model(pk=pk, position=position, **{parent_field: parent})
        for parent, ids in orders.items()
        for position, pk in enumerate(ids)
    ]
    model.objects.bulk_update(rows, ["position", parent_field.removesuffix("_id")])  # type: ignore[arg-type]
