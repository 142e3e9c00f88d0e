"""Lockout after repeated failed sign-ins (等保 2.0 身份鉴别：登录失败处理), by account and by address.

django-axes counts the failures (AccessAttempt rows); this module gives it the client address as the
rest of the portal reads it, renders the Chinese lockout page, and lists and lifts lockouts for the
administrators of a region.
"""

import ipaddress
from dataclasses import dataclass

from axes.helpers import get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Max, Q, Sum
from django.shortcuts import render
from django.utils import timezone

from disclosures.information_requests.ratelimit import client_ip as _client_ip
from disclosures.models import Membership, Region


def client_ip(request) -> str | None:
    """AXES_CLIENT_IP_CALLABLE: the same address the rate limits use (TRUSTED_PROXY_COUNT).

    None when that is not an address (no REMOTE_ADDR, a forged header): axes stores it in an IP field.
    """
    try:
        return str(ipaddress.ip_address(_client_ip(request)))
    except ValueError:
        return None


def cool_off_minutes(request=None) -> int:
    cool_off = get_cool_off(request)
    return int(cool_off.total_seconds() // 60) if cool_off else 0


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the page a locked-out sign-in gets, with HTTP 429."""
    return render(
        request,
        "accounts/lockout.html",
        {"minutes": cool_off_minutes(request), "failure_limit": get_failure_limit(request, credentials)},
        status=429,
    )


@dataclass
class Lockout:
    kind: str  # "username" | "ip_address"
    value: str
    failures: int
    last_attempt: object
    user: object = None

    @property
    def until(self):
        cool_off = get_cool_off()
        return self.last_attempt + cool_off if cool_off else None


def _current(attempts):
    cool_off = get_cool_off()
    if cool_off:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cool_off)
    return attempts


def current_lockouts(field: str):
    limit = settings.AXES_FAILURE_LIMIT
    attempts = AccessAttempt.objects.exclude(**{f"{field}__isnull": True})
    if field == "username":
        attempts = attempts.exclude(username="")
    rows = (
        _current(attempts)
        .values(field)
        .annotate(failures=Sum("failures_since_start"), last_attempt=Max("attempt_time"))
        .filter(failures__gte=limit)
        .order_by("-last_attempt")
    )
    return [Lockout(field, row[field], row["failures"], row["last_attempt"]) for row in rows]


def users_administered_by(user):
    """Accounts of the administrator's regions (a department's staff, or an administrator of a region below)."""
    User = get_user_model()
    if user.is_superuser:
        return User.objects.all()
    roots = Region.objects.filter(memberships__user=user, memberships__role=Membership.Role.ADMIN)
    regions = {pk for root in roots for pk in root.descendant_ids()}
    return User.objects.filter(
        Q(memberships__department__region__in=regions) | Q(memberships__region__in=regions)
    ).filter(is_superuser=False).distinct()


def lockouts_visible_to(user):
    """Locked accounts in the administrator's regions; locked addresses for superusers only (not tied to a region)."""
    by_name = {lock.value: lock for lock in current_lockouts("username")}
    accounts = users_administered_by(user).filter(username__in=by_name)
    visible = []
    for account in accounts.order_by("username"):
        lock = by_name[account.username]
        lock.user = account
        visible.append(lock)
    if user.is_superuser:
        visible += current_lockouts("ip_address")
    return visible


def may_administer(user) -> bool:
    return user.is_superuser or Membership.objects.filter(user=user, role=Membership.Role.ADMIN).exists()


def unlock(kind: str, value: str) -> int:
    """Remove the failures that lock the account (or address); returns how many attempt records went."""
    if kind == "username":
        return reset(username=value)
    return reset(ip=value)
