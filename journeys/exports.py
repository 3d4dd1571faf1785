"""The whole map as a PNG (one image) or a PDF (A4 landscape pages, lanes repeated on each), rendered by
headless Chromium in the export job (cxhub.exports), never inside a request."""

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from cxhub.exports import chromium
from cxhub.exports.models import Export
from cxhub.exports.registry import Progress, Rendered, register
from cxhub.lib.text import unidecode_ascii

from . import lanes
from .models import Journey
from .printing import print_pages
from .selectors import journey_map

STEP_PX = 190  # a step column in the PNG: wide enough for a sentence per line of text
LANES_PX = 120
PDF_STEPS_PER_PAGE = 8


def _page(export: Export, progress: Progress, *, png: bool) -> tuple[str, Journey, int]:
    journey_id = export.params["journey_id"]
    if not Journey.objects.filter(pk=journey_id).exists():
        raise chromium.RenderUnavailable(_("This journey no longer exists: another user deleted it."))
    progress(15, _("Reading the map"))
    the_map = journey_map(journey_id=journey_id)
    hidden = tuple(export.params.get("hidden_lanes", ()))  # a share link's
    lanes.attach(the_map.steps, printed_only=True)
    steps = len(the_map.steps)
    pages = print_pages(the_map, per_page=max(steps, 1) if png else PDF_STEPS_PER_PAGE)
    css = _static_text("css/print-map.css")
    width = LANES_PX + STEP_PX * max(steps, 1)
    if png:
        css += f"\n.export-png .sheet-map {{ width: {width}px; }}"
    html = render_to_string(
        "journeys/journey_print.html",
        {"journey": the_map.journey, "pages": pages, "inline_css": css, "png": png, "hidden_lanes": hidden},
    )
    return html, the_map.journey, width


def _filename(journey: Journey, extension: str) -> str:
    slug = slugify(unidecode_ascii(journey.title))[:60] or "journey"
    return f"{slug}-{timezone.localdate():%Y-%m-%d}.{extension}"


@register("journey_png")
def journey_png(export: Export, progress: Progress) -> Rendered:
    html, journey, width = _page(export, progress, png=True)
    progress(40, _("Drawing the image"))
    content = chromium.render_html(html, fmt="png", width=width + 80)
    return Rendered(content=content, filename=_filename(journey, "png"), content_type="image/png")


@register("journey_pdf")
def journey_pdf(export: Export, progress: Progress) -> Rendered:
    html, journey, _width = _page(export, progress, png=False)
    progress(40, _("Laying out the pages"))
    content = chromium.render_html(html, fmt="pdf")
    return Rendered(content=content, filename=_filename(journey, "pdf"), content_type="application/pdf")


def _static_text(path: str) -> str:
    found = finders.find(path)
    if not found or isinstance(found, list):
        raise chromium.RenderUnavailable(f"static file {path} not found")
    with open(found, encoding="utf-8") as f:
        return f.read()
