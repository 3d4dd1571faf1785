import json

from django.core.management.base import BaseCommand, CommandParser

from metrics.models import MetricsRun
from metrics.rollups import runs


class Command(BaseCommand):
    help = "Recompute the stored figures now (a full run), or resume an unfinished run with --run ID."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--run", type=int, help="Resume this run (same as_of; done months are skipped).")

    def handle(self, *args, run: int | None, **options) -> None:
        result = runs.execute(MetricsRun.objects.get(pk=run)) if run else runs.recompute(full=True)
        self.stdout.write(
            json.dumps(
                {
                    "run": result.pk,
                    "status": result.status,
                    "as_of": result.as_of.isoformat(),
                    "months": result.chunks_total,
                    "done": result.chunks_done,
                    "message": result.message,
                },
                indent=2,
            )
        )
        if result.status != MetricsRun.Status.SUCCEEDED:
            raise SystemExit(1)
