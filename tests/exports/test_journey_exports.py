"""The whole map as PNG and PDF, rendered by headless Chromium in the export job: the request only queues
it, the job records its progress, and only the person who asked downloads the file."""

import re
import struct

import pytest
from django.urls import reverse

from cxhub.exports import chromium
from cxhub.exports.models import Export
from journeys.services import journey_create, stage_add, step_add

pytestmark = [
    pytest.mark.django_db(transaction=True),  # the job starts when the request's transaction commits
    pytest.mark.usefixtures("tasks_in_process"),
    pytest.mark.skipif(not chromium.available(), reason="Chromium is not installed"),
]


@pytest.fixture
def wide_journey(cx_lead):
    journey = journey_create(title="Оформить карту", actor=cx_lead)
    for s in range(3):
        stage = stage_add(journey_id=journey.pk, name=f"Этап {s + 1}", actor=cx_lead)
        for i in range(4):
            step_add(stage_id=stage.pk, action=f"Шаг {s + 1}.{i + 1}", emotion=(i % 5) - 2, actor=cx_lead)
    return journey


def png_size(content: bytes) -> tuple[int, int]:
    assert content[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", content[16:24])


def test_png_is_one_image_of_the_whole_map_and_pdf_paginates(client, cx_lead, wide_journey):
    client.force_login(cx_lead)
    for fmt in ("png", "pdf"):
        response = client.post(reverse("journeys:journey_export_file", args=[wide_journey.pk, fmt]))
        export = Export.objects.get(kind=f"journey_{fmt}")
        assert response.url == reverse("exports:status", args=[export.token])
        assert export.state == Export.State.DONE, export.message  # eager here; a worker elsewhere
        download = client.get(reverse("exports:download", args=[export.token]))
        content = b"".join(download.streaming_content)
        assert download["Content-Type"] == ("image/png" if fmt == "png" else "application/pdf")
        assert download["Content-Disposition"].startswith('attachment; filename="oformit-kartu-')
        if fmt == "png":
            width, height = png_size(content)
            assert width >= 120 + 190 * 12 and 300 < height < width  # all 12 steps side by side, one image
        else:
            assert content.startswith(b"%PDF")
            pages = len(re.findall(rb"/Type\s*/Page[^s]", content))
            assert pages == 2  # 12 steps, 8 per page, the lanes on each


def test_the_status_answers_htmx_polls_and_only_the_requester_sees_the_file(client, cx_lead, executive, wide_journey):
    client.force_login(executive)  # readers may export too
    response = client.post(
        reverse("journeys:journey_export_file", args=[wide_journey.pk, "png"]), HTTP_HX_REQUEST="true"
    )
    export = Export.objects.get()
    status_url = reverse("exports:status", args=[export.token])
    first = response.content.decode()  # answered before the job starts: it polls
    assert 'data-state="queued"' in first and f'hx-get="{status_url}"' in first
    poll = client.get(status_url, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-state="done"' in poll and "hx-get" not in poll
    assert reverse("exports:download", args=[export.token]) in poll
    client.force_login(cx_lead)
    assert client.get(reverse("exports:status", args=[export.token])).status_code == 404
    assert client.get(reverse("exports:download", args=[export.token])).status_code == 404


def test_unknown_format_and_missing_journey(client, cx_lead, wide_journey):
    client.force_login(cx_lead)
    assert client.post(reverse("journeys:journey_export_file", args=[wide_journey.pk, "gif"])).status_code == 404
    assert client.post(reverse("journeys:journey_export_file", args=[999999, "pdf"])).status_code == 404
    assert not Export.objects.exists()


def test_without_chromium_the_export_fails_with_a_reason(client, cx_lead, wide_journey, settings):
    settings.CHROMIUM_PATH = "/nonexistent/chromium"
    client.force_login(cx_lead)
    client.post(reverse("journeys:journey_export_file", args=[wide_journey.pk, "pdf"]))
    export = Export.objects.get()
    assert export.state == Export.State.FAILED
    assert "Export needs Chromium on the server" in export.message
    page = client.get(reverse("exports:status", args=[export.token])).content.decode()
    assert "Export needs Chromium on the server" in page


def test_exports_older_than_a_day_are_removed_with_their_files(client, cx_lead, wide_journey):
    from django.utils import timezone

    from cxhub.exports.job import exports_prune

    client.force_login(cx_lead)
    client.post(reverse("journeys:journey_export_file", args=[wide_journey.pk, "pdf"]))
    client.post(reverse("journeys:journey_export_file", args=[wide_journey.pk, "png"]))
    old, new = Export.objects.order_by("pk")
    Export.objects.filter(pk=old.pk).update(created_at=timezone.now() - timezone.timedelta(hours=25))
    storage, name = old.file.storage, old.file.name
    assert storage.exists(name)
    assert exports_prune() == 1
    assert not storage.exists(name) and list(Export.objects.all()) == [new]
