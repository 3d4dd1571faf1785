from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cxhub.exports import chromium
from cxhub.exports.services import export_request
from cxhub.lib.decorators import permission_required
from cxhub.org.models import Department
from cxhub.org.selectors import department_ids_of
from journeys.models import Journey, Step, Touchpoint

from .. import tasks
from ..figures import observed, report, samples, service_level
from ..figures.loyalty import Link
from ..figures.runs import last_customer_run, last_full_run, last_run
from ..models import THRESHOLD_DAYS, LoyaltyLink, ServiceTarget
from ..rollups import observed as observed_runs
from . import charts
from .department import department as department_figures
from .executive import executive
from .forms import ObservedGapForm
from .periods import PeriodForm, controls, segments


@require_GET
@login_required
@permission_required("org.view_outcome_dashboard")
def dashboard_view(request: HttpRequest) -> HttpResponse:
    """The executive outcome dashboard for a period and segment."""
    context = dashboard_context(request.GET)
    return render(request, "metrics/dashboard.html", context)


@require_GET
@login_required
@permission_required("org.view_outcome_dashboard")
def dashboard_csv_view(request: HttpRequest, chart: str) -> HttpResponse:
    """One chart's data of the dashboard, as CSV (the same period and segment)."""
    if chart not in charts.CHARTS:
        raise Http404
    context = dashboard_context(request.GET)
    if context.get("error"):
        return HttpResponse(context["error"], status=400, content_type="text/plain; charset=utf-8")
    return charts.csv_response(chart, context["figures"])


@require_POST
@login_required
@permission_required("org.view_outcome_dashboard")
def dashboard_pdf_view(request: HttpRequest) -> HttpResponse:
    """Ask the worker for the dashboard as a PDF report (one landscape page per section, charts as images);
    the answer is the job's progress, polled until its download link appears."""
    query = request.POST.get("query", "")
    context = dashboard_context(QueryDict(query))
    if context.get("error"):
        return HttpResponse(context["error"], status=400, content_type="text/plain; charset=utf-8")
    period = context["period"]
    title = gettext("Outcome dashboard · PDF · %(start)s–%(end)s") % {
        "start": formats.date_format(period.start, "SHORT_DATE_FORMAT"),
        "end": formats.date_format(period.last_day, "SHORT_DATE_FORMAT"),
    }
    export = export_request(kind="dashboard_pdf", params={"query": query}, title=title, actor=request.user)
    if request.htmx:
        return render(request, "exports/_status.html", {"export": export})
    return redirect("exports:status", token=export.token)


def dashboard_context(query: QueryDict) -> dict:
    """The executive dashboard's figures for the period and segment in `query` (the page's or the report's)."""
    known_segments = segments()
    context: dict[str, Any] = {
        "segments": known_segments,
        "last_run": last_run(),
        "full_run": last_full_run(),
        "customer_run": last_customer_run(),
    }
    period, error = PeriodForm.period_of(query)
    if error:
        context["error"] = error
    segment = query.get("segment", "")
    if segment and segment not in known_segments:
        context["error"] = gettext("There is no segment “%(segment)s”; showing all customers.") % {"segment": segment}
        segment = ""
    figures = executive(period, segment=segment)
    context.update(
        figures=figures,
        period=period,
        segment=segment,
        query=period.query(segment),
        controls=controls(period),
        chart=charts.executive_chart(figures),
        cohort_table=charts.cohort_table(figures),
        can_pdf=chromium.available(),
        min_sample=samples.minimum(),
    )
    return context


@require_GET
@login_required
def my_dashboard_view(request: HttpRequest) -> HttpResponse:
    """A department head's way in: their (first) department's dashboard."""
    departments = Department.objects.of_user(request.user).order_by("name")
    first = departments.first()
    if first is None:
        if request.user.has_perm("org.view_outcome_dashboard"):
            return redirect("metrics:dashboard")
        raise PermissionDenied
    return redirect("metrics:department", pk=first.pk)


@require_GET
@login_required
def department_dashboard_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A department's service, barriers and journey steps (its people, CX leads and executives)."""
    department = get_object_or_404(Department, pk=pk)
    if not request.user.has_perm("metrics.view_department_dashboard", department):
        raise PermissionDenied
    period, error = PeriodForm.period_of(request.GET)
    figures = department_figures(department, period)
    return render(
        request,
        "metrics/department_dashboard.html",
        {
            "figures": figures,
            "department": department,
            "period": period,
            "error": error,
            "controls": controls(period),
            "query": period.query(),
            "chart": charts.department_chart(figures),
            "last_run": last_run(),
            "user_department_ids": department_ids_of(request.user),
            "other_departments": Department.objects.of_user(request.user).exclude(pk=pk).order_by("name")
            if not request.user.has_perm("org.view_outcome_dashboard")
            else Department.objects.exclude(pk=pk).order_by("name"),
        },
    )


@require_GET
@login_required
@permission_required("metrics.view_figures")
def touchpoint_figures_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A touchpoint's service figures over time (weeks or months): SL against its target and at each
    threshold, percentiles, volumes, survey scores — from the period rollups; and where it sits on maps."""
    touchpoint = get_object_or_404(Touchpoint.objects.select_related("department"), pk=pk)
    grain = "week" if request.GET.get("by") == "week" else "month"
    run = last_run()
    starts = service_level.period_starts(grain, run=run)
    periods = service_level.touchpoint_periods(touchpoint.pk, grain=grain, starts=starts)
    end = starts[-1] + (timedelta(weeks=1) if grain == "week" else timedelta(days=32))
    span = report.window(
        as_of=run.as_of if run else None, start=starts[0], end=end.replace(day=1) if grain == "month" else end
    )
    target = ServiceTarget.objects.filter(touchpoint=touchpoint).first()
    link_row = LoyaltyLink.objects.filter(touchpoint=touchpoint).first()
    steps = list(
        Step.objects.filter(touchpoint=touchpoint)
        .exclude(stage__journey__status="archived")
        .select_related("stage__journey")
        .order_by("stage__journey__title", "stage__position", "position")[:50]
    )
    label_format = "d M" if grain == "week" else "M Y"
    chart = {
        "labels": [formats.date_format(p.start, label_format) for p in periods],
        "thresholds": {str(d): [_pct(p.by_threshold[d].value) for p in periods] for d in THRESHOLD_DAYS},
        "against_target": [_pct(p.against_target.value) for p in periods] if target else None,
        "target_share": _pct(float(target.target_share)) if target else None,
        "target_days": target.threshold_days if target else None,
        "percentiles": {str(q): [p.percentiles_days[q] for p in periods] for q in (50, 80, 90)},
        "opened": [p.opened for p in periods],
        "resolved": [p.resolved for p in periods],
        "text": {
            "within": gettext("≤ %s d"),
            "target": gettext("within the target"),
            "opened": gettext("opened"),
            "resolved": gettext("resolved"),
            "days": gettext("d"),
        },
    }
    return render(
        request,
        "metrics/touchpoint_figures.html",
        {
            "touchpoint": touchpoint,
            "target": target,
            "grain": grain,
            "periods": periods[::-1],  # newest first in the table
            "has_data": any(p.opened for p in periods),
            "span": span,
            "service": report.service_figures(span, touchpoint_ids=[touchpoint.pk]),
            "surveys": report.survey_figures(span, touchpoint_ids=[touchpoint.pk]),
            "steps": steps,
            "chart": chart,
            "thresholds": THRESHOLD_DAYS,
            "last_run": run,
            "link": Link.pooled([link_row]) if link_row else None,
            "link_row": link_row,
        },
    )


def _pct(share: float | None) -> float | None:
    return None if share is None else round(100 * share, 1)


SANKEY_LINKS = 25


@require_http_methods(["GET", "POST"])
@login_required
@permission_required("metrics.view_observed")
def observed_view(request: HttpRequest) -> HttpResponse:
    """The paths customers really take, and a mapped journey against them; CX leads recompute them
    with another gap (a Celery job)."""
    if request.method == "POST":
        if not request.user.has_perm("metrics.observe_journeys"):
            raise PermissionDenied
        form = ObservedGapForm(request.POST)
        if form.is_valid():
            run = observed_runs.start(gap_days=form.cleaned_data["gap_days"], user=request.user)
            tasks.observe_journeys.delay_on_commit(run.pk)
            messages.success(
                request,
                gettext("Observed journeys are being computed with a %(days)s-day gap.") % {"days": run.gap_days},
            )
            return redirect(f"{reverse('metrics:observed')}?{request.GET.urlencode()}")
    else:
        form = ObservedGapForm(initial={"gap_days": observed.current_gap()})
    run, latest = observed.latest_succeeded(), observed.latest()
    flows = observed.flows()
    journeys = list(Journey.objects.exclude(status="archived").order_by("title").values_list("pk", "title"))
    journey, comparison = None, None
    chosen = request.GET.get("journey")
    if chosen and chosen.isdigit():
        journey = Journey.objects.filter(pk=int(chosen)).first()
        if journey is not None:
            comparison = observed.compare(journey, flows)
    top = observed.top_transitions(SANKEY_LINKS)
    sources = list(dict.fromkeys(t.source.name for t in top))
    targets = list(dict.fromkeys(t.target.name for t in top))
    ends = {flow.touchpoint.name: flow.ends for flow in flows}
    chart = {
        "sources": sources,
        "targets": targets,
        "links": [[sources.index(t.source.name), targets.index(t.target.name), t.contacts] for t in top],
        "ends": [[i, ends.get(name, 0)] for i, name in enumerate(sources)],
        "text": {"end": gettext("No further contact"), "contacts": gettext("contacts")},
    }
    return render(
        request,
        "metrics/observed.html",
        {
            "run": run,
            "latest": latest,
            "flows": flows,
            "transitions": top,
            "chart": chart,
            "form": form,
            "journeys": journeys,
            "journey": journey,
            "comparison": comparison,
            "can_recompute": request.user.has_perm("metrics.observe_journeys"),
        },
    )
