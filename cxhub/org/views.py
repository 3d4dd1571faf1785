from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .roles import home_url_for, user_roles
from .selectors import department_list


@require_GET
@login_required
def home_view(request: HttpRequest) -> HttpResponse:
    """Send each role to its natural start."""
    return HttpResponseRedirect(home_url_for(request.user))


@require_GET
@login_required
def no_role_view(request: HttpRequest) -> HttpResponse:
    """Signed in but given no role yet: say so instead of showing an empty app."""
    if user_roles(request.user):
        return HttpResponseRedirect(home_url_for(request.user))
    return render(request, "org/no_role.html")


@require_GET
@login_required
def department_list_view(request: HttpRequest) -> HttpResponse:
    return render(request, "org/department_list.html", {"departments": department_list()})
