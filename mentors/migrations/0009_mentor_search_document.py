"""The directory's full-text search document on the mentor's row, and its GIN index.

The column is filled and kept up to date by PostgreSQL itself (triggers in
sessions/migrations/0008_mentor_search_document.py, which reads offerings too); the index is
PostgreSQL's own (GIN), created only there. On SQLite the column stays empty.
"""

import django.contrib.postgres.search
from django.db import migrations

CREATE_INDEX = (
    "CREATE INDEX IF NOT EXISTS mentor_search_document ON mentors_mentorprofile USING gin (search_document)"
)
DROP_INDEX = "DROP INDEX IF EXISTS mentor_search_document"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE_INDEX)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_INDEX)


class Migration(migrations.Migration):
    dependencies = [
        ("mentors", "0008_skill_synonyms"),
    ]

    operations = [
        migrations.AddField(
            model_name="mentorprofile",
            name="search_document",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(forwards, backwards),
    ]
