"""Create the four role groups with their permissions (CX lead, Department head, Executive, Admin)."""

from django.db import migrations


def create_role_groups(apps, schema_editor):
    from cxhub.org.roles import sync_role_groups

    sync_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0001_initial"),
        ("journeys", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("authtoken", "0001_initial"),
        ("axes", "0001_initial"),
    ]

    # Reversing leaves the groups: deleting them would strip users of their roles.
    operations = [migrations.RunPython(create_role_groups, migrations.RunPython.noop)]
