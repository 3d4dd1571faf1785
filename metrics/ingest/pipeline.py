"""One path for every import (browser, command line, API): open the file, then either the shortcut
or the row checker, then the merge, then the record of how it went.

- **Shortcut** (metrics.ingest.fast): a CSV file of any kind is COPY'd and merged straight from a
  view over it, in one savepoint under the merge's locks. Lines outside its pattern and rows the
  table refuses are handed to the checker one by one (reported, or taken); anything else it is
  unsure of rolls back, and the file goes to the checker instead — so every problem is reported by
  the one checker.
- **Row checker** (metrics.ingest.checker): every row read and checked; good rows staged. Any
  problem refuses the whole file (unless "import valid rows only" was chosen): nothing is written.
  Otherwise one transaction merges the staged rows.
- **Merge** (metrics.ingest.merge): the one set-based upsert by external id; re-importing a file
  changes nothing, a changed row updates its record.

Progress (0–100) is saved as it goes so the browser can show it (metrics.ingest.postgres.Progress).

The rows and the import's "imported" status are committed in one transaction, whichever path: a
worker killed at any moment leaves either nothing written (the import still "running", which the
sweeper turns into "failed — worker lost", retryable) or everything. The worker holds the import's
advisory lock (cxhub.lib.jobs) throughout, so a redelivered task message does not run it twice.
"""

import logging
from collections.abc import Callable

import psycopg
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_noop

from cxhub.lib import jobs
from cxhub.lib.messages import Message, ngettext_noop

from ..models import DataImport
from . import fast, postgres
from .checker import MAX_ERRORS, Checked, Resolver, check_file
from .kinds import KINDS, Kind
from .merge import Merged, ReferencesGone, Source, merge
from .problems import Refused, kept_message
from .reading import FileRefused, open_table

logger = logging.getLogger(__name__)

# The shortcut's share of the bar: reading and loading the file up to LOADED, writing the rows
# (and building the indexes again) after it — about half of its time each at 1,000,000 rows.
LOADED = 50
WRITTEN = 85
MAX_ATTEMPTS = 3
# Stored as the English message id and translated for each reader (templates/metrics/import_detail.html).
STOPPED_WORKERS = gettext_noop(
    "This file stopped the worker importing it 3 times (it ran out of time or memory); nothing was imported. "
    "Split the file, or check it for very long rows."
)


class ImportRefused(Refused):
    pass


def run(data_import: DataImport, *, on_progress: Callable[[int], None] | None = None) -> DataImport | None:
    """Carry out an import recorded as a DataImport; returns it finished (succeeded or failed), or None
    when another live worker is doing it."""
    with jobs.held(jobs.DATA_IMPORT, data_import.pk) as mine:
        if not mine:
            return None
        data_import.refresh_from_db()
        if data_import.is_finished:
            return data_import
        if data_import.attempts >= MAX_ATTEMPTS:  # each time, its worker was killed or lost with it
            _fail(data_import, Message(STOPPED_WORKERS), checked=Checked(), skipped=0)
            data_import.refresh_from_db()
            return data_import
        return _run(data_import, on_progress)


def _run(data_import: DataImport, on_progress: Callable[[int], None] | None) -> DataImport:
    kind = KINDS[data_import.kind]
    now = timezone.now()
    DataImport.objects.filter(pk=data_import.pk).update(
        status=DataImport.Status.RUNNING, started_at=now, heartbeat_at=now, retryable=False, attempts=F("attempts") + 1
    )
    kind.staging.objects.filter(data_import=data_import).delete()  # a rerun after a crash starts clean
    report = postgres.Progress(data_import, on_progress)
    checked = Checked()
    try:
        with data_import.file.open("rb") as source:
            table = open_table(
                source, name=data_import.file_name, size=data_import.file.size, expected=kind.columns,
                required=kind.required,
            )  # fmt: skip
            resolver = Resolver()
            merged = _shortcut(kind, data_import, resolver, report, checked) if fast.applies(data_import) else None
            if merged is None:
                check_file(kind, data_import, table, resolver, report, checked)
                if checked.rows == 0:
                    raise ImportRefused(
                        Message(gettext_noop("%(name)s has a header but no rows."), {"name": data_import.file_name})
                    )
                if checked.error_count and not data_import.valid_rows_only:
                    raise ImportRefused(_refusal(checked, data_import))
                with transaction.atomic():  # the rows and the status commit together
                    merged = merge(kind, Source.staging(kind, data_import), rows=checked.staged)
                    _finish(
                        data_import, merged, rows=checked.rows, skipped=checked.rows - checked.staged, checked=checked
                    )
        postgres.vacuum_after_big_write(kind.target, merged.created + merged.updated)
    except (FileRefused, ImportRefused, ReferencesGone) as refused:
        _fail(data_import, refused.message, checked=checked, skipped=checked.rows)
    except SoftTimeLimitExceeded:
        minutes = round(settings.IMPORT_SOFT_TIME_LIMIT / 60)
        message = Message(
            gettext_noop(
                "The import took longer than the %(minutes)s minutes an import may take; nothing was imported. "
                "Retry it when the server is less busy, or split the file."
            ),
            {"minutes": minutes},
        )
        _fail(data_import, message, checked=checked, skipped=0, retryable=True)
    except Exception:
        logger.exception("import %s failed", data_import.pk)
        message = Message(
            gettext_noop(
                "The import stopped on an unexpected error; nothing was imported. The error is in the server log."
            )
        )
        _fail(data_import, message, checked=checked, skipped=0)
    finally:
        report.close()
        kind.staging.objects.filter(data_import=data_import).delete()
        fast.discard()
    data_import.refresh_from_db()
    return data_import


def _shortcut(
    kind: Kind, data_import: DataImport, resolver: Resolver, report: postgres.Progress, checked: Checked
) -> Merged | None:
    """The shortcut (metrics.ingest.fast) and its merge in one savepoint, under the merge's locks
    from the start: the customers and touchpoints it joined cannot go before commit, so the merge
    need not look for them again. Rows with problems are counted into `checked`, as the checker
    counts them; ImportRefused when they refuse the file. None when it declined: nothing written,
    locks gone, and the row checker takes the file."""
    size = max(data_import.file_size or 0, 1)
    try:
        # A second handle: FieldFile.open() would hand back (and then close) the one being read.
        with data_import.file.storage.open(data_import.file.name, "rb") as source, transaction.atomic():
            postgres.lock(kind)
            loaded = fast.load(
                source,
                kind.name,
                resolver,
                on_read=lambda done, lines: report.from_shortcut(min(LOADED, LOADED * done // size), lines),
            )
            report.from_shortcut(LOADED, loaded.rows)
            if loaded.refused.rows and not data_import.valid_rows_only:
                if fast.duplicated_ids():
                    raise fast.Declined("an id given twice, which the checker reports too")
                loaded.refused.extend(fast.sift(source, loaded, resolver, must_find=False))
                raise ImportRefused(_refusal(_counted(loaded, into=checked), data_import))
            try:
                with transaction.atomic():  # a row the table refuses rolls back to here
                    merged = _merge_loaded(kind, loaded, report)
            except DatabaseError:
                loaded.refused.extend(fast.sift(source, loaded, resolver))
                if fast.duplicated_ids():  # behind the refused row, as before the merge: the checker reports both
                    raise fast.Declined("an id given twice, which the checker reports too") from None
                if not data_import.valid_rows_only:
                    raise ImportRefused(_refusal(_counted(loaded, into=checked), data_import)) from None
                merged = _merge_loaded(kind, loaded, report)
            counted = _counted(loaded, into=Checked())
            _finish(data_import, merged, rows=counted.rows, skipped=counted.rows - counted.staged, checked=counted)
            return merged
    except (fast.Declined, DatabaseError, psycopg.Error, UnicodeDecodeError) as error:  # COPY raises psycopg's own
        logger.info("import %s: fast path declined (%s); checking row by row", data_import.pk, error)
        return None


def _merge_loaded(kind: Kind, loaded: fast.Loaded, report: postgres.Progress) -> Merged:
    return merge(
        kind,
        Source(fast.ROWS_VIEW),
        rows=loaded.taken,
        stored=loaded.stored,  # at most that many, once sift has taken refused rows out
        references_held=True,
        on_written=lambda: report.from_shortcut(WRITTEN, loaded.rows),
    )


def _counted(loaded: fast.Loaded, *, into: Checked) -> Checked:
    """What the checker would have counted: every row, the rows taken, the problems in file order."""
    problems = sorted(loaded.refused.problems, key=lambda problem: problem["row"])
    into.rows, into.staged, into.error_count, into.errors = (
        loaded.rows,
        loaded.taken,
        len(problems),
        problems[:MAX_ERRORS],
    )
    return into


def _refusal(checked: Checked, data_import: DataImport) -> Message:
    singular, plural = ngettext_noop(
        "%(count)s problem in %(name)s: nothing was imported. Fix it, or choose “import valid rows only”.",
        "%(count)s problems in %(name)s: nothing was imported. Fix them, or choose “import valid rows only”.",
    )
    return Message(
        singular,
        {"count": checked.error_count, "name": data_import.file_name},
        plural=plural,
        count=checked.error_count,
    )


def _finish(data_import: DataImport, merged: Merged, *, rows: int, skipped: int, checked: Checked) -> None:
    DataImport.objects.filter(pk=data_import.pk).update(
        status=DataImport.Status.SUCCEEDED,
        progress=100,
        finished_at=timezone.now(),
        rows_total=rows,
        rows_created=merged.created,
        rows_updated=merged.updated,
        rows_skipped=skipped,
        error_count=checked.error_count,
        errors=checked.errors,  # their messages kept untranslated (metrics.ingest.problems)
        message="",
        message_params=None,
        touched_months=sorted({f"{day[:7]}-01" for day in merged.touched}),
        touched_days=merged.touched,
    )


def _fail(
    data_import: DataImport, message: Message, *, checked: Checked, skipped: int, retryable: bool = False
) -> None:
    DataImport.objects.filter(pk=data_import.pk).update(
        status=DataImport.Status.FAILED,
        retryable=retryable,
        progress=100,
        finished_at=timezone.now(),
        rows_total=checked.rows,
        rows_skipped=skipped,
        error_count=max(checked.error_count, 1),
        errors=checked.errors,
        **kept_message(message),
    )
