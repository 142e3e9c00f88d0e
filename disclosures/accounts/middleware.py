"""Checks on every signed-in request, after django_otp's OTPMiddleware and the messages middleware.

1. Idle timeout (等保 2.0 身份鉴别：登录连接超时自动退出): a session unused for longer than
   SESSION_IDLE_TIMEOUT_MINUTES is signed out; SESSION_COOKIE_AGE stays the cap counted from sign-in.
2. Second factor (等保 2.0 三级：两种或两种以上组合的鉴别技术): staff pages and the administration
   screens are refused to a session that still owes the second step; it goes to the code prompt or setup.
3. Password expiry: staff pages wait until an expired password has been changed.
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse

from disclosures.accounts import policy

LAST_ACTIVITY_KEY = "accounts_last_activity"
SIGNED_IN_AT_KEY = "accounts_signed_in_at"
IDLE_MESSAGE = "因长时间未操作，已自动退出，请重新登录。"


class AccountSecurityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            response = self.check(request)
            if response is not None:
                return response
        return self.get_response(request)

    def check(self, request):
        if settings.SESSION_IDLE_TIMEOUT_MINUTES > 0:
            response = self.check_idle(request)
            if response is not None or not request.user.is_authenticated:
                return response
        path = request.path
        if path == reverse("admin:logout"):
            return None
        if (policy.staff_path(path) or self.guarded_account_page(path)) and policy.second_factor_pending(request):
            return redirect_to_login(request.get_full_path(), policy.second_factor_step(request))
        if policy.staff_path(path) and policy.password_expired(request.user):
            messages.warning(request, f"密码已超过 {settings.PASSWORD_MAX_AGE_DAYS} 天未更换，请先修改密码。")
            return redirect_to_login(request.get_full_path(), reverse("password_change"))
        return None

    def check_idle(self, request):
        now = int(time.time())
        session = request.session
        last = session.get(LAST_ACTIVITY_KEY)
        started = session.setdefault(SIGNED_IN_AT_KEY, now)
        if last is not None and now - last > settings.SESSION_IDLE_TIMEOUT_MINUTES * 60:
            return self.sign_out(request, "长时间未操作，自动退出", IDLE_MESSAGE)
        if now - started > settings.SESSION_COOKIE_AGE:
            # Writing the last activity saves the session, which pushes its expiry on at each write:
            # SESSION_COOKIE_AGE is kept as a cap counted from sign-in here.
            hours = settings.SESSION_COOKIE_AGE // 3600
            return self.sign_out(request, "登录时间已满，自动退出", f"登录已超过 {hours} 小时，请重新登录。")
        if last is None or now - last >= 60:  # to the minute, not a session write at every request
            session[LAST_ACTIVITY_KEY] = now
        return None

    def sign_out(self, request, reason, message):
        request.accounts_logout_reason = reason
        logout(request)
        messages.info(request, message)
        if policy.staff_path(request.path) or self.guarded_account_page(request.path):
            return redirect_to_login(request.get_full_path())
        return None

    @staticmethod
    def guarded_account_page(path):
        """Pages that change the account itself wait for the second step too."""
        return path.startswith((reverse("password_change"), reverse("accounts:second_factor")))
