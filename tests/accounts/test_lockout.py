"""Lockout after repeated failed sign-ins, per account and per address, and its lifting by an administrator."""

import pytest

from disclosures.models import AuditEvent
from tests.accounts.conftest import PASSWORD, log_in

pytestmark = pytest.mark.django_db


def fail(client, username, times, **extra):
    return [log_in(client, username, "wrong-password-1", **extra) for _ in range(times)]


def test_five_failures_lock_the_account_even_for_the_right_password(client, people, sign_in_checks):
    responses = fail(client, "editor", 5)
    assert [r.status_code for r in responses[:4]] == [200] * 4
    assert responses[4].status_code == 429
    assert "登录失败次数过多，账户已锁定 30 分钟" in responses[4].content.decode()

    locked = log_in(client, "editor")
    assert locked.status_code == 429 and "_auth_user_id" not in client.session

    lockouts = AuditEvent.objects.filter(action="lockout")
    assert lockouts.count() == 1 and lockouts.get().actor == people.editor
    failed = AuditEvent.objects.filter(action="login_failed", actor=people.editor)
    assert failed.count() == 6
    assert all(event.data["tried"] == "editor" for event in failed)
    assert not any("wrong-password" in str(event.data) or PASSWORD in str(event.data) for event in failed)
    assert [event.remarks for event in failed.order_by("pk")] == [
        "第 1 次失败", "第 2 次失败", "第 3 次失败", "第 4 次失败", "第 5 次失败", "已锁定期间的尝试，未核对密码",
    ]


def test_the_account_stays_locked_from_another_address(client, people, sign_in_checks):
    fail(client, "editor", 5, REMOTE_ADDR="203.0.113.7")
    assert log_in(client, "editor", REMOTE_ADDR="198.51.100.9").status_code == 429


def test_an_address_trying_many_accounts_is_locked(client, people, sign_in_checks):
    for name in ["a1", "a2", "a3", "a4", "a5"]:
        log_in(client, name, "guess-1234", REMOTE_ADDR="203.0.113.7")
    # The editor never failed, but this address did five times.
    assert log_in(client, "editor", REMOTE_ADDR="203.0.113.7").status_code == 429
    assert log_in(client, "editor", REMOTE_ADDR="198.51.100.9").status_code == 302
    assert AuditEvent.objects.filter(action="login_failed", actor=None, actor_name="a1").exists()


def test_behind_a_proxy_each_client_address_counts_on_its_own(client, people, sign_in_checks):
    sign_in_checks.TRUSTED_PROXY_COUNT = 1
    for name in ["a1", "a2", "a3", "a4", "a5"]:
        log_in(client, name, "guess-1234", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.7")
    elsewhere = log_in(client, "editor", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.9")
    assert elsewhere.status_code == 302
    same = log_in(client, "admin", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert same.status_code == 429


def test_the_administration_login_is_locked_too(client, people, sign_in_checks):
    responses = [
        client.post("/admin/login/", {"username": "admin", "password": "wrong-password-1", "next": "/admin/"})
        for _ in range(5)
    ]
    assert responses[-1].status_code == 429
    assert client.post("/admin/login/", {"username": "admin", "password": PASSWORD}).status_code == 429


def test_an_administrator_of_the_region_lifts_the_lockout(client, people, settings):
    # Second factor off here (tests/conftest.py): this test is about the lockout page.
    settings.AXES_FAILURE_LIMIT = 5
    editor_page = client.__class__()
    editor_page.force_login(people.editor)
    assert editor_page.get("/staff/security/lockouts/").status_code == 403
    fail(client, "editor", 5, REMOTE_ADDR="203.0.113.7")

    other = client.__class__()
    other.force_login(people.hebei_admin)
    page = other.get("/staff/security/lockouts/")
    assert page.status_code == 200 and "editor" not in page.content.decode()
    refused = other.post("/staff/security/lockouts/unlock/", {"kind": "username", "value": "editor"}, follow=True)
    assert "没有找到这项锁定" in refused.content.decode()
    assert log_in(client, "editor", REMOTE_ADDR="203.0.113.7").status_code == 429

    admin = client.__class__()
    admin.force_login(people.admin)
    page = admin.get("/staff/security/lockouts/")
    assert "解除锁定" in page.content.decode() and "editor" in page.content.decode()
    done = admin.post("/staff/security/lockouts/unlock/", {"kind": "username", "value": "editor"}, follow=True)
    assert "已解除账号 editor 的登录锁定" in done.content.decode()
    assert "当前没有被锁定的账号" in done.content.decode()

    assert log_in(client, "editor", REMOTE_ADDR="203.0.113.7").status_code == 302
    event = AuditEvent.objects.get(action="unlock")
    assert event.actor == people.admin and event.data["account"] == "editor"


def test_a_superuser_sees_and_lifts_a_locked_address(client, people, settings, django_user_model):
    settings.AXES_FAILURE_LIMIT = 5
    for name in ["a1", "a2", "a3", "a4", "a5"]:
        log_in(client, name, "guess-1234", REMOTE_ADDR="203.0.113.7")
    root = django_user_model.objects.create_superuser("root", "root@example.cn", "Root-pass-2025!")
    admin = client.__class__()
    admin.force_login(root)
    assert "地址 203.0.113.7" in admin.get("/staff/security/lockouts/").content.decode()
    regional = client.__class__()
    regional.force_login(people.admin)
    assert "203.0.113.7" not in regional.get("/staff/security/lockouts/").content.decode()

    admin.post("/staff/security/lockouts/unlock/", {"kind": "ip_address", "value": "203.0.113.7"})
    assert log_in(client, "editor", REMOTE_ADDR="203.0.113.7").status_code == 302
