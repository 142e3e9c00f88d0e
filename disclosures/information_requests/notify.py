"""Messages to the applicant and to staff. Sent from inside the service functions (never from views)."""

import logging

from django.core.mail import send_mail

from disclosures.models import Membership

log = logging.getLogger(__name__)

FOOTER = (
    "\n\n您可在本平台“政府信息公开申请查询”页面，凭查询码和申请时所留电话号码的后四位查看办理进度和答复。"
    "\n本邮件由系统自动发送，请勿直接回复。"
)


def _send(subject, body, recipients):
    recipients = [address for address in recipients if address]
    if not recipients:
        return
    try:
        send_mail(subject, body, None, recipients)
    except Exception:  # a mail server outage must not undo a legal step already taken
        log.exception("could not send %r to %s", subject, recipients)


def applicant(request, subject, body):
    _send(f"【政府信息公开申请】{subject}", f"{request.name}：\n\n{body}{FOOTER}", [request.email])


def staff(request, subject, body, roles=(Membership.Role.REQUEST_HANDLER,)):
    addresses = Membership.objects.filter(department=request.department, role__in=roles).values_list(
        "user__email", flat=True
    )
    _send(f"【依申请公开】{subject}", f"{request.department}：\n\n{body}", sorted(set(addresses)))
