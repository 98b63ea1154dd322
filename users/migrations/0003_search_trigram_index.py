"""Trigram index for the substring search of the users page, on PostgreSQL only.

`TrigramExtension` does nothing on other databases; SQLite searches by a scan.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEX_NAME = "pingid_user_search_trgm_idx"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX_NAME} ON users_pingiduser "
        "USING gin (search_text gin_trgm_ops)"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX_NAME}")


class Migration(migrations.Migration):
    dependencies = [("users", "0002_bulk_jobs_imports_search")]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create_index, drop_index),
    ]
