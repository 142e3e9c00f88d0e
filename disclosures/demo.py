"""Demo content for the publishing workflow, so the staff pages have something to show.

Dates are relative to the day `make run` is run, so the demo always holds a disclosure that is
overdue and a draft that is due soon. The draft reuses seed 004's workbook for the next year; it is
a draft, so the public never sees it.
"""

import datetime
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files import File
from django.utils import timezone

from disclosures import services
from disclosures.models import Department, Disclosure, Membership, Region

FIXTURES = Path(settings.BASE_DIR) / "tests" / "fixtures"


def load(stdout):
    today = timezone.localdate()
    city = Region.get_or_create_path("辽宁省/抚顺市")
    admin = get_user_model().objects.get(username="liaoning_admin")
    editor = get_user_model().objects.get(username="fushun_editor")
    finance, _ = Department.objects.get_or_create(region=city, name="抚顺市财政局")
    industry = Department.objects.get(region=city, name="抚顺市工业和信息化局")
    for user in get_user_model().objects.filter(username__in=["fushun_editor", "fushun_reviewer", "liaoning_admin"]):
        if not user.email:
            user.email = f"{user.username}@example.cn"
            user.save(update_fields=["email"])
    year = today.year
    if not Disclosure.objects.filter(department=finance, year=year, kind="budget").exists():
        services.register_approval(
            department=finance, year=year, kind="budget", approved_on=today - datetime.timedelta(days=25), actor=admin
        )
        stdout.write(f"已登记：{finance.name} {year} 年预算（批复 25 天前，未公开：逾期）")
    if not Disclosure.objects.filter(department=industry, year=year, kind="budget").exists():
        services.register_approval(
            department=industry, year=year, kind="budget", approved_on=today - datetime.timedelta(days=12), actor=admin
        )
        with open(FIXTURES / "seed004_budget_2025.xlsx", "rb") as handle:
            version = services.upload(
                File(handle, name="seed004_budget_2025.xlsx"), department=industry, year=year, kind="budget",
                approved_on=None, actor=editor, file_name="抚顺市工业和信息化局预算公开表.xlsx",
            )
        stdout.write(f"已上传草稿：{version}（待补充说明后提交审查）")
    if not Membership.objects.filter(department=finance).exists():
        user, created = get_user_model().objects.get_or_create(
            username="finance_editor", defaults={"first_name": "抚顺财政局编辑", "email": "finance_editor@example.cn"}
        )
        if created:
            user.set_password("demo-password-2025")
            user.save()
        Membership.objects.create(user=user, role=Membership.Role.EDITOR, department=finance)
