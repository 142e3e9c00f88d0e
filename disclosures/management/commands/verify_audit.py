"""Walk the hash chains of both audit tables (操作记录, 办理记录) and report the first broken link.

Exit status 0 and "审计记录完整：N 条" when both chains hold; otherwise the table, id and time of the
first row that does not fit, and exit status 1 (等保 2.0 安全审计: audit records protected, and checked).
Run it daily (cron) and keep the printed last hashes elsewhere: a chain cut off at its end shows only
against a last hash noted earlier.
"""

import sys

from django.core.management.base import BaseCommand
from django.utils import timezone

from disclosures.audit_chain import walk
from disclosures.information_requests.models import RequestEvent
from disclosures.models import AuditEvent


class Command(BaseCommand):
    help = "校验操作记录与办理记录的摘要链；发现被改动或删除的记录时报告第一处并以非零状态退出。"

    def add_arguments(self, parser):
        parser.add_argument("--database", default="default")

    def handle(self, *args, database="default", **options):
        total, broken = 0, False
        for model in (AuditEvent, RequestEvent):
            result = walk(model, using=database)
            total += result.count
            if result.broken is not None:
                where = result.broken
                self.stderr.write(
                    f"审计记录被改动：{where.table}（{model._meta.db_table}）第 {where.pk} 条，"
                    f"时间 {timezone.localtime(where.at):%Y-%m-%d %H:%M:%S}：{where.reason}。"
                    f"此前 {result.count} 条完整。"
                )
                broken = True
            else:
                self.stdout.write(f"{result.table}：{result.count} 条完整，末条摘要 {result.head or '（无记录）'}")
        if broken:
            sys.exit(1)
        self.stdout.write(f"审计记录完整：{total} 条")
