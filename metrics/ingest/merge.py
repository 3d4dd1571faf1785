"""The one merge: checked rows into the real table, set-based, inside the caller's transaction. New
external ids are inserted, stored rows that differ from the file update their record, identical
rows are left alone (re-importing a file writes nothing). The rows come from the staging table (the
row checker) or straight from a view over the COPY'd file (the shortcut, metrics.ingest.fast).

It returns the days the merge touched — those of new and changed rows, and the days changed rows
left — which are what an incremental recompute rebuilds; and it records the customers whose share
of customer value may have changed (new or changed customers, customers of new or changed
transactions) for the next recompute (CustomerTouch) — unless the file has more than
CustomerTouch.LIMIT rows: then that recompute rebuilds the customer figures whole (metrics.rollups.runs)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.db import connection
from django.utils import translation
from django.utils.translation import gettext_noop

from cxhub.lib.messages import Message

from ..models import Customer, CustomerTouch, DataImport, Interaction, SurveyResponse, Transaction
from . import postgres
from .kinds import Kind
from .problems import Refused

# The day each kind's rollups group by.
DAY_FIELDS = {Interaction: "opened_day", SurveyResponse: "submitted_day", Transaction: "occurred_day"}
# The column naming the customer whose share of customer value a row's change may move.
CUSTOMER_FIELDS = {Customer: "id", Transaction: "customer_id"}


class ReferencesGone(Refused):
    """A customer, touchpoint or journey the rows refer to was deleted during the import."""


@dataclass(frozen=True)
class Source:
    """Checked rows: a table (or view) with external_id and the kind's fields, and the condition
    that picks them."""

    table: str
    where: str = "TRUE"
    params: tuple = ()

    @classmethod
    def staging(cls, kind: Kind, data_import: DataImport) -> "Source":
        return cls(postgres.quoted(kind.staging), "s.data_import_id = %s", (data_import.pk,))


@dataclass(frozen=True)
class Merged:
    rows: int
    created: int
    updated: int
    touched: list[str]  # ISO days


def merge(
    kind: Kind,
    source: Source,
    *,
    rows: int,
    stored: int | None = None,
    references_held: bool = False,
    on_written: Callable[[], None] | None = None,
) -> Merged:
    """Merge `rows` checked rows, `stored` of which have ids stored already (None: count them).
    With `references_held` the rows' references were joined under the merge's locks (the shortcut):
    they cannot have gone, so they are not looked for again. A row the table refuses raises."""
    q = connection.ops.quote_name
    target = postgres.quoted(kind.target)
    names = ", ".join(q(c) for c in ["external_id", *kind.fields])
    differs = " OR ".join(f"old.{q(c)} IS DISTINCT FROM s.{q(c)}" for c in kind.fields)
    day = DAY_FIELDS.get(kind.target)
    # `old` is the row as it was: the day a change takes it from.
    returned = f"old.{q(day)} AS left_day, t.{q(day)} AS day" if day else "NULL::date AS left_day, NULL::date AS day"
    who = CUSTOMER_FIELDS.get(kind.target) if rows <= CustomerTouch.LIMIT else None
    touches, touch_changed, touch_added = postgres.quoted(CustomerTouch), "", ""
    if who:
        returned += f", old.{q(who)} AS left_who, t.{q(who)} AS who"
        touch_changed = (
            f", touch AS (INSERT INTO {touches} (customer_id) SELECT who FROM changed UNION "
            "SELECT left_who FROM changed ON CONFLICT DO NOTHING)"
        )
        touch_added = (
            f", touch AS (INSERT INTO {touches} (customer_id) SELECT DISTINCT who FROM added ON CONFLICT DO NOTHING)"
        )
    days: set[date] = set()
    postgres.lock(kind)
    with connection.cursor() as cursor:
        if not references_held:
            _refuse_vanished_references(cursor, kind, source)
        if stored is None:
            cursor.execute(
                f"SELECT count(*) FROM {source.table} s WHERE {source.where} "
                f"AND EXISTS (SELECT FROM {target} t WHERE t.external_id = s.external_id)",
                source.params,
            )
            stored = cursor.fetchone()[0]
        updated = 0
        if stored:
            assignments = ", ".join(f"{q(c)} = s.{q(c)}" for c in kind.fields)
            cursor.execute(
                f"WITH changed AS (UPDATE {target} t SET {assignments} FROM {source.table} s, {target} old "
                f"WHERE {source.where} AND old.id = t.id AND old.external_id = s.external_id AND ({differs}) "
                f"RETURNING {returned}){touch_changed} "
                "SELECT count(*), array_agg(DISTINCT left_day), array_agg(DISTINCT day) FROM changed",
                source.params,
            )
            updated, left_days, changed_days = cursor.fetchone()
            days.update(d for d in (*(left_days or ()), *(changed_days or ())) if d is not None)
        new = f"AND NOT EXISTS (SELECT FROM {target} t WHERE t.external_id = s.external_id)" if stored else ""
        with postgres.indexes_set_aside(kind.target, rows - stored):
            cursor.execute(
                f"WITH added AS (INSERT INTO {target} ({names}) SELECT {names} FROM {source.table} s "
                f"WHERE {source.where} {new} RETURNING {f'{q(day)} AS day' if day else 'NULL::date AS day'}"
                f"{f', {q(who)} AS who' if who else ''}){touch_added} "
                "SELECT day, count(*) FROM added GROUP BY day",
                source.params,
            )
            added = cursor.fetchall()
            if on_written:  # before the indexes are built again, when they were set aside
                on_written()
    created = sum(count for _day, count in added)
    days.update(added_day for added_day, _count in added if added_day is not None)
    return Merged(rows, created, updated, sorted(d.isoformat() for d in days))


def _refuse_vanished_references(cursor, kind: Kind, source: Source) -> None:
    """Every customer, touchpoint and journey the rows refer to must still exist (under the locks,
    none can go before commit)."""
    q = connection.ops.quote_name
    for column in kind.fields:
        model = postgres.REFERENCED.get(column)
        if model is None:
            continue
        cursor.execute(
            f"SELECT count(*) FROM (SELECT DISTINCT s.{q(column)} AS ref FROM {source.table} s "
            f"WHERE {source.where} AND s.{q(column)} IS NOT NULL) used "
            f"WHERE NOT EXISTS (SELECT 1 FROM {postgres.quoted(model)} r WHERE r.id = used.ref)",
            source.params,
        )
        if cursor.fetchone()[0]:
            raise ReferencesGone(
                Message(
                    gettext_noop(
                        "Some %(things)s in the file were deleted while it was being imported; nothing was "
                        "imported. Import it again."
                    ),
                    {"things": Message(_english(model._meta.verbose_name_plural))},
                )
            )


def _english(name) -> str:
    """A model's (lazy) name as its message id, to be translated for each reader."""
    with translation.override(None):
        return str(name)
