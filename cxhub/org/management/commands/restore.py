"""`manage.py restore FILE --yes`: put a backup back, database and files, and check it matches."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cxhub.lib.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Replace the database and the uploaded files with a backup's, then check every table and file "
        "against the backup's manifest. Stop the web, worker and beat processes first."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("archive", type=Path, help="A file written by `manage.py backup`.")
        parser.add_argument("--yes", action="store_true", help="Replace what is stored now without asking.")

    def handle(self, *args, archive: Path, yes: bool, **options) -> None:
        if not yes:
            raise CommandError(
                "This replaces every stored journey, barrier, figure and file with the backup's. "
                "Run it again with --yes to go ahead."
            )
        try:
            done = restore(archive)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Restored {done.tables} tables ({done.rows} rows) and {done.files} files from {done.path}; "
            "every table and file matches the backup."
        )
