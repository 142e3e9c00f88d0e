"""Emails of the publishing workflow, handed to a worker (disclosures.tasks.send_email) after the change commits.

Queued on commit so that a rolled-back change never sends a message; sent by a worker, which tries a relay
that is down again later, so that a mail server problem never undoes a review or a publication nor holds the
request.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse

from disclosures.models import Membership
from disclosures.tasks import queue_email


def _users(department, *roles):
    return list(
        get_user_model()
        .objects.filter(memberships__department=department, memberships__role__in=roles, is_active=True)
        .exclude(email="")
        .distinct()
        .order_by("username")
    )


def department_staff(department):
    return _users(department, Membership.Role.EDITOR, Membership.Role.REVIEWER)


def _send(users, subject, body):
    addresses = sorted({u.email for u in users if u.email})
    if not addresses:
        return
    transaction.on_commit(lambda: queue_email(f"[预决算公开] {subject}", body, addresses))


def _link(version):
    return f"{settings.SITE_URL}{reverse('staff_version', args=[version.pk])}"


def version_submitted(version):
    d = version.disclosure
    _send(
        _users(d.department, Membership.Role.REVIEWER),
        f"待保密审查：{d} 第 {version.number} 版",
        f"{version.submitted_by} 已提交 {d} 第 {version.number} 版，请进行保密审查。\n\n{_link(version)}\n",
    )


def version_returned(version, review):
    d = version.disclosure
    editors = _users(d.department, Membership.Role.EDITOR)
    if version.created_by and version.created_by.email and version.created_by not in editors:
        editors.append(version.created_by)
    _send(
        editors,
        f"审查退回：{d} 第 {version.number} 版",
        f"{review.reviewer_name} 于 {review.reviewed_on:%Y-%m-%d} 退回了 {d} 第 {version.number} 版。\n\n"
        f"审查意见：{review.remarks}\n\n{_link(version)}\n",
    )


def deadline_reminder(disclosure, state, users):
    _send(
        users,
        f"公开期限提醒：{disclosure}（{state.label}）",
        f"{disclosure} 于 {disclosure.approved_on:%Y-%m-%d} 批复，依预算法第十四条应在批复后二十日内公开，"
        f"截止日期 {state.deadline:%Y-%m-%d}。当前：{state.label}。\n{state.calendar_note}\n",
    )


def secrecy_text_changed(version, flag):
    """A reviewer's 删改 changed the draft's text: its editors should know what changed, and where."""
    d = version.disclosure
    editors = _users(d.department, Membership.Role.EDITOR)
    _send(
        editors,
        f"保密审查删改：{d} 第 {version.number} 版",
        f"{flag.decided_by.get_full_name() or flag.decided_by.get_username()} 在保密审查中改动了{flag.place}的文字"
        f"（改为“{flag.replacement}”）。\n\n{_link(version)}\n",
    )
