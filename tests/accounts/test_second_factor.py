"""TOTP second factor: mandatory for reviewers, administrators, approvers and superusers; recovery codes."""

import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from disclosures.models import AuditEvent
from tests.accounts.conftest import code_for, give_device, log_in

pytestmark = pytest.mark.django_db


def test_a_reviewer_without_an_authenticator_is_sent_to_set_one_up(client, people, sign_in_checks):
    response = log_in(client, "reviewer")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/setup/")
    # The password alone does not open the staff pages.
    for url in ("/staff/", "/requests/staff/", "/staff/security/lockouts/"):
        refused = client.get(url)
        assert refused.status_code == 302 and refused["Location"].startswith("/accounts/setup/"), url

    page = client.get("/accounts/setup/?next=/staff/")
    html = page.content.decode()
    assert "<svg" in html and "设置双因素认证" in html
    device = TOTPDevice.objects.get(user=people.reviewer, confirmed=False)
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', html).group(1)
    assert secret.replace(" ", "") == __import__("base64").b32encode(device.bin_key).decode()

    wrong = client.post("/accounts/setup/", {"otp_token": "000000", "next": "/staff/"})
    assert "验证码不正确" in wrong.content.decode()
    device.refresh_from_db()
    assert device.throttling_failure_count == 1  # django-otp's back-off: the next try waits a second
    device.throttling_failure_count = 0
    device.save()
    done = client.post("/accounts/setup/", {"otp_token": code_for(device), "next": "/staff/"})
    assert done.status_code == 302 and done["Location"].startswith("/accounts/recovery-codes/")
    codes_page = client.get(done["Location"]).content.decode()
    codes = re.findall(r"<li><code>([a-z2-7]+)</code></li>", codes_page)
    assert len(codes) == 10
    assert set(codes) == set(StaticToken.objects.filter(device__user=people.reviewer).values_list("token", flat=True))
    # Shown once.
    assert client.get("/accounts/recovery-codes/").status_code == 302

    assert client.get("/staff/").status_code == 200
    assert AuditEvent.objects.filter(action="second_factor_setup", actor=people.reviewer).exists()


def test_a_reviewer_with_an_authenticator_gives_the_code_after_the_password(client, people, sign_in_checks):
    device = give_device(people.reviewer)
    response = log_in(client, "reviewer")
    assert response.status_code == 302 and response["Location"] == "/accounts/verify/?next=%2Fstaff%2F"
    assert client.get("/staff/")["Location"].startswith("/accounts/verify/")
    admin_site = client.get("/admin/")
    assert admin_site.status_code == 302 and admin_site["Location"].startswith("/accounts/verify/")

    wrong = client.post("/accounts/verify/", {"otp_token": "123456", "next": "/staff/"})
    assert wrong.status_code == 200 and "验证码不正确" in wrong.content.decode()
    assert AuditEvent.objects.filter(action="second_factor_failed", actor=people.reviewer).count() == 1

    device.refresh_from_db()
    device.throttling_failure_count = 0  # the back-off after the wrong code is django-otp's, tested there
    device.save()
    right = client.post("/accounts/verify/", {"otp_token": code_for(device), "next": "/staff/"})
    assert right.status_code == 302 and right["Location"] == "/staff/"
    assert client.get("/staff/").status_code == 200
    assert AuditEvent.objects.filter(action="second_factor_verified", actor=people.reviewer).exists()


def test_a_used_code_is_not_accepted_twice(client, people, sign_in_checks):
    device = give_device(people.reviewer)
    code = code_for(device)
    log_in(client, "reviewer")
    assert client.post("/accounts/verify/", {"otp_token": code})["Location"] == "/staff/"
    client.post("/accounts/logout/")
    other = client.__class__()
    log_in(other, "reviewer")
    again = other.post("/accounts/verify/", {"otp_token": code})
    assert again.status_code == 200 and other.get("/staff/").status_code == 302


def test_a_recovery_code_works_once(client, people, sign_in_checks):
    from disclosures.accounts.second_factor import new_recovery_codes

    give_device(people.reviewer)
    code = new_recovery_codes(people.reviewer)[0]
    log_in(client, "reviewer")
    used = client.post("/accounts/verify/", {"otp_token": code.upper(), "next": "/staff/"}, follow=True)
    assert used.status_code == 200 and "已使用一个恢复码，还剩 9 个" in used.content.decode()
    event = AuditEvent.objects.get(action="recovery_code_used")
    assert event.actor == people.reviewer and event.data["left"] == 9

    client.post("/accounts/logout/")
    log_in(client, "reviewer")
    again = client.post("/accounts/verify/", {"otp_token": code, "next": "/staff/"})
    assert again.status_code == 200 and "验证码不正确或已使用过" in again.content.decode()
    assert client.get("/staff/").status_code == 302


def test_an_editor_may_go_without_a_second_factor(client, people, sign_in_checks):
    assert log_in(client, "editor")["Location"] == "/staff/"
    assert client.get("/staff/").status_code == 200


def test_an_editor_who_set_one_up_is_asked_for_it(client, people, sign_in_checks):
    give_device(people.editor)
    assert log_in(client, "editor")["Location"].startswith("/accounts/verify/")
    assert client.get("/staff/").status_code == 302


def test_a_password_alone_cannot_enrol_a_new_authenticator(client, people, sign_in_checks):
    give_device(people.reviewer)
    log_in(client, "reviewer")
    response = client.get("/accounts/setup/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/verify/")
    assert TOTPDevice.objects.filter(user=people.reviewer).count() == 1


def test_removing_the_authenticator_is_recorded_and_a_reviewer_must_set_up_another(client, people, sign_in_checks):
    device = give_device(people.reviewer)
    log_in(client, "reviewer")
    client.post("/accounts/verify/", {"otp_token": code_for(device)})
    response = client.post("/accounts/security/", {"action": "remove"})
    assert response["Location"] == "/accounts/setup/"
    assert not TOTPDevice.objects.filter(user=people.reviewer, confirmed=True).exists()
    assert AuditEvent.objects.filter(action="second_factor_removed", actor=people.reviewer).exists()
    assert client.get("/staff/")["Location"].startswith("/accounts/setup/")


def test_the_switch_turns_the_mandatory_rule_off(client, people, settings):
    settings.SECOND_FACTOR_REQUIRED = False
    assert log_in(client, "reviewer")["Location"] == "/staff/"
    assert client.get("/staff/").status_code == 200


def test_demo_command_prints_a_code_that_signs_in(client, people, sign_in_checks, capsys):
    sign_in_checks.DEBUG = True
    call_command("demo_totp", "reviewer")
    code = capsys.readouterr().out.strip()
    assert re.fullmatch(r"\d{6}", code)
    log_in(client, "reviewer")
    assert client.post("/accounts/verify/", {"otp_token": code})["Location"] == "/staff/"


def test_demo_command_refuses_without_debug(people, sign_in_checks):
    sign_in_checks.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("demo_totp", "reviewer")
    assert not TOTPDevice.objects.filter(user=people.reviewer).exists()


def test_the_administration_login_leads_to_the_second_step_too(client, people, sign_in_checks):
    device = give_device(people.admin)
    response = client.post("/admin/login/", {"username": "admin", "password": "correct-horse-battery", "next": "/admin/"})
    assert response["Location"] == "/admin/"
    assert client.get("/admin/")["Location"] == "/accounts/verify/?next=/admin/"
    assert client.post("/accounts/verify/", {"otp_token": code_for(device), "next": "/admin/"})["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
