"""送达 records: one row per way a notice to the applicant went out (delivery.py), and the two events that
record a delivery or its failure."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("information_requests", "0006_personal_data_encrypted"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="requestevent",
            name="action",
            field=models.CharField(
                choices=[
                    ("submit", "提交申请"),
                    ("receive", "登记受理"),
                    ("assign", "指定经办人"),
                    ("amendment_notice", "发出补正通知"),
                    ("amend", "提交补正申请"),
                    ("amendment_expired", "逾期未补正"),
                    ("extension_request", "申请延期"),
                    ("extension_approve", "延期获批准"),
                    ("extension_reject", "延期未获批准"),
                    ("consultation_start", "征求第三方意见"),
                    ("consultation_reply", "第三方意见已收到"),
                    ("consultation_end", "征求意见期满"),
                    ("fee_notice", "发出收费通知"),
                    ("fee_paid", "费用已缴纳"),
                    ("fee_expired", "逾期未缴费"),
                    ("reply", "答复并办结"),
                    ("appeal", "记录复议或诉讼"),
                    ("appeal_result", "记录复议或诉讼结果"),
                    ("due_recomputed", "答复期限按节假日安排调整"),
                    ("notice_delivered", "通知已送达"),
                    ("notice_undelivered", "通知未能送达"),
                ],
                max_length=30,
                verbose_name="操作",
            ),
        ),
        migrations.CreateModel(
            name="NoticeDelivery",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("amendment", "补正通知"),
                            ("extension", "延期告知"),
                            ("consultation", "征求第三方意见告知"),
                            ("fee", "收费通知"),
                            ("reply", "答复告知书"),
                        ],
                        max_length=20,
                        verbose_name="通知",
                    ),
                ),
                ("notice_id", models.PositiveBigIntegerField(verbose_name="通知编号")),
                (
                    "channel",
                    models.CharField(
                        choices=[
                            ("email", "电子邮件"),
                            ("sms", "短信"),
                            ("post", "邮寄"),
                            ("in_person", "当面送达"),
                            ("online", "网上查询页面"),
                        ],
                        max_length=20,
                        verbose_name="送达方式",
                    ),
                ),
                (
                    "state",
                    models.CharField(
                        choices=[("awaiting", "待送达"), ("delivered", "已送达"), ("failed", "未能送达")],
                        default="awaiting",
                        max_length=10,
                        verbose_name="送达状态",
                    ),
                ),
                ("delivered_on", models.DateField(blank=True, null=True, verbose_name="送达日期")),
                ("proof", models.CharField(blank=True, max_length=200, verbose_name="送达凭证")),
                ("failure", models.CharField(blank=True, max_length=200, verbose_name="未能送达的原因")),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="创建时间")),
                (
                    "recorded_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="记录人",
                    ),
                ),
                (
                    "request",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="deliveries",
                        to="information_requests.informationrequest",
                    ),
                ),
            ],
            options={
                "verbose_name": "送达记录",
                "verbose_name_plural": "送达记录",
                "ordering": ["created_at", "pk"],
                "indexes": [
                    models.Index(fields=["request", "kind", "notice_id"], name="information_request_3f11c4_idx"),
                    models.Index(fields=["state"], name="information_state_43b4f0_idx"),
                ],
            },
        ),
    ]
