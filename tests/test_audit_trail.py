"""The audit trail (等保 2.0 安全审计): who, when, from which address; a hash chain that shows any change
behind the portal's back; rows that neither the ORM nor the database lets anyone change or delete;
the security events (roles, admin changes, exports, refused uploads); the administrator's read-only
view of their region; archives that delete nothing.

Runs on SQLite and on PostgreSQL (CI sets DATABASE_URL); the trigger tests take the database's own way.
"""

import csv
import datetime
import io
import json

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from disclosures import append_only
from disclosures.append_only import AppendOnlyError
from disclosures.audit_trail import record_security_event
from disclosures.information_requests.models import RequestEvent
from disclosures.models import AuditEvent, Department, Membership, Region
from disclosures.services import register_approval
from tests.conftest import SEED004
from tests.factories import MembershipFactory, UserFactory

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AuditTest/1.0"


def verify():
    """Run verify_audit: (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_audit", stdout=out, stderr=err)
        code = 0
    except SystemExit as exit:
        code = exit.code
    return code, out.getvalue(), err.getvalue()


def tamper(model, sql, params):
    """Change rows behind the portal's back, as the owner of the database can: without the triggers."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending foreign-key checks, so ALTER TABLE may run
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {table}_no_change")
            cursor.execute(sql, params)
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {table}_no_change")
        else:
            for name in append_only.trigger_names(connection, table):
                cursor.execute(f"DROP TRIGGER {name}")
            cursor.execute(sql, params)
            append_only.install(connection, table)


@pytest.fixture
def hebei(db):
    """Another province: its editor and its administrator."""
    city = Region.get_or_create_path("河北省/石家庄市")
    department = Department.objects.create(region=city, name="石家庄市财政局")
    editor = UserFactory(username="hebei_editor", first_name="冀编辑")
    MembershipFactory(user=editor, role=Membership.Role.EDITOR, department=department)
    admin = UserFactory(username="hebei_admin", first_name="冀管理员")
    MembershipFactory(user=admin, role=Membership.Role.ADMIN, region=city.parent)
    return type("Hebei", (), {"department": department, "editor": editor, "admin": admin, "province": city.parent})


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


# ---- who, when, from where ----------------------------------------------------------------------


def test_an_upload_through_the_site_records_the_address_and_browser(client, staff):
    client.force_login(staff.editor_a)
    with open(SEED004, "rb") as handle:
        response = client.post(
            reverse("staff_upload", args=[staff.department_a.pk]),
            {"year": 2025, "kind": "budget", "approved_on": "2025-02-10", "workbook": handle},
            REMOTE_ADDR="203.0.113.7", HTTP_USER_AGENT=BROWSER,
        )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="upload")
    assert (event.actor, event.ip_address, event.user_agent) == (staff.editor_a, "203.0.113.7", BROWSER)
    assert event.region == staff.department_a.region
    # The hashes hold for what the database gives back (the upload's findings, the address, the browser).
    assert verify()[0] == 0


def test_behind_a_proxy_the_address_is_the_one_the_proxy_saw(client, staff, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    client.force_login(staff.admin)
    client.get(
        reverse("staff_compliance"), {"export": "csv"},
        REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.1, 192.0.2.44",
    )
    # The client wrote 198.51.100.1 itself; the proxy appended the address it received the request from.
    assert AuditEvent.objects.get(action="export").ip_address == "192.0.2.44"


def test_a_request_event_records_the_address_and_browser(client, db):
    from tests.information_requests.conftest import file_request, member

    department = Department.objects.create(region=Region.get_or_create_path("辽宁省/抚顺市"), name="抚顺市工业和信息化局")
    handler = member("alice", Membership.Role.REQUEST_HANDLER, department, full_name="张经办")
    information_request = file_request(department)
    client.force_login(handler)
    response = client.post(
        reverse("information_requests:act", args=[information_request.pk, "receive"]),
        REMOTE_ADDR="2001:db8::1", HTTP_USER_AGENT=BROWSER,
    )
    assert response.status_code == 302
    event = RequestEvent.objects.get(request=information_request, action="receive")
    assert (event.actor_name, event.ip_address, event.user_agent) == ("张经办", "2001:db8::1", BROWSER)
    # Submitted from no request (the test's service call), like a command: no address.
    submitted = RequestEvent.objects.get(request=information_request, action="submit")
    assert (submitted.ip_address, submitted.user_agent) == (None, "")
    assert verify()[0] == 0


def test_a_command_leaves_the_address_blank(staff):
    register_approval(department=staff.department_b, year=2025, kind="budget", approved_on=datetime.date(2025, 1, 2), actor=staff.admin)
    event = AuditEvent.objects.get(action="register_approval")
    assert (event.ip_address, event.user_agent) == (None, "")


# ---- the hash chain -----------------------------------------------------------------------------


def test_each_event_is_linked_to_the_one_before_and_verify_audit_says_intact(staff):
    register_approval(department=staff.department_b, year=2025, kind="budget", approved_on=datetime.date(2025, 1, 2), actor=staff.admin)
    record_security_event("export", user=staff.admin, remarks="测试", rows=3)
    events = list(AuditEvent.objects.order_by("pk"))
    assert len(events) >= 6  # four roles granted, the approval, the export
    assert events[0].previous_hash == ""
    for before, after in zip(events, events[1:]):
        assert after.previous_hash == before.hash and len(after.hash) == 64
    code, out, _err = verify()
    total = AuditEvent.objects.count() + RequestEvent.objects.count()
    assert code == 0 and f"审计记录完整：{total} 条" in out


def test_the_orm_refuses_to_change_or_delete_events(staff):
    event = record_security_event("export", user=staff.admin, remarks="原文")
    with pytest.raises(AppendOnlyError, match="操作记录只能追加，不能修改"):
        AuditEvent.objects.filter(pk=event.pk).update(remarks="改写")
    with pytest.raises(AppendOnlyError, match="操作记录只能追加，不能删除"):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(AppendOnlyError, match="逐条追加"):
        AuditEvent.objects.bulk_create([AuditEvent(action="export")])
    with pytest.raises(AppendOnlyError, match="办理记录只能追加"):
        RequestEvent.objects.all().update(remarks="改写")
    with pytest.raises(ValueError, match="只能追加"):
        event.save()
    assert AuditEvent.objects.get(pk=event.pk).remarks == "原文"


@pytest.mark.parametrize("model", [AuditEvent, RequestEvent])
def test_the_database_refuses_update_and_delete_sent_by_hand(model, staff):
    from tests.information_requests.conftest import file_request

    file_request(staff.department_a)
    record_security_event("export", user=staff.admin)
    table = model._meta.db_table
    for statement in (f"UPDATE {table} SET remarks = 'x'", f"DELETE FROM {table}"):
        with pytest.raises(DatabaseError, match="只能追加|不能删除"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(statement)
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError, match="只能追加"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # else PostgreSQL refuses for pending checks first
                cursor.execute(f"TRUNCATE {table} CASCADE")
    assert model.objects.exists()


def test_verify_audit_names_the_row_changed_behind_the_portals_back(staff):
    for n in range(3):
        record_security_event("export", user=staff.admin, remarks=f"第{n}次导出")
    target = AuditEvent.objects.get(remarks="第1次导出")
    assert verify()[0] == 0
    tamper(AuditEvent, f"UPDATE {AuditEvent._meta.db_table} SET remarks = %s WHERE id = %s", ["无事发生", target.pk])
    assert AuditEvent.objects.get(pk=target.pk).remarks == "无事发生"
    code, _out, err = verify()
    assert code == 1
    assert f"操作记录（disclosures_auditevent）第 {target.pk} 条" in err
    assert f"{timezone.localtime(target.at):%Y-%m-%d %H:%M:%S}" in err and "内容与摘要不符" in err
    # The trigger is back: the next change by hand is refused again.
    with pytest.raises(DatabaseError):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"UPDATE {AuditEvent._meta.db_table} SET remarks = 'x'")


def test_verify_audit_notices_a_deleted_request_event(staff):
    from disclosures.information_requests import services
    from tests.information_requests.conftest import file_request

    handler = UserFactory(username="handler")
    MembershipFactory(user=handler, role=Membership.Role.REQUEST_HANDLER, department=staff.department_a)
    services.receive(file_request(staff.department_a), actor=handler)
    submit, receive = RequestEvent.objects.order_by("pk")
    tamper(RequestEvent, f"DELETE FROM {RequestEvent._meta.db_table} WHERE id = %s", [submit.pk])
    code, _out, err = verify()
    assert code == 1
    assert f"办理记录（information_requests_requestevent）第 {receive.pk} 条" in err and "不衔接" in err


# ---- security events ---------------------------------------------------------------------------


def test_a_change_in_the_admin_is_recorded_with_its_message_and_address(client, superuser, staff):
    client.force_login(superuser)
    city = staff.city
    response = client.post(
        f"/admin/disclosures/region/{city.pk}/change/",
        {"name": "抚顺市（新）", "level": city.level, "parent": city.parent_id},
        REMOTE_ADDR="192.0.2.10", HTTP_USER_AGENT=BROWSER,
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="admin_change")
    assert event.actor == superuser and event.ip_address == "192.0.2.10" and event.user_agent == BROWSER
    assert event.data["object"] == "抚顺市（新）" and event.data["model"] == "disclosures.region"
    assert "名称" in event.remarks  # Django's change message names the changed field
    assert event.action_label == "管理后台修改"


def test_granting_changing_and_revoking_a_role_is_recorded(client, superuser, staff):
    newcomer = UserFactory(username="newcomer")
    client.force_login(superuser)
    response = client.post(
        "/admin/disclosures/membership/add/",
        {"user": newcomer.pk, "role": Membership.Role.EDITOR, "department": staff.department_a.pk, "region": ""},
        REMOTE_ADDR="192.0.2.11",
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    granted = AuditEvent.objects.get(action="role_grant", data__object="newcomer")
    assert granted.actor == superuser and granted.ip_address == "192.0.2.11"
    assert granted.remarks == "newcomer：部门编辑 · 抚顺市工业和信息化局"
    assert granted.region == staff.department_a.region  # the region's administrator sees it
    assert AuditEvent.objects.filter(action="admin_add", data__model="disclosures.membership").exists()

    membership = Membership.objects.get(user=newcomer)
    membership.role = Membership.Role.REVIEWER
    membership.save()
    changed = AuditEvent.objects.get(action="role_change")
    assert changed.remarks == "newcomer：部门编辑 · 抚顺市工业和信息化局 → 部门审核人 · 抚顺市工业和信息化局"
    assert changed.actor_name == "系统（命令行）"  # no request: a command or the shell
    membership.delete()
    assert AuditEvent.objects.get(action="role_revoke").data["role"] == "reviewer"


def test_a_refused_upload_is_recorded_with_file_name_size_and_reason(client, staff):
    client.force_login(staff.editor_a)
    response = client.post(
        reverse("staff_upload", args=[staff.department_a.pk]),
        {"year": 2025, "kind": "budget", "workbook": SimpleUploadedFile("预算.docx", b"x" * 1234)},
        REMOTE_ADDR="203.0.113.9",
    )
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="upload_rejected")
    assert event.actor == staff.editor_a and event.ip_address == "203.0.113.9"
    assert event.data["file_name"] == "预算.docx" and event.data["size"] == 1234
    assert "只接受 Excel 工作簿（.xlsx）或 PDF 文件" in event.remarks
    assert event.action_label == "拒收上传文件"


def test_an_upload_refused_by_its_declared_size_is_recorded_without_reading_it(client, staff, settings):
    settings.MAX_WORKBOOK_BYTES = 1024 * 1024
    client.force_login(staff.editor_a)
    response = client.post(
        reverse("staff_upload", args=[staff.department_a.pk]),
        {"year": 2025, "kind": "budget", "workbook": SimpleUploadedFile("大.xlsx", b"x" * 1_200_000)},
    )
    assert response.status_code == 200 and "文件过大" in response.content.decode()
    event = AuditEvent.objects.get(action="upload_rejected")
    assert event.data["size"] > 1_200_000 and event.data["file_name"] == ""  # the body was never parsed
    assert event.remarks == "文件过大，上限为 1 MB"


def test_the_annual_report_download_is_recorded_as_an_export(client, staff):
    handler = UserFactory(username="handler")
    MembershipFactory(user=handler, role=Membership.Role.REQUEST_HANDLER, department=staff.department_a)
    client.force_login(handler)
    response = client.get(
        reverse("information_requests:report_xlsx", args=[staff.department_a.pk]), {"year": 2025}, REMOTE_ADDR="192.0.2.12"
    )
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="export")
    assert event.actor == handler and event.ip_address == "192.0.2.12"
    assert event.remarks == "抚顺市工业和信息化局 2025 年政府信息公开工作年度报告（XLSX）"


# ---- the administrator's view -------------------------------------------------------------------


def body_of(response):
    return response.content.decode().split("<tbody")[1].split("</tbody>")[0]


def test_a_region_administrator_sees_the_security_events_of_their_region_only(client, staff, hebei, superuser):
    record_security_event("login", user=staff.editor_a, remarks="辽宁编辑登录")
    record_security_event("login", user=hebei.editor, remarks="河北编辑登录")
    record_security_event("login_failed", username="nobody", remarks="未知账号登录失败")

    client.force_login(staff.admin)
    body = body_of(client.get(reverse("staff_audit")))
    assert "辽宁编辑登录" in body and "河北编辑登录" not in body and "未知账号登录失败" not in body
    client.force_login(hebei.admin)
    body = body_of(client.get(reverse("staff_audit")))
    assert "河北编辑登录" in body and "辽宁编辑登录" not in body
    client.force_login(superuser)
    body = body_of(client.get(reverse("staff_audit")))
    assert all(text in body for text in ("辽宁编辑登录", "河北编辑登录", "未知账号登录失败"))
    # Department staff do not read the trail.
    client.force_login(staff.editor_a)
    assert client.get(reverse("staff_audit")).status_code == 403


def test_the_audit_view_filters_by_action_actor_address_and_date(client, staff):
    with time_machine.travel(datetime.datetime(2025, 3, 1, 2, tzinfo=datetime.timezone.utc), tick=False):
        register_approval(department=staff.department_b, year=2025, kind="budget", approved_on=datetime.date(2025, 1, 2), actor=staff.admin)
    client.force_login(staff.admin)
    client.get(reverse("staff_compliance"), {"export": "xlsx"}, REMOTE_ADDR="198.51.100.77")
    audit = reverse("staff_audit")

    body = body_of(client.get(audit, {"action": "export"}))
    assert "导出数据" in body and "登记批复" not in body and "198.51.100.77" in body
    body = body_of(client.get(audit, {"ip_address": "198.51.100."}))
    assert "导出数据" in body and "登记批复" not in body
    body = body_of(client.get(audit, {"actor_name": "admin", "until": "2025-03-31"}))
    assert "登记批复" in body and "导出数据" not in body
    body = body_of(client.get(audit, {"since": "2025-04-01"}))
    assert "登记批复" not in body and "导出数据" in body
    body = body_of(client.get(audit, {"department": staff.department_b.pk}))
    assert "登记批复" in body and "导出数据" not in body


def test_the_audit_view_changes_nothing(client, staff):
    record_security_event("login", user=staff.editor_a)
    client.force_login(staff.admin)
    page = client.get(reverse("staff_audit")).content.decode()
    main = page.split("<main")[1].split("</main>")[0]  # the header's sign-out form aside
    assert "<form" in main and 'method="post"' not in main.lower()
    assert client.post(reverse("staff_audit"), {"action": "login"}).status_code == 405


def test_the_filtered_events_download_as_csv_and_the_download_is_recorded(client, staff):
    record_security_event("login_failed", username="=HYPERLINK(\"http://x\")", user=None, remarks="密码错误")
    record_security_event("login", user=staff.editor_a, remarks="辽宁编辑登录")
    client.force_login(staff.admin)
    response = client.get(
        reverse("staff_audit"), {"action": "login", "actor_name": "editor", "export": "csv"}, REMOTE_ADDR="192.0.2.50"
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == ["时间", "操作人", "操作", "对象", "IP 地址", "浏览器标识", "备注", "数据", "摘要"]
    assert len(rows) == 2 and rows[1][1] == "editor_a" and rows[1][6] == "辽宁编辑登录"
    export = AuditEvent.objects.get(action="export")
    assert export.actor == staff.admin and export.ip_address == "192.0.2.50" and export.data["rows"] == 1
    assert "action=login" in export.data["query"] and "actor_name=editor" in export.data["query"]


def test_a_formula_in_a_name_is_not_a_formula_in_the_csv(client, superuser):
    record_security_event("login_failed", username='=HYPERLINK("http://x")', remarks="密码错误")
    client.force_login(superuser)
    response = client.get(reverse("staff_audit"), {"action": "login_failed", "export": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode().lstrip("\ufeff"))))
    assert rows[1][1] == "'=HYPERLINK(\"http://x\")"


# ---- retention ---------------------------------------------------------------------------------


def test_archive_audit_writes_the_old_events_with_their_hashes_and_deletes_nothing(staff, settings, tmp_path):
    settings.AUDIT_RETENTION_DAYS = 180
    with time_machine.travel(datetime.datetime(2024, 1, 10, 2, tzinfo=datetime.timezone.utc), tick=False):
        old = record_security_event("login", user=staff.editor_a, remarks="很久以前的登录")
    recent = record_security_event("login", user=staff.editor_a, remarks="最近的登录")
    before = AuditEvent.objects.count()
    out = io.StringIO()
    call_command("archive_audit", "--before", timezone.localdate().isoformat(), stdout=out)

    files = list((tmp_path / "media" / "audit-archive").glob("*.jsonl"))
    assert len(files) == 1
    lines = [json.loads(line) for line in files[0].read_text(encoding="utf-8").splitlines()]
    archived = {line["id"]: line for line in lines if line["table"] == "disclosures_auditevent"}
    assert old.pk in archived and recent.pk not in archived  # younger than 180 days: not archived
    assert archived[old.pk]["hash"] == old.hash and archived[old.pk]["previous_hash"] == old.previous_hash
    assert "只归档" in out.getvalue() and "未删除任何记录" in out.getvalue()
    # Nothing deleted; the archive itself recorded.
    assert AuditEvent.objects.count() == before + 1
    made = AuditEvent.objects.get(action="audit_archive")
    assert made.data["object"] == files[0].name and made.action_label == "归档审计记录"
    assert verify()[0] == 0


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_audit_tables_and_puts_the_triggers_back():
    """The tests that run a live server flush the database after each test: the triggers must allow it."""
    record_security_event("export", remarks="将被清空")
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEvent.objects.exists()
    for table in append_only.AUDIT_TABLES:
        assert append_only.installed(connection, table)
