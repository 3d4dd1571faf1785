"""Journey pages. The map is edited in place: every write goes to a small endpoint that answers with
the re-rendered step column or the whole map (htmx partials), or 409 with the reason on a conflict."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import ProtectedError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cxhub.exports.services import export_request
from cxhub.lib import redirects
from cxhub.lib.concurrency import Gone, StaleVersion
from cxhub.lib.decorators import permission_required
from cxhub.lib.downloads import stored_file
from cxhub.lib.text import unidecode_ascii

from . import lanes, live, services, sharing
from .compare import comparable_journeys, journey_comparison
from .forms import (
    STEP_EDITABLE_FIELDS,
    JourneyFilterForm,
    JourneyForm,
    JourneyImportForm,
    PersonaForm,
    ReviewSettingsForm,
    StageNameForm,
    StepCellForm,
    TemplateSaveForm,
    TemplateUseForm,
    TouchpointFilterForm,
)
from .history import journey_history
from .models import Comment, CommentThread, Journey, JourneyTemplate, Persona, ShareLink, Step
from .printing import print_pages
from .selectors import comment_panel, due_for_review, journey_list, journey_map, persona_list, step_get, touchpoint_list
from .templatetags.journeys import signed
from .transfer import (
    JourneyImportError,
    journey_csv,
    journey_document,
    journey_from_template,
    journey_import,
    template_delete,
    template_from_journey,
)

MAP_TEMPLATE = "journeys/journey_map.html"


@require_GET
@login_required
def journey_list_view(request: HttpRequest) -> HttpResponse:
    form = JourneyFilterForm(request.GET or None)
    filters: dict = {}
    if form.is_valid():
        data = form.cleaned_data
        filters = {
            "query": data["q"],
            "persona_id": data["persona"].pk if data["persona"] else None,
            "state": data["state"],
            "status": data["status"],
            "owner_id": data["owner"].pk if data["owner"] else None,
            "due_only": data["due"],
        }
    page = Paginator(journey_list(**filters), 50).get_page(request.GET.get("page"))
    can_edit = request.user.has_perm("journeys.edit_map")
    # The CX lead's home: maps gone unchecked for longer than their cadence, the longest first.
    due = list(due_for_review()[:6]) if can_edit and not filters.get("due_only") else []
    return render(request, "journeys/journey_list.html", {"form": form, "page": page, "can_edit": can_edit, "due": due})


@require_http_methods(["GET", "POST"])
@login_required
@permission_required("journeys.edit_map")
def journey_create_view(request: HttpRequest) -> HttpResponse:
    form = JourneyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        journey = services.journey_create(actor=request.user, **form.cleaned_data)
        messages.success(request, _("Journey created. Add its stages and steps on the map."))
        return HttpResponseRedirect(reverse("journeys:journey_map", args=[journey.pk]))
    return render(request, "journeys/journey_form.html", {"form": form})


@require_POST
@login_required
@permission_required("journeys.edit_map")
def journey_duplicate_view(request: HttpRequest, journey_id: int) -> HttpResponse:
    as_to_be = request.POST.get("as") == "to_be"
    copy = services.journey_duplicate(journey_id=_existing(journey_id), actor=request.user, as_to_be=as_to_be)
    messages.success(request, _("To-be version created.") if as_to_be else _("Copy created."))
    return HttpResponseRedirect(reverse("journeys:journey_map", args=[copy.pk]))


@require_POST
@login_required
@permission_required("journeys.edit_map")
def journey_status_view(request: HttpRequest, journey_id: int) -> HttpResponse:
    status = request.POST.get("status", "")
    if status not in Journey.Status.values:
        messages.error(request, _("Unknown status."))
    else:
        try:
            services.journey_update(
                journey_id=_existing(journey_id),
                expected_version=_int(request.POST.get("version")),
                actor=request.user,
                status=status,
            )
            messages.success(request, _("Status changed to %(status)s.") % {"status": Journey.Status(status).label})
        except (StaleVersion, Gone) as conflict:
            messages.error(request, conflict.message)
    return HttpResponseRedirect(
        redirects.local(request.POST.get("next"), reverse("journeys:journey_map", args=[journey_id]))
    )


@require_GET
@login_required
def journey_map_view(request: HttpRequest, journey_id: int) -> HttpResponse:
    return _render_map(request, journey_id)


@require_GET
@login_required
def journey_history_view(request: HttpRequest, journey_id: int) -> HttpResponse:
    journey = get_object_or_404(Journey, pk=journey_id)
    entries = journey_history(journey_id=journey.pk, limit=300)
    return render(request, "journeys/journey_history.html", {"journey": journey, "entries": entries})


@require_GET
@login_required
def journey_compare_view(request: HttpRequest, journey_id: int) -> HttpResponse:
    """This journey next to its as-is original or one of its to-be versions (`?with=` picks which)."""
    journey = get_object_or_404(Journey.objects.select_related("to_be_of"), pk=journey_id)
    candidates = comparable_journeys(journey)
    other_id = request.GET.get("with")
    other = next((j for j in candidates if str(j.pk) == other_id), None) if other_id else None
    if other_id and other is None:
        other = get_object_or_404(Journey, pk=_int(other_id))
        candidates = [other, *candidates]
    other = other or (candidates[0] if candidates else None)
    context = {"journey": journey, "candidates": candidates, "other": other, "comparison": None}
    if other is not None:
        as_is, to_be = (other, journey) if journey.state == Journey.State.TO_BE else (journey, other)
        context["comparison"] = journey_comparison(as_is=as_is, to_be=to_be)
    context["can_edit"] = request.user.has_perm("journeys.edit_map")
    return render(request, "journeys/journey_compare.html", context)


@require_GET
@login_required
def journey_export_view(request: HttpRequest, journey_id: int, fmt: str) -> HttpResponse:
    """The map as CSV (a row per step) or as JSON (re-importable), downloaded as a file."""
    if fmt not in ("csv", "json"):
        raise Http404
    the_map = _map_or_404(journey_id)
    filename = (slugify(unidecode_ascii(the_map.journey.title)) or "journey")[:80]
    if fmt == "csv":
        response = HttpResponse(journey_csv(the_map), content_type="text/csv; charset=utf-8")
    else:
        response = JsonResponse(journey_document(the_map), json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


@require_http_methods(["GET", "POST"])
@login_required
@permission_required("journeys.edit_map")
def journey_import_view(request: HttpRequest) -> HttpResponse:
    """Upload a JSON export: it becomes a new draft journey, or nothing is written and the problems are listed."""
    form = JourneyImportForm(request.POST or None, request.FILES or None)
    problems, total = [], 0
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            journey = journey_import(raw=upload.read(), actor=request.user, filename=upload.name)
        except JourneyImportError as error:
            problems, total = error.problems, error.total
        else:
            messages.success(request, _("Journey imported as a draft: check it, then publish it."))
            return HttpResponseRedirect(reverse("journeys:journey_map", args=[journey.pk]))
    context = {"form": form, "problems": problems, "total": total}
    return render(request, "journeys/journey_import.html", context)


@require_POST
@login_required
def journey_export_file_view(request: HttpRequest, journey_id: int, fmt: str) -> HttpResponse:
    """Ask the worker for the whole map as a PNG or PDF; the answer is the job's progress (polled), then a link."""
    if fmt not in ("png", "pdf"):
        raise Http404
    journey = get_object_or_404(Journey, pk=journey_id)
    export = export_request(
        kind=f"journey_{fmt}",
        params={"journey_id": journey.pk},
        title=f"{journey.title} · {fmt.upper()}",
        actor=request.user,
    )
    if request.htmx:
        return render(request, "exports/_status.html", {"export": export})
    return HttpResponseRedirect(reverse("exports:status", args=[export.token]))


@require_GET
@login_required
def journey_print_view(request: HttpRequest, journey_id: int) -> HttpResponse:
    """The map laid out for landscape paper: a fixed number of steps per page, lanes repeated on each."""
    the_map = _map_or_404(journey_id)
    lanes.attach(the_map.steps, printed_only=True)
    per_page = request.GET.get("per_page", "")
    per_page = int(per_page) if per_page.isdigit() else 8
    pages = print_pages(the_map, per_page=max(4, min(per_page, 12)))
    return render(request, "journeys/journey_print.html", {"journey": the_map.journey, "pages": pages})


# Map edits (htmx) ------------------------------------------------------------------------------------


@require_POST
@login_required
@permission_required("journeys.edit_map")
def stage_add_view(request: HttpRequest, journey_id: int) -> HttpResponse:
    name = (request.POST.get("name") or "").strip() or _("New stage")
    position = request.POST.get("position")
    stage = services.stage_add(
        journey_id=_existing(journey_id),
        name=name[:120],
        actor=request.user,
        position=_int(position) if position not in (None, "") else None,
    )
    # From the keyboard (Alt+Shift+N) the new stage comes back with its name open for typing.
    editing = stage.pk if request.POST.get("rename") else None
    return _render_map(request, journey_id, partial=True, editing_stage=editing)


@require_http_methods(["GET", "POST"])
@login_required
@permission_required("journeys.edit_map")
def stage_rename_view(request: HttpRequest, journey_id: int, stage_id: int) -> HttpResponse:
    if request.method == "GET":
        return _render_map(request, journey_id, partial=True, editing_stage=stage_id)
    form = StageNameForm(request.POST)
    if not form.is_valid():
        return _render_map(request, journey_id, partial=True, editing_stage=stage_id, stage_form=form, status=422)
    return _structural(
        request,
        journey_id,
        lambda: services.stage_update(
            stage_id=stage_id,
            expected_version=form.cleaned_data["version"],
            actor=request.user,
            name=form.cleaned_data["name"],
        ),
    )


@require_POST
@login_required
@permission_required("journeys.edit_map")
def journey_review_view(request: HttpRequest, journey_id: int) -> HttpResponse:
    """Mark the map reviewed today (`action=reviewed`), or change its owner and review cadence."""
    journey = get_object_or_404(Journey, pk=journey_id)
    if request.POST.get("action") == "reviewed":
        reviewed = services.journey_mark_reviewed(journey_id=journey.pk, actor=request.user)
        next_review = date_format(reviewed.review_due_on)
        messages.success(request, _("Marked reviewed: the next review is due on %(day)s.") % {"day": next_review})
        return HttpResponseRedirect(reverse("journeys:journey_map", args=[journey.pk]))
    form = ReviewSettingsForm(request.POST)
    if not form.is_valid():
        problems = "; ".join(" ".join(str(error) for error in errors) for errors in form.errors.values())
        messages.error(request, _("Review settings not saved: %(problems)s") % {"problems": problems})
        return HttpResponseRedirect(reverse("journeys:journey_map", args=[journey.pk]))
    try:
        services.journey_update(
            journey_id=journey.pk,
            expected_version=form.cleaned_data["version"],
            actor=request.user,
            owner=form.cleaned_data["owner"],
            review_cadence=form.cleaned_data["review_cadence"],
        )
    except StaleVersion as conflict:
        messages.error(request, conflict.message)
    else:
        messages.success(request, _("Review settings saved."))
    return HttpResponseRedirect(reverse("journeys:journey_map", args=[journey.pk]))


@require_POST
@login_required
@permission_required("journeys.edit_map")
def stage_move_view(request: HttpRequest, journey_id: int, stage_id: int) -> HttpResponse:
    return _structural(
        request,
        journey_id,
        lambda: services.stage_move(
            stage_id=stage_id,
            to_position=_int(request.POST.get("to_position")),
            expected_version=_int(request.POST.get("version")),
            actor=request.user,
        ),
    )


@require_POST
@login_required
@permission_required("journeys.edit_map")
def stage_delete_view(request: HttpRequest, journey_id: int, stage_id: int) -> HttpResponse:
    return _structural(
        request,
        journey_id,
        lambda: services.stage_delete(
            stage_id=stage_id, expected_version=_int(request.POST.get("version")), actor=request.user
        ),
    )


@require_POST
@login_required
@permission_required("journeys.edit_map")
def step_add_view(request: HttpRequest, journey_id: int, stage_id: int) -> HttpResponse:
    position = request.POST.get("position")
    return _structural(
        request,
        journey_id,
        lambda: services.step_add(
            stage_id=stage_id,
            actor=request.user,
            position=_int(position) if position not in (None, "") else None,
        ),
    )


@require_POST
@login_required
@permission_required("journeys.edit_map")
def step_move_view(request: HttpRequest, journey_id: int, step_id: int) -> HttpResponse:
    """Either to an explicit place (drag and drop) or one place left/right (buttons, keyboard)."""
    direction = request.POST.get("direction")
    if direction in ("left", "right"):
        return _structural(
            request,
            journey_id,
            lambda: services.step_nudge(
                step_id=step_id,
                direction=direction,
                expected_version=_int(request.POST.get("version")),
                actor=request.user,
            ),
        )
    return _structural(
        request,
        journey_id,
        lambda: services.step_move(
            step_id=step_id,
            to_stage_id=_int(request.POST.get("to_stage")),
            to_position=_int(request.POST.get("to_position")),
            expected_version=_int(request.POST.get("version")),
            actor=request.user,
        ),
    )


@require_POST
@login_required
@permission_required("journeys.edit_map")
def step_delete_view(request: HttpRequest, journey_id: int, step_id: int) -> HttpResponse:
    return _structural(
        request,
        journey_id,
        lambda: services.step_delete(
            step_id=step_id, expected_version=_int(request.POST.get("version")), actor=request.user
        ),
    )


@require_http_methods(["GET", "POST"])
@login_required
@permission_required("journeys.edit_map")
def step_cell_view(request: HttpRequest, journey_id: int, step_id: int, field: str) -> HttpResponse:
    """GET: the step column with one cell as a form. POST: save that cell and answer with the column."""
    if field not in STEP_EDITABLE_FIELDS:
        raise Http404
    stored = Step.objects.filter(pk=step_id).first()
    if stored is None:
        return _render_map(request, journey_id, partial=True, conflict=Gone(_("This step")).message, status=409)
    if request.method == "GET":
        form = StepCellForm(instance=stored, initial={"version": stored.version}, field=field)
        return _render_step(request, step_get(step_id=step_id), form=form)
    if request.POST.get("cancel"):
        return _render_step(request, step_get(step_id=step_id))
    form = StepCellForm(request.POST, instance=stored, field=field)
    if not form.is_valid():
        return _render_step(request, step_get(step_id=step_id), form=form, status=422)
    step = stored
    changes = form.changes()
    try:
        with transaction.atomic():
            if field == "touchpoint" and form.cleaned_data.get("new_touchpoint_name"):
                changes["touchpoint"] = services.touchpoint_create(
                    name=form.cleaned_data["new_touchpoint_name"],
                    channel=form.cleaned_data["new_touchpoint_channel"],
                    department=form.cleaned_data["new_touchpoint_department"],
                    actor=request.user,
                )
            updated = services.step_update(
                step_id=step.pk, expected_version=form.cleaned_data["version"], actor=request.user, **changes
            )
    except StaleVersion as conflict:
        # Nothing was written. The editor keeps the refused text and now shows what the other person
        # saved; it carries their version, so a second Enter deliberately saves this text over theirs
        # (refused again if yet another change lands first) and Esc keeps theirs.
        fresh = step_get(step_id=step.pk)
        data = request.POST.copy()
        data["version"] = str(fresh.version)
        again = StepCellForm(data, instance=Step.objects.get(pk=step.pk), field=field)
        theirs = _shown(fresh, field)
        return _render_step(request, fresh, form=again, conflict=conflict.message, theirs=theirs, status=409)
    except Gone as gone:
        return _render_map(request, journey_id, partial=True, conflict=gone.message, status=409)
    except ValidationError as error:
        form.add_error(None, error)
        return _render_step(request, step_get(step_id=step.pk), form=form, status=422)
    # A new score moves the neighbours' pieces of the emotion curve too.
    return _render_step(request, step_get(step_id=updated.pk), redraw_neighbours=field == "emotion")


# Helpers ---------------------------------------------------------------------------------------------


def _structural(request: HttpRequest, journey_id: int, write) -> HttpResponse:
    """Run a structural write and answer with the fresh map; on a conflict, the fresh map and the reason."""
    try:
        write()
    except (StaleVersion, Gone) as conflict:
        return _render_map(request, journey_id, partial=True, conflict=conflict.message, status=409)
    except ValidationError as error:
        return _render_map(request, journey_id, partial=True, conflict=" ".join(error.messages), status=422)
    return _render_map(request, journey_id, partial=True)


def _render_map(
    request: HttpRequest,
    journey_id: int,
    *,
    partial: bool = False,
    conflict: str = "",
    editing_stage: int | None = None,
    stage_form: StageNameForm | None = None,
    status: int = 200,
) -> HttpResponse:
    if partial and not request.htmx:
        # The same forms work without JavaScript: after the write, back to the whole page.
        if conflict:
            messages.error(request, conflict)
        return HttpResponseRedirect(reverse("journeys:journey_map", args=[journey_id]))
    try:
        the_map = journey_map(journey_id=journey_id)
    except Journey.DoesNotExist:
        raise Http404 from None
    lanes.attach(the_map.steps)
    template = MAP_TEMPLATE + ("#journey-map" if partial or request.htmx else "")
    context = {
        "map": the_map,
        "journey": the_map.journey,
        "can_edit": request.user.has_perm("journeys.edit_map"),
        "can_comment": request.user.has_perm("journeys.comment"),
        "live_url": live.socket_path(journey_id),
        "review_form": ReviewSettingsForm(
            initial={
                "owner": the_map.journey.owner_id,
                "review_cadence": the_map.journey.review_cadence,
                "version": the_map.journey.version,
            }
        ),
        "conflict": conflict,
        "editing_stage": editing_stage,
        "stage_form": stage_form,
    }
    return render(request, template, context, status=status)


def _render_step(
    request: HttpRequest,
    step: Step,
    *,
    form: StepCellForm | None = None,
    conflict: str = "",
    theirs: str | None = None,
    status: int = 200,
    redraw_neighbours: bool = False,
) -> HttpResponse:
    context = {
        "step": step,
        "journey": step.stage.journey,
        "can_edit": True,
        "can_comment": True,
        "form": form,
        "conflict": conflict,
        "theirs": theirs,
        "curve_neighbours": step.curve_neighbours if redraw_neighbours else (),  # type: ignore[attr-defined]
    }
    return render(request, MAP_TEMPLATE + "#step-column", context, status=status)


def _shown(step: Step, field: str) -> str:
    """A cell's stored value as people read it (in a conflict note)."""
    if field == "touchpoint":
        return step.touchpoint.name if step.touchpoint else "—"
    if field == "emotion":
        return signed(step.emotion)
    if field == "is_moment_of_truth":
        return _("yes") if step.is_moment_of_truth else _("no")
    return getattr(step, field) or "—"


def _map_or_404(journey_id: int):
    try:
        return journey_map(journey_id=journey_id)
    except Journey.DoesNotExist:
        raise Http404 from None


def _existing(journey_id: int) -> int:
    if not Journey.objects.filter(pk=journey_id).exists():
        raise Http404
    return journey_id


def _int(value: str | None) -> int:
    try:
        return int(value or "")
    except ValueError:
        raise BadRequest(_("A number was expected.")) from None


@require_GET
@login_required
def touchpoint_list_view(request: HttpRequest) -> HttpResponse:
    form = TouchpointFilterForm(request.GET or None)
    filters: dict = {}
    if form.is_valid():
        department = form.cleaned_data["department"]
        filters = {
            "query": form.cleaned_data["q"],
            "channel": form.cleaned_data["channel"],
            "department_id": department.pk if department else None,
        }
    page = Paginator(touchpoint_list(**filters), 100).get_page(request.GET.get("page"))
    return render(request, "journeys/touchpoint_list.html", {"form": form, "page": page})


# Personas ---------------------------------------------------------------------------------------------


@require_GET
@login_required
def persona_list_view(request: HttpRequest) -> HttpResponse:
    archived = request.GET.get("archived") == "1"
    return render(
        request,
        "journeys/persona_list.html",
        {
            "personas": persona_list(archived=archived),
            "archived": archived,
            "archived_count": persona_list(archived=not archived).count() if not archived else 0,
            "can_edit": request.user.has_perm("journeys.edit_map"),
        },
    )


@require_GET
@login_required
def persona_detail_view(request: HttpRequest, persona_id: int) -> HttpResponse:
    persona = get_object_or_404(Persona, pk=persona_id)
    return render(
        request,
        "journeys/persona_detail.html",
        {
            "persona": persona,
            "journeys": journey_list(persona_id=persona.pk, include_archived=True),
            "can_edit": request.user.has_perm("journeys.edit_map"),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
@permission_required("journeys.edit_map")
def persona_create_view(request: HttpRequest) -> HttpResponse:
    form = PersonaForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            persona = services.persona_create(actor=request.user, photo=form.cleaned_data["photo"], **form.texts())
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Persona created."))
            return HttpResponseRedirect(reverse("journeys:persona_detail", args=[persona.pk]))
    return render(request, "journeys/persona_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
@login_required
@permission_required("journeys.edit_map")
def persona_edit_view(request: HttpRequest, persona_id: int) -> HttpResponse:
    persona = get_object_or_404(Persona, pk=persona_id)
    form = PersonaForm(request.POST or None, request.FILES or None, instance=persona)
    if request.method == "POST" and form.is_valid():
        try:
            services.persona_update(
                persona_id=persona.pk,
                expected_version=form.cleaned_data["version"],
                actor=request.user,
                photo=form.cleaned_data["photo"],
                remove_photo=form.cleaned_data["remove_photo"],
                **form.texts(),
            )
        except Gone as gone:
            raise Http404(gone.message) from None
        except StaleVersion as conflict:
            form.add_error(None, conflict.message)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Persona saved."))
            return HttpResponseRedirect(reverse("journeys:persona_detail", args=[persona.pk]))
    persona.refresh_from_db()  # the form changed the instance in memory; the page shows what is stored
    return render(request, "journeys/persona_form.html", {"form": form, "persona": persona})


@require_POST
@login_required
@permission_required("journeys.edit_map")
def persona_archive_view(request: HttpRequest, persona_id: int) -> HttpResponse:
    archive = request.POST.get("archive") != "0"
    try:
        services.persona_update(
            persona_id=persona_id, expected_version=_int(request.POST.get("version")), actor=request.user,
            is_archived=archive,
        )  # fmt: skip
    except Gone as gone:
        raise Http404(gone.message) from None
    except StaleVersion as conflict:
        messages.error(request, conflict.message)
        return HttpResponseRedirect(reverse("journeys:persona_detail", args=[persona_id]))
    messages.success(request, _("Persona archived.") if archive else _("Persona restored."))
    return HttpResponseRedirect(reverse("journeys:persona_detail", args=[persona_id]))


@require_POST
@login_required
@permission_required("journeys.edit_map")
def persona_delete_view(request: HttpRequest, persona_id: int) -> HttpResponse:
    try:
        services.persona_delete(
            persona_id=persona_id, expected_version=_int(request.POST.get("version")), actor=request.user
        )
    except Gone as gone:
        raise Http404(gone.message) from None
    except StaleVersion as conflict:
        messages.error(request, conflict.message)
        return HttpResponseRedirect(reverse("journeys:persona_detail", args=[persona_id]))
    except ProtectedError:
        messages.error(request, _("Journeys are drawn for this persona, so it cannot be deleted; archive it instead."))
        return HttpResponseRedirect(reverse("journeys:persona_detail", args=[persona_id]))
    messages.success(request, _("Persona deleted."))
    return HttpResponseRedirect(reverse("journeys:persona_list"))


@require_GET
@login_required
def persona_photo_view(request: HttpRequest, persona_id: int) -> FileResponse:
    """Shown inline as an image only: the type was checked at upload and the browser may not sniff another."""
    persona = get_object_or_404(Persona, pk=persona_id)
    response = stored_file(persona.photo, missing=_("This persona has no photo."), content_type=persona.photo_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'"
    response["Cache-Control"] = "private, max-age=3600"
    return response


def _form_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """A service's refusal, shown on the field it names (or above the form)."""
    for name, problems in error.message_dict.items():
        form.add_error(name if name in form.fields else None, problems)


# Templates -------------------------------------------------------------------------------------------


@require_GET
@login_required
def template_list_view(request: HttpRequest) -> HttpResponse:
    """The library, in the page's language first; `?lang=all` shows every language."""
    language = request.GET.get("lang") or get_language() or "en"
    templates = JourneyTemplate.objects.select_related("created_by").order_by("name")
    if language in JourneyTemplate.Language.values:
        templates = templates.filter(language=language)
    return render(
        request,
        "journeys/template_list.html",
        {
            "templates": templates,
            "language": language if language in JourneyTemplate.Language.values else "all",
            "languages": JourneyTemplate.Language.choices,
            "can_edit": request.user.has_perm("journeys.edit_map"),
        },
    )


@require_GET
@login_required
def template_detail_view(request: HttpRequest, template_id: int) -> HttpResponse:
    template = get_object_or_404(JourneyTemplate.objects.select_related("created_by"), pk=template_id)
    return _render_template_detail(request, template, TemplateUseForm(initial={"title": template.name}))


@require_POST
@login_required
@permission_required("journeys.edit_map")
def template_use_view(request: HttpRequest, template_id: int) -> HttpResponse:
    template = get_object_or_404(JourneyTemplate, pk=template_id)
    form = TemplateUseForm(request.POST)
    if not form.is_valid():
        return _render_template_detail(request, template, form, status=400)
    try:
        journey = journey_from_template(
            template_id=template.pk,
            actor=request.user,
            title=form.cleaned_data["title"],
            persona=form.cleaned_data["persona"],
        )
    except JourneyImportError as error:
        form.add_error(None, _("This template cannot be used: %(problems)s") % {"problems": error})
        return _render_template_detail(request, template, form, status=400)
    messages.success(request, _("Journey created from the template: fill in what really happens at each step."))
    return HttpResponseRedirect(reverse("journeys:journey_map", args=[journey.pk]))


@require_POST
@login_required
@permission_required("journeys.edit_map")
def template_delete_view(request: HttpRequest, template_id: int) -> HttpResponse:
    try:
        template_delete(template_id=template_id, actor=request.user)
    except Gone as gone:
        raise Http404(gone.message) from None
    messages.success(request, _("Template deleted."))
    return HttpResponseRedirect(reverse("journeys:template_list"))


@require_http_methods(["GET", "POST"])
@login_required
@permission_required("journeys.edit_map")
def template_save_view(request: HttpRequest, journey_id: int) -> HttpResponse:
    """Save a journey's stages and steps as a template others can start from."""
    journey = get_object_or_404(Journey, pk=journey_id)
    language = get_language() if get_language() in JourneyTemplate.Language.values else "en"
    initial = {"name": journey.title, "description": journey.description, "language": language}
    form = TemplateSaveForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            template = template_from_journey(journey_id=journey.pk, actor=request.user, **form.cleaned_data)
        except Gone as gone:
            raise Http404(gone.message) from None
        messages.success(request, _("Saved as a template."))
        return HttpResponseRedirect(reverse("journeys:template_detail", args=[template.pk]))
    return render(request, "journeys/template_save.html", {"form": form, "journey": journey})


def _render_template_detail(
    request: HttpRequest, template: JourneyTemplate, form: TemplateUseForm, status: int = 200
) -> HttpResponse:
    context = {"template": template, "stages": template.document.get("stages", []), "form": form}
    context["can_edit"] = request.user.has_perm("journeys.edit_map")
    return render(request, "journeys/template_detail.html", context, status=status)


# Comments ---------------------------------------------------------------------------------------------


class CommentForm(forms.Form):
    text = forms.CharField(label=_("Comment"), max_length=Comment.MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3}))
    step = forms.IntegerField(required=False, widget=forms.HiddenInput)


@require_GET
@login_required
def comments_view(request: HttpRequest, journey_id: int) -> HttpResponse:
    """The threads of one step (?step=) or of the map as a whole, with the map's other open threads
    listed; ?thread= picks the step (or map) of that thread. A page of its own without JavaScript, the
    side panel of the map with it."""
    journey = get_object_or_404(Journey, pk=journey_id)
    step_id = _optional_int(request.GET.get("step"))
    thread_id = _optional_int(request.GET.get("thread"))
    if thread_id is not None:
        thread = get_object_or_404(CommentThread, pk=thread_id, journey=journey)
        step_id = thread.step_id
    return _render_comments(request, journey, step_id, highlight=thread_id)


@require_POST
@login_required
@permission_required("journeys.comment")
def thread_start_view(request: HttpRequest, journey_id: int) -> HttpResponse:
    journey = get_object_or_404(Journey, pk=journey_id)
    form = CommentForm(request.POST)
    step_id = _optional_int(request.POST.get("step"))
    if not form.is_valid():
        return _render_comments(request, journey, step_id, new_form=form, status=422)
    try:
        thread = services.thread_start(
            journey_id=journey.pk, actor=request.user, text=form.cleaned_data["text"], step_id=step_id
        )
    except Gone as gone:
        # The step was deleted meanwhile: the text stays, on the map's own threads, to post there or copy.
        form.add_error("text", gone.message)
        return _render_comments(request, journey, None, new_form=form, status=409)
    except ValidationError as error:
        form.add_error("text", " ".join(error.messages))
        return _render_comments(request, journey, step_id, new_form=form, status=422)
    return _after_comment(request, journey, thread.step_id, thread.pk)


@require_POST
@login_required
@permission_required("journeys.comment")
def comment_reply_view(request: HttpRequest, journey_id: int, thread_id: int) -> HttpResponse:
    journey = get_object_or_404(Journey, pk=journey_id)
    thread = get_object_or_404(CommentThread, pk=thread_id, journey=journey)
    form = CommentForm(request.POST)
    if not form.is_valid():
        return _render_comments(request, journey, thread.step_id, reply_forms={thread.pk: form}, status=422)
    try:
        services.comment_reply(thread_id=thread.pk, actor=request.user, text=form.cleaned_data["text"])
    except ValidationError as error:
        form.add_error("text", " ".join(error.messages))
        return _render_comments(request, journey, thread.step_id, reply_forms={thread.pk: form}, status=422)
    return _after_comment(request, journey, thread.step_id, thread.pk)


@require_POST
@login_required
@permission_required("journeys.comment")
def thread_resolve_view(request: HttpRequest, journey_id: int, thread_id: int) -> HttpResponse:
    journey = get_object_or_404(Journey, pk=journey_id)
    thread = get_object_or_404(CommentThread, pk=thread_id, journey=journey)
    services.thread_resolve(thread_id=thread.pk, actor=request.user, resolved=request.POST.get("action") != "reopen")
    return _after_comment(request, journey, thread.step_id, thread.pk)


@require_GET
@login_required
@permission_required("journeys.comment")
def people_view(request: HttpRequest) -> JsonResponse:
    """Who can be @mentioned, for the comment box's suggestions (the page filters as one types)."""
    people = [
        {"username": user.username, "name": user.get_full_name() or user.username}
        for user in services.mentionable_people()
    ]
    return JsonResponse({"people": people})


def _after_comment(request: HttpRequest, journey: Journey, step_id: int | None, thread_id: int) -> HttpResponse:
    if request.htmx:
        return _render_comments(request, journey, step_id, highlight=thread_id)
    url = reverse("journeys:comments", args=[journey.pk]) + f"?thread={thread_id}"
    return HttpResponseRedirect(url + f"#thread-{thread_id}")


def _render_comments(
    request: HttpRequest,
    journey: Journey,
    step_id: int | None,
    *,
    highlight: int | None = None,
    new_form: CommentForm | None = None,
    reply_forms: dict[int, CommentForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    step = None
    if step_id is not None:
        step = Step.objects.filter(pk=step_id, stage__journey=journey).select_related("stage").first()
        if step is None:
            raise Http404
    panel = comment_panel(journey_id=journey.pk, step_id=step_id)
    context = {
        "journey": journey,
        "step": step,
        "panel": panel,
        "highlight": highlight,
        "new_form": new_form or CommentForm(initial={"step": step_id}),
        "reply_forms": reply_forms or {},
        "can_comment": request.user.has_perm("journeys.comment"),
        "can_edit": request.user.has_perm("journeys.edit_map"),
    }
    template = "journeys/comments.html" + ("#comment-panel" if request.htmx else "")
    return render(request, template, context, status=status)


def _optional_int(value: str | None) -> int | None:
    if value in (None, ""):
        return None
    return _int(value)


# Share links ------------------------------------------------------------------------------------------


class ShareLinkForm(forms.Form):
    days = forms.IntegerField(
        label=_("Expires after (days)"), min_value=1, max_value=sharing.MAX_DAYS, initial=sharing.DEFAULT_DAYS
    )
    hide_figures = forms.BooleanField(label=_("Hide service levels and barriers"), required=False)


@require_http_methods(["GET", "POST"])
@login_required
@permission_required("journeys.edit_map")
def journey_share_view(request: HttpRequest, journey_id: int) -> HttpResponse:
    """The journey's share links (who made each, until when, how often opened); a new one is shown once."""
    journey = get_object_or_404(Journey, pk=journey_id)
    form = ShareLinkForm(request.POST or None)
    new_url = ""
    status = 200
    if request.method == "POST":
        if form.is_valid():
            made = sharing.share_link_create(
                journey_id=journey.pk,
                actor=request.user,
                days=form.cleaned_data["days"],
                hide_figures=form.cleaned_data["hide_figures"],
            )
            new_url = request.build_absolute_uri(reverse("shared:map", args=[made.token]))
            form = ShareLinkForm()
        else:
            status = 422
    links = journey.share_links.select_related("created_by", "revoked_by").order_by("-created_at")
    context = {"journey": journey, "form": form, "links": links, "new_url": new_url}
    response = render(request, "journeys/share_list.html", context, status=status)
    if new_url:
        response["Cache-Control"] = "no-store"  # the token is on this page, once
    return response


@require_POST
@login_required
@permission_required("journeys.edit_map")
def share_revoke_view(request: HttpRequest, journey_id: int, link_id: int) -> HttpResponse:
    link = get_object_or_404(ShareLink, pk=link_id, journey_id=journey_id)
    sharing.share_link_revoke(link_id=link.pk, actor=request.user)
    messages.success(request, _("The link is revoked: it opens nothing any more."))
    return HttpResponseRedirect(reverse("journeys:journey_share", args=[journey_id]))
