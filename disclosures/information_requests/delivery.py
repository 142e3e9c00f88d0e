"""送达: how each notice to the applicant reached them, and the periods that count from it.

Every notice a step issues to the applicant (补正 条例第三十条, 延期 第三十三条, 征求第三方意见 第三十二条, the fee
notice 第四十二条, the reply 第三十六条) gets a NoticeDelivery when it is issued (notify.applicant):

- by e-mail when the applicant gave an address, else by SMS to their phone. The worker that sends it marks it
  delivered when the send succeeds — the mail relay taking the message, the SMS provider answering with a message
  id, which is kept as the proof — or failed when it is refused for good;
- by post or in person staff record it on the request's page (record_delivery): the date it was received and the
  proof (the tracking number, the number of the signed 送达回证).

A period the applicant has "from receiving the notice" counts from the earliest delivery: the 补正 period
(条例第三十条) and the time to pay the fee. Until a delivery is recorded that period has not started: the page
says "待送达后计算", nothing expires, and the daily job tells the handlers instead (services.expire_deadlines).
A notice none of whose records is delivered is "待送达" in the inbox.
"""

import datetime
import logging
from email.utils import make_msgid
from urllib.parse import urlsplit

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from disclosures import workdays

from . import sms
from .models import (
    Amendment,
    Extension,
    FeeNotice,
    InformationRequest,
    NoticeDelivery,
    Reply,
    RequestEvent,
    Status,
    ThirdPartyConsultation,
)
from .personal_data import normalize_phone

logger = logging.getLogger(__name__)

Kind = NoticeDelivery.Kind
Channel = NoticeDelivery.Channel
State = NoticeDelivery.State

NOTICE_MODELS = {
    Kind.AMENDMENT: Amendment,
    Kind.EXTENSION: Extension,
    Kind.CONSULTATION: ThirdPartyConsultation,
    Kind.FEE: FeeNotice,
    Kind.REPLY: Reply,
}
KIND_OF = {model: kind for kind, model in NOTICE_MODELS.items()}
# What staff record on the request's page; e-mail and SMS are recorded by the sending itself.
STAFF_CHANNELS = [(Channel.POST, Channel.POST.label), (Channel.IN_PERSON, Channel.IN_PERSON.label)]
PENDING_LABEL = "待送达后计算"


def kind_of(notice) -> str:
    return KIND_OF[type(notice)]


def notice_date(notice) -> datetime.date | None:
    """The day the notice was issued (the earliest it can have been received)."""
    if isinstance(notice, Amendment):
        return notice.notice_on
    if isinstance(notice, Extension):
        return notice.decided_on or notice.requested_on
    if isinstance(notice, ThirdPartyConsultation):
        return notice.sent_on
    if isinstance(notice, FeeNotice):
        return notice.issued_on
    return notice.sent_on


def notice_of(delivery):
    return NOTICE_MODELS[delivery.kind].objects.filter(pk=delivery.notice_id).first()


def records_of(notice):
    return NoticeDelivery.objects.filter(kind=kind_of(notice), notice_id=notice.pk)


def delivered_on(notice) -> datetime.date | None:
    """The day the notice first reached the applicant, or None while no delivery is recorded."""
    return (
        records_of(notice).filter(state=State.DELIVERED).order_by("delivered_on").values_list("delivered_on", flat=True)
    ).first()


def amendment_deadline(amendment) -> datetime.date | None:
    """The last day to amend (条例第三十条), counted from the delivery of the notice; None until it is delivered."""
    return amendment.deadline if delivered_on(amendment) is not None else None


def fee_deadline(notice) -> datetime.date | None:
    """The last day to pay, 20 working days from the delivery of the fee notice; None until it is delivered."""
    return notice.pay_by if delivered_on(notice) is not None else None


# —— Sending (called by notify.applicant inside the step's transaction) ——————————————————————————————


def channel_for(request) -> str:
    """E-mail when the applicant gave an address, else SMS; post when there is neither (staff send it)."""
    if request.email:
        return Channel.EMAIL
    if normalize_phone(request.phone):
        return Channel.SMS
    return Channel.POST


def status_page_url() -> str:
    return f"{settings.SITE_URL}{reverse('information_requests:lookup')}"


def sms_text(request, subject: str) -> str:
    """Short: what happened, and where to read it. No tracking code (a text message is read on a lock screen)."""
    return f"您向{request.department}提出的政府信息公开申请：{subject}。请凭查询码在 {status_page_url()} 查看。"


def issue(request, notice, subject: str, body: str, sms_body: str, *, today=None) -> NoticeDelivery:
    """Open the delivery of a notice and queue its sending. `today`, when a past date is given (the demo loader
    building a history), is the day a successful send counts as the delivery; otherwise the day it succeeds."""
    channel = channel_for(request)
    delivery = NoticeDelivery.objects.create(request=request, kind=kind_of(notice), notice_id=notice.pk, channel=channel)
    if channel == Channel.POST:
        return delivery  # nothing to send: staff post it and record it
    as_of = today.isoformat() if today is not None and today != timezone.localdate() else None
    text = body if channel == Channel.EMAIL else sms_body

    def queue():
        try:
            # argsrepr: the message is personal data and stays out of worker logs and monitors.
            deliver_notice.apply_async(
                args=(delivery.pk, subject, text, as_of), argsrepr=f"({delivery.pk}, {subject!r}, …)"
            )
        except Exception:
            logger.exception("could not queue the delivery of %s %s", delivery.kind, delivery.pk)

    _after_commit(queue)
    return delivery


def _after_commit(queue):
    """A worker sends once the step is committed (it reads the record; a step rolled back sends nothing). Without
    a broker (make run, the tests) the task runs here, in the step's transaction, as e-mails always have."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        queue()
    else:
        transaction.on_commit(queue)


def send_text(request, text: str):
    """A message that is no notice (a receipt, a registration) to an applicant without e-mail: by SMS, untracked."""
    phone = normalize_phone(request.phone)
    if not phone:
        return

    def queue():
        try:
            send_text_message.apply_async(args=(request.pk, text), argsrepr=f"({request.pk}, …)")
        except Exception:
            logger.exception("could not queue a text message for request %s", request.pk)

    _after_commit(queue)


def _send_email(request, subject, body) -> str:
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    message_id = make_msgid(domain=host)
    EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [request.email], headers={"Message-ID": message_id}).send()
    return message_id


def _refused():
    from disclosures.tasks import REFUSED

    return (*REFUSED, sms.SmsRefused)


@shared_task(bind=True, name="information_requests.deliver_notice", max_retries=8)
def deliver_notice(self, delivery_pk, subject, text, as_of=None):
    """Send one notice by its record's channel and record the outcome. Tried again after 30 s, 1, 2 … minutes
    while the relay or the provider is unreachable; a refusal is final (the record says why)."""
    delivery = NoticeDelivery.objects.select_related("request__department").filter(pk=delivery_pk).first()
    if delivery is None:
        return "missing"
    if delivery.state != State.AWAITING:
        return delivery.state  # a task run twice (acks late): done already
    request = delivery.request
    try:
        if delivery.channel == Channel.EMAIL:
            message_id, proves = _send_email(request, subject, text), True
        else:
            backend = sms.get_backend()
            message_id, proves = backend.send(normalize_phone(request.phone), text), backend.proves_delivery
    except _refused() as exc:
        # Not the exception's text: it may name the address or the number (个人信息保护法第五十一条).
        mark_failed(delivery.pk, reason=str(exc) if isinstance(exc, sms.SmsRefused) else f"收件地址被拒收（{type(exc).__name__}）")
        return State.FAILED
    except Exception as exc:
        if self.request.is_eager or self.request.retries >= self.max_retries:
            logger.error("could not deliver %s %s: %s", delivery.kind, delivery.pk, type(exc).__name__)
            mark_failed(delivery.pk, reason=f"发送失败（{type(exc).__name__}）")
            return State.FAILED
        raise self.retry(exc=exc, countdown=min(300, 30 * 2**self.request.retries))
    if not proves:
        NoticeDelivery.objects.filter(pk=delivery.pk).update(proof=f"{message_id}（未实际发出）")
        return State.AWAITING
    on = datetime.date.fromisoformat(as_of) if as_of else timezone.localdate()
    mark_delivered(delivery.pk, on=on, proof=message_id)
    return State.DELIVERED


@shared_task(bind=True, name="information_requests.send_text_message", max_retries=8)
def send_text_message(self, request_pk, text):
    request = InformationRequest.objects.filter(pk=request_pk).first()
    if request is None or not normalize_phone(request.phone):
        return
    try:
        sms.send_sms(normalize_phone(request.phone), text)
    except sms.SmsRefused as exc:
        logger.error("text message for request %s refused: %s", request_pk, exc)
    except Exception as exc:
        if self.request.is_eager or self.request.retries >= self.max_retries:
            logger.error("could not send a text message for request %s: %s", request_pk, type(exc).__name__)
            return
        raise self.retry(exc=exc, countdown=min(300, 30 * 2**self.request.retries))


# —— Recording a delivery ————————————————————————————————————————————————————————————————————————


def _moves_deadline(delivery, notice, on, earlier):
    """The period of a notice counts from its earliest delivery: shift the stored deadline when `on` is earlier
    than the delivery it counted from (the notice day while none was recorded). Returns a remark, or ""."""
    from . import clock, services

    request = delivery.request
    if isinstance(notice, Amendment):
        if notice.amended_on is not None or request.status != Status.AWAITING_AMENDMENT:
            return ""
        anchor = earlier or notice.notice_on
        if on == anchor or (earlier is not None and on > earlier):
            return ""
        # 条例第三十条: the applicant has as many working days as the notice gave, from receiving it.
        period = workdays.workdays_between(anchor, notice.deadline)
        notice.deadline = workdays.add_workdays(on, period)
        notice.save(update_fields=["deadline"])
        return f"补正期限自送达之日起计算，至{services._fmt(notice.deadline)}"
    if isinstance(notice, FeeNotice):
        if notice.status != FeeNotice.Status.PENDING or (earlier is not None and on >= earlier):
            return ""
        pay_by = workdays.add_workdays(on, clock.FEE_PERIOD)
        if pay_by == notice.pay_by:
            return ""
        notice.pay_by = pay_by
        notice.save(update_fields=["pay_by"])
        if request.status == Status.AWAITING_FEE:
            services._refresh_due(request)
            request.save(update_fields=["due_on"])
        return f"缴费期限自送达之日起计算，至{services._fmt(pay_by)}"
    return ""


def _lock_request(request_pk):
    return InformationRequest.objects.select_for_update().select_related("department").get(pk=request_pk)


@transaction.atomic
def mark_delivered(delivery_pk, *, on: datetime.date, proof: str = "", actor=None) -> NoticeDelivery:
    """A delivery succeeded on `on`: the record says so, a period counting from it moves if this is the
    earliest delivery of the notice, and the history shows it."""
    from . import services

    delivery = NoticeDelivery.objects.select_for_update().get(pk=delivery_pk)
    delivery.request = _lock_request(delivery.request_id)
    notice = notice_of(delivery)
    earlier = delivered_on(notice)
    delivery.state, delivery.delivered_on, delivery.proof, delivery.failure = State.DELIVERED, on, proof[:200], ""
    if actor is not None:
        delivery.recorded_by = actor
    delivery.save()
    moved = _moves_deadline(delivery, notice, on, earlier)
    remarks = f"{delivery.get_kind_display()}于{services._fmt(on)}通过{delivery.get_channel_display()}送达"
    # A delivery by the sending itself is dated the day it succeeded (a past day when the demo builds a history).
    services.record(
        delivery.request, RequestEvent.Action.NOTICE_DELIVERED, actor=actor, today=on if actor is None else None,
        remarks=remarks + (f"；{moved}" if moved else ""),
        kind=delivery.kind, channel=delivery.channel, delivered_on=str(on), proof=delivery.proof,
    )  # fmt: skip
    return delivery


@transaction.atomic
def mark_failed(delivery_pk, *, reason: str) -> NoticeDelivery:
    """A send refused or given up: the notice stays 待送达 (unless another way reached the applicant), and the
    handlers are told so that they post it."""
    from . import notify, services

    delivery = NoticeDelivery.objects.select_for_update().get(pk=delivery_pk)
    delivery.request = _lock_request(delivery.request_id)
    delivery.state, delivery.failure = State.FAILED, reason[:200]
    delivery.save(update_fields=["state", "failure"])
    services.record(
        delivery.request, RequestEvent.Action.NOTICE_UNDELIVERED, public=False,
        remarks=f"{delivery.get_kind_display()}未能通过{delivery.get_channel_display()}送达：{delivery.failure}",
        kind=delivery.kind, channel=delivery.channel,
    )  # fmt: skip
    notify.staff(
        delivery.request, "通知未能送达",
        f"申请 {delivery.request.short_code} 的{delivery.get_kind_display()}未能通过{delivery.get_channel_display()}送达"
        f"（{delivery.failure}）。请以邮寄或当面方式送达，并在申请页面记录送达日期。",
    )  # fmt: skip
    return delivery


def parse_notice_key(request, key: str):
    """"amendment:12" → the request's Amendment 12; None when it is not one of this request's notices."""
    kind, _, pk = (key or "").partition(":")
    if kind not in NOTICE_MODELS or not pk.isdigit():
        return None
    return NOTICE_MODELS[kind].objects.filter(request=request, pk=int(pk)).first()


def notice_key(notice) -> str:
    return f"{kind_of(notice)}:{notice.pk}"


@transaction.atomic
def record_delivery(request, *, notice: str, channel: str, delivered_on: datetime.date, proof: str, actor, today=None):
    """Staff record a notice delivered by post (the tracking number) or in person (the 送达回证 the applicant signed), on
    the day the applicant received it. An awaiting record of that channel is filled in, else one is added."""
    from . import services

    today = today or timezone.localdate()
    services._require(actor, request)
    target = parse_notice_key(request, notice)
    if target is None:
        raise services.RequestError("请选择本申请的一份通知。")
    if channel not in dict(STAFF_CHANNELS):
        raise services.RequestError("请选择邮寄或当面送达。")
    issued = notice_date(target)
    if issued is not None and not issued <= delivered_on <= today:
        raise services.RequestError(f"送达日期应在通知发出之日（{services._fmt(issued)}）与今天之间。")
    proof = (proof or "").strip()
    if not proof:
        raise services.RequestError("邮寄送达请填写邮件单号；当面送达请填写送达回证编号。")
    kind = kind_of(target)
    delivery = (
        NoticeDelivery.objects.select_for_update()
        .filter(request=request, kind=kind, notice_id=target.pk, channel=channel, state=State.AWAITING)
        .first()
    ) or NoticeDelivery.objects.create(request=request, kind=kind, notice_id=target.pk, channel=channel)
    return mark_delivered(delivery.pk, on=delivered_on, proof=proof, actor=actor)


# —— What the pages show ———————————————————————————————————————————————————————————————————————————


def _delivered_sibling():
    return NoticeDelivery.objects.filter(
        request=OuterRef("request"), kind=OuterRef("kind"), notice_id=OuterRef("notice_id"), state=State.DELIVERED
    )


def undelivered():
    """Records of notices that no record shows delivered."""
    return NoticeDelivery.objects.exclude(state=State.DELIVERED).exclude(Exists(_delivered_sibling()))


def awaiting_request_ids():
    """The requests with a notice awaiting delivery (a subquery, for the inbox tab)."""
    return undelivered().values("request_id")


def notices_of(request) -> list:
    """The request's notices to the applicant, in the order they were issued."""
    notices = []
    amendment = Amendment.objects.filter(request=request).first()
    if amendment is not None:
        notices.append(amendment)
    notices += list(request.extensions.filter(status=Extension.Status.APPROVED))
    notices += list(request.consultations.all())
    notices += list(request.fee_notices.all())
    reply = Reply.objects.filter(request=request).first()
    if reply is not None:
        notices.append(reply)
    return notices


def detail(request, bound_form=None) -> list[dict]:
    """For the request's page: each notice, its records, whether it is delivered, and the form to record one."""
    from .delivery_forms import DeliveryForm

    records = list(request.deliveries.select_related("recorded_by"))
    rows = []
    for notice in notices_of(request):
        key = notice_key(notice)
        # None for a notice issued before deliveries were recorded: staff may still record how it arrived.
        mine = [d for d in records if d.kind == kind_of(notice) and d.notice_id == notice.pk]
        delivered = [d.delivered_on for d in mine if d.state == State.DELIVERED]
        if bound_form is not None and bound_form.data.get("notice") == key:
            form = bound_form
        else:
            form = DeliveryForm(initial={"notice": key, "delivered_on": timezone.localdate()}, auto_id=f"id_{key.replace(':', '_')}_%s")
        rows.append(
            {
                "key": key,
                "label": Kind(kind_of(notice)).label,
                "issued_on": notice_date(notice),
                "records": mine,
                "delivered_on": min(delivered) if delivered else None,
                "form": form,
            }
        )
    return rows
