"""`manage.py backup [--output FILE]`: the database and the uploaded files in one checked archive."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from cxhub.lib.backup import BackupError, backup


class Command(BaseCommand):
    help = "Write the database and every uploaded file to one archive (restore it with `manage.py restore`)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--output",
            type=Path,
            help="The archive to write (default: var/backups/cxhub-<date>-<time>.tar in the data folder).",
        )

    def handle(self, *args, output: Path | None, **options) -> None:
        target = output or Path(settings.DATA_DIR) / "backups" / timezone.localtime().strftime(
            "cxhub-%Y%m%d-%H%M%S.tar"
        )
        try:
            done = backup(target)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Backed up {done.tables} tables ({done.rows} rows) and {done.files} files ({done.bytes} bytes) "
            f"to {done.path}"
        )
