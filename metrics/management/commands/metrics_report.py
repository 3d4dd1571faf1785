import json
from datetime import date, datetime

from django.core.management.base import BaseCommand, CommandError, CommandParser

from metrics.figures import report


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise CommandError(f"“{text}” is not a date (YYYY-MM-DD).") from error


def _moment(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError as error:
        raise CommandError(f"“{text}” is not a date-time (ISO 8601, e.g. 2026-06-30T18:00).") from error


class Command(BaseCommand):
    help = (
        "Print the headline figures from the stored rollups: service level at 1, 3, 5, 10 days and against "
        "targets, percentiles, NPS/CSAT/CES, customer value overall and per segment, repeat purchase, cohorts."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="Print JSON (the only format; kept for scripts).")
        parser.add_argument("--as-of", type=_moment, help="Reference moment (default: the last recompute).")
        parser.add_argument("--start", type=_date, help="First day of the window (default: 365 days before --end).")
        parser.add_argument("--end", type=_date, help="Day after the window (exclusive; default: the day after as-of).")
        parser.add_argument("--touchpoint", help="Only this touchpoint (code or name): service and survey figures.")

    def handle(self, *args, as_of=None, start=None, end=None, touchpoint=None, **options) -> None:
        try:
            span = report.window(as_of=as_of, start=start, end=end)
            chosen = report.touchpoint_named(touchpoint) if touchpoint else None
        except report.ReportError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(json.dumps(report.report(span, touchpoint=chosen), indent=2, ensure_ascii=False))
