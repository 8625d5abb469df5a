from django.db import migrations

from accounts.timezones import canonicalize_stored_zones


def forwards(apps, schema_editor):
    canonicalize_stored_zones(apps.get_model("cohorts", "Cohort"))


class Migration(migrations.Migration):
    """Time zones stored by an old alias (Asia/Calcutta) take their canonical name (Asia/Kolkata)."""

    dependencies = [("cohorts", "0003_enrollment_cancelled_label")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
