import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from metrics.ingest.kinds import KINDS
from metrics.models import DataImport
from metrics.services import import_start


class Command(BaseCommand):
    help = (
        "Import a CSV or XLSX file of customers, interactions, transactions or survey_responses "
        "(columns: docs/import.md). Prints a JSON summary; exits 1 when the file had errors."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=sorted(KINDS))
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--valid-rows-only",
            action="store_true",
            help="Import the rows without errors and skip the others (recorded on the import).",
        )

    def handle(self, *args, kind: str, path: Path, valid_rows_only: bool, **options) -> None:
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        with path.open("rb") as source:
            data_import = import_start(
                kind=kind,
                source=source,
                file_name=path.name,
                actor=None,
                via=DataImport.Via.CLI,
                valid_rows_only=valid_rows_only,
                background=False,
            )
        summary = {
            "import_id": data_import.pk,
            "kind": kind,
            "file": path.name,
            "status": data_import.status,
            "rows": data_import.rows_total,
            "created": data_import.rows_created,
            "updated": data_import.rows_updated,
            "unchanged": data_import.rows_unchanged,
            "skipped": data_import.rows_skipped,
            "error_count": data_import.error_count,
            "errors": data_import.problems,
            "message": data_import.message_text,
        }
        self.stdout.write(json.dumps(summary, ensure_ascii=False, indent=2))
        if data_import.status != DataImport.Status.SUCCEEDED or data_import.error_count:
            raise SystemExit(1)
