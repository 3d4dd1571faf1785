"""Benchmarks (run as scripts: see each module's docstring)."""


def database_label() -> str:
    """Which PostgreSQL server a benchmark ran on, for its header line."""
    from django.conf import settings
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0].split()[0]
    if settings.DATABASES["default"]["ENGINE"] == "cxhub.lib.embedded_postgres":
        return f"embedded PostgreSQL {version}"
    return f"PostgreSQL {version} at {connection.settings_dict['HOST'] or 'localhost'}"
