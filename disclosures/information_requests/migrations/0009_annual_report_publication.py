"""The 政府信息公开工作年度报告 published on the portal (条例第四十九、五十条): versions with frozen figures."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("information_requests", "0006_personal_data_encrypted"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AnnualReportPublication",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("year", models.PositiveSmallIntegerField(verbose_name="报告年度")),
                ("number", models.PositiveSmallIntegerField(default=1, verbose_name="版本")),
                (
                    "status",
                    models.CharField(
                        choices=[("draft", "草稿（已退回）"), ("submitted", "待审核"), ("published", "已公开")],
                        default="draft",
                        max_length=10,
                        verbose_name="状态",
                    ),
                ),
                ("figures", models.JSONField(blank=True, default=dict, verbose_name="表三、表四数据（提交时固定）")),
                ("correction_note", models.TextField(blank=True, verbose_name="更正说明")),
                ("submitted_at", models.DateTimeField(blank=True, null=True, verbose_name="提交时间")),
                ("reviewed_at", models.DateTimeField(blank=True, null=True, verbose_name="审核时间")),
                ("review_remarks", models.TextField(blank=True, verbose_name="审核意见")),
                ("published_at", models.DateTimeField(blank=True, null=True, verbose_name="公开时间")),
                (
                    "department",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="annual_reports",
                        to="disclosures.department",
                        verbose_name="部门",
                    ),
                ),
                (
                    "reviewed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="审核人",
                    ),
                ),
                (
                    "submitted_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="提交人",
                    ),
                ),
            ],
            options={
                "verbose_name": "政府信息公开工作年度报告",
                "verbose_name_plural": "政府信息公开工作年度报告",
                "ordering": ["department", "-year", "-number"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("department", "year", "number"), name="annual_report_version_unique"
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("status", "published"), _negated=True),
                        fields=("department", "year"),
                        name="annual_report_one_open_version",
                    ),
                ],
            },
        ),
    ]
