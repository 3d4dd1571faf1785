from datetime import timedelta

from django.db import migrations, models


def fill_months(apps, schema_editor):
    """Existing rows get the first day of their day's month (one UPDATE per month, not per row)."""
    transaction = apps.get_model("metrics", "Transaction")
    for month in transaction.objects.dates("occurred_day", "month"):
        next_month = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
        transaction.objects.filter(occurred_day__gte=month, occurred_day__lt=next_month).update(occurred_month=month)


class Migration(migrations.Migration):
    dependencies = [("metrics", "0003_import_touched_months")]

    operations = [
        migrations.AddField(
            model_name="transaction",
            name="occurred_month",
            field=models.DateField(null=True, verbose_name="month"),
        ),
        migrations.RunPython(fill_months, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="transaction",
            name="occurred_month",
            field=models.DateField(verbose_name="month"),
        ),
        migrations.AddField(
            model_name="stagedtransaction",
            name="occurred_month",
            field=models.DateField(default="2000-01-01"),
            preserve_default=False,
        ),
    ]
