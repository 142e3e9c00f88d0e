"""Run once a day (also run by `expire_requests`): removes the applicant's identity from requests closed
longer ago than PERSONAL_DATA_RETENTION_YEARS (个人信息保护法第十九条、第四十七条)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from ... import retention


class Command(BaseCommand):
    help = "将办结超过保存期限（PERSONAL_DATA_RETENTION_YEARS 年）的申请中的申请人个人信息匿名化，统计数字不变。"

    def handle(self, *args, **options):
        done = retention.anonymise_expired()
        for line in done:
            self.stdout.write(line)
        self.stdout.write(f"保存期限：办结后{settings.PERSONAL_DATA_RETENTION_YEARS}年；共匿名化 {len(done)} 件。")
