"""Printing a page to PDF with headless Chromium (the dashboard's report).

The page is rendered to a temporary directory with its stylesheets inlined and its scripts as
file:// URLs, and Chromium prints it after its scripts ran (plotly draws the charts, then replaces
each with a PNG image of itself: the PDF carries the charts as images). Chromium is a system
package (`apt-get install chromium`; the Docker image has it); without it the report says so. It runs in
the export job (cxhub.exports), never inside a request; see exports.py.
"""

import logging
import subprocess
import tempfile
from pathlib import Path

from django.utils.translation import gettext as _

from cxhub.exports.chromium import RenderUnavailable, required

TIMEOUT_SECONDS = 60
logger = logging.getLogger(__name__)


class PdfUnavailable(RenderUnavailable):
    """No PDF could be made; the message says why and what to do."""


def render(html: str) -> bytes:
    """The PDF Chromium prints of the HTML (which may load file:// scripts and images)."""
    browser = required()
    with tempfile.TemporaryDirectory(prefix="cxhub-pdf-") as folder:
        page = Path(folder) / "report.html"
        output = Path(folder) / "report.pdf"
        page.write_text(html, encoding="utf-8")
        command = [
            browser,
            "--headless",
            "--no-sandbox",  # the server's user has no user namespaces in containers
            "--disable-gpu",
            "--window-size=1060,1500",  # about an A4 landscape page: charts are drawn at the width they print
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--allow-file-access-from-files",
            f"--user-data-dir={Path(folder) / 'profile'}",
            "--no-pdf-header-footer",
            "--run-all-compositor-stages-before-draw",
            "--virtual-time-budget=30000",  # let the charts draw and turn into images first
            f"--print-to-pdf={output}",
            page.as_uri(),
        ]
        try:
            finished = subprocess.run(command, capture_output=True, timeout=TIMEOUT_SECONDS, check=False)
        except subprocess.TimeoutExpired:
            logger.error("chromium timed out printing a report")
            raise PdfUnavailable(_("Chromium took more than a minute to print the report; try again.")) from None
        if not output.exists() or output.stat().st_size == 0:
            logger.error("chromium printed no PDF (exit %s): %s", finished.returncode, finished.stderr[-4000:])
            raise PdfUnavailable(_("Chromium could not print the report; the server log has its output."))
        return output.read_bytes()
