"""The CX lead's data page: imports (upload, progress, report, history), templates, targets and costs."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cxhub.lib.decorators import AuthenticatedHttpRequest, permission_required
from journeys.models import Touchpoint

from .. import services
from ..figures.runs import recompute_state
from ..models import DataImport, MetricsRun
from . import exports, targets
from .forms import ImportForm
from .kinds import KINDS

TEMPLATE_EXAMPLES = {
    "customers": ["C-1001", "2025-03-14", "1500.00", "retail", ""],
    "interactions": [
        "I-50001",
        "C-1001",
        "cc-complaints",
        "complaint",
        "2025-04-02T09:15",
        "2025-04-02T09:40",
        "2025-04-05T17:00",
        "350.00",
        "4",
    ],
    "transactions": ["T-90001", "C-1001", "2025-04-10T12:30", "2490.00"],
    "survey_responses": ["S-7001", "C-1001", "cc-complaints", "", "2025-04-06", "8", "4", "3", "Answered quickly"],
}


@require_http_methods(["GET", "POST"])
@login_required
@permission_required("metrics.view_data")
def data_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data_import = services.import_start(
            kind=form.cleaned_data["kind"],
            source=upload,
            file_name=upload.name,
            actor=request.user,
            via=DataImport.Via.WEB,
            valid_rows_only=form.cleaned_data["valid_rows_only"],
        )
        return HttpResponseRedirect(reverse("data:import_detail", args=[data_import.pk]))
    imports = DataImport.objects.select_related("created_by")[:50]
    context = {
        "form": form,
        "imports": imports,
        "kinds": [(kind, DataImport.Kind(kind).label, spec.columns) for kind, spec in KINDS.items()],
        "runs": recompute_state(),
    }
    return render(request, "metrics/data.html", context)


@require_GET
@login_required
@permission_required("metrics.view_data")
def run_status_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The recompute card alone (polled by htmx while a run is going)."""
    return render(request, "metrics/data.html#recompute-card", {"runs": recompute_state()})


@require_POST
@login_required
@permission_required("metrics.import_data")
def recompute_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Recompute every figure now (a full run in the background; "Retry" after a failed run too). A
    full run already going is joined; behind an incremental one, it waits."""
    from ..tasks import start_recompute

    run = start_recompute(full=True, join_running=True)
    if run.status == MetricsRun.Status.QUEUED:
        messages.success(request, _("Recompute queued: it starts when the running one ends."))
    else:
        messages.success(request, _("Recompute started."))
    return HttpResponseRedirect(reverse("data:data"))


@require_GET
@login_required
@permission_required("metrics.view_data")
def import_detail_view(request: AuthenticatedHttpRequest, import_id: int) -> HttpResponse:
    """The report; while the job runs, the progress part polls itself (htmx) until it is done."""
    data_import = get_object_or_404(DataImport.objects.select_related("created_by"), pk=import_id)
    template = "metrics/import_detail.html" + ("#import-status" if request.htmx else "")
    # Problems are kept untranslated: each reader gets them in their own language.
    context = {"data_import": data_import, "message": data_import.message_text, "errors": data_import.problems}
    return render(request, template, context)


@require_POST
@login_required
@permission_required("metrics.import_data")
def import_retry_view(request: AuthenticatedHttpRequest, import_id: int) -> HttpResponse:
    """Queue again an import that failed through no fault of its file (worker lost, time limit)."""
    data_import = get_object_or_404(DataImport, pk=import_id)
    try:
        services.import_retry(data_import=data_import, actor=request.user)
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
    return HttpResponseRedirect(reverse("data:import_detail", args=[import_id]))


@require_GET
@login_required
@permission_required("metrics.view_data")
def template_view(request: AuthenticatedHttpRequest, kind: str) -> HttpResponse:
    """A CSV with the header row and one example row."""
    if kind not in KINDS:
        raise Http404
    lines = [",".join(KINDS[kind].columns), ",".join(TEMPLATE_EXAMPLES[kind])]
    response = HttpResponse("\n".join(lines) + "\n", content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="cxhub-{kind}-template.csv"'
    return response


@require_GET
@login_required
@permission_required("metrics.view_data")
def export_view(request: AuthenticatedHttpRequest, kind: str) -> StreamingHttpResponse:
    """Every stored row of a kind, in the import format (streamed: the interactions run to millions)."""
    if kind not in KINDS:
        raise Http404
    return exports.response(kind)


@require_http_methods(["GET", "POST"])
@login_required
@permission_required("metrics.configure_targets")
def targets_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every touchpoint's service-level target and each channel's default interaction cost, on one form;
    a save changes only the rows the person changed (see metrics.ingest.targets)."""
    touchpoints = list(Touchpoint.objects.select_related("department").order_by("name"))
    target_rows, cost_rows = targets.stored_rows(touchpoints)
    if request.method == "POST":
        target_rows, cost_rows = targets.posted_rows(request.POST, (target_rows, cost_rows))
        changed_targets, changed_costs = targets.changes(target_rows, cost_rows, touchpoints)
        unreadable = [row for row in target_rows + cost_rows if row.error]
        if not unreadable:
            try:
                services.targets_save(targets=changed_targets, costs=changed_costs, actor=request.user)
            except services.StaleRows as conflict:
                targets.mark_stale(conflict.stale, target_rows, cost_rows)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                count = len(changed_targets) + len(changed_costs)
                if count:
                    messages.success(
                        request, ngettext("%(count)d row saved.", "%(count)d rows saved.", count) % {"count": count}
                    )
                else:
                    messages.info(request, _("Nothing was changed."))
                return HttpResponseRedirect(reverse("data:targets"))
        problems = [row for row in target_rows + cost_rows if row.error]
        messages.error(
            request,
            ngettext(
                "Nothing was saved: %(count)d row needs attention.",
                "Nothing was saved: %(count)d rows need attention.",
                len(problems),
            )
            % {"count": len(problems)},
        )
    return render(request, "metrics/targets.html", {"rows": target_rows, "channel_rows": cost_rows})
