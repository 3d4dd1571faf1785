"""The row checker: every row of a file read, checked and resolved (customer ids, touchpoint names
or codes, journey titles: one query per chunk each), the good ones staged with COPY, every problem
kept with its row, column and reason. It takes every file the shortcut (metrics.ingest.fast) does not."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection
from django.utils.translation import gettext_noop

from cxhub.lib.messages import Message, ngettext_noop
from journeys.models import Journey, Touchpoint

from ..models import Customer, DataImport
from .kinds import Cleaned, Context, Kind
from .reading import Table

CHUNK_ROWS = 5_000
MAX_ERRORS = 200


@dataclass
class Checked:
    rows: int = 0
    staged: int = 0
    error_count: int = 0
    errors: list[dict] = field(default_factory=list)  # the first MAX_ERRORS


def check_file(
    kind: Kind,
    data_import: DataImport,
    table: Table,
    resolver: "Resolver",
    report: Callable[[int, int], None],
    checked: Checked,
) -> None:
    """Check every row in chunks, counting into `checked` (what was counted stays there if this
    raises); stage the good rows unless a problem refuses the file anyway (all of them when "import
    valid rows only" was chosen). Reports progress up to 95 %."""
    context = Context(comma_decimals=table.comma_decimals)
    seen: dict[str, int] = {}
    chunk: list[tuple[int, dict[str, str]]] = []

    def flush() -> None:
        staged, problems = check_chunk(kind, chunk, context, resolver, seen)
        checked.error_count += len(problems)
        checked.errors.extend(problems[: max(0, MAX_ERRORS - len(checked.errors))])
        if staged and (data_import.valid_rows_only or checked.error_count == 0):
            stage(kind, data_import.pk, staged)
            checked.staged += len(staged)
        report(min(95, int(95 * table.position() / max(table.size, 1))), checked.rows)
        chunk.clear()

    for number, raw in table.rows:
        checked.rows += 1
        chunk.append((number, raw))
        if len(chunk) >= CHUNK_ROWS:
            flush()
    flush()


AMBIGUOUS = -1  # a reference that matches more than one row


class Resolver:
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
        """A touchpoint by code or name, any case (a name wins over another touchpoint's code)."""
        if self._touchpoints is None:
            rows = Touchpoint.objects.values_list("pk", "code", "name")
            # Lower-cased in Python, exactly as the checker and the shortcut compare them.
            self._touchpoints = {code.lower(): pk for pk, code, _n in rows} | {n.lower(): pk for pk, _c, n in rows}
        return self._touchpoints.get(key.lower())

    def journey(self, title: str) -> int | None:
        """The journey with this title (any case); AMBIGUOUS when several share it (an as-is map and
        its to-be copy kept under one title): guessing would file answers under the wrong map."""
        if self._journeys is None:
            self._journeys = {}
            for pk, journey_title in Journey.objects.values_list("pk", "title"):
                key = journey_title.lower()
                self._journeys[key] = AMBIGUOUS if key in self._journeys else pk
        return self._journeys.get(title.lower())


def check_chunk(
    kind: Kind, chunk: list[tuple[int, dict[str, str]]], context: Context, resolver: Resolver, seen: dict[str, int]
) -> tuple[list[dict], list[dict]]:
    cleaned: list[tuple[int, Cleaned]] = []
    problems: list[dict] = []
    for number, raw in chunk:
        if "__shape__" in raw:
            problems.append(_shape_problem(number, raw))
            continue
        if "__formulas__" in raw:  # (XLSX) formulas Excel never calculated: no value to import
            message = Message(
                gettext_noop("a formula without a value: open the file in Excel, let it calculate, and save it again")
            ).stored()
            problems.extend(
                {"row": number, "column": column, "message": message} for column in raw["__formulas__"].split(",")
            )
            continue
        cleaned.append((number, kind.clean(raw, context)))
    customers = resolver.customers({c.customer for _n, c in cleaned if c.customer})
    id_column = kind.columns[0]
    unknown = {
        "customer_id": gettext_noop("unknown customer “%(value)s”"),
        "touchpoint": gettext_noop("unknown touchpoint “%(value)s”"),
        "journey": gettext_noop("unknown journey “%(value)s”"),
    }
    ambiguous = gettext_noop("“%(value)s” is the title of several journeys; give them different titles")
    staged = []
    for number, row in cleaned:
        external_id = row.values.get("external_id")
        if external_id:
            if external_id in seen:
                row.errors.setdefault(
                    id_column,
                    Message(
                        gettext_noop("duplicate id “%(id)s” (first on row %(row)s)"),
                        {"id": external_id, "row": seen[external_id]},
                    ),
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
                    row.errors.setdefault(column, Message(unknown[column], {"value": value}))
                elif pk == AMBIGUOUS:
                    row.errors.setdefault(column, Message(ambiguous, {"value": value}))
                    pk = None
                row.values[field_name] = pk
            elif field_name in kind.fields:
                row.values[field_name] = None
        if row.errors:
            problems.extend(
                {"row": number, "column": column, "message": message.stored()} for column, message in row.errors.items()
            )
        else:
            staged.append({"row_number": number, **row.values})
    problems.sort(key=lambda problem: problem["row"])  # in file order (a row's own problems keep theirs)
    return staged, problems


def _shape_problem(number: int, raw: dict[str, str]) -> dict:
    """A row with more or fewer cells than the header has columns; fewer names the first one missing."""
    got = int(raw["__shape__"])
    shape = {"got": got, "expected": int(raw["__expected__"])}
    missing = raw["__missing__"].split(",")[0]
    if missing:
        singular, plural = ngettext_noop(
            "%(got)s cell instead of %(expected)s: the row ends before “%(column)s”",
            "%(got)s cells instead of %(expected)s: the row ends before “%(column)s”",
        )
        message = Message(singular, {**shape, "column": missing}, plural=plural, count=got)
    else:
        singular, plural = ngettext_noop(
            "%(got)s cell instead of %(expected)s: more cells than the header has columns",
            "%(got)s cells instead of %(expected)s: more cells than the header has columns",
        )
        message = Message(singular, shape, plural=plural, count=got)
    return {"row": number, "column": missing, "message": message.stored()}


def stage(kind: Kind, import_id: int, rows: list[dict]) -> None:
    """Write checked rows to staging with COPY (psycopg 3)."""
    columns = ["data_import_id", "row_number", "external_id", *kind.fields]
    table = connection.ops.quote_name(kind.staging._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for values in rows:
            copy.write_row([import_id, *(values[c] for c in columns[1:])])
