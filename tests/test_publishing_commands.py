import datetime
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from disclosures.services import register_approval
from tests.conftest import upload_seed004


def test_compliance_prints_the_same_table_as_csv(staff):
    register_approval(department=staff.department_b, year=2025, kind="budget", approved_on=datetime.date(2025, 1, 2), actor=staff.admin)
    upload_seed004(staff)
    out = StringIO()
    call_command("compliance", "--region", "辽宁省", "--year", "2025", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "地区,部门,状态,批复日期,截止日期,公开日期,逾期天数,期限情况,缺少的必备内容"
    assert lines[1].startswith("辽宁省/抚顺市,抚顺市工业和信息化局,草稿,2025-02-10,2025-03-03,,")
    assert lines[2].startswith("辽宁省/抚顺市,抚顺市财政局,未上传,2025-01-02,2025-01-22,,")
    assert len(lines) == 3


def test_compliance_refuses_an_unknown_region(db):
    with pytest.raises(CommandError, match="没有地区“火星”"):
        call_command("compliance", "--region", "火星", "--year", "2025", stdout=StringIO())


def test_send_reminders_twice_sends_once(staff, django_capture_on_commit_callbacks):
    register_approval(department=staff.department_a, year=2025, kind="budget", approved_on=datetime.date(2025, 1, 2), actor=staff.admin)
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", "--date", "2025-02-01", stdout=out)
        call_command("send_reminders", "--date", "2025-02-01", stdout=out)
    assert out.getvalue().splitlines()[-1] == "sent: 0"
    assert "已逾期" in out.getvalue().splitlines()[0]
    assert len(mail.outbox) == 1
