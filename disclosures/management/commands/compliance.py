"""Print the compliance table of a region and year as CSV (the same rows as the staff page)."""

from django.core.management.base import BaseCommand, CommandError

from disclosures import compliance
from disclosures.models import Region


class Command(BaseCommand):
    help = "按地区和年度输出各部门预决算公开情况（CSV）。"

    def add_arguments(self, parser):
        parser.add_argument("--region", required=True, help="地区，如 辽宁省 或 辽宁省/抚顺市")
        parser.add_argument("--year", required=True, type=int)
        parser.add_argument("--kind", default="budget", choices=["budget", "final_accounts"])

    def handle(self, *args, region, year, kind, **options):
        found = None
        for candidate in Region.objects.filter(name=region.split("/")[-1]):
            if candidate.path == region or candidate.name == region:
                found = candidate
                break
        if found is None:
            raise CommandError(f"没有地区“{region}”。")
        self.stdout.write(compliance.as_csv(compliance.rows(found, year, kind)), ending="")
