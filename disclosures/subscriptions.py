"""E-mail subscriptions to new publications: double opt-in, one-click unsubscribe (RFC 8058).

A visitor gives an address and a scope (everything, a region and everything below it, or one department). The
address gets one message with a confirmation link; until it is confirmed, nothing else is ever sent to it. When
a version is published (disclosures.signals.version_published), each confirmed subscriber in scope gets one
message, queued through the portal's mail task (disclosures.tasks.queue_email), with a link to the page and an
unsubscribe link, also given in the List-Unsubscribe and List-Unsubscribe-Post headers so that a mail client
can unsubscribe with one POST.

Links carry the subscription's id and its random token, signed with the site's key (django.core.signing), one
salt per purpose: a confirmation link cannot unsubscribe and the reverse. Confirmation links expire; unsubscribe
links do not (an old message must still let its reader leave). Unsubscribing deletes the row.

The address is personal data (个人信息保护法): encrypted at rest, a keyed hash for uniqueness, never in a log
line, a task's shown arguments or a URL.
"""

import datetime
import logging

from celery import shared_task
from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from disclosures.information_requests import personal_data
from disclosures.models import Subscription, Version
from disclosures.signals import version_published
from disclosures.tasks import queue_email

logger = logging.getLogger(__name__)

CONFIRM_SALT = "disclosures.subscription.confirm"
UNSUBSCRIBE_SALT = "disclosures.subscription.unsubscribe"
CONFIRM_MAX_AGE = 7 * 24 * 60 * 60  # seconds
SUBJECT_PREFIX = "[预决算公开]"


class BadToken(Exception):
    """A link that was altered, has expired, or names a subscription that no longer exists."""


def normalize_email(email: str) -> str:
    return str(email or "").strip().lower()


def _sign(subscription, salt) -> str:
    return signing.dumps([subscription.pk, subscription.token], salt=salt, compress=False)


def confirm_token(subscription) -> str:
    return _sign(subscription, CONFIRM_SALT)


def unsubscribe_token(subscription) -> str:
    return _sign(subscription, UNSUBSCRIBE_SALT)


def from_token(token: str, salt: str, max_age=None) -> Subscription:
    try:
        pk, secret = signing.loads(token, salt=salt, max_age=max_age)
    except (signing.BadSignature, ValueError, TypeError):
        raise BadToken from None
    subscription = Subscription.objects.select_related("region", "department__region").filter(pk=pk).first()
    if subscription is None or not isinstance(secret, str) or subscription.token != secret:
        raise BadToken
    return subscription


def confirm_url(subscription) -> str:
    return f"{settings.SITE_URL}{reverse('subscription_confirm', args=[confirm_token(subscription)])}"


def unsubscribe_url(subscription) -> str:
    return f"{settings.SITE_URL}{reverse('subscription_unsubscribe', args=[unsubscribe_token(subscription)])}"


def subscribe(email: str, *, region=None, department=None) -> Subscription | None:
    """Record the request and mail the confirmation link. An address already confirmed for the scope gets no
    second message (the page says the same either way, so it tells nobody who is subscribed)."""
    email = normalize_email(email)
    forget_unconfirmed()
    if department is not None:
        region = None
    key = Subscription.key_for(region=region, department=department)
    digest = personal_data.email_hash(email)
    subscription = Subscription.objects.filter(email_hash=digest, scope_key=key).first()
    if subscription is None:
        try:
            with transaction.atomic():
                subscription = Subscription.objects.create(
                    region=region,
                    department=department,
                    scope_key=key,
                    email_hash=digest,
                    email_encrypted=personal_data.encrypt(email),
                )
        except IntegrityError:  # the same address and scope, submitted twice at once
            subscription = Subscription.objects.get(email_hash=digest, scope_key=key)
    if subscription.confirmed_at is not None:
        return None
    link = confirm_url(subscription)
    transaction.on_commit(
        lambda: queue_email(
            f"{SUBJECT_PREFIX} 请确认订阅：{subscription.scope_label}",
            f"您好：\n\n有人（可能是您本人）在预决算公开平台用本邮箱订阅了以下范围的新公开通知：\n"
            f"{subscription.scope_label}\n\n请在 7 天内打开以下链接并点击“确认订阅”：\n{link}\n\n"
            "如果不是您本人订阅，请忽略本邮件，我们不会再向您发送任何邮件。\n",
            [email],
        )
    )
    return subscription


def forget_unconfirmed(now=None) -> int:
    """Delete the addresses never confirmed whose link has expired: kept no longer than the purpose needs
    (个人信息保护法第十九条). Run on each new subscription, so the table never holds them for long."""
    cutoff = (now or timezone.now()) - datetime.timedelta(seconds=CONFIRM_MAX_AGE)
    deleted, _ = Subscription.objects.filter(confirmed_at__isnull=True, created_at__lt=cutoff).delete()
    return deleted


def confirm(subscription) -> Subscription:
    if subscription.confirmed_at is None:
        subscription.confirmed_at = timezone.now()
        subscription.save(update_fields=["confirmed_at"])
    return subscription


def unsubscribe(subscription):
    subscription.delete()


# —— Notification of a publication ——————————————————————————————————————————————————————


def version_title(version) -> str:
    """抚顺市工业和信息化局 2025 年部门预算（第 2 版，更正）"""
    title = str(version.disclosure)
    if version.number > 1:
        title += f"（第 {version.number} 版，更正）"
    return title


def version_url(version) -> str:
    return reverse("disclosure_version", args=[version.disclosure_id, version.number])


def subscribers_for(department):
    """The confirmed subscriptions whose scope covers the department: everything, its region or one above, itself."""
    regions = [region.pk for region in department.region.ancestors()]
    return Subscription.objects.filter(confirmed_at__isnull=False).filter(
        Q(scope_key="all") | Q(region_id__in=regions) | Q(department_id=department.pk)
    )


def notify_publication(version):
    """One message to each confirmed subscriber in scope; returns how many were queued."""
    department = version.disclosure.department
    title = version_title(version)
    link = f"{settings.SITE_URL}{version_url(version)}"
    note = f"\n更正说明：{version.change_note}\n" if version.number > 1 and version.change_note else ""
    published_on = f"{version.published_on:%Y-%m-%d}" if version.published_on else ""
    queued = 0
    for subscription in subscribers_for(department).select_related("region", "department__region").order_by("pk"):
        leave = unsubscribe_url(subscription)
        queue_email(
            f"{SUBJECT_PREFIX} 新公开：{title}",
            f"您好：\n\n{title} 已于 {published_on} 公开。{note}\n查看：{link}\n\n"
            f"您收到本邮件，是因为您订阅了“{subscription.scope_label}”的新公开通知。\n"
            f"退订（打开后点击“退订”）：{leave}\n",
            [subscription.email],
            headers={"List-Unsubscribe": f"<{leave}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
        )
        queued += 1
    if queued:
        logger.info("新公开通知：版本 %s，%d 位订阅者", version.pk, queued)
    return queued


@shared_task(name="disclosures.notify_subscribers")
def notify_subscribers(version_pk):
    """Run by a worker after a publication: builds and queues the subscribers' messages (each sent by send_email).
    A version that is not (or no longer) published is not announced."""
    version = (
        Version.objects.select_related("disclosure__department__region")
        .filter(pk=version_pk, status=Version.Status.PUBLISHED)
        .first()
    )
    if version is None:
        return 0
    return notify_publication(version)


def _on_publication(sender, version, **kwargs):
    try:
        notify_subscribers.delay(version.pk)
    except Exception:  # a broker that cannot be reached must not undo the publication (already committed)
        logger.exception("could not queue the subscribers' notice of version %s", version.pk)


version_published.connect(_on_publication, sender=Version, dispatch_uid="subscriptions-notify")
