"""Sign-in in two steps, second-factor setup, password change and reset, and the lockout page for administrators."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
import django_otp

from disclosures.accounts import lockout, policy, second_factor
from disclosures.accounts.forms import SetupForm, TokenForm
from disclosures.audit_trail import record_security_event

RECOVERY_CODES_KEY = "accounts_new_recovery_codes"


def _next(request, default=None):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return default or settings.LOGIN_REDIRECT_URL


def _with_next(url, target):
    return f"{url}?{urlencode({'next': target})}" if target else url


class LoginView(auth_views.LoginView):
    """The password step (axes counts its failures); the second step follows when one is owed."""

    def form_valid(self, form):
        response = super().form_valid(form)
        if policy.second_factor_pending(self.request):
            return HttpResponseRedirect(_with_next(policy.second_factor_step(self.request), self.get_success_url()))
        return response


@never_cache
@sensitive_post_parameters("otp_token")
@login_required
def verify(request):
    """The second step: a 6-digit code from the authenticator, or a recovery code."""
    target = _next(request)
    if not policy.second_factor_pending(request):
        return redirect(target)
    if not policy.has_second_factor(request.user):
        return redirect(_with_next(reverse("accounts:setup"), target))
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device, throttled = second_factor.verify(request.user, form.cleaned_data["otp_token"])
        if device is not None:
            request.session.cycle_key()
            django_otp.login(request, device)
            if device.name == second_factor.RECOVERY_NAME:
                left = second_factor.recovery_codes_left(request.user)
                record_security_event("recovery_code_used", request=request, remarks=f"剩余恢复码 {left} 个", left=left)
                messages.warning(request, f"已使用一个恢复码，还剩 {left} 个。可在“账号安全”中生成新的恢复码。")
            else:
                record_security_event("second_factor_verified", request=request)
            return redirect(target)
        record_security_event("second_factor_failed", request=request)
        if throttled and throttled.get("locked_until"):
            form.add_error(None, f"验证码错误次数过多，请于 {timezone.localtime(throttled['locked_until']):%H:%M:%S} 后再试。")
        else:
            form.add_error("otp_token", "验证码不正确或已使用过。")
    return render(
        request, "accounts/verify.html",
        {"form": form, "next": target, "demo": settings.DEBUG, "username": request.user.get_username()},
    )


@never_cache
@sensitive_post_parameters("otp_token")
@login_required
def setup(request):
    """Add an authenticator: QR code and secret, confirmed by one code; then the recovery codes, once."""
    target = _next(request)
    user = request.user
    if policy.has_second_factor(user) and not user.is_verified():
        # Replacing a device takes the current one first: a password alone must not enrol a new phone.
        return redirect(_with_next(reverse("accounts:verify"), request.get_full_path()))
    device = second_factor.pending_device(user)
    form = SetupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, throttled = device.verify_is_allowed()
        if not allowed:
            form.add_error(None, f"验证码错误次数过多，请于 {timezone.localtime(throttled['locked_until']):%H:%M:%S} 后再试。")
        elif device.verify_token(form.cleaned_data["otp_token"]):
            second_factor.confirm(device)
            request.session.cycle_key()
            django_otp.login(request, device)
            request.session[RECOVERY_CODES_KEY] = second_factor.new_recovery_codes(user)
            record_security_event("second_factor_setup", request=request)
            return redirect(_with_next(reverse("accounts:recovery_codes"), target))
        else:
            form.add_error("otp_token", "验证码不正确：请确认手机时间准确，并填入当前显示的 6 位数字。")
    return render(
        request,
        "accounts/setup.html",
        {
            "form": form,
            "next": target,
            "qr_svg": second_factor.qr_svg(device),
            "secret": second_factor.secret(device),
            "mandatory": policy.second_factor_mandatory(user),
            "demo": settings.DEBUG,
        },
    )


@never_cache
@login_required
def recovery_codes(request):
    """The new recovery codes, shown once: they are not kept anywhere the page could show them again."""
    codes = request.session.pop(RECOVERY_CODES_KEY, None)
    if not codes:
        return redirect("accounts:second_factor")
    return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": _next(request)})


@never_cache
@login_required
def second_factor_page(request):
    """账号安全: whether a second factor is set up, new recovery codes, removal."""
    user = request.user
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "recovery_codes" and policy.has_second_factor(user):
            request.session[RECOVERY_CODES_KEY] = second_factor.new_recovery_codes(user)
            record_security_event("recovery_codes_renewed", request=request)
            return redirect("accounts:recovery_codes")
        if action == "remove" and policy.has_second_factor(user):
            second_factor.remove(user)
            record_security_event("second_factor_removed", request=request)
            if policy.second_factor_mandatory(user):
                messages.warning(request, "您的岗位必须使用双因素认证，请重新设置身份验证器。")
                return redirect("accounts:setup")
            messages.success(request, "已移除双因素认证。")
            return redirect("accounts:second_factor")
    return render(
        request,
        "accounts/second_factor.html",
        {
            "has_device": policy.has_second_factor(user),
            "mandatory": policy.second_factor_mandatory(user),
            "recovery_left": second_factor.recovery_codes_left(user),
            "password_changed_at": policy.password_changed_at(user),
        },
    )


class PasswordChangeView(auth_views.PasswordChangeView):
    """Every staff member changes their own password (and an expired one is changed here)."""

    def form_valid(self, form):
        response = super().form_valid(form)
        record_security_event("password_change", request=self.request)
        target = self.request.POST.get("next") or self.request.GET.get("next")
        if target:
            messages.success(self.request, "密码已修改。")
            return redirect(_next(self.request))
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["next"] = self.request.POST.get("next") or self.request.GET.get("next") or ""
        return context


class PasswordResetView(auth_views.PasswordResetView):
    def form_valid(self, form):
        # The link points at SITE_URL, not at whatever Host header the request came with.
        site = urlsplit(settings.SITE_URL)
        self.extra_email_context = {"protocol": site.scheme, "domain": site.netloc}
        for user in form.get_users(form.cleaned_data["email"]):
            record_security_event("password_reset_requested", request=self.request, user=user)
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    def form_valid(self, form):
        response = super().form_valid(form)
        record_security_event("password_reset", request=self.request, user=form.user, remarks="通过邮件链接重置")
        return response


# ---- lockouts, for the administrators of a region ------------------------------------------------


@never_cache
@login_required
def lockouts(request):
    if not lockout.may_administer(request.user):
        raise PermissionDenied
    return render(
        request,
        "accounts/lockouts.html",
        {"lockouts": lockout.lockouts_visible_to(request.user), "minutes": lockout.cool_off_minutes(request),
         "failure_limit": settings.AXES_FAILURE_LIMIT},
    )


@never_cache
@login_required
@require_POST
def unlock(request):
    if not lockout.may_administer(request.user):
        raise PermissionDenied
    kind, value = request.POST.get("kind"), request.POST.get("value", "")
    visible = {(lock.kind, lock.value): lock for lock in lockout.lockouts_visible_to(request.user)}
    lock = visible.get((kind, value))
    if lock is None:
        messages.error(request, "没有找到这项锁定（可能已到期解除，或不在您管辖的地区）。")
        return redirect("accounts:lockouts")
    lockout.unlock(kind, value)
    label = f"账号 {value}" if kind == "username" else f"地址 {value}"
    record_security_event(
        "unlock", request=request, remarks=f"解除{label} 的登录锁定", kind=kind, value=value,
        account=value if kind == "username" else "",
    )
    messages.success(request, f"已解除{label} 的登录锁定。")
    return redirect("accounts:lockouts")
