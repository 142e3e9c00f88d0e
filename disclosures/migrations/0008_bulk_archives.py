import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("disclosures", "0007_subscriptions"),
    ]

    operations = [
        migrations.CreateModel(
            name="BulkArchive",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("key", models.CharField(max_length=40, unique=True, verbose_name="范围代码")),
                ("year", models.PositiveSmallIntegerField(blank=True, null=True, verbose_name="年度")),
                ("file", models.FileField(max_length=200, upload_to="bulk/", verbose_name="文件")),
                ("size", models.PositiveBigIntegerField(verbose_name="大小（字节）")),
                ("sha256", models.CharField(max_length=64, verbose_name="SHA-256")),
                ("disclosures_count", models.PositiveIntegerField(verbose_name="所含预决算数")),
                ("state", models.CharField(max_length=64)),
                ("built_at", models.DateTimeField(verbose_name="生成时间")),
                (
                    "region",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="disclosures.region",
                    ),
                ),
            ],
            options={
                "verbose_name": "批量下载文件",
                "verbose_name_plural": "批量下载文件",
            },
        ),
    ]
