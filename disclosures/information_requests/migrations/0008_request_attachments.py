"""Attachments of applications and amendments; keyed hashes of the phone and e-mail (找回查询码); the
依申请公开转主动公开 marks (条例第四十四条). Written by hand.

The hashes of existing rows are computed from the encrypted columns, read with plain SQL (as 0006 does).
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import disclosures.information_requests.models


def hash_contacts(apps, schema_editor):
    from disclosures.information_requests import personal_data

    connection = schema_editor.connection
    quote = connection.ops.quote_name
    table = apps.get_model("information_requests", "InformationRequest")._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {quote('id')}, {quote('phone')}, {quote('email')} FROM {quote(table)}")
        rows = cursor.fetchall()
    for pk, phone, email in rows:
        values = [
            personal_data.phone_hash(personal_data.decrypt(phone or "")),
            personal_data.email_hash(personal_data.decrypt(email or "")),
            pk,
        ]
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {quote(table)} SET {quote('phone_hash')} = %s, {quote('email_hash')} = %s WHERE {quote('id')} = %s",
                values,
            )


class Migration(migrations.Migration):

    dependencies = [
        ("information_requests", "0006_personal_data_encrypted"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="informationrequest",
            name="phone_hash",
            field=models.CharField(blank=True, db_index=True, editable=False, max_length=64, verbose_name="联系电话检索值"),
        ),
        migrations.AddField(
            model_name="informationrequest",
            name="email_hash",
            field=models.CharField(blank=True, db_index=True, editable=False, max_length=64, verbose_name="电子邮箱检索值"),
        ),
        migrations.RunPython(hash_contacts, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="requestevent",
            name="action",
            field=models.CharField(
                choices=[
                    ("submit", "提交申请"), ("receive", "登记受理"), ("assign", "指定经办人"),
                    ("amendment_notice", "发出补正通知"), ("amend", "提交补正申请"), ("amendment_expired", "逾期未补正"),
                    ("extension_request", "申请延期"), ("extension_approve", "延期获批准"),
                    ("extension_reject", "延期未获批准"), ("consultation_start", "征求第三方意见"),
                    ("consultation_reply", "第三方意见已收到"), ("consultation_end", "征求意见期满"),
                    ("fee_notice", "发出收费通知"), ("fee_paid", "费用已缴纳"), ("fee_expired", "逾期未缴费"),
                    ("reply", "答复并办结"), ("appeal", "记录复议或诉讼"), ("appeal_result", "记录复议或诉讼结果"),
                    ("due_recomputed", "答复期限按节假日安排调整"), ("proactive", "纳入主动公开"),
                ],  # fmt: skip
                max_length=30,
                verbose_name="操作",
            ),
        ),
        migrations.CreateModel(
            name="RequestAttachment",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("stage", models.CharField(choices=[("application", "申请时提交"), ("amendment", "补正时提交")], max_length=20, verbose_name="提交环节")),
                ("kind", models.CharField(choices=[("identity", "身份证明"), ("other", "其他材料")], max_length=20, verbose_name="材料类型")),
                ("name", models.CharField(max_length=200, verbose_name="文件名")),
                ("file", models.FileField(blank=True, max_length=300, upload_to=disclosures.information_requests.models.private_upload, verbose_name="文件")),
                ("size", models.PositiveIntegerField(verbose_name="大小（字节）")),
                ("content_type", models.CharField(max_length=100, verbose_name="文件类型")),
                ("uploaded_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="上传时间")),
                ("request", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="attachments", to="information_requests.informationrequest")),
            ],
            options={"verbose_name": "申请附件", "verbose_name_plural": "申请附件", "ordering": ["uploaded_at", "pk"]},
        ),
        migrations.CreateModel(
            name="ProactiveDisclosure",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("title", models.CharField(max_length=300, verbose_name="信息名称")),
                ("url", models.URLField(max_length=500, verbose_name="主动公开网址")),
                ("marked_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="纳入时间")),
                ("department", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="proactive_disclosures", to="disclosures.department", verbose_name="机关")),
                ("marked_by", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL)),
                ("requests", models.ManyToManyField(related_name="proactive_disclosures", to="information_requests.informationrequest", verbose_name="相关申请")),
            ],
            options={"verbose_name": "依申请公开转主动公开", "verbose_name_plural": "依申请公开转主动公开", "ordering": ["-marked_at", "-pk"]},
        ),
    ]
