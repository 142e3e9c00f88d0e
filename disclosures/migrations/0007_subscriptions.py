import django.db.models.deletion
from django.db import migrations, models

import disclosures.models.subscription


class Migration(migrations.Migration):
    dependencies = [
        ("disclosures", "0006_audit_chain"),
    ]

    operations = [
        migrations.CreateModel(
            name="Subscription",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("scope_key", models.CharField(max_length=40, verbose_name="范围")),
                ("email_encrypted", models.TextField(verbose_name="电子邮箱（加密）")),
                ("email_hash", models.CharField(max_length=64, verbose_name="电子邮箱（散列）")),
                (
                    "token",
                    models.CharField(
                        default=disclosures.models.subscription.new_token, editable=False, max_length=64
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="订阅时间")),
                ("confirmed_at", models.DateTimeField(blank=True, null=True, verbose_name="确认时间")),
                (
                    "department",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="disclosures.department",
                        verbose_name="部门",
                    ),
                ),
                (
                    "region",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="disclosures.region",
                        verbose_name="地区",
                    ),
                ),
            ],
            options={
                "verbose_name": "邮件订阅",
                "verbose_name_plural": "邮件订阅",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("email_hash", "scope_key"), name="subscription_one_per_address_scope"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("region__isnull", True), ("department__isnull", True), _connector="OR"),
                        name="subscription_region_or_department",
                    ),
                ],
            },
        ),
    ]
