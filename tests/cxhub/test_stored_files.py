"""Uploaded files: never at a public URL, a missing one is a clear 404, import files are kept a while."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from barriers.models import Method, ResearchStudy
from barriers.services import attachment_add
from metrics.ingest.retention import forget_old_files
from metrics.models import DataImport
from metrics.services import import_retry

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def attachment(cx_lead):
    study = ResearchStudy.objects.create(title="Interviews", method=Method.INTERVIEWS)
    return attachment_add(study_id=study.pk, actor=cx_lead, upload=SimpleUploadedFile("notes.pdf", PDF))


@pytest.mark.parametrize("debug", [False, True])
def test_uploaded_files_have_no_public_address_in_any_mode(client, settings, attachment, debug):
    """Before: with DEBUG on, /media/ served every upload to anyone."""
    settings.DEBUG = debug
    from django.urls import clear_url_caches

    clear_url_caches()
    response = client.get("/" + settings.MEDIA_URL + attachment.file.name)
    assert response.status_code == 404
    assert PDF not in b"".join(response) if hasattr(response, "streaming_content") else PDF not in response.content


def test_an_attachment_is_served_only_to_signed_in_readers(client, cx_lead, attachment):
    url = reverse("barriers:attachment_download", args=[attachment.study_id, attachment.pk])
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(cx_lead)
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF


def test_a_missing_attachment_is_a_404_that_says_so(client, cx_lead, attachment):
    """Before: 500 (FileNotFoundError), e.g. after a restore without the media volume."""
    attachment.file.storage.delete(attachment.file.name)
    client.force_login(cx_lead)
    response = client.get(reverse("barriers:attachment_download", args=[attachment.study_id, attachment.pk]))
    assert response.status_code == 404
    assert "The file “notes.pdf” is no longer stored; upload it again." in response.content.decode()


def test_a_missing_persona_photo_and_export_file_are_404_too(client, cx_lead):
    from cxhub.exports.models import Export
    from tests.journeys.factories import PersonaFactory

    persona = PersonaFactory(name="Pensioner", photo="personas/gone", photo_type="image/png")
    client.force_login(cx_lead)
    assert client.get(reverse("journeys:persona_photo", args=[persona.pk])).status_code == 404
    export = Export.objects.create(
        requested_by=cx_lead, kind="journey_pdf", state=Export.State.DONE, file="exports/gone.pdf"
    )
    response = client.get(reverse("exports:download", args=[export.token]))
    assert response.status_code == 404 and "no longer kept" in response.content.decode()


def _finished_import(days_ago: float, **fields) -> DataImport:
    data_import = DataImport.objects.create(
        kind="customers",
        file_name="customers.csv",
        status=fields.pop("status", DataImport.Status.SUCCEEDED),
        finished_at=timezone.now() - timedelta(days=days_ago),
        **fields,
    )
    data_import.file.save("customers.csv", SimpleUploadedFile("customers.csv", b"customer_id\nC-1\n"))
    return data_import


def test_import_files_are_deleted_after_the_kept_days_and_the_record_stays(
    settings, django_capture_on_commit_callbacks
):
    settings.METRICS_IMPORT_FILE_DAYS = 30
    old = _finished_import(31)
    recent = _finished_import(29)
    running = DataImport.objects.create(kind="customers", file_name="c.csv", status=DataImport.Status.RUNNING)
    running.file.save("c.csv", SimpleUploadedFile("c.csv", b"x"))
    path = old.file.path
    with django_capture_on_commit_callbacks(execute=True):
        assert forget_old_files() == 1
    old.refresh_from_db()
    assert not old.file and old.file_removed_at is not None and old.file_name == "customers.csv"
    assert old.rows_total == 0 and DataImport.objects.count() == 3  # the record stays
    import os

    assert not os.path.exists(path)
    recent.refresh_from_db()
    running.refresh_from_db()
    assert recent.file and running.file  # kept
    with django_capture_on_commit_callbacks(execute=True):
        assert forget_old_files() == 0  # nothing twice


def test_an_import_whose_file_is_gone_cannot_be_retried_and_says_why(client, cx_lead, settings):
    from django.core.exceptions import ValidationError

    settings.METRICS_IMPORT_FILE_DAYS = 30
    failed = _finished_import(40, status=DataImport.Status.FAILED, retryable=True, message="The worker was lost.")
    forget_old_files()
    with pytest.raises(ValidationError, match="no longer kept"):
        import_retry(data_import=failed, actor=cx_lead)
    client.force_login(cx_lead)
    page = client.get(reverse("data:import_detail", args=[failed.pk])).content.decode()
    assert 'data-testid="file-removed"' in page and 'data-testid="import-retry"' not in page


def test_the_daily_task_is_scheduled(settings):
    entries = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "metrics.tasks.forget_old_import_files" in entries
