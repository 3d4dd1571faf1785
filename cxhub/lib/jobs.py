"""Which background job is alive: a PostgreSQL advisory lock held by the worker doing it. PostgreSQL
releases the lock the moment that worker's connection goes — a kill -9 included — so a sweeper can
tell a job whose worker is gone from one that is merely slow, and a redelivered task message can
tell that another worker is still on the job."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

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


def stale_since(stale_seconds: float | None = None) -> datetime:
    """The moment before which a job's last sign of life (its heartbeat) makes its worker suspect:
    METRICS_RUN_STALE_SECONDS ago unless told."""
    seconds = settings.METRICS_RUN_STALE_SECONDS if stale_seconds is None else stale_seconds
    return timezone.now() - timedelta(seconds=seconds)


def is_lost(kind: int, key: int, last_heard: datetime | None, stale: datetime) -> bool:
    """A job whose worker is gone: not heard from since `stale`, and nobody holds its lock (a slow
    worker still holds it)."""
    return last_heard is not None and last_heard <= stale and not is_alive(kind, key)
