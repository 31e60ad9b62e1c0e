from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    # The database cache holds the login failure counters (core.throttle); its table is not a model.
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("core", "0006_transitionlog")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
