"""Demo data for `make run`: the real seeds, published, and staff accounts to log in with.

Safe to run repeatedly: what exists already is left as it is.
"""

from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand

from disclosures import demo as publishing_demo
from disclosures.models import Department, Disclosure, Membership, Region

FIXTURES = Path(settings.BASE_DIR) / "tests" / "fixtures"

# The seeds carry no approval or publication dates; these are plausible ones (see tests/fixtures/README.md).
SEEDS = [
    {
        "workbook": "seed000_budget_2025.xlsx",
        "sections": "seed000_sections.txt",
        "region": "辽宁省",
        "department": "辽宁省互联网技术支撑中心",
        "year": 2025,
        "approved_on": "2025-01-24",
        "published_on": "2025-02-08",
    },
    {
        "workbook": "seed004_budget_2025.xlsx",
        "region": "辽宁省/抚顺市",
        "department": "抚顺市工业和信息化局",
        "year": 2025,
        "approved_on": "2025-02-10",
        "published_on": "2025-02-26",
    },
    # Constructed, not a real disclosure (tests/fixtures/seed004_2024.py): a second year for seed 004's
    # department, so its page shows a trend and a year-on-year comparison.
    {
        "workbook": "seed004_budget_2024.xlsx",
        "format": "liaoning-budget-18",  # only 9 of the tables: the 17- and 18-table formats fit it equally
        "region": "辽宁省/抚顺市",
        "department": "抚顺市工业和信息化局",
        "year": 2024,
        # Due 2024-02-15, a 春节 holiday, so the deadline moves to Sunday 2024-02-18, a 调休 working day;
        # published on the 20th: the demo's disclosure published late (2 days), in the compliance view.
        "approved_on": "2024-01-26",
        "published_on": "2024-02-20",
    },
    # Final accounts (seed 002), with the 2024 budget constructed from its 完成率 figures so the
    # demo has a budget and final-accounts pair (tests/fixtures/seed002_budget.py), and the Hebei county format.
    {
        "workbook": "seed002_budget_2024.xlsx",
        "format": "liaoning-budget-18",  # only 表5 and 表7: the 17- and 18-table formats fit it equally
        "region": "辽宁省",
        "department": "辽宁省数据局",
        "year": 2024,
        "approved_on": "2024-01-20",
        "published_on": "2024-02-05",
    },
    {
        "workbook": "seed002_final_accounts_2024.xlsx",
        "sections": "seed002_sections.txt",
        "kind": "final_accounts",
        "region": "辽宁省",
        "department": "辽宁省数据局",
        "year": 2024,
        "approved_on": "2025-08-25",
        "published_on": "2025-09-10",
    },
    {
        "workbook": "seed003_budget_2024.xlsx",
        "sections": "seed003_sections.txt",
        "region": "河北省/石家庄市/栾城区",
        "department": "224网信办",
        "year": 2024,
        "approved_on": "2024-01-20",
        "published_on": "2024-02-02",
    },
]

DEMO_PASSWORD = "demo-password-2025"
STAFF = [
    ("fushun_editor", "抚顺工信局编辑", "editor", "抚顺市工业和信息化局"),
    ("fushun_reviewer", "抚顺工信局审核", "reviewer", "抚顺市工业和信息化局"),
    ("liaoning_admin", "辽宁省财政厅管理员", "admin", "辽宁省"),
]


class Command(BaseCommand):
    help = "载入演示数据：已公开的种子预算，以及演示用工作人员账号。"

    def handle(self, *args, **options):
        for seed in SEEDS:
            exists = Disclosure.objects.filter(
                department__name=seed["department"], year=seed["year"], kind=seed.get("kind", "budget")
            ).exists()
            if exists:
                label = "决算" if seed.get("kind") == "final_accounts" else "预算"
                self.stdout.write(f"已存在：{seed['department']} {seed['year']} 年{label}")
                continue
            arguments = [
                str(FIXTURES / seed["workbook"]),
                "--region", seed["region"],
                "--department", seed["department"],
                "--year", str(seed["year"]),
                "--kind", seed.get("kind", "budget"),
                "--approved-on", seed["approved_on"],
                "--published-on", seed["published_on"],
                "--accept-flags",  # these were public before they came here
            ]  # fmt: skip
            if "sections" in seed:
                arguments += ["--sections", str(FIXTURES / seed["sections"])]
            if "format" in seed:
                arguments += ["--format", seed["format"]]
            call_command("import_disclosure", *arguments, stdout=self.stdout)

        User = get_user_model()
        self.stdout.write("\n演示工作人员账号（密码均为 %s）：" % DEMO_PASSWORD)
        for username, full_name, role, scope in STAFF:
            user, created = User.objects.get_or_create(username=username, defaults={"first_name": full_name})
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
            if role == Membership.Role.ADMIN:
                region = Region.objects.get(name=scope, parent=None)
                Membership.objects.get_or_create(user=user, role=role, region=region)
            else:
                department = Department.objects.get(name=scope)
                Membership.objects.get_or_create(user=user, role=role, department=department)
            self.stdout.write(f"  {username}  {full_name}（{dict(Membership.Role.choices)[role]}：{scope}）")
        publishing_demo.load(self.stdout)
        call_command("load_request_demo", stdout=self.stdout)
        if settings.SECOND_FACTOR_REQUIRED:
            self.stdout.write(
                "\n管理员、审核人和信息公开工作机构负责人登录时须输入两步验证码："
                "运行 .venv/bin/python manage.py demo_totp <账号> 得到当前验证码。"
            )
        self.stdout.write("\n打开 http://127.0.0.1:8000/ 查看。")
