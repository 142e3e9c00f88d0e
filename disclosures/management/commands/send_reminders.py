"""Send the deadline reminders that are due today. Celery beat queues the same job daily
(disclosures.tasks.send_reminders); nothing is sent twice."""

import datetime

from django.core.management.base import BaseCommand

from disclosures.services import send_reminders


class Command(BaseCommand):
    help = "发送公开期限提醒（截止前 5 日、1 日及逾期）。每天运行一次；重复运行不会重复发送。"

    def add_arguments(self, parser):
        parser.add_argument("--date", type=datetime.date.fromisoformat, help="按该日期计算（默认今天）")

    def handle(self, *args, date=None, **options):
        sent = send_reminders(date)
        for reminder in sent:
            self.stdout.write(f"{reminder.disclosure}：{reminder.get_kind_display()} → {', '.join(reminder.recipients) or '（无邮箱）'}")
        self.stdout.write(f"sent: {len(sent)}")
