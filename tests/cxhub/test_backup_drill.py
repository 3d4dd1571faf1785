"""The backup drill: back up, drop the database and the files, restore, and everything works again.

Every table is compared row for row (a hash of its rows, in the dump's snapshot) and every file byte
for byte; then pages, the API and a recompute run on the restored data.
"""

import io
import tarfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from rest_framework.test import APIClient

from barriers.models import Barrier, Method, ResearchStudy
from barriers.services import attachment_add
from cxhub.lib import backup as backups
from journeys.models import Journey
from metrics.models import DataImport, ServiceTarget

pytestmark = pytest.mark.django_db(transaction=True)

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def _schema_back_whatever_happens():
    """A drill that fails between the drop and the restore must not leave the next tests without tables."""
    yield
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('public.django_migrations')")
        if cursor.fetchone()[0] is None:
            call_command("migrate", verbosity=0)


@pytest.fixture
def company(media, cx_lead, tasks_in_process):
    """The demo company (journeys, barriers, a year of operational data and its figures) and a file."""
    call_command("load_demo", "--force", "--small", stdout=io.StringIO())
    study = ResearchStudy.objects.create(title="Interviews", method=Method.INTERVIEWS)
    attachment_add(study_id=study.pk, actor=cx_lead, upload=SimpleUploadedFile("notes.pdf", PDF))


def test_backup_drop_restore_gives_back_every_table_and_file_and_the_app_works(
    company, media, tmp_path, cx_lead, tasks_in_process
):
    archive = tmp_path / "backup.tar"
    out = io.StringIO()
    call_command("backup", "--output", str(archive), stdout=out)
    assert "Backed up" in out.getvalue() and archive.exists()
    counts = (Journey.objects.count(), Barrier.objects.count(), ServiceTarget.objects.count())
    files = sorted(p.relative_to(media) for p in media.rglob("*") if p.is_file())
    assert counts[0] > 0 and counts[1] > 0 and files

    # The disaster: the database schema and the files are gone.
    with connection.cursor() as cursor:
        cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    for path in sorted(media.rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()

    out = io.StringIO()
    call_command("restore", str(archive), "--yes", stdout=out)
    assert "every table and file matches the backup" in out.getvalue()
    assert (Journey.objects.count(), Barrier.objects.count(), ServiceTarget.objects.count()) == counts
    assert sorted(p.relative_to(media) for p in media.rglob("*") if p.is_file()) == files
    with tarfile.open(archive) as tar:
        manifest = __import__("json").loads(tar.extractfile("manifest.json").read())
    assert backups.verify(manifest) == []  # identical, table by table and file by file

    # The app works on the restored data: pages, the API, a recompute, a file download.
    from django.test import Client

    client = Client()
    client.force_login(cx_lead)
    journey = Journey.objects.order_by("pk").first()
    for url in (
        reverse("journeys:journey_map", args=[journey.pk]),
        reverse("metrics:dashboard"),
        reverse("barriers:board"),
    ):
        assert client.get(url).status_code == 200, url
    api = APIClient()
    api.force_authenticate(cx_lead)
    assert api.get("/api/v1/barriers/").json()["count"] == counts[1]
    assert api.get("/api/v1/metrics/headline/").status_code == 200
    from metrics.tasks import start_recompute

    run = start_recompute(full=True)
    run.refresh_from_db()
    assert run.status == "succeeded"
    study = ResearchStudy.objects.get(title="Interviews")
    attachment = study.attachments.get()
    download = client.get(reverse("barriers:attachment_download", args=[study.pk, attachment.pk]))
    assert b"".join(download.streaming_content) == PDF


def test_a_damaged_archive_is_refused_before_anything_is_touched(company, media, tmp_path):
    archive = tmp_path / "backup.tar"
    call_command("backup", "--output", str(archive), stdout=io.StringIO())
    damaged = tmp_path / "damaged.tar"
    with tarfile.open(archive) as source, tarfile.open(damaged, "w") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read() if member.isfile() else None
            if member.name.startswith("media/") and data:
                data = data[:-1] + bytes([data[-1] ^ 1])  # one bit flipped in one file
                member.size = len(data)
            target.addfile(member, io.BytesIO(data) if data is not None else None)
    journeys_before = Journey.objects.count()
    with pytest.raises(CommandError, match="do not match its manifest"):
        call_command("restore", str(damaged), "--yes")
    assert Journey.objects.count() == journeys_before  # nothing changed


def test_restore_asks_before_replacing_and_refuses_what_is_not_a_backup(tmp_path, media):
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(tmp_path / "x.tar"))
    with pytest.raises(CommandError, match="no such file"):
        call_command("restore", str(tmp_path / "x.tar"), "--yes")
    evil = tmp_path / "evil.tar"
    with tarfile.open(evil, "w") as tar:
        info = tarfile.TarInfo("../outside.txt")
        info.size = 1
        tar.addfile(info, io.BytesIO(b"x"))
    with pytest.raises(CommandError, match="unexpected entry"):
        call_command("restore", str(evil), "--yes")
    assert not (tmp_path.parent / "outside.txt").exists()
    assert DataImport.objects.count() == 0  # the database was not touched
    assert Path(media).exists()
