"""python manage.py annual_report --department 抚顺市工业和信息化局 --year 2026 → tables 3 and 4 as CSV."""

from django.core.management.base import BaseCommand, CommandError

from disclosures.models import Department

from ... import report


class Command(BaseCommand):
    help = (
        "输出政府信息公开工作年度报告表三（收到和处理政府信息公开申请情况）和表四（行政复议、行政诉讼情况），CSV 格式。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--department", required=True, help="部门名称，如 抚顺市工业和信息化局")
        parser.add_argument("--region", help="部门同名时用地区路径区分，如 辽宁省/抚顺市")
        parser.add_argument("--year", type=int, required=True, help="报告年度")

    def handle(self, *args, department, region, year, **options):
        departments = Department.objects.filter(name=department)
        if region:
            departments = [d for d in departments.select_related("region") if d.region.path == region]
        departments = list(departments)
        if not departments:
            raise CommandError(f"没有名为“{department}”的部门。")
        if len(departments) > 1:
            raise CommandError(f"有多个名为“{department}”的部门，请用 --region 指定地区。")
        try:
            result = report.build(departments[0], year)
        except report.ReportError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(report.to_csv(result), ending="")
