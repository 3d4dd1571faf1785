"""An export's progress (polled by the page that asked for it) and its download: only for the person who
asked, so a link passed on reveals nothing."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cxhub.lib.downloads import stored_file

from .models import EXPORT_GONE, Export


def _own(request: HttpRequest, token) -> Export:
    export = Export.objects.filter(token=token, requested_by=request.user).first()
    if export is None:
        raise Http404
    return export


@require_GET
@login_required
def export_status_view(request: HttpRequest, token) -> HttpResponse:
    export = _own(request, token)
    template = "exports/_status.html" if request.htmx else "exports/export_status.html"
    return render(request, template, {"export": export})


@require_GET
@login_required
def export_download_view(request: HttpRequest, token) -> FileResponse:
    export = _own(request, token)
    if export.state != Export.State.DONE:
        raise Http404
    response = stored_file(export.file, missing=EXPORT_GONE, as_attachment=True, filename=export.filename)
    response["Content-Type"] = export.content_type
    response["X-Content-Type-Options"] = "nosniff"
    return response
