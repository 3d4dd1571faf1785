import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from metrics.models import MetricsRun
from metrics.rollups import runs


class Command(BaseCommand):
    help = "Recompute the stored figures now (a full run), or resume an unfinished run with --run ID."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--run", type=int, help="Resume this run (same as_of; done months are skipped), or wait for it."
        )

    def handle(self, *args, run: int | None, **options) -> None:
        """A full run, or the given one, finished here — waiting while a live worker does it."""
        if run is not None:
            found = MetricsRun.objects.filter(pk=run).first()
            if found is None:
                raise CommandError(f"No recompute run {run}.")
            result = runs.finish(found)
        else:
            result = runs.recompute(full=True)
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
