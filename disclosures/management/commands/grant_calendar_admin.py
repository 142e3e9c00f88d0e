"""Give an account the national holiday-calendar role (全国节假日日历管理员).

The calendar moves the deadlines of every province, so no region's administrator keeps it; this
command, run by the platform's operator, names who enters each year's schedule.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from disclosures.audit_trail import record_security_event
from disclosures.models.membership import CALENDAR_GROUP, grant_calendar_administration


class Command(BaseCommand):
    help = f"将账号加入“{CALENDAR_GROUP}”组（可维护全国节假日日历）。"

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        User = get_user_model()
        try:
            user = User.objects.get(**{User.USERNAME_FIELD: username})
        except User.DoesNotExist:
            raise CommandError(f"没有账号 {username}。") from None
        grant_calendar_administration(user)
        record_security_event(
            "calendar_role_grant", remarks=f"{username} 加入{CALENDAR_GROUP}", account=username
        )
        self.stdout.write(f"{username} 已加入“{CALENDAR_GROUP}”。")
