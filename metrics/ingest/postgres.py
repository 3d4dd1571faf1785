"""PostgreSQL's side of an import, kept apart from what an import means: the merge's locks, indexes
set aside during a big load, the vacuum after it, and the second connection that shows the
shortcut's progress while its transaction is open."""

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.db import DatabaseError, connection, models
from django.utils import timezone

from journeys.models import Journey, Touchpoint

from ..models import Customer, DataImport
from .kinds import Kind

logger = logging.getLogger(__name__)

REFERENCED = {"customer_id": Customer, "touchpoint_id": Touchpoint, "journey_id": Journey}
ANALYZE_AFTER_ROWS = 10_000
# Below this many new rows, updating the indexes row by row costs less than building them again.
REBUILD_INDEXES_FROM = 100_000


def quoted(model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def lock(kind: Kind) -> None:
    """One merge at a time per table (readers go on), and the rows referred to cannot change until
    commit: what per-row foreign-key checks would ensure, set-based (Interaction has no such
    constraints; it is written in bulk). Inside a transaction; taking it twice is harmless."""
    with connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {quoted(kind.target)} IN SHARE ROW EXCLUSIVE MODE")
        for column in kind.fields:
            if column in REFERENCED:
                cursor.execute(f"LOCK TABLE {quoted(REFERENCED[column])} IN SHARE MODE")


def vacuum_after_big_write(model: type[models.Model], written: int) -> None:
    """After a big write (once it is committed), fresh statistics now, not when autovacuum gets
    round to it: the recompute that follows plans its scans on them. And the table's pages marked
    all-visible: until then every index-only read — a touchpoint's year of durations, read from the
    touchpoint × day index — fetches each row from the table as well. At 10,000,000 interactions
    the touchpoint page went from 810 ms to 76 ms p95 after it. VACUUM skips pages already
    all-visible, so after a small import it costs little; it cannot run inside a transaction, so
    when the import runs inside the caller's (tests, for one) the statistics alone are refreshed."""
    if written < ANALYZE_AFTER_ROWS:
        return
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"{'ANALYZE' if connection.in_atomic_block else 'VACUUM (ANALYZE)'} {quoted(model)}")
    except DatabaseError:  # the import has succeeded; this only speeds up reads
        logger.warning("vacuum after import of %s rows into %s failed", written, model.__name__, exc_info=True)


@contextmanager
def indexes_set_aside(model: type[models.Model], new_rows: int) -> Iterator[None]:
    """Around an insert of `new_rows` rows: when they at least double the table (a first load, a
    big back-fill), drop its indexes and unique constraints, the primary key's too when no foreign
    key needs it, and build them again after, one sort each. At 1,000,000 rows into Interaction:
    about 4 s of index builds instead of 9 s of per-row index updates. Every index the table has is
    read from the catalog, with the definition that builds it again, so none is kept up row by row
    because a model declared it on a field. The drop locks out readers of the table until commit,
    hence the bar. DDL is transactional in PostgreSQL: a failure restores the indexes with the rest."""
    if (
        new_rows < REBUILD_INDEXES_FROM
        or has_foreign_key_constraints(model)  # their deferred checks forbid ALTER TABLE before commit
        or new_rows < _estimated_rows(model)
    ):
        yield
        return
    table = quoted(model)
    with connection.cursor() as cursor:
        # The primary key first when built again: the other indexes do not need it, but it is the
        # cheapest to have back early. An index a foreign key relies on stays.
        cursor.execute(
            """
            SELECT i.indexrelid::regclass::text, c.conname,
                   COALESCE(pg_get_constraintdef(c.oid), pg_get_indexdef(i.indexrelid))
            FROM pg_index i
            LEFT JOIN pg_constraint c
                   ON c.conindid = i.indexrelid AND c.conrelid = i.indrelid AND c.contype IN ('p', 'u')
            WHERE i.indrelid = %s::regclass
              AND NOT EXISTS (SELECT FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = i.indexrelid)
            ORDER BY i.indisprimary DESC, 1
            """,
            [model._meta.db_table],
        )
        aside = cursor.fetchall()
        for index, constraint, _definition in aside:
            if constraint:
                cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {connection.ops.quote_name(constraint)}")
            else:
                cursor.execute(f"DROP INDEX {index}")  # regclass text: quoted where it needs to be
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")  # each index sorted in memory
        for _index, constraint, definition in aside:
            if constraint:
                name = connection.ops.quote_name(constraint)
                cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")
            else:
                cursor.execute(definition)


def has_foreign_key_constraints(model: type[models.Model]) -> bool:
    return any(field.many_to_one and field.db_constraint for field in model._meta.concrete_fields)


def _estimated_rows(model: type[models.Model]) -> float:
    """PostgreSQL's estimate (kept fresh: imports ANALYZE after big merges); no count(*) scan."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT greatest(reltuples, 0) FROM pg_class WHERE oid = %s::regclass", [model._meta.db_table])
        return cursor.fetchone()[0]


class Progress:
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
        DataImport.objects.filter(pk=self.pk).update(progress=progress, rows_total=rows, heartbeat_at=timezone.now())
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
                        f"UPDATE {quoted(DataImport)} SET progress = %s, rows_total = %s, heartbeat_at = %s"
                        " WHERE id = %s",
                        [progress, rows, timezone.now(), self.pk],
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
