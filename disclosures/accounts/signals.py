"""Security events from Django's and axes' signals (等保 2.0 安全审计：重要的用户行为和安全事件).

A failed sign-in records the name tried, never the password.
"""

import json

from axes.helpers import get_failure_limit
from axes.signals import user_locked_out
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone

from disclosures.accounts.models import PasswordAge
from disclosures.audit_trail import record_security_event

User = get_user_model()


def _path(request):
    return getattr(request, "path", "") if request is not None else ""


@receiver(user_logged_in, dispatch_uid="accounts_login_event")
def _logged_in(sender, request, user, **kwargs):
    record_security_event("login", request=request, user=user, path=_path(request))


@receiver(user_logged_out, dispatch_uid="accounts_logout_event")
def _logged_out(sender, request, user, **kwargs):
    if user is None:
        return
    reason = getattr(request, "accounts_logout_reason", "")
    record_security_event("logout", request=request, user=user, remarks=reason)


@receiver(user_login_failed, dispatch_uid="accounts_failed_login_event")
def _login_failed(sender, credentials, request=None, **kwargs):
    tried = str(credentials.get(User.USERNAME_FIELD) or credentials.get("username") or "")[:150]
    account = User.objects.filter(**{User.USERNAME_FIELD: tried}).first() if tried else None
    failures = getattr(request, "axes_failures_since_start", None) or 0
    limit = get_failure_limit(request, credentials) if request is not None else 0
    record_security_event(
        "login_failed",
        request=request,
        user=account,
        username="" if account else tried or "（未填写用户名）",
        # axes has counted this failure already (its receiver is connected first).
        remarks="已锁定期间的尝试，未核对密码" if failures > limit else (f"第 {failures} 次失败" if failures else ""),
        tried=tried,
        path=_path(request),
    )


@receiver(user_locked_out, dispatch_uid="accounts_lockout_event")
def _locked_out(sender, request, username, ip_address, **kwargs):
    # axes sends this at every failure from the limit on; the lockout starts at the limit itself.
    failures = getattr(request, "axes_failures_since_start", None)
    credentials = getattr(request, "axes_credentials", None)
    if failures is not None and failures != get_failure_limit(request, credentials):
        return
    account = User.objects.filter(**{User.USERNAME_FIELD: username}).first() if username else None
    record_security_event(
        "lockout",
        request=request,
        user=account,
        username="" if account else username or "",
        remarks=f"连续 {failures} 次登录失败" if failures else "",
        tried=username or "",
        ip_address=ip_address,
    )


@receiver(post_save, sender=User, dispatch_uid="accounts_password_age")
def _password_set(sender, instance, **kwargs):
    # AbstractBaseUser.save() keeps the raw password in _password until after the post_save signal
    # only when set_password() was called: forms, admin, createsuperuser, the demo all pass here.
    if getattr(instance, "_password", None) is not None:
        PasswordAge.objects.update_or_create(user=instance, defaults={"changed_at": timezone.now()})


@receiver(post_save, sender=LogEntry, dispatch_uid="accounts_admin_password_event")
def _admin_set_password(sender, instance, created, **kwargs):
    """An administrator set someone's password in the administration screens."""
    if not created or instance.action_flag != CHANGE or instance.content_type.model_class() is not User:
        return
    try:
        changes = json.loads(instance.change_message or "[]")
    except ValueError:
        return
    changed = [field for change in changes if isinstance(change, dict) for field in change.get("changed", {}).get("fields", [])]
    if "password" in changed:
        record_security_event(
            "password_set_by_admin", user=instance.user, remarks=f"为账号 {instance.object_repr} 设置新密码",
            account=instance.object_repr,
        )
