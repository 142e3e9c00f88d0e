"""Write the audit events older than a date to a JSON Lines file, with their hashes; delete nothing.

等保 2.0 三级 安全审计 asks that audit records be kept and backed up; the 网络安全法 (第二十一条)
asks for network logs to be kept at least six months. AUDIT_RETENTION_DAYS (default 180) is that
minimum: only events at least that old are archived, and the portal never deletes an audit row, so
the archive is a copy to keep off the server (each line carries its previous hash and hash, so the
copy can be checked against the chain). That an archive was made is itself recorded.
"""

import datetime
import hashlib
import json
import tempfile

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from disclosures.audit_trail import record_security_event
from disclosures.information_requests.models import RequestEvent
from disclosures.models import AuditEvent

ARCHIVE_FOLDER = "audit-archive"


def _line(model, row):
    fields = {field.attname: getattr(row, field.attname) for field in model._meta.concrete_fields}
    return json.dumps({"table": model._meta.db_table, **fields}, cls=DjangoJSONEncoder, ensure_ascii=False)


class Command(BaseCommand):
    help = "将早于指定日期（且已满 AUDIT_RETENTION_DAYS 天）的审计记录连同摘要写入媒体存储（MEDIA_ROOT 或 S3 存储桶）audit-archive/ 下的 JSON Lines 文件；不删除任何记录。"

    def add_arguments(self, parser):
        parser.add_argument("--before", required=True, type=datetime.date.fromisoformat, help="YYYY-MM-DD：归档此日之前的记录")

    def handle(self, *args, before, **options):
        today = timezone.localdate()
        oldest_allowed = today - datetime.timedelta(days=settings.AUDIT_RETENTION_DAYS)
        cutoff = min(before, oldest_allowed)
        if cutoff < before:
            self.stdout.write(
                f"最短保存期限为 {settings.AUDIT_RETENTION_DAYS} 天：只归档 {cutoff:%Y-%m-%d} 之前的记录。"
            )
        moment = timezone.make_aware(datetime.datetime.combine(cutoff, datetime.time.min))
        # Through the storage API, like every other media file: with S3 the archive lands in the bucket, off the
        # web servers. Written to a local temporary file first (an archive can be large), then stored once.
        name = f"{ARCHIVE_FOLDER}/audit-before-{cutoff:%Y%m%d}-{timezone.localtime():%Y%m%d%H%M%S}.jsonl"
        if default_storage.exists(name):
            raise CommandError(f"归档文件已存在：{name.rsplit('/', 1)[-1]}")
        counts, checksum = {}, hashlib.sha256()
        with tempfile.TemporaryFile() as archive:
            for model in (AuditEvent, RequestEvent):
                rows = model._base_manager.filter(at__lt=moment).order_by("pk")
                counts[model._meta.db_table] = 0
                for row in rows.iterator(chunk_size=2000):
                    line = (_line(model, row) + "\n").encode("utf-8")
                    archive.write(line)
                    checksum.update(line)
                    counts[model._meta.db_table] += 1
            archive.seek(0)
            name = default_storage.save(name, File(archive))
        file_name = name.rsplit("/", 1)[-1]
        total = sum(counts.values())
        record_security_event(
            "audit_archive",
            remarks=f"归档 {cutoff:%Y-%m-%d} 之前的审计记录 {total} 条（未删除任何记录）",
            object=file_name, before=str(cutoff), counts=counts, sha256=checksum.hexdigest(),
        )
        self.stdout.write(f"已写入 {name}：{total} 条（{'，'.join(f'{t} {n} 条' for t, n in counts.items())}）。未删除任何记录。")
