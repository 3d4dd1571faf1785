"""Give the roles their permissions on personas, journeys, stages and steps."""

from django.db import migrations


def sync_roles(apps, schema_editor):
    from cxhub.org.roles import sync_role_groups

    sync_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("journeys", "0002_journeys_stages_steps"),
        ("org", "0002_role_groups"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
