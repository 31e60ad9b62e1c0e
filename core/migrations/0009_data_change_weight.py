from django.db import migrations, models
from django.db.models import Count


def fold(apps, schema_editor):
    """Each slice's rows so far become one row carrying their number: versions are unchanged."""
    DataChange = apps.get_model("core", "DataChange")
    for row in DataChange.objects.values("key").annotate(n=Count("id")).filter(n__gt=1):
        DataChange.objects.filter(key=row["key"]).delete()
        DataChange.objects.create(key=row["key"], weight=row["n"])


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0008_data_versions"),
    ]

    operations = [
        migrations.AddField(
            model_name="datachange",
            name="weight",
            field=models.PositiveIntegerField(default=1, verbose_name="变更次数"),
        ),
        migrations.RunPython(fold, migrations.RunPython.noop),
    ]
