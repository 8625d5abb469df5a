from django.db import migrations

from accounts.timezones import canonicalize_stored_zones


def forwards(apps, schema_editor):
    canonicalize_stored_zones(apps.get_model("accounts", "User"))


class Migration(migrations.Migration):
    """Time zones stored by an old alias (Asia/Calcutta) take their canonical name (Asia/Kolkata)."""

    dependencies = [("accounts", "0006_user_email_upper_index")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
