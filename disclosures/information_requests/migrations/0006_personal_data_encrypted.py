"""Applicants' ID numbers, phones, e-mails and addresses encrypted at rest; the plain index on the ID number
replaced by one on its keyed hash (个人信息保护法第五十一条; 等保 2.0 三级 数据保密性).

The rows are read and written with plain SQL: the historical model's fields would try to decrypt the
clear values still in the columns.
"""

from django.db import migrations, models

import disclosures.information_requests.fields

ENCRYPTED = ["id_number", "phone", "email", "address"]


def _rows(connection, table):
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {quote('id')}, {quote('tracking_code')}, "
            + ", ".join(quote(column) for column in ENCRYPTED)
            + f" FROM {quote(table)}"
        )
        return cursor.fetchall()


def _update(connection, table, pk, values):
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(column)} = %s" for column in values)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(table)} SET {assignments} WHERE {quote('id')} = %s", [*values.values(), pk]
        )


def encrypt_existing(apps, schema_editor):
    from disclosures.information_requests import personal_data

    connection = schema_editor.connection
    table = apps.get_model("information_requests", "InformationRequest")._meta.db_table
    for pk, code, *clear in _rows(connection, table):
        values = dict(zip(ENCRYPTED, (value or "" for value in clear)))
        if values["id_number"] and personal_data.is_encrypted(values["id_number"]):
            continue  # already done (a migration run again after a partial failure)
        suffix = "".join(ch for ch in values["phone"] if ch.isdigit())[-4:]
        encrypted = {column: personal_data.encrypt(value) for column, value in values.items()}
        encrypted["id_number_hash"] = personal_data.id_number_hash(values["id_number"])
        encrypted["lookup_hash"] = personal_data.lookup_hash(code, suffix) if suffix else ""
        _update(connection, table, pk, encrypted)


def decrypt_existing(apps, schema_editor):
    from disclosures.information_requests import personal_data

    connection = schema_editor.connection
    table = apps.get_model("information_requests", "InformationRequest")._meta.db_table
    for pk, _code, *stored in _rows(connection, table):
        values = {column: personal_data.decrypt(value or "") for column, value in zip(ENCRYPTED, stored)}
        _update(connection, table, pk, values)


class Migration(migrations.Migration):
    dependencies = [
        ("information_requests", "0004_consultation_reason"),
        ("information_requests", "0005_request_event_chain"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="informationrequest", name="information_id_numb_5aef66_idx"),
        migrations.AddField(
            model_name="informationrequest",
            name="anonymised_on",
            field=models.DateField(blank=True, editable=False, null=True, verbose_name="匿名化日期"),
        ),
        migrations.AddField(
            model_name="informationrequest",
            name="id_number_hash",
            field=models.CharField(blank=True, editable=False, max_length=64, verbose_name="证件号码检索值"),
        ),
        migrations.AddField(
            model_name="informationrequest",
            name="lookup_hash",
            field=models.CharField(blank=True, editable=False, max_length=64, verbose_name="查询校验值"),
        ),
        migrations.AlterField(
            model_name="informationrequest",
            name="address",
            field=disclosures.information_requests.fields.EncryptedCharField(
                blank=True, max_length=300, verbose_name="通讯地址"
            ),
        ),
        migrations.AlterField(
            model_name="informationrequest",
            name="email",
            field=disclosures.information_requests.fields.EncryptedEmailField(
                blank=True, max_length=254, verbose_name="电子邮箱"
            ),
        ),
        migrations.AlterField(
            model_name="informationrequest",
            name="id_number",
            field=disclosures.information_requests.fields.EncryptedCharField(max_length=40, verbose_name="证件号码"),
        ),
        migrations.AlterField(
            model_name="informationrequest",
            name="phone",
            field=disclosures.information_requests.fields.EncryptedCharField(max_length=30, verbose_name="联系电话"),
        ),
        migrations.RunPython(encrypt_existing, decrypt_existing),
        migrations.AddIndex(
            model_name="informationrequest",
            index=models.Index(fields=["id_number_hash"], name="information_id_numb_f1dddb_idx"),
        ),
    ]
