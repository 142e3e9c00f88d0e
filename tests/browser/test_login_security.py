"""Signing in as deployed, in real Chromium: password and TOTP code, lockout, and unlocking by an administrator.

The codes are computed in the test from the device's key, as an authenticator app would.
"""

import re

import pytest
from django.urls import reverse

from disclosures.models import Department, Membership, Region
from tests.accounts.conftest import PASSWORD, code_for, give_device
from tests.browser.conftest import DESKTOP
from tests.factories import MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


@pytest.fixture
def people(settings):
    settings.SECOND_FACTOR_REQUIRED = True
    settings.SESSION_IDLE_TIMEOUT_MINUTES = 30
    settings.PASSWORD_MAX_AGE_DAYS = 90
    settings.AXES_FAILURE_LIMIT = 5
    city = Region.get_or_create_path("辽宁省/抚顺市")
    department = Department.objects.create(region=city, name="抚顺市工业和信息化局")
    reviewer = UserFactory(username="fushun_reviewer", first_name="王审核")
    MembershipFactory(user=reviewer, role=Membership.Role.REVIEWER, department=department)
    admin = UserFactory(username="liaoning_admin", first_name="赵管理")
    MembershipFactory(user=admin, role=Membership.Role.ADMIN, region=city.parent)
    return reviewer, give_device(reviewer), admin, give_device(admin)


def context(browser):
    ctx = browser.new_context(locale="zh-CN", viewport=DESKTOP)
    ctx.set_default_timeout(15_000)
    return ctx, ctx.new_page()


def enter_password(page, live_server, username, password=PASSWORD):
    page.goto(live_server.url + reverse("login"))
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("form.form button[type=submit]")
    page.wait_for_load_state()


def sign_in(page, live_server, username, device):
    enter_password(page, live_server, username)
    page.wait_for_url(re.compile(r"/accounts/verify/"))
    assert "双因素认证" in page.locator("h1").inner_text()
    page.fill("#id_otp_token", code_for(device))
    page.click("form.form button[type=submit]")
    page.wait_for_url(re.compile(r"/staff/$"))


def test_password_and_code_then_lockout_and_unlock(live_server, browser, people):
    reviewer, reviewer_device, admin, admin_device = people
    admin_ctx, admin_page = context(browser)
    user_ctx, user_page = context(browser)
    try:
        # The administrator signs in first (the lockout below also holds the address both browsers share).
        sign_in(admin_page, live_server, "liaoning_admin", admin_device)

        # 1. The reviewer: password, then the 6-digit code; the staff home opens.
        sign_in(user_page, live_server, "fushun_reviewer", reviewer_device)
        assert "我的公开" in user_page.locator("nav.staff-nav").inner_text()
        user_page.get_by_role("button", name=re.compile("退出")).click()
        user_page.wait_for_load_state()

        # 2. Five wrong passwords lock the account; the right one no longer gets in.
        for _ in range(5):
            enter_password(user_page, live_server, "fushun_reviewer", "not-the-password-9")
        assert "锁定" in user_page.locator("main").inner_text()
        assert "账户已锁定 30 分钟" in user_page.locator("main").inner_text()
        enter_password(user_page, live_server, "fushun_reviewer")
        assert "锁定" in user_page.locator("main").inner_text()

        # 3. The administrator of the province lifts the lockout.
        admin_page.get_by_role("link", name="登录锁定").click()
        row = admin_page.locator("tr", has_text="fushun_reviewer")
        # The failures column: five wrong passwords, and the right one refused while locked counts as a sixth.
        assert row.locator("td").first.inner_text() == "6"
        row.get_by_role("button", name="解除锁定").click()
        admin_page.wait_for_load_state()
        assert "已解除账号 fushun_reviewer 的登录锁定" in admin_page.locator("ul.messages").inner_text()
        assert "当前没有被锁定的账号" in admin_page.locator("table").inner_text()

        # 4. The reviewer signs in again.
        sign_in(user_page, live_server, "fushun_reviewer", reviewer_device)
        assert "我的公开" in user_page.locator("nav.staff-nav").inner_text()
    finally:
        admin_ctx.close()
        user_ctx.close()
