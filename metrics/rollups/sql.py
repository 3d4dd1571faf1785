"""PostgreSQL-specific tuning and SQL helpers of the rollup writers, in one place."""

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from django.db import connection


def work_mem(size: str) -> None:
    """Give this transaction's sorts and hashes `size` of memory (SET LOCAL: until commit)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('work_mem', %s, true)", [size])


def plus_duration(expression: str, delta: timedelta) -> str:
    """SQL for a stored moment plus a fixed duration."""
    return f"({expression} + make_interval(secs => {delta.total_seconds()}))"


def table(model) -> str:
    """The model's table name, quoted for SQL."""
    return connection.ops.quote_name(model._meta.db_table)


_CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def backend_cpu_seconds() -> float | None:
    """CPU time the database server has spent on this connection so far (user + system), when the
    server runs on this machine (the embedded one, or a local one): read from /proc. None otherwise."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS  # utime, stime (fields 14 and 15)


@dataclass
class Timings:
    """Wall time and the database's CPU time per part of a piece of work, added up over calls."""

    parts: dict[str, dict[str, float | None]] = field(default_factory=dict)

    @contextmanager
    def part(self, name: str) -> Iterator[None]:
        cpu, began = backend_cpu_seconds(), time.perf_counter()
        yield
        wall, cpu_after = time.perf_counter() - began, backend_cpu_seconds()
        entry = self.parts.setdefault(name, {"wall_s": 0.0, "db_cpu_s": 0.0})
        entry["wall_s"] = round((entry["wall_s"] or 0.0) + wall, 3)
        if cpu is None or cpu_after is None or entry["db_cpu_s"] is None:
            entry["db_cpu_s"] = None
        else:
            entry["db_cpu_s"] = round(entry["db_cpu_s"] + cpu_after - cpu, 3)
