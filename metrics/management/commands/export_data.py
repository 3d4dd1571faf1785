from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from metrics.ingest import exports
from metrics.ingest.kinds import KINDS


class Command(BaseCommand):
    help = (
        "Export every stored customer, interaction, transaction or survey answer as CSV in the import "
        "format (docs/import.md), to PATH or standard output; `import_data` reads the file back unchanged."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=sorted(KINDS))
        parser.add_argument("path", nargs="?", type=Path, help="File to write (default: standard output).")

    def handle(self, *args, kind: str, path: Path | None, **options) -> None:
        if path is None:
            exports.write(kind, self.stdout)
            return
        if not path.parent.is_dir():
            raise CommandError(f"{path.parent}: no such directory")
        with path.open("w", encoding="utf-8-sig", newline="") as stream:
            count = exports.write(kind, stream)
        self.stderr.write(f"{count} {kind} written to {path}")
