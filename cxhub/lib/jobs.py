"""Which background job is alive: a PostgreSQL advisory lock held by the worker doing it. PostgreSQL
releases the lock the moment that worker's connection goes — a kill -9 included — so a sweeper can
tell a job whose worker is gone from one that is merely slow, and a redelivered task message can
tell that another worker is still on the job."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

# The first key of each kind of job (the second is the row's id).
RECOMPUTE_RUN = 741_001
DATA_IMPORT = 741_002


@contextmanager
def held(kind: int, key: int) -> Iterator[bool]:
    """Hold the job's lock for the block if no other session does; yields whether it was taken."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [kind, key])
        taken = bool(cursor.fetchone()[0])
    try:
        yield taken
    finally:
        if taken:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [kind, key])


def is_alive(kind: int, key: int) -> bool:
    """Whether another session holds the job's lock, i.e. a live worker is on the job (the caller's
    own session never counts)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND classid = %s AND objid = %s"
            " AND objsubid = 2 AND granted AND pid <> pg_backend_pid())",
            [kind, key],
        )
        return bool(cursor.fetchone()[0])
