"""找回查询码: an applicant who lost the tracking code asks for it with the phone or e-mail of the application.

The codes go only to the contact on file (by SMS to the phone, by e-mail to the address), never onto the page:
whoever types someone else's phone learns nothing, and the owner of the phone gets a message. The page answers
the same words, the same status and the same redirect whether or not the contact has applied, and takes the same
time: the view only computes a keyed hash and queues a task (run by a worker, or in-process without a broker);
the task finds the requests by the keyed hash of the phone or e-mail (personal_data.phone_hash, email_hash) and
sends. Only the hash travels through the broker, not the contact.

Rate limits (ratelimit.py): per address, and per contact whoever asks, so that nobody floods an applicant's phone
with messages. Counted for every well-formed request, found or not, so the limit reveals nothing either.
"""

import logging

from celery import shared_task
from django.conf import settings
from django.urls import reverse

from disclosures.audit_trail import record_security_event
from disclosures.tasks import queue_email

from . import personal_data, ratelimit
from .models import InformationRequest

logger = logging.getLogger(__name__)

ANSWER = "如该联系方式有申请记录，查询码已发送，请查收短信或电子邮件。"
TOO_MANY = "找回查询码的请求过于频繁，请稍后再试。"
PER_ADDRESS_PER_HOUR = 10
PER_CONTACT_PER_DAY = 3
HOUR, DAY = 3600, 24 * 3600
# The most recent requests whose codes one message carries: enough for anyone filing by hand.
MAX_CODES = 20


def contact_hash(kind: str, value: str) -> str:
    return personal_data.phone_hash(value) if kind == "phone" else personal_data.email_hash(value)


def allowed(request, kind: str, value: str) -> bool:
    """Check and count both limits; raises ratelimit.Unavailable when the counters cannot be reached."""
    address_key = f"information_requests:recover:{ratelimit.client_ip(request)}"
    contact_key = f"information_requests:recover-contact:{ratelimit.fingerprint(f'{kind}:{contact_hash(kind, value)}')}"
    if ratelimit.count(address_key) >= PER_ADDRESS_PER_HOUR or ratelimit.count(contact_key) >= PER_CONTACT_PER_DAY:
        return False
    ratelimit.hit(address_key, HOUR)
    ratelimit.hit(contact_key, DAY)
    return True


def queue(kind: str, value: str):
    """Hand the search and the sending to a worker; a broker that cannot be reached is logged, as the page
    answers the same either way."""
    try:
        send_codes.apply_async(args=(kind, contact_hash(kind, value)), argsrepr=f"({kind!r}, …)")
    except Exception:
        logger.exception("could not queue the recovery of tracking codes")


def matching(kind: str, hashed: str):
    if not hashed:
        return InformationRequest.objects.none()
    field = "phone_hash" if kind == "phone" else "email_hash"
    return (
        InformationRequest.objects.filter(**{field: hashed}, anonymised_on__isnull=True)
        .select_related("department")
        .order_by("-submitted_at", "-pk")[:MAX_CODES]
    )


def _lines(requests):
    return "\n".join(
        f"{r.display_code}（{r.department.name}，{r.submitted_at:%Y-%m-%d}提交，{r.get_status_display()}）" for r in requests
    )


def _lookup_url():
    return f"{settings.SITE_URL}{reverse('information_requests:lookup')}"


def send_email(address, requests):
    body = (
        "您好：\n\n有人在政府信息公开申请平台为本邮箱申请找回查询码。本邮箱申请记录的查询码如下：\n\n"
        f"{_lines(requests)}\n\n请在“政府信息公开申请查询”页面（{_lookup_url()}）凭查询码和申请时所留电话号码的后四位"
        "查看办理进度和答复。如非本人操作，请忽略本邮件，查询码不会因此改变。\n本邮件由系统自动发送，请勿直接回复。"
    )
    queue_email("【政府信息公开申请】找回查询码", body, [address])


def send_text(phone, requests):
    from .sms import send_sms  # the SMS backends (settings.SMS_BACKEND)

    codes = "；".join(f"{r.display_code}（{r.department.name}）" for r in requests)
    send_sms(phone, f"您的政府信息公开申请查询码：{codes}。请凭查询码在 {_lookup_url()} 查看。如非本人操作请忽略。")


@shared_task(name="information_requests.send_recovery_codes")
def send_codes(kind: str, hashed: str) -> int:
    """Send the codes of the requests filed with this phone (kind "phone") or e-mail to that contact as stored
    on each request. Returns how many codes were sent (0 when none matched: nobody is told)."""
    by_contact = {}
    for r in matching(kind, hashed):
        contact = r.phone if kind == "phone" else r.email
        if contact:
            by_contact.setdefault(contact, []).append(r)
    sent = 0
    for contact, requests in by_contact.items():
        try:
            (send_text if kind == "phone" else send_email)(contact, requests)
        except Exception as error:
            # The exception may name the contact: only its type is logged (个人信息保护法第五十一条).
            logger.error("could not send recovered tracking codes by %s: %s", kind, type(error).__name__)
            continue
        sent += len(requests)
    if sent:
        record_security_event(
            "recover_tracking_code",
            remarks=f"找回查询码：向申请所留{'联系电话' if kind == 'phone' else '电子邮箱'}发送 {sent} 件申请的查询码",
            count=sent,
            request_ids=[r.pk for requests in by_contact.values() for r in requests],
        )
    return sent
