"""The limits the 条例 sets on stopping and stretching the clock, each at the edge day, with a frozen clock:
an extension only within the period (第三十三条), a 补正 notice that restarts the clock only within 7 working
days (第三十条) and with a reasonable period (at least REQUEST_AMENDMENT_MIN_WORKDAYS), one consultation per
third party (第三十二条)."""

import datetime

import pytest
from django.urls import reverse

from disclosures.information_requests import services
from disclosures.information_requests.models import Status

from .conftest import file_request, grant_session, received

D = datetime.date
pytestmark = pytest.mark.django_db


def test_an_extension_can_be_asked_for_and_approved_up_to_the_due_day_but_not_after(department, handler, approver, frozen):
    frozen(D(2026, 9, 18))
    request = received(department, handler, D(2026, 9, 18))
    request.refresh_from_db()
    assert request.due_on == D(2026, 10, 22)
    frozen(D(2026, 10, 22))  # the due day itself
    extension = services.request_extension(request, days=10, reason="需要检索纸质档案", actor=handler)
    frozen(D(2026, 10, 23))  # approved a day late: the applicant can no longer be told in time
    with pytest.raises(services.RequestError, match="答复期限（2026年10月22日）已过，不能再延长"):
        services.approve_extension(extension, actor=approver)
    request.refresh_from_db()
    assert request.due_on == D(2026, 10, 22) and request.events.filter(action="extension_approve").count() == 0


def test_an_overdue_request_cannot_be_made_not_overdue_by_an_extension(department, handler, frozen):
    frozen(D(2026, 9, 18))
    request = received(department, handler, D(2026, 9, 18))
    frozen(D(2026, 10, 27))
    with pytest.raises(services.RequestError, match="延期须在答复期限内决定并告知申请人（条例第三十三条）"):
        services.request_extension(request, days=20, reason="补救", actor=handler)
    assert request.extensions.count() == 0


def test_the_amendment_period_is_at_least_the_configured_working_days(department, handler, frozen, settings):
    frozen(D(2026, 9, 18))
    request = received(department, handler, D(2026, 9, 18))
    with pytest.raises(services.RequestError, match="补正期限至少为15个工作日，即不早于2026年10月15日"):
        services.send_amendment_notice(request, instructions="请写明年度", deadline=D(2026, 10, 14), actor=handler)
    settings.REQUEST_AMENDMENT_MIN_WORKDAYS = 5  # a region's own rule; Sunday 9-20 is a 调休 working day
    with pytest.raises(services.RequestError, match="补正期限至少为5个工作日，即不早于2026年9月24日"):
        services.send_amendment_notice(request, instructions="请写明年度", deadline=D(2026, 9, 23), actor=handler)
    amendment = services.send_amendment_notice(request, instructions="请写明年度", deadline=D(2026, 9, 24), actor=handler)
    assert amendment.deadline == D(2026, 9, 24) and not amendment.late


def test_a_late_amendment_notice_neither_stops_nor_restarts_the_clock(client, department, handler, frozen, mailoutbox):
    frozen(D(2026, 9, 18))
    request = received(department, handler, D(2026, 9, 18))
    request.refresh_from_db()
    due = request.due_on
    assert due == D(2026, 10, 22)
    frozen(D(2026, 9, 30))  # the 8th working day after receipt: past the 7 of 第三十条
    amendment = services.send_amendment_notice(request, instructions="请写明年度。", deadline=D(2026, 10, 27), actor=handler)
    assert amendment.late
    request.refresh_from_db()
    assert request.status == Status.AWAITING_AMENDMENT and request.due_on == due
    assert "答复期限不因补正而重新计算，仍为2026年10月22日" in mailoutbox[-1].body
    grant_session(client, request)
    page = client.get(reverse("information_requests:status", args=[request.pk])).content.decode()
    assert "本通知超过登记后7个工作日发出，答复期限不因补正而重新计算" in page and "2026年10月22日" in page
    frozen(D(2026, 10, 12))
    services.submit_amendment(request, "2025年度")
    request.refresh_from_db()
    assert request.status == Status.IN_PROGRESS and request.clock_started_on == D(2026, 9, 18) and request.due_on == due
    assert request.events.get(action="amend").remarks == "补正通知逾期发出，答复期限不重新计算"


def test_a_notice_on_the_seventh_working_day_is_in_time_and_restarts_the_clock(department, handler, frozen):
    frozen(D(2026, 9, 18))
    request = received(department, handler, D(2026, 9, 18))
    frozen(D(2026, 9, 29))  # the 7th working day
    amendment = services.send_amendment_notice(request, instructions="请写明年度。", deadline=D(2026, 10, 27), actor=handler)
    assert not amendment.late
    request.refresh_from_db()
    assert request.due_on is None  # stopped
    frozen(D(2026, 10, 12))
    services.submit_amendment(request, "2025年度")
    request.refresh_from_db()
    assert request.clock_started_on == D(2026, 10, 12) and request.due_on == D(2026, 11, 9)


def test_each_third_party_is_consulted_once_and_for_a_stated_reason(client, department, handler, frozen):
    frozen(D(2026, 9, 18))
    request = received(department, handler, D(2026, 9, 18))
    with pytest.raises(services.RequestError, match="请写明征求意见的理由"):
        services.start_consultation(request, third_party="抚顺某机械有限公司", contact="", matter="是否同意公开", reason=" ", actor=handler)
    first = services.start_consultation(request, third_party="抚顺某机械有限公司", contact="", matter="是否同意公开", reason="申报材料可能含有其商业秘密", actor=handler)
    frozen(D(2026, 9, 24))
    services.record_consultation_reply(first, opinion="objects", reply_text="不同意", replied_on=D(2026, 9, 24), actor=handler)
    request.refresh_from_db()
    due = request.due_on
    with pytest.raises(services.RequestError, match="同一第三方只能征求一次（条例第三十二条）"):
        services.start_consultation(request, third_party=" 抚顺某机械有限公司 ", contact="", matter="再问一次", reason="申报材料可能含有其商业秘密", actor=handler)
    request.refresh_from_db()
    assert request.status == Status.IN_PROGRESS and request.due_on == due and request.consultations.count() == 1
    other = services.start_consultation(request, third_party="抚顺某商贸有限公司", contact="", matter="是否同意公开", reason="申报材料可能含有其商业秘密", actor=handler)
    assert other.reply_due_on > D(2026, 9, 24)
    client.force_login(handler)
    page = client.get(reverse("information_requests:detail", args=[request.pk])).content.decode()
    assert "事项：是否同意公开；理由：申报材料可能含有其商业秘密" in page


def test_an_unregistered_application_shows_its_wait_and_alerts_the_handlers_after_a_working_day(
    client, department, handler, frozen, mailoutbox
):
    frozen(D(2026, 9, 21))  # a Monday
    waiting = file_request(department, on=D(2026, 9, 21), information_title="没人登记的申请")
    mailoutbox.clear()  # the receipt
    client.force_login(handler)
    inbox = reverse("information_requests:inbox", args=[department.pk]) + "?tab=new"
    assert "待登记，已等 0 个工作日" in client.get(inbox).content.decode()
    frozen(D(2026, 9, 22))  # one working day waited: within the limit
    assert services.expire_deadlines() == [] and mailoutbox == []
    frozen(D(2026, 9, 23))
    client.force_login(handler)
    page = client.get(inbox).content.decode()
    assert '<span class="meta overdue">待登记，已等 2 个工作日</span>' in page
    assert services.expire_deadlines() == [f"{waiting.short_code} 已等待登记2个工作日，已提醒经办人"]
    assert mailoutbox[-1].subject == "【依申请公开】申请待登记"
    assert "已等待2个工作日尚未登记（超过1个工作日）" in mailoutbox[-1].body
