"""The 20-working-day clock under a frozen clock (条例第三十条、第三十二条、第三十三条; RULES C)."""

import datetime

import pytest
from django.urls import reverse

from disclosures.information_requests import services
from disclosures.information_requests.models import Status
from disclosures.models import CalendarDay, CalendarYear

from .conftest import grant_session, received

D = datetime.date
pytestmark = pytest.mark.django_db


def status_page(client, request):
    grant_session(client, request)
    return client.get(reverse("information_requests:status", args=[request.pk])).content.decode()


def test_it_counts_twenty_working_days_across_national_day_with_make_up_weekend_days(
    department, handler, frozen, client
):
    frozen(D(2026, 9, 18))  # Friday
    request = received(department, handler, D(2026, 9, 18))
    # Not counting the receipt day; Sun 9-20 and Sat 10-10 are 调休 workdays; 9-25…27 and 10-1…7 are rest days.
    assert request.due_on == D(2026, 10, 22)
    assert "2026年10月22日（还剩 20 个工作日）" in status_page(client, request)

    frozen(D(2026, 9, 20))  # a working Sunday counts as the first day
    assert "还剩 19 个工作日" in status_page(client, request)
    frozen(D(2026, 10, 7))  # the holiday did not use any days: 9-20…9-30 are 8 working days
    assert "还剩 12 个工作日" in status_page(client, request)
    frozen(D(2026, 10, 10))  # a working Saturday counts too
    assert "还剩 9 个工作日" in status_page(client, request)
    frozen(D(2026, 10, 23))
    assert "已超期 1 个工作日" in status_page(client, request)


def test_an_amendment_stops_the_clock_and_the_amended_application_restarts_it(department, handler, frozen, client):
    frozen(D(2026, 9, 18))
    request = received(department, handler, D(2026, 9, 18))
    frozen(D(2026, 9, 22))
    services.send_amendment_notice(
        request, instructions="请写明资金名称和年度。", deadline=D(2026, 10, 20), actor=handler
    )
    request.refresh_from_db()
    assert request.status == Status.AWAITING_AMENDMENT
    assert request.due_on is None
    page = status_page(client, request)
    assert "计时停止（待补正）" in page and "请写明资金名称和年度。" in page and "2026年10月20日" in page

    frozen(D(2026, 10, 12))
    services.submit_amendment(request, "2025年度工业企业技术改造专项资金。")
    request.refresh_from_db()
    # A full 20 working days from the day the amended application arrived (第三十条), not what was left.
    assert request.clock_started_on == D(2026, 10, 12)
    assert request.due_on == D(2026, 11, 9)
    assert request.received_on == D(2026, 9, 18)
    assert "2026年11月9日（还剩 20 个工作日）" in status_page(client, request)


def test_an_amendment_not_made_by_its_deadline_closes_the_request_as_other_1(department, handler, frozen):
    frozen(D(2026, 9, 18))
    request = received(department, handler, D(2026, 9, 18))
    services.send_amendment_notice(request, instructions="请写明年度。", deadline=D(2026, 10, 16), actor=handler)
    frozen(D(2026, 10, 16))
    assert services.expire_deadlines() == []  # the deadline day itself is still open
    frozen(D(2026, 10, 19))
    with pytest.raises(services.RequestError, match="补正期限（2026年10月16日）已过"):
        services.submit_amendment(request, "太晚了")
    assert services.expire_deadlines() == [f"{request.short_code} 逾期未补正，已办结（其他处理·1）"]
    request.refresh_from_db()
    assert request.status == Status.CLOSED
    assert request.reply.outcome == "other_no_amendment"
    assert request.reply.sent_on == D(2026, 10, 19)
    assert request.reply.letter.name.endswith(".pdf")


def test_a_third_party_consultation_pauses_the_clock_until_the_reply(department, handler, frozen):
    frozen(D(2026, 9, 18))
    request = received(department, handler, D(2026, 9, 18))
    frozen(D(2026, 9, 23))  # 4 working days used: 9-20, 21, 22, 23
    consultation = services.start_consultation(
        request, third_party="抚顺某机械有限公司", contact="024-5555555", matter="是否同意公开其申报材料", reason="申报材料可能含有其商业秘密", actor=handler
    )
    assert consultation.reply_due_on == D(2026, 10, 21)  # 15 working days (第三十二条)
    request.refresh_from_db()
    assert request.status == Status.CONSULTATION

    frozen(D(2026, 10, 13))
    services.record_consultation_reply(
        consultation, opinion="objects", reply_text="涉及商业秘密", replied_on=D(2026, 10, 13), actor=handler
    )
    request.refresh_from_db()
    assert request.status == Status.IN_PROGRESS
    # 9-24 … 10-13 are not counted; the remaining 16 days run from 10-14.
    assert request.due_on == D(2026, 11, 4)


def test_a_third_party_that_never_answers_pauses_the_clock_for_fifteen_working_days(department, handler, frozen):
    frozen(D(2026, 9, 18))
    request = received(department, handler, D(2026, 9, 18))
    frozen(D(2026, 9, 23))
    services.start_consultation(request, third_party="某公司", contact="", matter="是否同意公开", reason="申报材料可能含有其商业秘密", actor=handler)
    frozen(D(2026, 10, 21))
    assert services.expire_deadlines() == []
    frozen(D(2026, 10, 22))
    assert services.expire_deadlines() == [f"{request.short_code} 第三方逾期未提出意见，恢复计时"]
    request.refresh_from_db()
    assert request.status == Status.IN_PROGRESS
    assert request.due_on == D(2026, 11, 12)


def test_one_extension_of_at_most_twenty_days_approved_by_the_approver(
    department, handler, approver, frozen, client, mailoutbox
):
    frozen(D(2026, 9, 18))
    request = received(department, handler, D(2026, 9, 18))
    frozen(D(2026, 10, 19))
    with pytest.raises(services.RequestError, match="最长不得超过20个工作日"):
        services.request_extension(request, days=21, reason="需要检索档案", actor=handler)
    extension = services.request_extension(request, days=20, reason="需要检索2019年以前的纸质档案", actor=handler)
    request.refresh_from_db()
    assert request.due_on == D(2026, 10, 22)  # nothing changes until approved
    with pytest.raises(services.RequestError, match="须经信息公开工作机构负责人批准"):
        services.approve_extension(extension, actor=handler)

    services.approve_extension(extension, actor=approver)
    request.refresh_from_db()
    assert request.due_on == D(2026, 11, 19)
    assert "至2026年11月19日" in mailoutbox[-1].body
    assert "答复期限延长20个工作日，至2026年11月19日" in status_page(client, request)

    with pytest.raises(services.RequestError, match="答复期限只能延长一次"):
        services.request_extension(request, days=5, reason="再延一次", actor=handler)


def test_a_rejected_extension_leaves_the_date_and_allows_a_new_request(department, handler, approver, frozen):
    frozen(D(2026, 9, 18))
    request = received(department, handler, D(2026, 9, 18))
    extension = services.request_extension(request, days=10, reason="理由不足", actor=handler)
    services.reject_extension(extension, actor=approver)
    request.refresh_from_db()
    assert request.due_on == D(2026, 10, 22)
    second = services.request_extension(request, days=10, reason="需要会商", actor=handler)
    assert second.status == "pending"


def test_the_staff_page_warns_once_the_seven_day_amendment_window_has_passed(department, handler, frozen, client):
    frozen(D(2026, 9, 18))
    request = received(department, handler, D(2026, 9, 18))
    url = reverse("information_requests:detail", args=[request.pk])
    frozen(D(2026, 9, 29))  # the 7th working day: 9-20, 21, 22, 23, 24, 28, 29
    client.force_login(handler)
    page = client.get(url).content.decode()
    assert "已超过补正通知期限" not in page
    assert "应于9月29日前发出" in page
    frozen(D(2026, 9, 30))
    client.force_login(handler)
    page = client.get(url).content.decode()
    assert "已超过补正通知期限" in page and "截至2026年9月29日" in page
    amendment = services.send_amendment_notice(
        request, instructions="请写明年度。", deadline=D(2026, 10, 27), actor=handler
    )
    assert amendment.late is True
    with pytest.raises(services.RequestError, match="申请当前状态为“待补正”"):
        services.send_amendment_notice(request, instructions="再补一次", deadline=D(2026, 10, 30), actor=handler)


def test_a_due_date_in_a_year_without_a_schedule_says_so(department, handler, frozen, client, mailoutbox):
    frozen(D(2026, 12, 14))
    request = received(department, handler, D(2026, 12, 14))
    # 2027 is not in chinesecalendar 1.11: its statutory holidays are computed (元旦 on Friday 1 January is a
    # rest day), its 调休 are not known, so the date is provisional, on the page and in the email alike.
    assert request.due_on == D(2027, 1, 12)
    note = "2027 年的节假日安排尚未公布，期限暂按法定节假日推算（调休上班日未计入）"
    assert note in status_page(client, request)
    assert note in mailoutbox[-1].body and "2027年1月12日前答复" in mailoutbox[-1].body

    # Staff enter the 2027 schedule: 4 January is made a rest day. The open request is counted again and
    # its handler told; the note goes.
    mailoutbox.clear()
    CalendarYear.objects.create(year=2027, source="国办发明电〔2026〕×号")
    CalendarDay.objects.create(date=D(2027, 1, 4), is_workday=False, name="元旦调休")
    request.refresh_from_db()
    assert request.due_on == D(2027, 1, 13)
    event = request.events.get(action="due_recomputed")
    assert event.public and event.remarks == "节假日安排录入后，答复期限由2027年1月12日调整为2027年1月13日"
    assert [m.subject for m in mailoutbox] == ["【依申请公开】答复期限已调整"]
    assert "答复期限由2027年1月12日调整为2027年1月13日" in mailoutbox[0].body
    page = status_page(client, request)
    assert "尚未公布" not in page and "2027年1月13日" in page