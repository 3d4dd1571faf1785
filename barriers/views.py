"""Barrier pages: the CX lead's board, the department's inbox, the barrier page, research studies.
Thin: permissions and rules live in barriers.permissions / barriers.services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cxhub.lib import redirects
from cxhub.lib.concurrency import Gone, StaleVersion
from cxhub.lib.decorators import AuthenticatedHttpRequest, permission_required
from cxhub.lib.downloads import stored_file
from cxhub.org.selectors import departments_of
from journeys.models import Step

from . import services
from .filters import BoardFilter
from .forms import (
    AttachmentForm,
    BarrierForm,
    BulkAssignForm,
    CommentForm,
    EvidenceForm,
    PlanForm,
    StudyForm,
    TransitionForm,
)
from .models import Barrier, ResearchStudy, StudyAttachment
from .permissions import allowed_transitions
from .selectors import barrier_detail, barrier_list, board_kanban, board_rows, inbox_counts, inbox_rows
from .workflow import TransitionError


@require_GET
@login_required
@permission_required("barriers.view_board")
def board_view(request: HttpRequest) -> HttpResponse:
    """All barriers, filtered; a table (with bulk assignment) or a kanban by status."""
    board = BoardFilter(request.GET or None, queryset=barrier_list())
    layout = "kanban" if request.GET.get("view") == "kanban" else "table"
    context = {"form": board.form, "layout": layout, "can_edit": request.user.has_perm("barriers.edit_any_field")}
    if layout == "kanban":
        context["columns"] = board_kanban(board.qs)
    else:
        page = Paginator(board_rows(board.qs, by_stake=board.by_stake), 50).get_page(request.GET.get("page"))
        context["page"] = page
        # Value at stake is written by the nightly full recompute only: say as of when, beside it.
        stakes = [b.stake.as_of for b in page.object_list if hasattr(b, "stake")]
        context["stakes_as_of"] = max(stakes, default=None)
        context["bulk_form"] = BulkAssignForm()
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("view", None)
    context["query"] = query.urlencode()
    return render(request, "barriers/board.html", context)


@require_POST
@login_required
@permission_required("barriers.edit_any_field")
def bulk_assign_view(request: HttpRequest) -> HttpResponse:
    form = BulkAssignForm(request.POST)
    back = _local(request.POST.get("next")) or reverse("barriers:board")
    if not form.is_valid():
        problems = "; ".join(f"{form.fields[k].label or k}: {' '.join(v)}" for k, v in form.errors.items())
        messages.error(request, _("Nothing was assigned — %(problems)s") % {"problems": problems})
        return HttpResponseRedirect(back)
    changed = services.barriers_bulk_assign(
        barrier_ids=[b.pk for b in form.cleaned_data["barriers"]],
        department=form.cleaned_data["department"],
        due_date=form.cleaned_data["due_date"],
        actor=request.user,
    )
    department = form.cleaned_data["department"].name
    text = ngettext(
        "%(count)s barrier assigned to %(department)s.", "%(count)s barriers assigned to %(department)s.", changed
    ) % {"count": changed, "department": department}
    # Barriers already there (with that due date) change nothing: say so rather than count them.
    already = len(form.cleaned_data["barriers"]) - changed
    if already:
        text += " " + ngettext(
            "%(count)s was already assigned there.", "%(count)s were already assigned there.", already
        ) % {"count": already}
    messages.success(request, text)
    return HttpResponseRedirect(back)


@require_GET
@login_required
@permission_required("org.view_own_barriers")
def inbox_view(request: HttpRequest) -> HttpResponse:
    """ "My barriers": what is assigned to the departments the user heads or belongs to."""
    page = Paginator(inbox_rows(request.user), 50).get_page(request.GET.get("page"))
    for barrier in page.object_list:
        barrier.transitions = allowed_transitions(request.user, barrier)
    context = {
        "departments": departments_of(request.user),
        "page": page,
        "rows": page.object_list,
        "counts": inbox_counts(request.user),
    }
    return render(request, "barriers/inbox.html", context)


@require_http_methods(["GET", "POST"])
@login_required
@permission_required("barriers.create")
def barrier_create_view(request: HttpRequest) -> HttpResponse:
    """Record a barrier; from the map (?step=) or a study page (?study=) those come filled in."""
    initial = {}
    step = Step.objects.select_related("stage__journey").filter(pk=request.GET.get("step") or 0).first()
    if step:
        initial["steps"] = [step.pk]
    study = ResearchStudy.objects.filter(pk=request.GET.get("study") or 0).first()
    if study:
        initial["study"] = study.pk
    form = BarrierForm(request.POST or None, initial=initial, creating=True)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            barrier = services.barrier_create(
                actor=request.user,
                title=data["title"],
                description=data["description"],
                type=data["type"],
                severity=data["severity"],
                customers_affected=data["customers_affected"],
                steps=list(data["steps"]),
                touchpoints=list(data["touchpoints"]),
                study=data["study"],
                source=data["source"],
                department=data["department"],
                due_date=data["due_date"],
                evidence=form.evidence(),
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request, _("Barrier recorded and assigned to %(department)s.") % {"department": barrier.department.name}
            )
            return HttpResponseRedirect(
                _local(request.POST.get("next")) or reverse("barriers:detail", args=[barrier.pk])
            )
    return render(
        request,
        "barriers/barrier_form.html",
        {
            "form": form,
            "step": step,
            "study": study,
            "next": _local(request.GET.get("next") or request.POST.get("next")),
        },
    )


@require_GET
@login_required
@permission_required("barriers.read")
def barrier_detail_view(request: HttpRequest, barrier_id: int) -> HttpResponse:
    try:
        barrier = barrier_detail(barrier_id=barrier_id)
    except Barrier.DoesNotExist:
        raise Http404 from None
    user = request.user
    context = {
        "barrier": barrier,
        "transitions": allowed_transitions(user, barrier),
        "can_edit": user.has_perm("barriers.edit_any_field"),
        "can_plan": user.has_perm("barriers.plan", barrier),
        "can_comment": user.has_perm("barriers.comment", barrier),
        "plan_form": PlanForm(initial={"resolution_plan": barrier.resolution_plan, "version": barrier.version}),
        "comment_form": CommentForm(),
        "evidence_form": EvidenceForm(),
    }
    return render(request, "barriers/barrier_detail.html", context)


@require_http_methods(["GET", "POST"])
@login_required
@permission_required("barriers.edit_any_field")
def barrier_edit_view(request: HttpRequest, barrier_id: int) -> HttpResponse:
    barrier = get_object_or_404(Barrier, pk=barrier_id)
    form = BarrierForm(request.POST or None, instance=barrier)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = {name: data[name] for name in services.BARRIER_FIELDS}
        fields["steps"], fields["touchpoints"] = list(data["steps"]), list(data["touchpoints"])
        try:
            services.barrier_update(
                barrier_id=barrier.pk, expected_version=_int(request.POST.get("version")), actor=request.user, **fields
            )
        except StaleVersion as conflict:
            form.add_error(None, conflict.message)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Barrier saved."))
            return HttpResponseRedirect(reverse("barriers:detail", args=[barrier.pk]))
    return render(request, "barriers/barrier_form.html", {"form": form, "barrier": barrier})


@require_POST
@login_required
def barrier_plan_view(request: HttpRequest, barrier_id: int) -> HttpResponse:
    form = PlanForm(request.POST)
    if form.is_valid():
        _guarded(
            request,
            lambda: services.barrier_update(
                barrier_id=barrier_id,
                expected_version=form.cleaned_data["version"],
                actor=request.user,
                resolution_plan=form.cleaned_data["resolution_plan"],
            ),
            _("Plan saved."),
        )
    return _back(request, barrier_id)


@require_POST
@login_required
def barrier_transition_view(request: HttpRequest, barrier_id: int) -> HttpResponse:
    """One click from the inbox or the barrier page: accept, start, resolve, verify, reopen, reject."""
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The request was incomplete; reload the page and try again."))
        return _back(request, barrier_id)

    def write() -> None:
        barrier = services.barrier_transition(
            barrier_id=barrier_id,
            action=form.cleaned_data["action"],
            expected_version=form.cleaned_data["version"],
            actor=request.user,
            text=form.cleaned_data["text"],
        )
        messages.success(
            request,
            _("“%(title)s” is now %(status)s.")
            % {"title": barrier.title, "status": barrier.get_status_display().lower()},
        )

    _guarded(request, write, None)
    return _back(request, barrier_id)


@require_POST
@login_required
def comment_add_view(request: HttpRequest, barrier_id: int) -> HttpResponse:
    form = CommentForm(request.POST)
    if form.is_valid():
        _guarded(
            request,
            lambda: services.comment_add(barrier_id=barrier_id, actor=request.user, text=form.cleaned_data["text"]),
            _("Comment added."),
        )
    else:
        messages.error(request, _("Write something first."))
    return _back(request, barrier_id)


@require_POST
@login_required
def evidence_add_view(request: HttpRequest, barrier_id: int) -> HttpResponse:
    form = EvidenceForm(request.POST)
    if form.is_valid():
        _guarded(
            request,
            lambda: services.evidence_add(barrier_id=barrier_id, actor=request.user, **form.cleaned_data),
            _("Evidence added."),
        )
    else:
        messages.error(request, _("Evidence needs its text."))
    return _back(request, barrier_id)


# Research studies ------------------------------------------------------------------------------------


@require_GET
@login_required
@permission_required("barriers.read")
def study_list_view(request: HttpRequest) -> HttpResponse:
    from django.db.models import Count

    studies = ResearchStudy.objects.annotate(
        barrier_count=Count("barriers", distinct=True), attachment_count=Count("attachments", distinct=True)
    ).order_by("-period_start", "title")
    return render(
        request,
        "barriers/study_list.html",
        {"studies": studies, "can_manage": request.user.has_perm("barriers.manage_studies")},
    )


@require_http_methods(["GET", "POST"])
@login_required
@permission_required("barriers.manage_studies")
def study_edit_view(request: AuthenticatedHttpRequest, study_id: int | None = None) -> HttpResponse:
    study = get_object_or_404(ResearchStudy, pk=study_id) if study_id else None
    form = StudyForm(request.POST or None, instance=study)
    if request.method == "POST" and form.is_valid():
        try:
            if study is None:
                saved = services.study_create(actor=request.user, **form.texts())
            else:
                saved = services.study_update(
                    study_id=study.pk, expected_version=form.cleaned_data["version"], actor=request.user, **form.texts()
                )
        except StaleVersion as conflict:
            form.add_error(None, conflict.message)
        except Gone as gone:
            raise Http404(gone.message) from None
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Study saved."))
            return HttpResponseRedirect(reverse("barriers:study_detail", args=[saved.pk]))
    return render(request, "barriers/study_form.html", {"form": form, "study": study})


@require_GET
@login_required
@permission_required("barriers.read")
def study_detail_view(request: HttpRequest, study_id: int) -> HttpResponse:
    study = get_object_or_404(ResearchStudy.objects.select_related("created_by"), pk=study_id)
    barriers = study.barriers.select_related("department").order_by("-severity", "pk")
    evidence = study.evidence.select_related("barrier").order_by("created_at")
    return render(
        request,
        "barriers/study_detail.html",
        {
            "study": study,
            "barriers": barriers,
            "evidence": evidence,
            "attachments": study.attachments.select_related("uploaded_by"),
            "can_manage": request.user.has_perm("barriers.manage_studies"),
            "attachment_form": AttachmentForm(),
        },
    )


@require_POST
@login_required
@permission_required("barriers.manage_studies")
def attachment_upload_view(request: HttpRequest, study_id: int) -> HttpResponse:
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a file to upload."))
    else:
        _guarded(
            request,
            lambda: services.attachment_add(study_id=study_id, actor=request.user, upload=form.cleaned_data["file"]),
            _("File attached."),
        )
    return HttpResponseRedirect(reverse("barriers:study_detail", args=[study_id]))


@require_GET
@login_required
@permission_required("barriers.read")
def attachment_download_view(request: HttpRequest, study_id: int, attachment_id: int) -> HttpResponse:
    """Always a download (never rendered inline), with the type checked at upload."""
    attachment = get_object_or_404(StudyAttachment, pk=attachment_id, study_id=study_id)
    response = stored_file(
        attachment.file,
        missing=_("The file “%(name)s” is no longer stored; upload it again.") % {"name": attachment.name},
        as_attachment=True,
        filename=attachment.name,
    )
    response["Content-Type"] = attachment.content_type
    response["X-Content-Type-Options"] = "nosniff"
    return response


# Helpers ---------------------------------------------------------------------------------------------


def _guarded(request: HttpRequest, write, success: str | None) -> bool:
    """Run a write; turn the refusals people can cause into a message on the next page."""
    try:
        write()
    except TransitionError as refused:
        if refused.forbidden:
            raise PermissionDenied(refused.message) from None
        messages.error(request, refused.message)
    except (StaleVersion, Gone) as conflict:
        messages.error(request, conflict.message)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if success:
            messages.success(request, success)
        return True
    return False


def _local(url: str | None) -> str:
    """`url` if it points into this site (no open redirects), else ""."""
    return redirects.local(url)


def _back(request: HttpRequest, barrier_id: int) -> HttpResponse:
    return HttpResponseRedirect(_local(request.POST.get("next")) or reverse("barriers:detail", args=[barrier_id]))


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _int(value: str | None) -> int:
    try:
        return int(value or "")
    except ValueError:
        return 0
