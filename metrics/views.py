from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cxhub.lib.decorators import permission_required


@require_GET
@login_required
@permission_required("org.view_outcome_dashboard")
def dashboard_view(request: HttpRequest) -> HttpResponse:
    """The executive outcome dashboard."""
    return render(request, "metrics/dashboard.html")
