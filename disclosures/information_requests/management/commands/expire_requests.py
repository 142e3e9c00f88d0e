"""Closes requests whose amendment or fee deadline passed (a notice with no delivery recorded is reported to the
handlers instead: its period has not started), resumes the clock of consultations whose 15
working days ran out, reminds handlers of applications waiting for registration, and anonymises the applicants
of requests closed longer ago than the retention period (retention.py). Celery beat queues the same job once a
day (tasks.expire_requests); the command runs it by hand."""

from django.core.management.base import BaseCommand

from ...tasks import expire_and_anonymise


class Command(BaseCommand):
    help = (
        "处理到期事项：逾期未补正、逾期未缴费的申请办结（通知尚无送达记录的不办结，提醒经办人），第三方逾期未答复的恢复计时，久未登记的申请提醒经办人，"
        "办结超过保存期限的申请匿名化申请人个人信息。"
    )

    def handle(self, *args, **options):
        done = expire_and_anonymise()
        for line in done:
            self.stdout.write(line)
        self.stdout.write(f"共处理 {len(done)} 件。")
