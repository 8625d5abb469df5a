"""No double booking, enforced by PostgreSQL itself.

An exclusion constraint over each mentor's held and confirmed bookings: two such
bookings of one mentor can never overlap in time. Written as SQL that runs only on
PostgreSQL (SQLite, used by the demo, has no exclusion constraints; there the
service's row lock is the guard).
"""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE mentoring_booking ADD CONSTRAINT booking_no_overlap
    EXCLUDE USING gist (mentor_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)
    WHERE (state IN ('held', 'confirmed'));
"""
DROP = "ALTER TABLE mentoring_booking DROP CONSTRAINT IF EXISTS booking_no_overlap;"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("mentoring", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
