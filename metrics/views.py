from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import formats
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from cxhub.lib.decorators import permission_required
from journeys.models import Step, Touchpoint

from . import report, selectors
from .loyalty import Link
from .models import THRESHOLD_DAYS, LoyaltyLink, ServiceTarget


@require_GET
@login_required
@permission_required("org.view_outcome_dashboard")
def dashboard_view(request: HttpRequest) -> HttpResponse:
    """The executive outcome dashboard."""
    return render(request, "metrics/dashboard.html")


@require_GET
@login_required
@permission_required("metrics.view_figures")
def touchpoint_figures_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A touchpoint's service figures over time (weeks or months): SL against its target and at each
    threshold, percentiles, volumes, survey scores — from the period rollups; and where it sits on maps."""
    touchpoint = get_object_or_404(Touchpoint.objects.select_related("department"), pk=pk)
    grain = "week" if request.GET.get("by") == "week" else "month"
    run = selectors.last_run()
    starts = selectors.period_starts(grain, run=run)
    periods = selectors.touchpoint_periods(touchpoint.pk, grain=grain, starts=starts)
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
