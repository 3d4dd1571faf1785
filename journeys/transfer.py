"""Journeys in and out of CX Hub: CSV export (a row per step, for spreadsheets) and a JSON format that
exports a whole map and imports it back as a new journey, here or on another installation.

JSON format (format_version 1):
    {"format": "cxhub.journey", "format_version": 1,
     "journey": {"title", "description", "state": "as_is"|"to_be",
                 "persona": {"name", "description", "goals", "frustrations", "quote"} | null,
                 "stages": [{"name", "steps": [{"touchpoint": code | null, "touchpoint_name",
                             "action", "expectation", "reality", "emotion": -2..2,
                             "is_moment_of_truth": bool, "notes"}]}]}}
Touchpoints are matched by code, then by name (case-insensitive); the catalogue is never changed by an import.
"""

import io
import json
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from cxhub.lib import spreadsheet
from cxhub.lib.concurrency import Gone

from .models import Comment, CommentThread, Journey, JourneyTemplate, Persona, Stage, Step, Touchpoint
from .selectors import JourneyMap, journey_map
from .services import ensure_can_edit, journey_create, persona_create

FORMAT = "cxhub.journey"
FORMAT_VERSION = 1
MAX_IMPORT_BYTES = 2 * 1024 * 1024
MAX_REPORTED_ERRORS = 50

CSV_COLUMNS = [
    "stage_no",
    "stage",
    "step_no",
    "touchpoint_code",
    "touchpoint",
    "channel",
    "department",
    "customer_action",
    "expectation",
    "reality",
    "gap",
    "emotion",
    "moment_of_truth",
    "notes",
]


def journey_csv(the_map: JourneyMap) -> str:
    """One row per step in map order; starts with a BOM so spreadsheet programs read UTF-8 (Cyrillic) right."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = spreadsheet.Writer(out)
    writer.writerow(CSV_COLUMNS)
    for stage_no, column in enumerate(the_map.columns, start=1):
        for step_no, step in enumerate(column.steps, start=1):
            touchpoint = step.touchpoint
            writer.writerow(
                [
                    stage_no,
                    column.stage.name,
                    step_no,
                    touchpoint.code if touchpoint else "",
                    touchpoint.name if touchpoint else "",
                    touchpoint.get_channel_display() if touchpoint else "",
                    touchpoint.department.name if touchpoint else "",
                    step.action,
                    step.expectation,
                    step.reality,
                    "yes" if step.has_gap else "no",
                    step.emotion,
                    "yes" if step.is_moment_of_truth else "no",
                    step.notes,
                ]
            )
    return out.getvalue()


def journey_document(the_map: JourneyMap) -> dict[str, Any]:
    """The JSON export: everything needed to rebuild the map elsewhere (no ids), and its comment threads
    with their authors' names (for reading: an import leaves them out, they belong to this installation)."""
    journey = the_map.journey
    persona = journey.persona
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "exported_at": timezone.now().isoformat(timespec="seconds"),
        "journey": {
            "title": journey.title,
            "description": journey.description,
            "state": journey.state,
            "persona": {
                "name": persona.name,
                "description": persona.description,
                "goals": persona.goals,
                "frustrations": persona.frustrations,
                "quote": persona.quote,
            }
            if persona
            else None,
            "stages": [
                {
                    "name": column.stage.name,
                    "steps": [
                        {
                            "touchpoint": step.touchpoint.code if step.touchpoint else None,
                            "touchpoint_name": step.touchpoint.name if step.touchpoint else None,
                            "action": step.action,
                            "expectation": step.expectation,
                            "reality": step.reality,
                            "emotion": step.emotion,
                            "is_moment_of_truth": step.is_moment_of_truth,
                            "notes": step.notes,
                        }
                        for step in column.steps
                    ],
                }
                for column in the_map.columns
            ],
        },
        "comments": _comment_threads(journey.pk),
    }


def _comment_threads(journey_id: int) -> list[dict[str, Any]]:
    threads = (
        CommentThread.objects.filter(journey_id=journey_id)
        .select_related("step__stage", "resolved_by")
        .prefetch_related(Prefetch("comments", queryset=Comment.objects.select_related("author")))
        .order_by("created_at", "pk")
    )
    return [
        {
            "on": {"stage": t.step.stage.name, "step": t.step.position + 1, "action": t.step.action}
            if t.step
            else None,
            "anchor": t.anchor,
            "resolved": t.resolved_at is not None,
            "resolved_at": t.resolved_at.isoformat(timespec="seconds") if t.resolved_at else None,
            "comments": [
                {
                    "author": (c.author.get_full_name() or c.author.get_username()) if c.author else None,
                    "at": c.created_at.isoformat(timespec="seconds"),
                    "text": c.text,
                }
                for c in t.comments.all()
            ],
        }
        for t in threads
    ]


# Import ------------------------------------------------------------------------------------------


@dataclass
class ImportProblem:
    where: str  # a path into the document, e.g. journey.stages[2].steps[0].emotion
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class JourneyImportError(Exception):
    """The file cannot be imported; `problems` says what is wrong and where. Nothing was written."""

    def __init__(self, problems: list[ImportProblem], total: int | None = None):
        self.problems = problems[:MAX_REPORTED_ERRORS]
        self.total = total if total is not None else len(problems)
        super().__init__("; ".join(str(p) for p in self.problems))


def journey_import(*, raw: bytes, actor: User, filename: str = "") -> Journey:
    """Create a new draft journey from a JSON export. All or nothing: any problem → JourneyImportError."""
    document = _parse(raw, filename)
    plan = _validate(document)
    with transaction.atomic():
        return _create(plan, actor)


def _parse(raw: bytes, filename: str) -> Any:
    name = filename or _("the file")
    if len(raw) > MAX_IMPORT_BYTES:
        raise JourneyImportError(
            [ImportProblem("", _("%(name)s is larger than 2 MB; a journey export is far smaller.") % {"name": name})]
        )
    if not raw.strip():
        raise JourneyImportError([ImportProblem("", _("%(name)s is empty.") % {"name": name})])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise JourneyImportError(
            [ImportProblem("", _("%(name)s is not UTF-8 text (byte %(at)s).") % {"name": name, "at": error.start})]
        ) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise JourneyImportError(
            [
                ImportProblem(
                    _("line %(line)s, column %(column)s") % {"line": error.lineno, "column": error.colno},
                    _("not valid JSON: %(reason)s") % {"reason": error.msg},
                )
            ]
        ) from None


@dataclass
class _StepPlan:
    fields: dict[str, Any]


@dataclass
class _StagePlan:
    name: str
    steps: list[_StepPlan]


@dataclass
class _JourneyPlan:
    title: str
    description: str
    state: str
    persona: dict[str, str] | None
    stages: list[_StagePlan]


def _validate(document: Any, *, known_touchpoints_only: bool = False) -> _JourneyPlan:
    """The document checked in full (every problem listed); with `known_touchpoints_only`, a touchpoint
    missing from the catalogue leaves the step's touchpoint empty instead of refusing the document."""
    problems: list[ImportProblem] = []

    def problem(where: str, message: str) -> None:
        problems.append(ImportProblem(where, message))

    if not isinstance(document, dict):
        raise JourneyImportError([ImportProblem("", _("expected a JSON object exported from CX Hub."))])
    if document.get("format") != FORMAT:
        problem("format", _('must be "%(format)s" (is this a CX Hub journey export?)') % {"format": FORMAT})
    if document.get("format_version") != FORMAT_VERSION:
        problem("format_version", _("must be %(version)s.") % {"version": FORMAT_VERSION})
    journey = document.get("journey")
    if not isinstance(journey, dict):
        problem("journey", _("missing, or not an object."))
        raise JourneyImportError(problems)

    title = _text(journey, "title", "journey", problem, max_length=200, required=True)
    description = _text(journey, "description", "journey", problem)
    state = journey.get("state", Journey.State.AS_IS)
    if state not in Journey.State.values:
        problem("journey.state", _("must be one of: %(values)s.") % {"values": ", ".join(Journey.State.values)})
    persona = journey.get("persona")
    if persona is not None:
        if not isinstance(persona, dict):
            problem("journey.persona", _("must be an object or null."))
            persona = None
        else:
            persona = {
                "name": _text(persona, "name", "journey.persona", problem, max_length=120, required=True),
                "description": _text(persona, "description", "journey.persona", problem),
                "goals": _text(persona, "goals", "journey.persona", problem),
                "frustrations": _text(persona, "frustrations", "journey.persona", problem),
                "quote": _text(persona, "quote", "journey.persona", problem, max_length=300),
            }

    touchpoints = _touchpoint_lookup()
    stages: list[_StagePlan] = []
    raw_stages = journey.get("stages", [])
    if not isinstance(raw_stages, list):
        problem("journey.stages", _("must be a list."))
        raw_stages = []
    for i, raw_stage in enumerate(raw_stages):
        where = f"journey.stages[{i}]"
        if not isinstance(raw_stage, dict):
            problem(where, _("must be an object."))
            continue
        name = _text(raw_stage, "name", where, problem, max_length=120, required=True)
        raw_steps = raw_stage.get("steps", [])
        if not isinstance(raw_steps, list):
            problem(f"{where}.steps", _("must be a list."))
            raw_steps = []
        steps = [
            plan
            for j, raw_step in enumerate(raw_steps)
            if (plan := _validate_step(raw_step, f"{where}.steps[{j}]", touchpoints, problem, known_touchpoints_only))
            is not None
        ]
        stages.append(_StagePlan(name=name, steps=steps))

    if problems:
        raise JourneyImportError(problems)
    return _JourneyPlan(title=title, description=description, state=state, persona=persona, stages=stages)


def _validate_step(
    raw: Any, where: str, touchpoints: dict[str, dict[str, int]], problem, known_only: bool = False
) -> _StepPlan | None:
    if not isinstance(raw, dict):
        problem(where, _("must be an object."))
        return None
    fields: dict[str, Any] = {name: _text(raw, name, where, problem) for name in ("action", "expectation", "reality")}
    fields["notes"] = _text(raw, "notes", where, problem)
    emotion = raw.get("emotion", 0)
    if isinstance(emotion, bool) or not isinstance(emotion, int) or not -2 <= emotion <= 2:
        problem(f"{where}.emotion", _("must be a whole number from -2 to 2, not %(value)s.") % {"value": emotion})
    fields["emotion"] = emotion
    moment = raw.get("is_moment_of_truth", False)
    if not isinstance(moment, bool):
        problem(f"{where}.is_moment_of_truth", _("must be true or false."))
    fields["is_moment_of_truth"] = moment
    code, name = raw.get("touchpoint"), raw.get("touchpoint_name")
    fields["touchpoint_id"] = None
    if code is not None or name:
        found = touchpoints["code"].get(str(code).lower()) if code is not None else None
        found = found or (touchpoints["name"].get(str(name).lower()) if name else None)
        if found is None and not known_only:
            problem(
                f"{where}.touchpoint",
                _("no touchpoint with code %(code)s or name %(name)s in the catalogue; add it first.")
                % {"code": json.dumps(code, ensure_ascii=False), "name": json.dumps(name, ensure_ascii=False)},
            )
        fields["touchpoint_id"] = found
    return _StepPlan(fields=fields)


def _text(data: dict, key: str, where: str, problem, *, max_length: int | None = None, required: bool = False) -> str:
    value = data.get(key)
    if value is None:
        value = ""
    if not isinstance(value, str):
        problem(f"{where}.{key}", _("must be text."))
        return ""
    value = value.strip()
    if required and not value:
        problem(f"{where}.{key}", _("is required."))
    if max_length is not None and len(value) > max_length:
        problem(f"{where}.{key}", _("is longer than %(max)s characters.") % {"max": max_length})
    return value


def _touchpoint_lookup() -> dict[str, dict[str, int]]:
    """The catalogue by code and by name, lower-cased in Python as the data import compares them."""
    rows = list(Touchpoint.objects.values_list("pk", "code", "name"))
    return {
        "code": {code.lower(): pk for pk, code, _name in rows},
        "name": {name.lower(): pk for pk, _code, name in rows},
    }


def _create(plan: _JourneyPlan, actor: User, persona: Persona | None = None) -> Journey:
    if plan.persona:
        persona = Persona.objects.filter(name__iexact=plan.persona["name"]).first()
        if persona is None:
            persona = persona_create(actor=actor, photo=None, **plan.persona)
    journey = journey_create(
        title=plan.title, actor=actor, persona=persona, description=plan.description, state=plan.state
    )
    stages = bulk_create_with_history(
        [Stage(journey=journey, name=s.name, position=i, updated_by=actor) for i, s in enumerate(plan.stages)],
        Stage,
        default_user=actor,
    )
    steps = [
        Step(stage=stage, position=j, updated_by=actor, **step.fields)
        for stage, stage_plan in zip(stages, plan.stages, strict=True)
        for j, step in enumerate(stage_plan.steps)
    ]
    bulk_create_with_history(steps, Step, default_user=actor)
    return journey


# Templates -------------------------------------------------------------------------------------------


def journey_from_template(*, template_id: int, actor: User, title: str = "", persona: Persona | None = None) -> Journey:
    """A new draft journey with the template's stages and steps (touchpoints the catalogue no longer has
    are left empty). A template that no longer passes the import checks is refused whole."""
    ensure_can_edit(actor)
    template = JourneyTemplate.objects.filter(pk=template_id).first()
    if template is None:
        raise Gone(_("This template"))
    journey = {**template.document, "title": title.strip() or template.name, "persona": None}
    document = {"format": FORMAT, "format_version": FORMAT_VERSION, "journey": journey}
    plan = _validate(document, known_touchpoints_only=True)
    with transaction.atomic():
        return _create(plan, actor, persona=persona)


@transaction.atomic
def template_from_journey(
    *, journey_id: int, actor: User, name: str, description: str, language: str
) -> JourneyTemplate:
    """Keep a journey's stages and steps (texts, touchpoints, emotions) as a template; no persona, no people."""
    ensure_can_edit(actor)
    if not Journey.objects.filter(pk=journey_id).exists():
        raise Gone(_("This journey"))
    journey = journey_document(journey_map(journey_id=journey_id))["journey"]
    journey.update(title=name, description=description, state=Journey.State.AS_IS, persona=None)
    template = JourneyTemplate(
        name=name,
        description=description,
        language=language,
        document=journey,
        stage_count=len(journey["stages"]),
        step_count=sum(len(stage["steps"]) for stage in journey["stages"]),
        created_by=actor,
    )
    template.full_clean()
    template.save()
    return template


@transaction.atomic
def template_delete(*, template_id: int, actor: User) -> None:
    ensure_can_edit(actor)
    deleted, _by_model = JourneyTemplate.objects.filter(pk=template_id).delete()
    if not deleted:
        raise Gone(_("This template"))
