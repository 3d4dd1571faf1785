from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cxhub.lib.decorators import permission_required
from cxhub.org.selectors import departments_of


@require_GET
@login_required
@permission_required("org.view_own_barriers")
def inbox_view(request: HttpRequest) -> HttpResponse:
    """ "My barriers": what is assigned to the departments the user heads or belongs to."""
    return render(request, "barriers/inbox.html", {"departments": departments_of(request.user)})
