"""The text cells of the tables (项目内容, 绩效目标, 绩效指标 …) as a fifth result group, with its own
partial GIN index on PostgreSQL (as 0002 made for the other four).

The entries themselves are derived data: `manage.py rebuild_search_index` writes them (and the
department facet and the quote-free normalisation that came with them) for what is already published.
"""

from django.db import migrations, models


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS search_tokens_text_cell ON search_searchentry "
            "USING gin ((tokens::tsvector)) WHERE \"group\" = 'text_cell'"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS search_tokens_text_cell")


class Migration(migrations.Migration):
    dependencies = [("search", "0002_postgresql_token_index")]

    operations = [
        migrations.AlterField(
            model_name="searchentry",
            name="group",
            field=models.CharField(
                choices=[
                    ("department", "部门和单位"),
                    ("disclosure", "公开文件"),
                    ("project", "项目"),
                    ("line", "支出科目"),
                    ("text_cell", "表格内容"),
                ],
                max_length=20,
            ),
        ),
        migrations.RunPython(create_index, drop_index),
    ]
