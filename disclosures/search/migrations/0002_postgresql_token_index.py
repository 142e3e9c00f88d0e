"""On PostgreSQL, GIN indexes over the entries' tokens (cast to tsvector), which the search matches with @@.

One partial index per result group: a search runs one query per group, and each then reads a
smaller index instead of combining a large bitmap with the group. SQLite has no such index;
there the search matches the normalised text with LIKE (see search/text.py).
"""

from django.db import migrations

GROUPS = ("department", "disclosure", "project", "line")


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for group in GROUPS:
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS search_tokens_{group} ON search_searchentry "
                f"USING gin ((tokens::tsvector)) WHERE \"group\" = '{group}'"
            )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for group in GROUPS:
            schema_editor.execute(f"DROP INDEX IF EXISTS search_tokens_{group}")


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
