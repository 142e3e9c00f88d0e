"""Messages to the applicant and to staff. Sent from inside the service functions (never from views).

A message to the applicant links to the lookup page and gives the tracking code in the text, never in a
link: a code in a URL ends up in access logs and browser histories. Messages to staff name a request by the
first characters of its code and carry no personal data of the applicant (个人信息保护法第六条).
"""

from django.conf import settings
from django.urls import reverse

from disclosures.models import Membership
from disclosures.tasks import queue_email

from . import delivery


def footer(request):
    return (
        f"\n\n查询码：{request.display_code}"
        f"\n您可在“政府信息公开申请查询”页面（{settings.SITE_URL}{reverse('information_requests:lookup')}），"
        "凭查询码和申请时所留电话号码的后四位查看办理进度和答复。"
        "\n本邮件由系统自动发送，请勿直接回复。"
    )


def _send(subject, body, recipients):
    # Handed to a worker (disclosures.tasks.send_email), which tries again while the relay is down: a mail server
    # outage must not undo a legal step already taken, nor hold the request. Queued at once, as the message was
    # sent before: the services that call this are the steps themselves.
    queue_email(subject, body, recipients)


def applicant(request, subject, body, *, notice=None, today=None):
    """To the applicant by e-mail, or by SMS when they gave no address (a short text pointing to the status page).
    A `notice` (补正, 延期, 征求意见, 收费, 答复) gets a delivery record (delivery.py): the periods that count from
    its receipt wait for it. `today`: the step's date, when a past one is given (the demo loader)."""
    full_subject, text = f"【政府信息公开申请】{subject}", f"{request.name}：\n\n{body}{footer(request)}"
    if notice is not None:
        delivery.issue(request, notice, full_subject, text, delivery.sms_text(request, subject), today=today)
    elif request.email:
        _send(full_subject, text, [request.email])
    else:
        delivery.send_text(request, delivery.sms_text(request, subject))


def staff(request, subject, body, roles=(Membership.Role.REQUEST_HANDLER,)):
    addresses = Membership.objects.filter(department=request.department, role__in=roles).values_list(
        "user__email", flat=True
    )
    _send(f"【依申请公开】{subject}", f"{request.department}：\n\n{body}", sorted(set(addresses)))
