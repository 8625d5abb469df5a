"""The database cache's table, made by `migrate` itself: a deploy that runs only `migrate` (no
`createcachetable`) must not answer 500 on the first page that reads the cache.

`createcachetable` makes the table of every database-backed cache in CACHES and skips one that
exists, so this is a no-op where Redis is the cache or the table is already there.
"""

from django.core.management import call_command
from django.db import migrations


def create_cache_tables(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(create_cache_tables, migrations.RunPython.noop, elidable=False)]
