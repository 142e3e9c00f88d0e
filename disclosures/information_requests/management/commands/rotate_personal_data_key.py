"""After a new key is put first in PERSONAL_DATA_KEYS: re-encrypt every applicant's data with it, so that the
old key can then be dropped (key rotation; 等保 2.0 三级 数据保密性)."""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from ... import personal_data
from ...models import InformationRequest

ENCRYPTED = ["id_number", "phone", "email", "address"]


class Command(BaseCommand):
    help = "用 PERSONAL_DATA_KEYS 中的第一个密钥重新加密全部申请人个人信息；完成后可删除旧密钥。"

    def handle(self, *args, **options):
        # Plain SQL on the stored tokens: nothing is decrypted into Python objects that could be logged.
        table = connection.ops.quote_name(InformationRequest._meta.db_table)
        columns = ", ".join(connection.ops.quote_name(c) for c in ENCRYPTED)
        assignments = ", ".join(f"{connection.ops.quote_name(c)} = %s" for c in ENCRYPTED)
        count = 0
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(f"SELECT id, {columns} FROM {table} ORDER BY id")
                rows = cursor.fetchall()
                for pk, *tokens in rows:
                    rotated = [personal_data.rotate(token or "") for token in tokens]
                    cursor.execute(f"UPDATE {table} SET {assignments} WHERE id = %s", [*rotated, pk])
                    count += 1
        except personal_data.UndecryptableError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"已用第一个密钥重新加密 {count} 件申请的个人信息。")
