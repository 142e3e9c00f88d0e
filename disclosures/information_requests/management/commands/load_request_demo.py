"""Demo requests and request staff for 抚顺市工业和信息化局; called at the end of `load_demo`."""

from django.core.management.base import BaseCommand

from ...demo import load


class Command(BaseCommand):
    help = "载入依申请公开演示数据：经办人、负责人账号，以及各种状态的演示申请。"

    def handle(self, *args, **options):
        load(self.stdout)
