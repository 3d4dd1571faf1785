"""PostgreSQL-specific tuning and SQL helpers of the rollup writers, in one place."""

from datetime import timedelta

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
