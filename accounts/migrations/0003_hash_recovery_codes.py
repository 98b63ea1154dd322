"""Store recovery codes as keyed hashes instead of plain text."""

import re

from django.db import migrations

# A plain recovery code as accounts.mfa made them: ten hex digits and a dash.
PLAIN_CODE = re.compile(r"^[0-9a-f]{5}-[0-9a-f]{5}$")


def hash_plain_codes(apps, schema_editor):
    from accounts.mfa import recovery_code_stored

    StaticToken = apps.get_model("otp_static", "StaticToken")
    for token in StaticToken.objects.all().iterator():
        if PLAIN_CODE.match(token.token):
            token.token = recovery_code_stored(token.token)
            token.save(update_fields=["token"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_security_mfa_sessions_lockouts"),
        ("otp_static", "0003_add_timestamps"),
    ]

    operations = [
        migrations.RunPython(hash_plain_codes, migrations.RunPython.noop),
    ]
