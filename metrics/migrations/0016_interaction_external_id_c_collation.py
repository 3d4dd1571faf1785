"""Interaction ids compared byte by byte: their unique index is updated on every imported row, and the
database's default collation (C.UTF-8 here, a language's elsewhere) compares through the C library's
strcoll. Measured at 1,000,000 imported rows: 14.8 s → 8.9 s of insert. Ids are only ever matched
exactly, so the byte order changes no result."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("metrics", "0015_incremental_days")]

    operations = [
        migrations.RunSQL(
            'ALTER TABLE metrics_interaction ALTER COLUMN external_id TYPE varchar(64) COLLATE "C"',
            'ALTER TABLE metrics_interaction ALTER COLUMN external_id TYPE varchar(64) COLLATE "default"',
        )
    ]
