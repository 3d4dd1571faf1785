"""One code path for every import (browser, command line, API): read → check → stage → merge.

1. Rows are read and checked in chunks; each chunk's references (customer ids, touchpoint names or
   codes, journey titles) are resolved with one query each. Rows that pass go to a staging table;
   problems are kept with row, column and reason (the first MAX_ERRORS, and a total count).
2. Any problem refuses the whole file (unless "import valid rows only" was chosen): staging is
   dropped and nothing is written.
3. Otherwise one transaction merges staging into the real table with a set-based upsert by external
   id (INSERT … SELECT … ON CONFLICT DO UPDATE), on PostgreSQL and SQLite alike: re-importing a file
   changes nothing, a changed row updates its record.
Progress (0–100) is saved between chunks so the browser can show it.

On PostgreSQL a clean interactions CSV takes a set-based shortcut for step 1 (metrics.imports.fast);
any file it declines, for whatever reason, is checked here row by row.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.db import connection, transaction
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
            fast_rows = None
            if fast.applies(data_import):
                # A second handle: FieldFile.open() would hand back (and then close) the one being read.
                with data_import.file.storage.open(data_import.file.name, "rb") as again:
                    fast_rows = fast.load(data_import, again, resolver.touchpoint_keys())
            if fast_rows is not None:  # loaded already: every row passed the set-based checks
                rows_total = rows_staged = fast_rows
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
                progress = min(95, int(95 * table.position() / max(table.size, 1)))
                DataImport.objects.filter(pk=data_import.pk).update(progress=progress, rows_total=rows_total)
                if on_progress:
                    on_progress(progress)
                chunk.clear()

            for number, raw in table.rows if fast_rows is None else ():
                rows_total += 1
                chunk.append((number, raw))
                if len(chunk) >= CHUNK_ROWS:
                    flush()
            if fast_rows is None:
                flush()
        if rows_total == 0:
            raise ImportRefused(_("%(name)s has a header but no rows.") % {"name": data_import.file_name})
        if error_count and not data_import.valid_rows_only:
            raise ImportRefused(
                _("%(count)s problems in %(name)s: nothing was imported. Fix them, or choose “import valid rows only”.")
                % {"count": error_count, "name": data_import.file_name}
            )
        source = _Source(fast.ROWS_TABLE) if fast_rows is not None else _Source.staging(kind, data_import)
        with transaction.atomic():
            created, updated, touched = _merge(kind, source)
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
        kind.staging.objects.filter(data_import=data_import).delete()
        fast.discard()
    data_import.refresh_from_db()
    return data_import


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
        if connection.vendor == "postgresql":
            # One array parameter instead of thousands of placeholders for psycopg to splice in.
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT external_id, id FROM {connection.ops.quote_name(Customer._meta.db_table)} "
                    "WHERE external_id = ANY(%s)",
                    [list(external_ids)],
                )
                return dict(cursor.fetchall())
        return dict(Customer.objects.filter(external_id__in=external_ids).values_list("external_id", "pk"))

    def touchpoint(self, key: str) -> int | None:
        return self.touchpoint_keys().get(key.lower())

    def touchpoint_keys(self) -> dict[str, int]:
        """Lower-cased codes and names → id (a name wins over another touchpoint's code)."""
        if self._touchpoints is None:
            rows = Touchpoint.objects.values_list("pk", "code", "name")
            # Lower-cased in Python: SQLite's lower() leaves Cyrillic alone.
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
    """Write checked rows to staging: PostgreSQL's COPY (psycopg 3); elsewhere one prepared INSERT for
    all rows with values adapted as the ORM would, without compiling a query per row."""
    columns = ["data_import_id", "row_number", "external_id", *kind.fields]
    table = connection.ops.quote_name(kind.staging._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for values in rows:
                    copy.write_row([import_id, *(values[c] for c in columns[1:])])
            return
        adapters = [(c, _adapter(kind.staging._meta.get_field(c))) for c in columns[1:]]
        placeholders = ", ".join(["%s"] * len(columns))
        cursor.executemany(
            f"INSERT INTO {table} ({names}) VALUES ({placeholders})",
            [[import_id, *(adapt(values[c]) for c, adapt in adapters)] for values in rows],
        )


def _adapter(field) -> Callable:
    ops = connection.ops
    internal = field.get_internal_type()
    if internal == "DateTimeField":
        return lambda v: None if v is None else ops.adapt_datetimefield_value(v)
    if internal == "DateField":
        return lambda v: None if v is None else ops.adapt_datefield_value(v)
    if internal == "DecimalField":
        return lambda v: None if v is None else ops.adapt_decimalfield_value(v, field.max_digits, field.decimal_places)
    return lambda v: v


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


def _merge(kind: Kind, source: _Source) -> tuple[int, int, list[str]]:
    """Write the checked rows into the real table: new external ids are inserted, rows that differ
    from their stored record update it, identical rows are left alone (re-importing a file writes
    nothing). Returns (created, updated, touched days). Runs inside the caller's transaction."""
    q = connection.ops.quote_name
    postgres = connection.vendor == "postgresql"
    target = q(kind.target._meta.db_table)
    columns = ["external_id", *kind.fields]
    names = ", ".join(q(c) for c in columns)
    day = DAY_FIELDS.get(kind.target)
    references = [(c, REFERENCED[c]) for c in kind.fields if c in REFERENCED]
    with connection.cursor() as cursor:
        if postgres:
            # One merge at a time per table (readers go on), and the rows referred to cannot change
            # until commit: what per-row foreign-key checks would ensure, set-based (Interaction has
            # no such constraints; it is written in bulk). SQLite serialises writers anyway.
            cursor.execute(f"LOCK TABLE {target} IN SHARE ROW EXCLUSIVE MODE")
            for _column, model in references:
                cursor.execute(f"LOCK TABLE {q(model._meta.db_table)} IN SHARE MODE")
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
        differs = " OR ".join(
            f"t.{q(c)} IS DISTINCT FROM s.{q(c)}" if postgres else f"t.{q(c)} IS NOT s.{q(c)}" for c in kind.fields
        )
        old_day = f", t.{q(day)} AS old_day" if day else ""
        cursor.execute("DROP TABLE IF EXISTS merge_plan")
        cursor.execute(
            f"CREATE TEMP TABLE merge_plan AS SELECT {', '.join(f's.{q(c)}' for c in columns)}, "
            f"t.id AS target_id{old_day} FROM {source.table} s LEFT JOIN {target} t ON t.external_id = s.external_id "
            f"WHERE {source.where} AND (t.id IS NULL OR {differs})",
            source.params,
        )
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
        if postgres and created + updated >= ANALYZE_AFTER_ROWS:
            # Fresh statistics now, not when autovacuum gets round to it: the recompute that follows
            # plans its scans on them.
            cursor.execute(f"ANALYZE {target}")
    return created, updated, sorted(d.isoformat() for d in days)
