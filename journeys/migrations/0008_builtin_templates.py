from django.db import migrations

from journeys import template_library


def install(apps, schema_editor):
    template_library.install(apps.get_model("journeys", "JourneyTemplate"))


class Migration(migrations.Migration):
    dependencies = [("journeys", "0007_journey_template")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
