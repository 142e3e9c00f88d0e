"""Who must pass which check before the staff pages (等保 2.0 三级 身份鉴别).

- Second factor: mandatory for superusers and for holders of an administrator, reviewer or
  request-approver post, whose actions publish or release information; optional for everyone else,
  but once a user has set one up, it is asked at every sign-in.
- Password expiry: a password older than PASSWORD_MAX_AGE_DAYS must be changed before the staff pages.
"""

import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django_otp import user_has_device

from disclosures.models import Membership

SECOND_FACTOR_ROLES = (Membership.Role.ADMIN, Membership.Role.REVIEWER, Membership.Role.REQUEST_APPROVER)


def second_factor_mandatory(user) -> bool:
    if not settings.SECOND_FACTOR_REQUIRED or not user.is_authenticated:
        return False
    return user.is_superuser or Membership.objects.filter(user=user, role__in=SECOND_FACTOR_ROLES).exists()


def has_second_factor(user) -> bool:
    return user.is_authenticated and user_has_device(user, confirmed=True)


def second_factor_pending(request) -> bool:
    """Signed in with the password, but the second step is still owed."""
    user = request.user
    if not user.is_authenticated:
        return False
    verified = getattr(user, "is_verified", None)
    if verified is not None and verified():
        return False
    return has_second_factor(user) or second_factor_mandatory(user)


def second_factor_step(request) -> str:
    """Where a pending user goes: the code prompt, or the setup page when they have no device yet."""
    return reverse("accounts:verify") if has_second_factor(request.user) else reverse("accounts:setup")


def password_changed_at(user) -> datetime.datetime:
    from disclosures.accounts.models import PasswordAge

    age = PasswordAge.objects.filter(user=user).values_list("changed_at", flat=True).first()
    return age or user.date_joined


def password_expired(user) -> bool:
    days = settings.PASSWORD_MAX_AGE_DAYS
    if days <= 0 or not user.is_authenticated or not user.has_usable_password():
        return False
    return timezone.now() - password_changed_at(user) > datetime.timedelta(days=days)


def staff_path(path: str) -> bool:
    """The pages only staff reach: the workbench, request handling, the administration screens."""
    prefixes = (reverse("staff_home"), reverse("information_requests:staff_home"), reverse("admin:index"))
    return path.startswith(prefixes)
