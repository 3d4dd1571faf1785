"""The outcome dashboard's PDF report, rendered in the export job (cxhub.exports): a web worker is no
longer held for the seconds Chromium needs to draw and print the charts."""

from django.http import QueryDict
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from cxhub.exports.chromium import RenderUnavailable
from cxhub.exports.models import Export
from cxhub.exports.registry import Progress, Rendered, register

from . import pdf


@register("dashboard_pdf")
def dashboard_pdf(export: Export, progress: Progress) -> Rendered:
    from .views import dashboard_context

    progress(15, _("Computing the figures"))
    context = dashboard_context(QueryDict(export.params.get("query", "")))
    if context.get("error"):
        raise RenderUnavailable(context["error"])
    context["print"] = True
    html = render_to_string("metrics/dashboard_print.html", context)
    progress(40, _("Drawing the charts and printing"))
    document = pdf.render(html)
    period = context["figures"]["period"]
    return Rendered(
        content=document,
        filename=f"cxhub-dashboard-{period.start:%Y-%m}-{period.kind}.pdf",
        content_type="application/pdf",
    )
