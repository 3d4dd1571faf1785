"""The table of the database cache (settings.CACHES without Redis): rate-limit counters that every web
process shares. Created whatever the cache is now, so switching Redis off later needs no extra step."""

from django.db import migrations

CREATE = """
CREATE TABLE IF NOT EXISTS cxhub_cache (
    cache_key varchar(255) NOT NULL PRIMARY KEY,
    value text NOT NULL,
    expires timestamp with time zone NOT NULL
);
CREATE INDEX IF NOT EXISTS cxhub_cache_expires ON cxhub_cache (expires);
"""


class Migration(migrations.Migration):
    dependencies = [("org", "0002_role_groups")]

    operations = [migrations.RunSQL(CREATE, reverse_sql="DROP TABLE IF EXISTS cxhub_cache;")]
