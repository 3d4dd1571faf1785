from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .forms import TouchpointFilterForm
from .selectors import touchpoint_list


@require_GET
@login_required
def journey_list_view(request: HttpRequest) -> HttpResponse:
    return render(request, "journeys/journey_list.html")


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
