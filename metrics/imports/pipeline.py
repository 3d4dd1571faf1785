"""One code path for every import (browser, command line, API): read → check → stage → merge.

1. Rows are read and checked in chunks; each chunk's references (customer ids, touchpoint names or
   codes, journey titles) are resolved with one query each. Rows that pass go to a staging table;
   problems are kept with row, column and reason (the first MAX_ERRORS, and a total count).
2. Any problem refuses the whole file (unless "import valid rows only" was chosen): staging is
   dropped and nothing is written.
3. Otherwise one transaction merges staging into the real table with a set-based upsert by external
   id (INSERT … SELECT … ON CONFLICT DO UPDATE): re-importing a file
   changes nothing, a changed row updates its record.
Progress (0–100) is saved between chunks so the browser can show it; the shortcut below runs in one
transaction, so it saves its progress through a connection of its own (_Progress).

A clean interactions CSV takes a set-based shortcut (metrics.imports.fast) and is
merged straight from the COPY'd file in the same transaction (_merge_view); any file it declines, for
whatever reason, is checked here row by row. A merge that at least doubles a big table builds the
table's indexes afresh afterwards instead of updating them row by row.
"""

import logging
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

import psycopg
from django.db import DatabaseError, connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from journeys.models import Journey, Touchpoint

from ..models import Customer, DataImport, Interaction, SurveyResponse
from . import fast
from .kinds import KINDS, Cleaned, Context, Kind
from .reading import FileRefused, open_table

logger = logging.getLogger(__name__)

CHUNK_ROWS = 5_000
MAX_ERRORS = 200


class ImportRefused(Exception):
    pass


def run(data_import: DataImport, *, on_progress: Callable[[int], None] | None = None) -> DataImport:
    """Carry out an import recorded as a DataImport; returns it finished (succeeded or failed)."""
    kind = KINDS[data_import.kind]
    DataImport.objects.filter(pk=data_import.pk).update(status=DataImport.Status.RUNNING, started_at=timezone.now())
    kind.staging.objects.filter(data_import=data_import).delete()  # a rerun after a crash starts clean
    errors: list[dict] = []
    error_count = rows_total = rows_staged = 0
    report = _Progress(data_import, on_progress)
    try:
        with data_import.file.open("rb") as source:
            table = open_table(
                source,
                name=data_import.file_name,
                size=data_import.file.size,
                expected=kind.columns,
                required=kind.required,
            )
            context = Context(comma_decimals=table.comma_decimals)
            resolver = _Resolver()
            merged = None
            if fast.applies(data_import):
                # A second handle: FieldFile.open() would hand back (and then close) the one being read.
                with data_import.file.storage.open(data_import.file.name, "rb") as again:
                    merged = _fast_import(kind, data_import, again, resolver, report)
            if merged is not None:  # every row passed the set-based checks and is merged already
                rows_total = rows_staged = merged.rows
            seen: dict[str, int] = {}
            chunk: list[tuple[int, dict[str, str]]] = []

            def flush() -> None:
                nonlocal error_count, rows_staged
                staged, problems = _check_chunk(kind, chunk, context, resolver, seen)
                error_count += len(problems)
                errors.extend(problems[: max(0, MAX_ERRORS - len(errors))])
                if staged and (data_import.valid_rows_only or error_count == 0):
                    _stage(kind, data_import.pk, staged)
                    rows_staged += len(staged)
                report(min(95, int(95 * table.position() / max(table.size, 1))), rows_total)
                chunk.clear()

            for number, raw in table.rows if merged is None else ():
                rows_total += 1
                chunk.append((number, raw))
                if len(chunk) >= CHUNK_ROWS:
                    flush()
            if merged is None:
                flush()
        if rows_total == 0:
            raise ImportRefused(_("%(name)s has a header but no rows.") % {"name": data_import.file_name})
        if error_count and not data_import.valid_rows_only:
            raise ImportRefused(
                _("%(count)s problems in %(name)s: nothing was imported. Fix them, or choose “import valid rows only”.")
                % {"count": error_count, "name": data_import.file_name}
            )
        if merged is None:
            with transaction.atomic():
                merged = _Merged(rows_total, *_merge(kind, _Source.staging(kind, data_import)))
        created, updated, touched = merged.created, merged.updated, merged.touched
        _finish(
            data_import,
            status=DataImport.Status.SUCCEEDED,
            rows_total=rows_total,
            rows_created=created,
            rows_updated=updated,
            rows_skipped=rows_total - rows_staged,
            error_count=error_count,
            errors=errors,
            message="",
            touched_months=sorted({f"{day[:7]}-01" for day in touched}),
            touched_days=touched,
        )
        _vacuum_after_big_write(kind, created + updated)
    except (FileRefused, ImportRefused) as refused:
        _finish(
            data_import,
            status=DataImport.Status.FAILED,
            rows_total=rows_total,
            rows_skipped=rows_total,
            error_count=max(error_count, 1),
            errors=errors,
            message=str(refused),
        )
    except Exception:
        logger.exception("import %s failed", data_import.pk)
        _finish(
            data_import,
            status=DataImport.Status.FAILED,
            rows_total=rows_total,
            error_count=max(error_count, 1),
            errors=errors,
            message=_(
                "The import stopped on an unexpected error; nothing was imported. The error is in the server log."
            ),
        )
    finally:
        report.close()
        kind.staging.objects.filter(data_import=data_import).delete()
        fast.discard()
    data_import.refresh_from_db()
    return data_import


@dataclass(frozen=True)
class _Merged:
    rows: int
    created: int
    updated: int
    touched: list[str]  # ISO days


# The shortcut's share of the bar: reading and loading the file up to LOADED, writing the rows
# (and building the indexes again) after it — about half of its time each at 1,000,000 rows.
LOADED = 50
WRITTEN = 85


def _fast_import(
    kind: Kind, data_import: DataImport, source, resolver: "_Resolver", report: "_Progress"
) -> _Merged | None:
    """The PostgreSQL shortcut (metrics.imports.fast) and its merge in one savepoint, under the
    merge's locks from the start: the customers and touchpoints it joined cannot go before commit,
    so the merge need not look for them again. None when it declined or PostgreSQL refused a row:
    nothing written, locks gone, and the row checker takes the file."""
    size = max(data_import.file_size or 0, 1)
    try:
        with transaction.atomic():
            _lock(kind)
            loaded = fast.load(
                source,
                resolver.touchpoint,
                on_read=lambda done, lines: report.from_shortcut(min(LOADED, LOADED * done // size), lines),
            )
            report.from_shortcut(LOADED, loaded.rows)
            return _Merged(
                loaded.rows,
                *_merge_view(
                    kind,
                    fast.ROWS_VIEW,
                    rows=loaded.rows,
                    stored=loaded.stored,
                    on_written=lambda: report.from_shortcut(WRITTEN, loaded.rows),
                ),
            )
    except (fast.Declined, DatabaseError, psycopg.Error, UnicodeDecodeError) as error:  # COPY raises psycopg's own
        logger.info("import %s: fast path declined (%s); checking row by row", data_import.pk, error)
        return None


class _Progress:
    """Saves an import's progress where the polling page sees it at once. The row checker writes
    between chunks, on the import's own connection. The shortcut runs in one transaction, whose
    writes would show only at commit (and its connection is busy with the COPY), so it writes
    through a second connection, in autocommit — unless the whole import runs inside the caller's
    transaction: then no other session could see the import yet, and that connection would wait
    for the caller's locks."""

    def __init__(self, data_import: DataImport, on_progress: Callable[[int], None] | None) -> None:
        self.pk = data_import.pk
        self.on_progress = on_progress
        self.outside_allowed = not connection.in_atomic_block
        self.outside = None
        self.shown: int | None = None

    def __call__(self, progress: int, rows: int) -> None:
        DataImport.objects.filter(pk=self.pk).update(progress=progress, rows_total=rows)
        self._heard(progress)

    def from_shortcut(self, progress: int, rows: int) -> None:
        if progress == self.shown:
            return  # the shortcut hears of every block it sends: save only when the bar moves
        if self.outside_allowed:
            try:
                if self.outside is None:
                    self.outside = connection.copy()
                    with self.outside.cursor() as cursor:  # the bar is not worth waiting for
                        cursor.execute("SET lock_timeout = '2s'")
                with self.outside.cursor() as cursor:
                    cursor.execute(
                        f"UPDATE {connection.ops.quote_name(DataImport._meta.db_table)} "
                        "SET progress = %s, rows_total = %s WHERE id = %s",
                        [progress, rows, self.pk],
                    )
            except DatabaseError:
                logger.warning("import %s: progress not saved; the bar waits for the end", self.pk, exc_info=True)
                self.outside_allowed = False
        self._heard(progress)

    def _heard(self, progress: int) -> None:
        self.shown = progress
        if self.on_progress:
            self.on_progress(progress)

    def close(self) -> None:
        if self.outside is not None:
            self.outside.close()


def _finish(data_import: DataImport, **fields) -> None:
    DataImport.objects.filter(pk=data_import.pk).update(progress=100, finished_at=timezone.now(), **fields)


AMBIGUOUS = -1  # a reference that matches more than one row


class _Resolver:
    """Names and ids in the file → primary keys; the catalogue and journeys are small and read once."""

    def __init__(self) -> None:
        self._touchpoints: dict[str, int] | None = None
        self._journeys: dict[str, int] | None = None

    def customers(self, external_ids: set[str]) -> dict[str, int]:
        if not external_ids:
            return {}
        # One array parameter instead of thousands of placeholders for psycopg to splice in.
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT external_id, id FROM {connection.ops.quote_name(Customer._meta.db_table)} "
                "WHERE external_id = ANY(%s)",
                [list(external_ids)],
            )
            return dict(cursor.fetchall())

    def touchpoint(self, key: str) -> int | None:
        return self.touchpoint_keys().get(key.lower())

    def touchpoint_keys(self) -> dict[str, int]:
        """Lower-cased codes and names → id (a name wins over another touchpoint's code)."""
        if self._touchpoints is None:
            rows = Touchpoint.objects.values_list("pk", "code", "name")
            # Lower-cased in Python, exactly as the checker and the shortcut compare them.
            self._touchpoints = {code.lower(): pk for pk, code, _n in rows} | {n.lower(): pk for pk, _c, n in rows}
        return self._touchpoints

    def journey(self, title: str) -> int | None:
        """The journey with this title (any case); AMBIGUOUS when several share it (an as-is map and
        its to-be copy kept under one title): guessing would file answers under the wrong map."""
        if self._journeys is None:
            self._journeys = {}
            for pk, journey_title in Journey.objects.values_list("pk", "title"):
                key = journey_title.lower()
                self._journeys[key] = AMBIGUOUS if key in self._journeys else pk
        return self._journeys.get(title.lower())


def _check_chunk(
    kind: Kind, chunk: list[tuple[int, dict[str, str]]], context: Context, resolver: _Resolver, seen: dict[str, int]
) -> tuple[list[dict], list[dict]]:
    cleaned: list[tuple[int, Cleaned]] = []
    problems: list[dict] = []
    for number, raw in chunk:
        if "__shape__" in raw:
            problems.append(
                {
                    "row": number,
                    "column": "",
                    "message": _("%(got)s cells instead of %(expected)s")
                    % {"got": raw["__shape__"], "expected": len(kind.columns)},
                }
            )
            continue
        cleaned.append((number, kind.clean(raw, context)))
    customers = resolver.customers({c.customer for _n, c in cleaned if c.customer})
    id_column = kind.columns[0]
    unknown = {  # translated once per chunk, not per row
        "customer_id": _("unknown customer “%(value)s”"),
        "touchpoint": _("unknown touchpoint “%(value)s”"),
        "journey": _("unknown journey “%(value)s”"),
    }
    ambiguous = _("“%(value)s” is the title of several journeys; give them different titles")
    staged = []
    for number, row in cleaned:
        external_id = row.values.get("external_id")
        if external_id:
            if external_id in seen:
                row.errors.setdefault(
                    id_column,
                    _("duplicate id “%(id)s” (first on row %(row)s)") % {"id": external_id, "row": seen[external_id]},
                )
            else:
                seen[external_id] = number
        references = [
            ("customer_id", "customer_id", row.customer, customers.get),
            ("touchpoint", "touchpoint_id", row.touchpoint, resolver.touchpoint),
            ("journey", "journey_id", row.journey, resolver.journey),
        ]
        for column, field_name, value, look_up in references:
            if value:
                pk = look_up(value)
                if pk is None:
                    row.errors.setdefault(column, unknown[column] % {"value": value})
                elif pk == AMBIGUOUS:
                    row.errors.setdefault(column, ambiguous % {"value": value})
                    pk = None
                row.values[field_name] = pk
            elif field_name in kind.fields:
                row.values[field_name] = None
        if row.errors:
            problems.extend(
                {"row": number, "column": column, "message": message} for column, message in row.errors.items()
            )
        else:
            staged.append({"row_number": number, **row.values})
    return staged, problems


def _stage(kind: Kind, import_id: int, rows: list[dict]) -> None:
    """Write checked rows to staging with COPY (psycopg 3)."""
    columns = ["data_import_id", "row_number", "external_id", *kind.fields]
    table = connection.ops.quote_name(kind.staging._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for values in rows:
            copy.write_row([import_id, *(values[c] for c in columns[1:])])


@dataclass(frozen=True)
class _Source:
    """Checked rows to merge: a table with external_id and the kind's fields, and a condition."""

    table: str
    where: str = "TRUE"
    params: tuple = ()

    @classmethod
    def staging(cls, kind: Kind, data_import: DataImport) -> "_Source":
        return cls(connection.ops.quote_name(kind.staging._meta.db_table), "s.data_import_id = %s", (data_import.pk,))


# The day each kind's rollups group by: the months of new and changed rows (and the months changed
# rows leave) are the ones an incremental recompute rebuilds.
DAY_FIELDS = {Interaction: "opened_day", SurveyResponse: "submitted_day"}
REFERENCED = {"customer_id": Customer, "touchpoint_id": Touchpoint, "journey_id": Journey}
ANALYZE_AFTER_ROWS = 10_000


def _vacuum_after_big_write(kind: Kind, written: int) -> None:
    """After a big write, mark the table's pages all-visible now, not when autovacuum gets round to
    it (if it is on at all): until then every index-only read — a touchpoint's year of durations,
    read from the touchpoint × day index — fetches each row from the table as well. At 10,000,000
    interactions the touchpoint page went from 810 ms to 76 ms p95 after it. VACUUM skips pages
    already all-visible, so after a small import it costs little; it cannot run inside a
    transaction, so not when the import runs inside the caller's (tests, for one)."""
    if written < ANALYZE_AFTER_ROWS or connection.in_atomic_block:
        return
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(kind.target._meta.db_table)}")
    except DatabaseError:  # the import has succeeded; this only speeds up reads
        logger.warning("vacuum after import of %s rows into %s failed", written, kind.target.__name__, exc_info=True)


def _lock(kind: Kind) -> None:
    """One merge at a time per table (readers go on), and the rows referred to cannot change until
    commit: what per-row foreign-key checks would ensure, set-based (Interaction has no such
    constraints; it is written in bulk). Inside a transaction."""
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {q(kind.target._meta.db_table)} IN SHARE ROW EXCLUSIVE MODE")
        for column in kind.fields:
            if column in REFERENCED:
                cursor.execute(f"LOCK TABLE {q(REFERENCED[column]._meta.db_table)} IN SHARE MODE")


# Below this many new rows, updating the indexes row by row costs less than building them again.
REBUILD_INDEXES_FROM = 100_000


@contextmanager
def _indexes_set_aside(model: type[models.Model], new_rows: int):
    """Around an insert of `new_rows` rows: when they at least double the table (a first load, a
    big back-fill), drop its indexes and unique constraints, the primary key's too when no foreign
    key needs it, and build them again after, one sort each. At 1,000,000 rows into Interaction:
    about 4 s of index builds instead of 9 s of per-row index updates. The drop locks out readers
    of the table until commit, hence the bar. DDL is transactional in PostgreSQL: a failure restores
    the indexes with the rest."""
    if (
        new_rows < REBUILD_INDEXES_FROM
        or _has_foreign_key_constraints(model)  # their deferred checks forbid ALTER TABLE before commit
        or new_rows < _estimated_rows(model)
    ):
        yield
        return
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname FROM pg_constraint c WHERE conrelid = %(t)s::regclass AND contype = 'p' "
            "AND NOT EXISTS (SELECT FROM pg_constraint f WHERE f.confrelid = %(t)s::regclass)",
            {"t": model._meta.db_table},
        )
        primary_key = cursor.fetchone()
        if primary_key:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {connection.ops.quote_name(primary_key[0])}")
    indexes = list(model._meta.indexes)
    uniques = [c for c in model._meta.constraints if isinstance(c, models.UniqueConstraint)]
    with connection.schema_editor(atomic=False) as editor:
        for index in indexes:
            editor.remove_index(model, index)
        for constraint in uniques:
            editor.remove_constraint(model, constraint)
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")  # each index sorted in memory
        if primary_key:
            cursor.execute(
                f"ALTER TABLE {table} ADD CONSTRAINT {connection.ops.quote_name(primary_key[0])} "
                f"PRIMARY KEY ({connection.ops.quote_name(model._meta.pk.column)})"
            )
    with connection.schema_editor(atomic=False) as editor:
        for constraint in uniques:
            editor.add_constraint(model, constraint)
        for index in indexes:
            editor.add_index(model, index)


def _has_foreign_key_constraints(model: type[models.Model]) -> bool:
    return any(field.many_to_one and field.db_constraint for field in model._meta.concrete_fields)


def _estimated_rows(model: type[models.Model]) -> float:
    """PostgreSQL's estimate (kept fresh: imports ANALYZE after big merges); no count(*) scan."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT greatest(reltuples, 0) FROM pg_class WHERE oid = %s::regclass", [model._meta.db_table])
        return cursor.fetchone()[0]


def _merge_view(
    kind: Kind, view: str, *, rows: int, stored: int, on_written: Callable[[], None] | None = None
) -> tuple[int, int, list[str]]:
    """_merge for rows that come from a view over the raw file (fast.ROWS_VIEW: external_id and the
    kind's fields), `stored` of which have ids stored already, and whose references were joined
    under the merge's locks: the same result, without copying the rows anywhere first. A row the
    table refuses raises."""
    q = connection.ops.quote_name
    target = q(kind.target._meta.db_table)
    names = ", ".join(q(c) for c in ["external_id", *kind.fields])
    differs = " OR ".join(f"old.{q(c)} IS DISTINCT FROM s.{q(c)}" for c in kind.fields)
    day = q(DAY_FIELDS[kind.target])
    days: set[date] = set()
    with connection.cursor() as cursor:
        updated = 0
        if stored:
            # Stored rows that differ: `old` is the row as it was, for the day the change takes it from.
            assignments = ", ".join(f"{q(c)} = s.{q(c)}" for c in kind.fields)
            cursor.execute(
                f"WITH changed AS (UPDATE {target} t SET {assignments} FROM {view} s, {target} old "
                f"WHERE old.id = t.id AND old.external_id = s.external_id AND ({differs}) "
                f"RETURNING old.{day} AS left_day, t.{day} AS day) "
                "SELECT count(*), array_agg(DISTINCT left_day), array_agg(DISTINCT day) FROM changed"
            )
            updated, left_days, changed_days = cursor.fetchone()
            days.update(left_days or (), changed_days or ())
        new = f"WHERE NOT EXISTS (SELECT FROM {target} t WHERE t.external_id = s.external_id)" if stored else ""
        with _indexes_set_aside(kind.target, rows - stored):
            cursor.execute(
                f"WITH added AS (INSERT INTO {target} ({names}) SELECT {names} FROM {view} s {new} "
                f"RETURNING {day} AS day) SELECT day, count(*) FROM added GROUP BY day"
            )
            added = cursor.fetchall()
            if on_written:  # before the indexes are built again, when they were set aside
                on_written()
        created = sum(count for _day, count in added)
        days.update(added_day for added_day, _count in added)
        if created + updated >= ANALYZE_AFTER_ROWS:
            cursor.execute(f"ANALYZE {target}")  # as in _merge
    return created, updated, sorted(d.isoformat() for d in days)


def _merge(kind: Kind, source: _Source) -> tuple[int, int, list[str]]:
    """Write the checked rows into the real table: new external ids are inserted, rows that differ
    from their stored record update it, identical rows are left alone (re-importing a file writes
    nothing). Returns (created, updated, touched days). Runs inside the caller's transaction."""
    q = connection.ops.quote_name
    target = q(kind.target._meta.db_table)
    columns = ["external_id", *kind.fields]
    names = ", ".join(q(c) for c in columns)
    day = DAY_FIELDS.get(kind.target)
    references = [(c, REFERENCED[c]) for c in kind.fields if c in REFERENCED]
    _lock(kind)
    with connection.cursor() as cursor:
        for column, model in references:
            cursor.execute(
                f"SELECT count(*) FROM (SELECT DISTINCT s.{q(column)} AS ref FROM {source.table} s "
                f"WHERE {source.where} AND s.{q(column)} IS NOT NULL) used "
                f"WHERE NOT EXISTS (SELECT 1 FROM {q(model._meta.db_table)} r WHERE r.id = used.ref)",
                source.params,
            )
            if cursor.fetchone()[0]:
                raise ImportRefused(
                    _("Some %(things)s in the file were deleted while it was being imported; nothing was imported. "
                      "Import it again.") % {"things": model._meta.verbose_name_plural}
                )  # fmt: skip
        differs = " OR ".join(f"t.{q(c)} IS DISTINCT FROM s.{q(c)}" for c in kind.fields)
        old_day = f", t.{q(day)} AS old_day" if day else ""
        cursor.execute("DROP TABLE IF EXISTS merge_plan")
        cursor.execute(
            f"CREATE TEMP TABLE merge_plan AS SELECT {', '.join(f's.{q(c)}' for c in columns)}, "
            f"t.id AS target_id{old_day} FROM {source.table} s LEFT JOIN {target} t ON t.external_id = s.external_id "
            f"WHERE {source.where} AND (t.id IS NULL OR {differs})",
            source.params,
        )
        cursor.execute("SELECT count(*) FROM merge_plan WHERE target_id IS NULL")
        new_rows = cursor.fetchone()[0]
        with _indexes_set_aside(kind.target, new_rows):
            cursor.execute(f"INSERT INTO {target} ({names}) SELECT {names} FROM merge_plan WHERE target_id IS NULL")
            created = cursor.rowcount
        assignments = ", ".join(f"{q(c)} = p.{q(c)}" for c in kind.fields)
        cursor.execute(f"UPDATE {target} SET {assignments} FROM merge_plan p WHERE {target}.id = p.target_id")
        updated = cursor.rowcount
        days = set()
        if day:
            cursor.execute(
                f"SELECT DISTINCT {q(day)} FROM merge_plan UNION SELECT DISTINCT old_day FROM merge_plan "
                "WHERE old_day IS NOT NULL"
            )
            days = {value if isinstance(value, date) else date.fromisoformat(value) for (value,) in cursor.fetchall()}
        cursor.execute("DROP TABLE merge_plan")
        if created + updated >= ANALYZE_AFTER_ROWS:
            # Fresh statistics now, not when autovacuum gets round to it: the recompute that follows
            # plans its scans on them.
            cursor.execute(f"ANALYZE {target}")
    return created, updated, sorted(d.isoformat() for d in days)
