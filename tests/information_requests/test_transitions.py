"""Every transition's guard: state, role, department and input. A refused step changes nothing."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from disclosures.information_requests import services
from disclosures.information_requests.models import Appeal, FeeNotice, InformationRequest, RequestEvent, Status

from .conftest import file_request, received

D = datetime.date
pytestmark = pytest.mark.django_db


def events(request):
    return list(request.events.values_list("action", flat=True))


def test_it_registers_a_submitted_request_and_tells_the_applicant(department, handler, frozen, mailoutbox):
    frozen(D(2026, 9, 18))
    request = file_request(department)
    assert request.status == Status.SUBMITTED and request.due_on is None
    assert "查询码：" + request.display_code in mailoutbox[0].body  # the receipt
    assert mailoutbox[1].to == ["alice@example.gov.cn"]  # the department's handler hears of it

    services.receive(request, actor=handler)
    request.refresh_from_db()
    assert (request.status, request.received_on, request.handler) == (Status.IN_PROGRESS, D(2026, 9, 18), handler)
    assert events(request) == ["submit", "receive"]
    assert "依法应于2026年10月22日前答复" in mailoutbox[-1].body


@pytest.mark.parametrize("persona", ["editor", "other_handler", "admin_user"])
def test_only_the_departments_request_staff_may_register(department, persona, request, frozen):
    frozen(D(2026, 9, 18))
    actor = request.getfixturevalue(persona)
    information_request = file_request(department)
    with pytest.raises(services.RequestError, match="只有本部门依申请公开经办人"):
        services.receive(information_request, actor=actor)
    information_request.refresh_from_db()
    assert information_request.status == Status.SUBMITTED and information_request.received_on is None
    assert events(information_request) == ["submit"]


def test_it_registers_only_once(department, handler, frozen):
    frozen(D(2026, 9, 18))
    request = received(department, handler, D(2026, 9, 18))
    with pytest.raises(services.RequestError, match="申请当前状态为“办理中”，不能进行此操作"):
        services.receive(request, actor=handler)


def test_a_stale_page_cannot_act_on_a_changed_request(department, handler, frozen):
    frozen(D(2026, 9, 18))
    request = file_request(department)
    stale = InformationRequest.objects.get(pk=request.pk)
    services.receive(request, actor=handler)
    with pytest.raises(services.RequestError, match="已被他人更新"):
        services.receive(stale, actor=handler)


def test_assignment_goes_only_to_request_staff_of_the_department(department, handler, approver, editor, frozen):
    frozen(D(2026, 9, 18))
    request = received(department, handler, D(2026, 9, 18))
    with pytest.raises(services.RequestError, match="不是本部门依申请公开经办人"):
        services.assign(request, editor, actor=handler)
    services.assign(request, approver, actor=handler)
    request.refresh_from_db()
    assert request.handler == approver
    assert request.events.get(action="assign").public is False


def test_amendment_notice_guards(department, handler, frozen):
    frozen(D(2026, 9, 18))
    submitted = file_request(department)
    with pytest.raises(services.RequestError, match="待登记"):
        services.send_amendment_notice(submitted, instructions="x", deadline=D(2026, 10, 1), actor=handler)
    request = received(department, handler, D(2026, 9, 18), description="另一件")
    with pytest.raises(services.RequestError, match="补正期限至少为15个工作日，即不早于2026年10月15日"):
        services.send_amendment_notice(request, instructions="请写明年度", deadline=D(2026, 10, 14), actor=handler)
    with pytest.raises(services.RequestError, match="请写明需要补正的事项"):
        services.send_amendment_notice(request, instructions="  ", deadline=D(2026, 10, 9), actor=handler)
    request.refresh_from_db()
    assert request.status == Status.IN_PROGRESS and request.due_on == D(2026, 10, 22)
    with pytest.raises(services.RequestError, match="申请当前状态为“办理中”"):
        services.submit_amendment(request, "我来补正")


def test_a_consultation_reply_date_must_lie_between_sending_and_today(department, handler, frozen):
    frozen(D(2026, 9, 18))
    request = received(department, handler, D(2026, 9, 18))
    frozen(D(2026, 9, 22))
    consultation = services.start_consultation(
        request, third_party="某公司", contact="", matter="是否同意", reason="申报材料可能含有其商业秘密", actor=handler
    )
    with pytest.raises(services.RequestError, match="收到意见的日期应在发出日期与今天之间"):
        services.record_consultation_reply(
            consultation, opinion="consents", reply_text="", replied_on=D(2026, 9, 21), actor=handler
        )
    with pytest.raises(services.RequestError, match="申请当前状态为“征求第三方意见（计时暂停）”"):
        services.send_reply(request, outcome="disclosed", actor=handler)
    with pytest.raises(services.RequestError, match="第三方答复期限（2026年10月20日）未过"):
        services.end_consultation_without_reply(consultation)


def test_fees_are_allowed_from_the_eleventh_request_of_the_month(department, handler, frozen, mailoutbox):
    frozen(D(2026, 9, 1))
    requests = [received(department, handler, D(2026, 9, 1), description=f"第{n}件") for n in range(1, 12)]
    with pytest.raises(services.RequestError, match="本月第10件申请，10件以内不收费"):
        services.issue_fee_notice(requests[9], basis=FeeNotice.Basis.COUNT, actor=handler)
    notice = services.issue_fee_notice(requests[10], basis=FeeNotice.Basis.COUNT, actor=handler)
    assert (notice.monthly_count, notice.amount, notice.pay_by) == (11, Decimal("100"), D(2026, 9, 29))
    assert "信息处理费 100 元" in mailoutbox[-1].body
    eleventh = requests[10]
    eleventh.refresh_from_db()
    assert eleventh.status == Status.AWAITING_FEE
    # Another applicant's first request of the month is free.
    other = received(department, handler, D(2026, 9, 1), id_number="110101199003070011", description="x")
    with pytest.raises(services.RequestError, match="本月第1件申请"):
        services.issue_fee_notice(other, basis=FeeNotice.Basis.COUNT, actor=handler)
    # By pages: 50 pages cost 20 × 10 元.
    assert services.issue_fee_notice(other, basis=FeeNotice.Basis.PAGES, pages=50, actor=handler).amount == Decimal(
        "200"
    )


def test_payment_resumes_the_clock_and_the_unpaid_time_is_not_counted(department, handler, frozen):
    frozen(D(2026, 9, 1))
    request = [received(department, handler, D(2026, 9, 1), description=f"{n}") for n in range(11)][-1]
    assert request.due_on == D(2026, 9, 29)
    frozen(D(2026, 9, 3))  # 2 working days used
    notice = services.issue_fee_notice(request, basis=FeeNotice.Basis.COUNT, actor=handler)
    frozen(D(2026, 9, 10))
    services.confirm_fee_paid(notice, paid_on=D(2026, 9, 10), actor=handler)
    request.refresh_from_db()
    # 9-4 … 9-10 not counted (5 working days): 9-29 moves to 9-30, 10-8, 10-9, Sat 10-10 (调休), 10-12.
    assert request.status == Status.IN_PROGRESS
    assert request.due_on == D(2026, 10, 12)


def test_an_expired_fee_notice_closes_the_request_as_other_2(department, handler, frozen):
    frozen(D(2026, 9, 1))
    request = [received(department, handler, D(2026, 9, 1), description=f"{n}") for n in range(11)][-1]
    notice = services.issue_fee_notice(request, basis=FeeNotice.Basis.COUNT, actor=handler)
    frozen(D(2026, 9, 30))
    with pytest.raises(services.RequestError, match="缴费日期应在通知日期与缴费期限之间"):
        services.confirm_fee_paid(notice, paid_on=D(2026, 9, 30), actor=handler)
    assert services.expire_deadlines() == [f"{request.short_code} 逾期未缴费，已办结（其他处理·2）"]
    request.refresh_from_db()
    notice.refresh_from_db()
    assert (request.status, request.reply.outcome, notice.status) == (Status.CLOSED, "other_fee_unpaid", "expired")


def test_a_reply_needs_reasons_unless_fully_disclosed_and_files_only_when_disclosing(
    department, handler, frozen, mailoutbox
):
    frozen(D(2026, 9, 18))
    request = received(department, handler, D(2026, 9, 18))
    with pytest.raises(services.RequestError, match="除予以公开外，答复须说明理由"):
        services.send_reply(request, outcome="withheld_process", reasons=" ", actor=handler)
    attachment = SimpleUploadedFile("分配结果.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    with pytest.raises(services.RequestError, match="只有予以公开或部分公开时才能附上公开的文件"):
        services.send_reply(
            request, outcome="unavailable_not_held", reasons="经检索不存在", files=[attachment], actor=handler
        )
    with pytest.raises(services.RequestError, match="请选择处理结果"):
        services.send_reply(request, outcome="other_no_amendment", reasons="x", actor=handler)
    request.refresh_from_db()
    assert request.status == Status.IN_PROGRESS and not hasattr(request, "reply")

    reply = services.send_reply(request, outcome="disclosed", files=[attachment], actor=handler)
    request.refresh_from_db()
    assert request.status == Status.CLOSED and request.due_on is None
    assert reply.legal_basis == "条例第三十六条第二项"
    assert reply.letter_number == "〔2026〕第1号"
    assert [f.name for f in reply.files.all()] == ["分配结果.pdf"]
    assert reply.letter.read()[:5] == b"%PDF-"
    assert "处理结果：予以公开" in mailoutbox[-1].body
    with pytest.raises(services.RequestError, match="申请当前状态为“已办结”"):
        services.start_consultation(request, third_party="x", contact="", matter="y", reason="申报材料可能含有其商业秘密", actor=handler)


def test_appeals_are_recorded_with_one_result(department, handler, frozen):
    frozen(D(2026, 9, 18))
    request = received(department, handler, D(2026, 9, 18))
    services.send_reply(request, outcome="withheld_process", reasons="属于内部讨论记录", actor=handler)
    frozen(D(2026, 10, 20))
    with pytest.raises(services.RequestError, match="提起日期应在登记日期与今天之间"):
        services.record_appeal(request, kind=Appeal.Kind.REVIEW, filed_on=D(2026, 10, 21), actor=handler)
    appeal = services.record_appeal(
        request, kind=Appeal.Kind.REVIEW, filed_on=D(2026, 10, 15), notes="抚顺市人民政府受理", actor=handler
    )
    services.record_appeal_result(appeal, result=Appeal.Result.UPHELD, decided_on=D(2026, 10, 20), actor=handler)
    with pytest.raises(services.RequestError, match="结果已记录"):
        services.record_appeal_result(appeal, result=Appeal.Result.CORRECTED, decided_on=D(2026, 10, 20), actor=handler)
    assert events(request)[-2:] == ["appeal", "appeal_result"]


def test_a_resubmission_with_the_same_applicant_and_text_is_flagged(department, handler, frozen):
    frozen(D(2026, 9, 18))
    first = file_request(department)
    second = file_request(department)
    different = file_request(department, description="另一件事")
    assert second.possible_repeat_of == first
    assert different.possible_repeat_of is None


def test_the_event_log_is_append_only(department, handler, frozen):
    frozen(D(2026, 9, 18))
    request = received(department, handler, D(2026, 9, 18))
    event = request.events.first()
    event.remarks = "改写"
    with pytest.raises(ValueError, match="只能追加"):
        event.save()
    with pytest.raises(ValueError, match="不能删除"):
        event.delete()
    assert RequestEvent.objects.filter(request=request).count() == 2
