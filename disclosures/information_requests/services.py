"""Every state change of an InformationRequest goes through one function here.

Each function checks (state and role), changes, appends a RequestEvent and notifies, inside one
transaction. Views and commands only call these and show a RequestError's message.
`today` defaults to the local date; the demo loader passes past dates to build a history.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from disclosures import workdays
from disclosures.models import Membership, roles_in_department
from disclosures.text import normalize

from . import attachments as attached_files
from . import clock, delivery, fees, letter, notify
from .models import (
    STATUS_TRANSITIONS,
    Amendment,
    Appeal,
    Extension,
    FeeNotice,
    InformationRequest,
    Reply,
    ReplyFile,
    RequestEvent,
    Status,
    ThirdPartyConsultation,
)
from .outcomes import DISCLOSING, OUTCOME_RULES, STAFF_OUTCOMES, Outcome

Action = RequestEvent.Action
HANDLING_ROLES = {Membership.Role.REQUEST_HANDLER, Membership.Role.REQUEST_APPROVER}


class RequestError(Exception):
    """A step the rules do not allow; the message is shown to the user as it is."""


def _today(today):
    return today or timezone.localdate()


def _moment(today):
    """The event time: now, or (when a past date is given) that date at the current clock time."""
    now = timezone.localtime()
    if today is None or today == now.date():
        return now
    return now.replace(year=today.year, month=today.month, day=today.day)


def _fmt(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def record(request, action, *, actor=None, today=None, public=True, remarks="", by_applicant=False, **data):
    if by_applicant:
        name = "申请人"
    else:
        name = (actor.get_full_name() or actor.get_username()) if actor is not None else "系统"
    return RequestEvent.objects.create(
        request=request,
        action=action,
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_name=name,
        at=_moment(today),
        public=public,
        remarks=remarks,
        data=data,
    )


def _move(request, status):
    if status not in STATUS_TRANSITIONS[Status(request.status)]:
        raise RequestError(f"申请当前状态为“{request.get_status_display()}”，不能进行此操作。")
    request.status = status


def _require(
    actor, request, roles=HANDLING_ROLES, message="只有本部门依申请公开经办人或信息公开工作机构负责人可以办理。"
):
    if actor is None or not (roles_in_department(actor, request.department) & set(roles)):
        raise RequestError(message)


def _require_status(request, *statuses):
    if request.status not in statuses:
        raise RequestError(f"申请当前状态为“{request.get_status_display()}”，不能进行此操作。")


def _refresh_due(request):
    request.due_on = clock.due_date(request)


def _provisional(request) -> str:
    """The caveat a due date in a year without a published holiday schedule carries, in emails as on pages."""
    if request.clock_started_on is None or request.due_on is None:
        return ""
    note = clock.unknown_years_note(workdays.unknown_years(request.clock_started_on, request.due_on))
    return f"（{note.rstrip('。')}）" if note else ""


def _lock(request):
    """Lock the row; refuse if someone else changed the state since this page was loaded."""
    current = (
        InformationRequest.objects.select_for_update().filter(pk=request.pk).values_list("status", flat=True).get()
    )
    if current != request.status:
        raise RequestError("申请状态已被他人更新，请刷新页面后重试。")
    return request


# —— Citizens ————————————————————————————————————————————————————————————————


@transaction.atomic
def submit_request(data: dict, *, now=None, attachments=()) -> InformationRequest:
    """An application arrives online (条例第二十九条). The clock does not start until staff confirm receipt
    (第三十一条: online, the day both sides confirm). `attachments`: checked (kind, upload, content type)
    triples (forms.AttachmentsMixin), stored in the same transaction."""
    now = now or timezone.now()
    request = InformationRequest(**data, submitted_at=now, privacy_consent_at=now)
    request.refresh_hashes()
    # The same applicant by the keyed hash of the ID number: the number itself is stored encrypted.
    request.possible_repeat_of = (
        InformationRequest.objects.filter(
            department=request.department,
            id_type=request.id_type,
            id_number_hash=request.id_number_hash,
            description=request.description,
        )
        .order_by("submitted_at")
        .first()
    )
    request.save()
    stored = attached_files.store(request, "application", attachments)
    record(
        request, Action.SUBMIT, today=timezone.localtime(now).date(),
        remarks="通过网上申请平台提交" + attached_files.remarks(stored), by_applicant=True,
    )  # fmt: skip
    notify.applicant(
        request,
        "申请已提交",
        f"您向{request.department}提出的政府信息公开申请已提交。请妥善保存下方的查询码。\n"
        "工作人员确认登记后开始计算答复期限（20个工作日，登记当日不计算在内）。",
    )
    notify.staff(request, "新的政府信息公开申请", f"收到一件新的政府信息公开申请（{request.short_code}），请及时登记。")
    return request


@transaction.atomic
def submit_amendment(request, text: str, *, today=None, attachments=()) -> InformationRequest:
    """The amended application arrives: the 20 working days start again from today (条例第三十条)."""
    today = _today(today)
    _lock(request)
    _require_status(request, Status.AWAITING_AMENDMENT)
    amendment = request.amendment
    # 条例第三十条: the period counts from the delivery of the notice; before one is recorded it has not run out.
    deadline = delivery.amendment_deadline(amendment)
    if deadline is not None and today > deadline:
        raise RequestError(f"补正期限（{_fmt(deadline)}）已过，不能再提交补正。")
    if not text.strip():
        raise RequestError("请填写补正内容。")
    amendment.amended_on = today
    amendment.amended_text = text.strip()
    amendment.save(update_fields=["amended_on", "amended_text"])
    _move(request, Status.IN_PROGRESS)
    if not amendment.late:
        request.clock_started_on = today  # 条例第三十条: the period counts from the amended application
    _refresh_due(request)
    request.save(update_fields=["status", "clock_started_on", "due_on"])
    stored = attached_files.store(request, "amendment", attachments)
    restarted = "答复期限自收到补正申请之日起重新计算" if not amendment.late else "补正通知逾期发出，答复期限不重新计算"
    restarted += attached_files.remarks(stored)
    record(request, Action.AMEND, today=today, by_applicant=True, remarks=restarted, due_on=str(request.due_on))
    notify.applicant(
        request, "补正申请已收到",
        f"您的补正申请已收到。{'答复期限重新计算' if not amendment.late else '答复期限不变'}，至{_fmt(request.due_on)}"
        f"{_provisional(request)}。",
    )  # fmt: skip
    notify.staff(
        request, "申请人已补正", f"申请 {request.short_code} 的申请人已提交补正，答复期限至{_fmt(request.due_on)}。"
    )
    return request


# —— Staff ————————————————————————————————————————————————————————————————————


@transaction.atomic
def receive(request, *, actor, today=None) -> InformationRequest:
    """登记 (条例第三十一条): online, the receipt date is the day the agency confirms. The 20 working days
    count from the next working day (第三十三条)."""
    today = _today(today)
    _require(actor, request)
    _lock(request)
    _move(request, Status.IN_PROGRESS)
    request.received_on = today
    request.clock_started_on = today
    if request.handler is None:
        request.handler = actor
    _refresh_due(request)
    request.save(update_fields=["status", "received_on", "clock_started_on", "due_on", "handler"])
    record(request, Action.RECEIVE, actor=actor, today=today, due_on=str(request.due_on))
    notify.applicant(
        request,
        "申请已登记",
        f"{request.department}已于{_fmt(today)}登记您的申请，依法应于{_fmt(request.due_on)}前答复"
        f"（20个工作日，登记当日不计算在内）{_provisional(request)}。",
    )
    return request


@transaction.atomic
def assign(request, handler, *, actor) -> InformationRequest:
    _require(actor, request)
    if request.status == Status.CLOSED:
        raise RequestError("申请已办结，不能再指定经办人。")
    if not roles_in_department(handler, request.department) & HANDLING_ROLES:
        raise RequestError("所选人员不是本部门依申请公开经办人。")
    request.handler = handler
    request.save(update_fields=["handler"])
    record(request, Action.ASSIGN, actor=actor, public=False, handler=handler.get_username())
    return request


@transaction.atomic
def send_amendment_notice(request, *, instructions: str, deadline: datetime.date, actor, today=None) -> Amendment:
    """补正 (条例第三十条): once only, saying what to fix and by a reasonable deadline (at least
    REQUEST_AMENDMENT_MIN_WORKDAYS working days); the clock stops. The notice is due within 7 working
    days of receipt — a later one is still sent (the applicant is better served by it than by a
    refusal) but is marked late, and stops nothing: the period keeps counting from receipt."""
    today = _today(today)
    _require(actor, request)
    _lock(request)
    _require_status(request, Status.IN_PROGRESS)
    if Amendment.objects.filter(request=request).exists():
        raise RequestError("补正通知只能发出一次（条例第三十条）。")
    if not instructions.strip():
        raise RequestError("请写明需要补正的事项。")
    shortest = workdays.add_workdays(today, settings.REQUEST_AMENDMENT_MIN_WORKDAYS)
    if deadline < shortest:
        raise RequestError(
            f"补正期限至少为{settings.REQUEST_AMENDMENT_MIN_WORKDAYS}个工作日，即不早于{_fmt(shortest)}（条例第三十条：合理的补正期限）。"
        )
    late = today > clock.amendment_window_ends(request.received_on)
    amendment = Amendment.objects.create(
        request=request, notice_on=today, instructions=instructions.strip(), deadline=deadline, late=late, sent_by=actor
    )
    _move(request, Status.AWAITING_AMENDMENT)
    _refresh_due(request)
    request.save(update_fields=["status", "due_on"])
    record(
        request, Action.AMENDMENT_NOTICE, actor=actor, today=today,
        remarks=instructions.strip(), deadline=str(deadline), late=late,
    )  # fmt: skip
    counting = (
        "答复期限自收到补正申请之日起重新计算"
        if not late
        else f"本通知超过登记后7个工作日发出，答复期限不因补正而重新计算，仍为{_fmt(request.due_on)}"
    )
    # 条例第三十条: the period runs from the applicant's receipt of the notice (delivery.py), so it is said in
    # working days, with the date it ends on when the notice arrives today.
    period = workdays.workdays_between(today, deadline)
    notify.applicant(
        request,
        "请补正申请",
        f"您的申请需要补正：\n{instructions.strip()}\n\n请自收到本通知之日起{period}个工作日内在查询页面提交补正"
        f"（今日收到本通知的，请于{_fmt(deadline)}前提交）。"
        f"{counting}；逾期未补正的，视为放弃申请（条例第三十条）。",
        notice=amendment, today=today,
    )  # fmt: skip
    return amendment


@transaction.atomic
def close_unamended(request, *, today=None) -> Reply:
    """条例第三十条: no amendment by the deadline — the application is treated as abandoned (其他处理·1)."""
    today = _today(today)
    _lock(request)
    _require_status(request, Status.AWAITING_AMENDMENT)
    deadline = delivery.amendment_deadline(request.amendment)
    if deadline is None:
        raise RequestError("补正通知尚无送达记录，补正期限尚未起算（条例第三十条），不能按逾期未补正办结。")
    if today <= deadline:
        raise RequestError(f"补正期限（{_fmt(deadline)}）未过。")
    record(request, Action.AMENDMENT_EXPIRED, today=today, deadline=str(request.amendment.deadline))
    return _close(
        request, Outcome.OTHER_NO_AMENDMENT, reasons=f"补正期限为{_fmt(request.amendment.deadline)}。", today=today
    )


def _require_within_period(request, today):
    """条例第三十三条: an extension is decided, and the applicant told, within the period it extends."""
    if request.due_on is not None and today > request.due_on:
        raise RequestError(
            f"答复期限（{_fmt(request.due_on)}）已过，不能再延长：延期须在答复期限内决定并告知申请人（条例第三十三条）。"
        )


@transaction.atomic
def request_extension(request, *, days: int, reason: str, actor, today=None) -> Extension:
    """延期 (条例第三十三条): once, at most 20 working days; takes effect when the approver approves."""
    today = _today(today)
    _require(actor, request)
    _lock(request)
    _require_status(request, Status.IN_PROGRESS, Status.CONSULTATION, Status.AWAITING_FEE)
    if not 1 <= days <= clock.MAX_EXTENSION:
        raise RequestError("延长期限最长不得超过20个工作日（条例第三十三条）。")
    _require_within_period(request, today)
    if not reason.strip():
        raise RequestError("请写明延期理由。")
    existing = request.extensions.exclude(status=Extension.Status.REJECTED).first()
    if existing is not None:
        raise RequestError(
            "答复期限只能延长一次（条例第三十三条），本申请已有"
            + ("获批准的延期。" if existing.status == Extension.Status.APPROVED else "待批准的延期申请。")
        )
    extension = Extension.objects.create(
        request=request, days=days, reason=reason.strip(), requested_by=actor, requested_on=today
    )
    record(request, Action.EXTENSION_REQUEST, actor=actor, today=today, public=False, remarks=reason.strip(), days=days)
    notify.staff(
        request, "延期待批准", f"申请 {request.short_code} 申请延期{days}个工作日，请批准。",
        roles=(Membership.Role.REQUEST_APPROVER,),
    )  # fmt: skip
    return extension


@transaction.atomic
def approve_extension(extension, *, actor, today=None) -> Extension:
    """条例第三十三条: the head of the disclosure office approves; the applicant is told the new date."""
    today = _today(today)
    request = extension.request
    _require(actor, request, roles={Membership.Role.REQUEST_APPROVER}, message="延期须经信息公开工作机构负责人批准。")
    _lock(request)
    _require_status(request, Status.IN_PROGRESS, Status.CONSULTATION, Status.AWAITING_FEE)
    extension.refresh_from_db()
    if extension.status != Extension.Status.PENDING:
        raise RequestError("该延期申请已处理。")
    _require_within_period(request, today)
    extension.status = Extension.Status.APPROVED
    extension.decided_by, extension.decided_on = actor, today
    extension.save()
    _refresh_due(request)
    extension.new_due_on = request.due_on
    extension.save(update_fields=["new_due_on"])
    request.save(update_fields=["due_on"])
    record(
        request, Action.EXTENSION_APPROVE, actor=actor, today=today, remarks=extension.reason,
        days=extension.days, due_on=str(request.due_on),
    )  # fmt: skip
    notify.applicant(
        request,
        "答复期限延长",
        f"因{extension.reason}，经信息公开工作机构负责人同意，答复期限延长{extension.days}个工作日，"
        f"至{_fmt(request.due_on)}（条例第三十三条）{_provisional(request)}。",
        notice=extension, today=today,
    )
    return extension


@transaction.atomic
def reject_extension(extension, *, actor, today=None) -> Extension:
    today = _today(today)
    request = extension.request
    _require(actor, request, roles={Membership.Role.REQUEST_APPROVER}, message="延期须经信息公开工作机构负责人批准。")
    extension.refresh_from_db()
    if extension.status != Extension.Status.PENDING:
        raise RequestError("该延期申请已处理。")
    extension.status = Extension.Status.REJECTED
    extension.decided_by, extension.decided_on = actor, today
    extension.save()
    record(request, Action.EXTENSION_REJECT, actor=actor, today=today, public=False, days=extension.days)
    return extension


@transaction.atomic
def start_consultation(
    request, *, third_party: str, contact: str, matter: str, reason: str, actor, today=None
) -> ThirdPartyConsultation:
    """条例第三十二条: ask the third party in writing; they have 15 working days, and that time is not
    counted (第三十三条)."""
    today = _today(today)
    _require(actor, request)
    _lock(request)
    _require_status(request, Status.IN_PROGRESS)
    if not third_party.strip() or not matter.strip():
        raise RequestError("请填写第三方名称和征求意见事项。")
    if not reason.strip():
        raise RequestError("请写明征求意见的理由：公开可能损害第三方哪些合法权益（条例第三十二条）。")
    # 条例第三十二条 gives each third party one period of 15 working days: asking the same party again
    # would stop the clock again.
    if any(normalize(c.third_party) == normalize(third_party) for c in request.consultations.all()):
        raise RequestError(f"已就本申请征求过“{third_party.strip()}”的意见，同一第三方只能征求一次（条例第三十二条）。")
    consultation = ThirdPartyConsultation.objects.create(
        request=request,
        third_party=third_party.strip(),
        contact=contact.strip(),
        matter=matter.strip(),
        reason=reason.strip(),
        sent_on=today,
        reply_due_on=workdays.add_workdays(today, clock.CONSULTATION_PERIOD),
        sent_by=actor,
    )
    _move(request, Status.CONSULTATION)
    _refresh_due(request)
    request.save(update_fields=["status", "due_on"])
    # The applicant learns that the clock pauses, not who the third party is.
    record(
        request, Action.CONSULTATION_START, actor=actor, today=today,
        remarks="征求第三方意见期间不计算在答复期限内", reply_due_on=str(consultation.reply_due_on),
    )  # fmt: skip
    notify.applicant(
        request, "征求第三方意见",
        "您申请的信息可能涉及第三方合法权益，本机关已书面征求第三方意见。征求意见期间不计算在答复期限内（条例第三十二、三十三条）。",
        notice=consultation, today=today,
    )  # fmt: skip
    return consultation


@transaction.atomic
def record_consultation_reply(
    consultation, *, opinion: str, reply_text: str, replied_on: datetime.date, actor, today=None
):
    today = _today(today)
    request = consultation.request
    _require(actor, request)
    _lock(request)
    _require_status(request, Status.CONSULTATION)
    if consultation.replied_on is not None or consultation.closed_without_reply:
        raise RequestError("该征求意见已结束。")
    if not consultation.sent_on <= replied_on <= today:
        raise RequestError("收到意见的日期应在发出日期与今天之间。")
    consultation.replied_on, consultation.opinion, consultation.reply_text = replied_on, opinion, reply_text.strip()
    consultation.save(update_fields=["replied_on", "opinion", "reply_text"])
    _move(request, Status.IN_PROGRESS)
    _refresh_due(request)
    request.save(update_fields=["status", "due_on"])
    record(
        request,
        Action.CONSULTATION_REPLY,
        actor=actor,
        today=today,
        replied_on=str(replied_on),
        due_on=str(request.due_on),
    )
    record(
        request,
        Action.CONSULTATION_REPLY,
        actor=actor,
        today=today,
        public=False,
        opinion=opinion,
        remarks=reply_text.strip(),
    )
    return consultation


@transaction.atomic
def end_consultation_without_reply(consultation, *, today=None):
    """条例第三十二条: a third party that does not answer within 15 working days; the clock runs again."""
    today = _today(today)
    request = consultation.request
    _lock(request)
    _require_status(request, Status.CONSULTATION)
    if today <= consultation.reply_due_on:
        raise RequestError(f"第三方答复期限（{_fmt(consultation.reply_due_on)}）未过。")
    consultation.closed_without_reply = True
    consultation.save(update_fields=["closed_without_reply"])
    _move(request, Status.IN_PROGRESS)
    _refresh_due(request)
    request.save(update_fields=["status", "due_on"])
    record(request, Action.CONSULTATION_END, today=today, remarks="第三方逾期未提出意见", due_on=str(request.due_on))
    return consultation


def fee_allowed(request, basis: str, pages: int | None = None) -> Decimal:
    if basis == FeeNotice.Basis.PAGES:
        return fees.fee_by_pages(pages or 0)
    return fees.fee_by_count(fees.monthly_count(request))


@transaction.atomic
def issue_fee_notice(request, *, basis: str, pages: int | None = None, actor, today=None) -> FeeNotice:
    """条例第四十二条; 国办函〔2020〕109号: staff may charge what the schedule allows; the applicant has 20
    working days to pay, and the time until payment is not counted."""
    today = _today(today)
    _require(actor, request)
    _lock(request)
    _require_status(request, Status.IN_PROGRESS)
    if request.fee_notices.filter(status__in=[FeeNotice.Status.PENDING, FeeNotice.Status.PAID]).exists():
        raise RequestError("本申请已发出过收费通知。")
    if basis == FeeNotice.Basis.PAGES and not pages:
        raise RequestError("按量计收时请填写页数。")
    count = fees.monthly_count(request)
    amount = fee_allowed(request, basis, pages)
    if amount <= 0:
        if basis == FeeNotice.Basis.COUNT:
            raise RequestError(f"该申请人本月第{count}件申请，10件以内不收费（国办函〔2020〕109号第四条）。")
        raise RequestError("30页以内不收费（国办函〔2020〕109号第五条）。")
    notice = FeeNotice.objects.create(
        request=request,
        basis=basis,
        monthly_count=count,
        pages=pages if basis == FeeNotice.Basis.PAGES else None,
        amount=amount,
        issued_on=today,
        pay_by=workdays.add_workdays(today, clock.FEE_PERIOD),
        issued_by=actor,
    )
    _move(request, Status.AWAITING_FEE)
    _refresh_due(request)
    request.save(update_fields=["status", "due_on"])
    record(
        request, Action.FEE_NOTICE, actor=actor, today=today,
        remarks=f"{notice.get_basis_display()}，{amount} 元，请于{_fmt(notice.pay_by)}前缴纳",
        amount=str(amount), pay_by=str(notice.pay_by),
    )  # fmt: skip
    notify.applicant(
        request,
        "信息处理费收费通知",
        f"依照《政府信息公开信息处理费管理办法》，您的申请需缴纳信息处理费 {amount} 元（{notice.get_basis_display()}），"
        f"请自收到本通知之日起{clock.FEE_PERIOD}个工作日内缴纳（今日收到本通知的，请于{_fmt(notice.pay_by)}前缴纳）。"
        "逾期未缴纳的，本机关不再处理该申请。",
        notice=notice, today=today,
    )
    return notice


@transaction.atomic
def confirm_fee_paid(notice, *, paid_on: datetime.date, actor, today=None) -> FeeNotice:
    today = _today(today)
    request = notice.request
    _require(actor, request)
    _lock(request)
    _require_status(request, Status.AWAITING_FEE)
    notice.refresh_from_db()
    if notice.status != FeeNotice.Status.PENDING:
        raise RequestError("该收费通知已处理。")
    if not notice.issued_on <= paid_on <= min(today, delivery.fee_deadline(notice) or today):
        raise RequestError("缴费日期应在通知日期与缴费期限之间，且不晚于今天。")
    notice.paid_on, notice.status = paid_on, FeeNotice.Status.PAID
    notice.save(update_fields=["paid_on", "status"])
    _move(request, Status.IN_PROGRESS)
    _refresh_due(request)
    request.save(update_fields=["status", "due_on"])
    record(request, Action.FEE_PAID, actor=actor, today=today, paid_on=str(paid_on), due_on=str(request.due_on))
    return notice


@transaction.atomic
def close_unpaid(notice, *, today=None) -> Reply:
    """国办函〔2020〕109号: an unpaid fee notice that expires — the request closes as 其他处理·2."""
    today = _today(today)
    request = notice.request
    _lock(request)
    _require_status(request, Status.AWAITING_FEE)
    if notice.status == FeeNotice.Status.PENDING and delivery.fee_deadline(notice) is None:
        raise RequestError("收费通知尚无送达记录，缴费期限尚未起算，不能按逾期未缴费办结。")
    if notice.status != FeeNotice.Status.PENDING or today <= notice.pay_by:
        raise RequestError(f"缴费期限（{_fmt(notice.pay_by)}）未过。")
    notice.status = FeeNotice.Status.EXPIRED
    notice.save(update_fields=["status"])
    record(request, Action.FEE_EXPIRED, today=today, pay_by=str(notice.pay_by))
    return _close(request, Outcome.OTHER_FEE_UNPAID, reasons=f"缴费期限为{_fmt(notice.pay_by)}。", today=today)


@transaction.atomic
def send_reply(
    request, *, outcome: str, legal_basis: str = "", reasons: str = "", files=(), actor, today=None,
    contact: str = "", responsible_agency: str = "", responsible_contact: str = "",
) -> Reply:
    """答复 (条例第三十六、三十七条): one outcome row of the annual report, its legal basis and reasons
    (required for anything but full disclosure), the disclosed files, and the decision letter."""
    today = _today(today)
    _require(actor, request)
    _lock(request)
    _require_status(request, Status.IN_PROGRESS)
    if outcome not in dict(STAFF_OUTCOMES):
        raise RequestError("请选择处理结果。")
    if outcome != Outcome.DISCLOSED and not reasons.strip():
        raise RequestError("除予以公开外，答复须说明理由（条例第三十六条）。")
    if files and outcome not in DISCLOSING:
        raise RequestError("只有予以公开或部分公开时才能附上公开的文件。")
    if responsible_agency.strip() and outcome != Outcome.UNAVAILABLE_NOT_HELD:
        raise RequestError("只有“本机关不掌握相关政府信息”时才告知负责公开的机关（条例第三十六条第（五）项）。")
    if responsible_agency.strip() and not responsible_contact.strip():
        raise RequestError("请填写负责公开该信息的机关的联系方式（条例第三十六条第（五）项）。")
    reply = _close(
        request, Outcome(outcome), legal_basis=legal_basis, reasons=reasons, files=files, actor=actor, today=today,
        details={"contact": contact.strip(), "responsible_agency": responsible_agency.strip(),
                 "responsible_contact": responsible_contact.strip()},
    )  # fmt: skip
    return reply


def _close(request, outcome, *, legal_basis="", reasons="", files=(), actor=None, today, details=None):
    year_replies = Reply.objects.filter(request__department=request.department, sent_on__year=today.year).count()
    reply = Reply.objects.create(
        request=request,
        outcome=outcome,
        legal_basis=(legal_basis or "").strip() or OUTCOME_RULES[outcome].article,
        reasons=(reasons or "").strip(),
        sent_on=today,
        sent_by=actor,
        letter_number=f"〔{today.year}〕第{year_replies + 1}号",
        **(details or {}),
    )
    for upload in files:
        stored = ReplyFile(reply=reply, name=upload.name[:200], size=upload.size)
        stored.file.save(upload.name, upload, save=True)
    letter.attach_letter(reply)
    _move(request, Status.CLOSED)
    request.due_on = None
    request.save(update_fields=["status", "due_on"])
    record(
        request, Action.REPLY, actor=actor, today=today, remarks=reply.get_outcome_display(),
        outcome=outcome, letter_number=reply.letter_number, files=len(files),
    )  # fmt: skip
    notify.applicant(
        request,
        "申请已答复",
        f"{request.department}已于{_fmt(today)}答复您的申请，处理结果：{reply.get_outcome_display()}。"
        "告知书及公开的文件可在查询页面下载。",
        notice=reply, today=today,
    )
    return reply


@transaction.atomic
def record_appeal(request, *, kind: str, filed_on: datetime.date, notes: str = "", actor, today=None) -> Appeal:
    """A 行政复议 or 行政诉讼 against the handling of a request, for report table 4."""
    today = _today(today)
    _require(actor, request)
    if request.received_on is None:
        raise RequestError("申请尚未登记。")
    if not request.received_on <= filed_on <= today:
        raise RequestError("提起日期应在登记日期与今天之间。")
    appeal = Appeal.objects.create(request=request, kind=kind, filed_on=filed_on, notes=notes.strip())
    record(request, Action.APPEAL, actor=actor, today=today, public=False, kind=kind, filed_on=str(filed_on))
    return appeal


@transaction.atomic
def record_appeal_result(appeal, *, result: str, decided_on: datetime.date, actor, today=None) -> Appeal:
    today = _today(today)
    _require(actor, appeal.request)
    if appeal.result != Appeal.Result.PENDING:
        raise RequestError("该复议或诉讼的结果已记录。")
    if result == Appeal.Result.PENDING or result not in Appeal.Result.values:
        raise RequestError("请选择审结结果。")
    if not appeal.filed_on <= decided_on <= today:
        raise RequestError("审结日期应在提起日期与今天之间。")
    appeal.result, appeal.decided_on = result, decided_on
    appeal.save(update_fields=["result", "decided_on"])
    record(
        appeal.request, Action.APPEAL_RESULT, actor=actor, today=today, public=False,
        kind=appeal.kind, result=result, decided_on=str(decided_on),
    )  # fmt: skip
    return appeal


@transaction.atomic
def recompute_due_dates(years, *, today=None) -> list[str]:
    """A year's holiday schedule entered or corrected (RULES C): every open request whose period runs
    into that year is counted again in working days (条例第三十三条); where its due date moves, the change
    is recorded, shown to the applicant in the history, and the handlers are told."""
    today = _today(today)
    moved = []
    # Only periods that count through those years (a due date early next year may move too).
    running = InformationRequest.objects.select_for_update().filter(
        status__in=[Status.IN_PROGRESS, Status.CONSULTATION, Status.AWAITING_FEE],
        clock_started_on__lte=datetime.date(max(years), 12, 31),
        due_on__gte=datetime.date(min(years) - 1, 1, 1),
    )
    for request in running:
        before = request.due_on
        _refresh_due(request)
        if request.due_on == before:
            continue
        request.save(update_fields=["due_on"])
        change = f"节假日安排录入后，答复期限由{_fmt(before)}调整为{_fmt(request.due_on)}"
        record(request, Action.DUE_RECOMPUTED, today=today, remarks=change, before=str(before), due_on=str(request.due_on))
        notify.staff(request, "答复期限已调整", f"申请 {request.short_code}：{change}{_provisional(request)}。")
        moved.append(f"{request.short_code}：{change}")
    return moved


def _undelivered(request, notice, period) -> str:
    notify.staff(
        request, "通知待送达",
        f"申请 {request.short_code} 的{notice}尚无送达记录，{period}自申请人收到通知之日起计算，尚未起算，申请不会逾期办结。"
        "请核实送达情况：邮寄或当面送达的，请在申请页面记录送达日期和凭证。",
    )  # fmt: skip
    return f"{request.short_code} {notice}尚无送达记录，未办结，已提醒经办人"


def expire_deadlines(*, today=None) -> list[str]:
    """Apply every deadline that has passed: amendments (第三十条), third-party replies (第三十二条) and fee
    notices (国办函〔2020〕109号). Run daily (`manage.py expire_requests`). Returns what it did."""
    today = _today(today)
    done = []
    # A period that counts from the applicant's receipt of a notice has not started while no delivery is
    # recorded (delivery.py): such a case stays open, and the handlers hear of it every day instead.
    for request in InformationRequest.objects.filter(status=Status.AWAITING_AMENDMENT, amendment__deadline__lt=today):
        if delivery.amendment_deadline(request.amendment) is None:
            done.append(_undelivered(request, "补正通知", "补正期限"))
            continue
        close_unamended(request, today=today)
        done.append(f"{request.short_code} 逾期未补正，已办结（其他处理·1）")
    for consultation in ThirdPartyConsultation.objects.filter(
        request__status=Status.CONSULTATION, replied_on=None, closed_without_reply=False, reply_due_on__lt=today
    ):
        end_consultation_without_reply(consultation, today=today)
        done.append(f"{consultation.request.short_code} 第三方逾期未提出意见，恢复计时")
    for notice in FeeNotice.objects.filter(status=FeeNotice.Status.PENDING, pay_by__lt=today):
        if delivery.fee_deadline(notice) is None:
            done.append(_undelivered(notice.request, "收费通知", "缴费期限"))
            continue
        close_unpaid(notice, today=today)
        done.append(f"{notice.request.short_code} 逾期未缴费，已办结（其他处理·2）")
    # Online applications nobody has registered (条例第三十一条): the handlers hear of each one every day
    # it waits beyond the limit, so that none sits without a clock.
    limit = settings.REQUEST_REGISTRATION_ALERT_WORKDAYS
    for request in InformationRequest.objects.filter(status=Status.SUBMITTED).select_related("department"):
        waited = workdays.workdays_between(timezone.localdate(request.submitted_at), today)
        if waited > limit:
            notify.staff(
                request, "申请待登记",
                f"申请 {request.short_code} 于{_fmt(timezone.localdate(request.submitted_at))}在线提交，已等待{waited}个工作日"
                f"尚未登记（超过{limit}个工作日）。请尽快确认登记，答复期限自登记次日起计算。",
            )  # fmt: skip
            done.append(f"{request.short_code} 已等待登记{waited}个工作日，已提醒经办人")
    return done
