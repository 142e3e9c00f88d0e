"""送达: every notice to the applicant has a delivery record; e-mail and SMS record themselves, staff record post
and in-person deliveries; the 补正 and fee periods count from the delivery, and nothing expires without one."""

import base64
import datetime
import hashlib
import hmac
import io
import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core.management import call_command
from django.urls import reverse

from disclosures.information_requests import delivery, services
from disclosures.information_requests.models import NoticeDelivery, Status
from disclosures.information_requests.sms import SmsRefused, locmem, send_sms
from disclosures.information_requests.sms.aliyun import AliyunBackend

from .conftest import grant_session, received

D = datetime.date
pytestmark = pytest.mark.django_db
PHONE = "13912345678"


@pytest.fixture
def sms_outbox(settings):
    settings.SMS_BACKEND = "disclosures.information_requests.sms.locmem.LocmemBackend"
    locmem.outbox.clear()
    locmem.refused.clear()
    yield locmem.outbox
    locmem.outbox.clear()
    locmem.refused.clear()


@pytest.fixture
def console_sms(settings):
    settings.SMS_BACKEND = "disclosures.information_requests.sms.console.ConsoleBackend"


def amendment_case(department, handler, frozen, **applicant):
    """Received Monday 14 September 2026, a 补正 notice on the 15th giving until 12 October."""
    frozen(D(2026, 9, 14))
    request = received(department, handler, D(2026, 9, 14), **applicant)
    frozen(D(2026, 9, 15))
    amendment = services.send_amendment_notice(
        request, instructions="请写明资金名称和年度。", deadline=D(2026, 10, 12), actor=handler
    )
    request.refresh_from_db()
    return request, amendment


def record_post(client, request, notice, on, proof="1100123456789"):
    return client.post(
        reverse("information_requests:act", args=[request.pk, "delivery"]),
        {"notice": delivery.notice_key(notice), "channel": "post", "delivered_on": on.isoformat(), "proof": proof},
    )


# —— E-mail and SMS record their deliveries ——————————————————————————————————————————————————————


def test_an_emailed_notice_is_recorded_delivered_with_its_message_id(department, handler, frozen, mailoutbox):
    request, amendment = amendment_case(department, handler, frozen)
    record = NoticeDelivery.objects.get(request=request)
    assert (record.kind, record.notice_id, record.channel, record.state) == ("amendment", amendment.pk, "email", "delivered")
    assert record.delivered_on == D(2026, 9, 15)
    sent = mailoutbox[-1]
    assert sent.to == ["wang@example.com"] and sent.subject == "【政府信息公开申请】请补正申请"
    assert record.proof == sent.message()["Message-ID"] and record.proof.startswith("<")
    event = request.events.get(action="notice_delivered")
    assert event.public and "补正通知于2026年9月15日通过电子邮件送达" in event.remarks
    # Delivered the day it was issued: the period is the one the notice gave.
    assert delivery.amendment_deadline(amendment) == D(2026, 10, 12)


def test_every_notice_of_a_request_gets_a_delivery(department, handler, approver, frozen, mailoutbox):
    frozen(D(2026, 9, 14))
    request = received(department, handler, D(2026, 9, 14))
    consultation = services.start_consultation(
        request, third_party="某企业", contact="", matter="是否同意公开", reason="涉及商业秘密", actor=handler
    )
    services.record_consultation_reply(
        consultation, opinion="consents", reply_text="同意", replied_on=D(2026, 9, 14), actor=handler
    )
    extension = services.request_extension(request, days=10, reason="需要检索档案", actor=handler)
    services.approve_extension(extension, actor=approver)
    reply = services.send_reply(request, outcome="disclosed", actor=handler)
    records = {(d.kind, d.notice_id): d.state for d in NoticeDelivery.objects.filter(request=request)}
    assert records == {
        ("consultation", consultation.pk): "delivered",
        ("extension", extension.pk): "delivered",
        ("reply", reply.pk): "delivered",
    }


def test_an_applicant_without_email_gets_the_notice_by_sms(department, handler, frozen, mailoutbox, sms_outbox, settings):
    request, amendment = amendment_case(department, handler, frozen, email="", phone="+86 139-1234-5678")
    assert not [m for m in mailoutbox if m.to == [""] or "wang@example.com" in m.to]
    # The receipt, the registration and the notice: each a short text pointing to the status page.
    assert [m.phone for m in sms_outbox] == [PHONE] * 3
    text = sms_outbox[-1].text
    assert "请补正申请" in text and f"请凭查询码在 {settings.SITE_URL}/requests/status/ 查看" in text
    assert request.tracking_code not in text and "王小明" not in text
    record = NoticeDelivery.objects.get(request=request)
    assert (record.channel, record.state, record.delivered_on) == ("sms", "delivered", D(2026, 9, 15))
    assert record.proof == sms_outbox[-1].message_id


def test_the_console_backend_sends_nothing_and_records_no_delivery(department, handler, frozen, console_sms, caplog):
    request, amendment = amendment_case(department, handler, frozen, email="")
    record = NoticeDelivery.objects.get(request=request)
    assert record.state == "awaiting" and record.delivered_on is None and "未实际发出" in record.proof
    assert "139****5678" in caplog.text and PHONE not in caplog.text


def test_a_refused_sms_leaves_the_notice_awaiting_and_tells_the_handlers(
    client, department, handler, frozen, mailoutbox, sms_outbox
):
    locmem.refused.add(PHONE)
    request, amendment = amendment_case(department, handler, frozen, email="")
    record = NoticeDelivery.objects.get(request=request)
    assert record.state == "failed" and record.failure == "号码无法接收短信"
    assert request.events.get(action="notice_undelivered").public is False
    assert mailoutbox[-1].subject == "【依申请公开】通知未能送达" and mailoutbox[-1].to == ["alice@example.gov.cn"]
    assert delivery.amendment_deadline(amendment) is None


# —— Staff record post and in-person deliveries ——————————————————————————————————————————————————


def test_staff_record_a_post_delivery_with_its_tracking_number(client, department, handler, frozen, console_sms):
    request, amendment = amendment_case(department, handler, frozen, email="")
    frozen(D(2026, 9, 21))
    client.force_login(handler)
    page = client.get(reverse("information_requests:detail", args=[request.pk])).content.decode()
    assert 'id="deliveries"' in page and "待送达后计算" in page

    response = record_post(client, request, amendment, D(2026, 9, 18), proof="1100123456789")
    assert response.status_code == 302
    post = NoticeDelivery.objects.get(request=request, channel="post")
    assert (post.state, post.delivered_on, post.proof, post.recorded_by) == ("delivered", D(2026, 9, 18), "1100123456789", handler)
    event = request.events.get(action="notice_delivered")
    assert event.actor == handler and "通过邮寄送达" in event.remarks and "补正期限自送达之日起计算，至2026年10月15日" in event.remarks
    page = client.get(reverse("information_requests:detail", args=[request.pk])).content.decode()
    assert "1100123456789" in page and "2026-09-18 已送达" in page and "待送达后计算" not in page


def test_a_delivery_date_before_the_notice_or_without_proof_is_refused(client, department, handler, frozen, console_sms):
    request, amendment = amendment_case(department, handler, frozen, email="")
    client.force_login(handler)
    assert record_post(client, request, amendment, D(2026, 9, 14)).status_code == 302  # refused with a message
    blank = record_post(client, request, amendment, D(2026, 9, 16), proof="   ")
    assert blank.status_code == 400 and "送达凭证：这个字段是必填项。" in blank.content.decode()
    assert not NoticeDelivery.objects.filter(request=request, channel="post").exists()
    with pytest.raises(services.RequestError, match="送达日期应在通知发出之日"):
        delivery.record_delivery(
            request, notice=delivery.notice_key(amendment), channel="post", delivered_on=D(2026, 9, 14), proof="1", actor=handler
        )


def test_staff_of_another_department_cannot_record_a_delivery(client, department, handler, other_handler, frozen, console_sms):
    request, amendment = amendment_case(department, handler, frozen, email="")
    client.force_login(other_handler)
    assert record_post(client, request, amendment, D(2026, 9, 15)).status_code == 404
    assert not NoticeDelivery.objects.filter(request=request, channel="post").exists()


# —— Periods that count from the delivery (条例第三十条; the fee) ————————————————————————————————————————


def test_the_amendment_period_counts_from_the_delivery_and_waits_for_one(
    client, department, handler, frozen, mailoutbox, console_sms
):
    request, amendment = amendment_case(department, handler, frozen, email="")
    # Past the date the notice named, with no delivery recorded: the period has not started.
    frozen(D(2026, 10, 13))
    mailoutbox.clear()
    out = io.StringIO()
    call_command("expire_requests", stdout=out)
    assert f"{request.short_code} 补正通知尚无送达记录，未办结，已提醒经办人" in out.getvalue()
    request.refresh_from_db()
    assert request.status == Status.AWAITING_AMENDMENT
    assert mailoutbox[-1].subject == "【依申请公开】通知待送达" and "补正期限" in mailoutbox[-1].body
    with pytest.raises(services.RequestError, match="尚无送达记录"):
        services.close_unamended(request)
    status_url = reverse("information_requests:status", args=[request.pk])
    grant_session(client, request)
    assert "补正期限：<strong id=\"amendment-deadline\">自您收到补正通知之日起计算" in client.get(status_url).content.decode()

    # Received by post on Friday 18 September: 15 working days (as the notice gave) from then.
    client.force_login(handler)
    record_post(client, request, amendment, D(2026, 9, 18))
    amendment.refresh_from_db()
    assert amendment.deadline == D(2026, 10, 15) == delivery.amendment_deadline(amendment)
    grant_session(client, request)
    assert "2026年10月15日</strong>" in client.get(status_url).content.decode()

    frozen(D(2026, 10, 15))  # the last day is still open
    assert services.expire_deadlines() == []
    frozen(D(2026, 10, 16))
    out = io.StringIO()
    call_command("expire_requests", stdout=out)
    assert f"{request.short_code} 逾期未补正，已办结（其他处理·1）" in out.getvalue()
    request.refresh_from_db()
    assert request.status == Status.CLOSED and request.reply.outcome == "other_no_amendment"


def test_a_later_delivery_by_another_way_does_not_move_the_period(client, department, handler, frozen, console_sms):
    request, amendment = amendment_case(department, handler, frozen, email="")
    frozen(D(2026, 9, 25))
    client.force_login(handler)
    record_post(client, request, amendment, D(2026, 9, 18))
    client.post(
        reverse("information_requests:act", args=[request.pk, "delivery"]),
        {"notice": delivery.notice_key(amendment), "channel": "in_person", "delivered_on": "2026-09-24", "proof": "送达回证2026-001"},
    )
    amendment.refresh_from_db()
    assert NoticeDelivery.objects.filter(request=request, state="delivered").count() == 2
    assert amendment.deadline == D(2026, 10, 15)


def test_the_amendment_stays_open_to_the_applicant_while_undelivered(department, handler, frozen, console_sms):
    request, amendment = amendment_case(department, handler, frozen, email="")
    frozen(D(2026, 10, 14))  # after the date the notice named, but the period has not run
    services.submit_amendment(request, "2025年度技术改造专项资金")
    request.refresh_from_db()
    assert request.status == Status.IN_PROGRESS


def test_the_fee_period_counts_from_the_delivery(client, department, handler, frozen, console_sms):
    frozen(D(2026, 9, 14))
    request = received(department, handler, D(2026, 9, 14), email="")
    frozen(D(2026, 9, 15))
    notice = services.issue_fee_notice(request, basis="pages", pages=40, actor=handler)
    assert notice.pay_by == D(2026, 10, 19) and delivery.fee_deadline(notice) is None
    frozen(D(2026, 10, 20))
    assert services.expire_deadlines() == [f"{request.short_code} 收费通知尚无送达记录，未办结，已提醒经办人"]

    client.force_login(handler)
    client.post(
        reverse("information_requests:act", args=[request.pk, "delivery"]),
        {"notice": delivery.notice_key(notice), "channel": "in_person", "delivered_on": "2026-09-18", "proof": "送达回证2026-001"},
    )
    notice.refresh_from_db()
    request.refresh_from_db()
    assert notice.pay_by == D(2026, 10, 22) == delivery.fee_deadline(notice)
    assert "缴费期限自送达之日起计算，至2026年10月22日" in request.events.get(action="notice_delivered").remarks
    frozen(D(2026, 10, 22))
    assert services.expire_deadlines() == []
    frozen(D(2026, 10, 23))
    assert services.expire_deadlines() == [f"{request.short_code} 逾期未缴费，已办结（其他处理·2）"]


# —— The inbox ——————————————————————————————————————————————————————————————————————————————


def test_the_inbox_shows_notices_awaiting_delivery(client, department, handler, frozen, console_sms):
    waiting, _amendment = amendment_case(department, handler, frozen, email="", information_title="等待送达的申请")
    delivered, _ = amendment_case(department, handler, frozen, information_title="已经送达的申请")
    client.force_login(handler)
    url = reverse("information_requests:inbox", args=[department.pk])
    page = client.get(url + "?tab=awaiting_delivery").content.decode()
    assert 'data-tab="awaiting_delivery">待送达 <span class="count">1</span>' in page
    assert "等待送达的申请" in page and "已经送达的申请" not in page
    listing = client.get(url + "?tab=amendment").content.decode()
    assert listing.count("awaiting-delivery") == 1


# —— The Aliyun adapter ——————————————————————————————————————————————————————————————————————————


def rfc3986(value):
    # Written apart from the adapter's: the standard library's quoting plus Aliyun's three substitutions.
    return urllib.parse.quote_plus(value, encoding="utf-8").replace("+", "%20").replace("*", "%2A").replace("%7E", "~")


class FakeDysmsapi(BaseHTTPRequestHandler):
    secret = "test-secret"
    seen: list = []
    answer_code = "OK"

    def do_GET(self):
        query = urllib.parse.urlsplit(self.path).query
        params = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
        signature = params.pop("Signature", "")
        canonical = "&".join(f"{rfc3986(k)}={rfc3986(params[k])}" for k in sorted(params))
        to_sign = "GET&%2F&" + rfc3986(canonical)
        expected = base64.b64encode(hmac.new(f"{self.secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()).decode()
        FakeDysmsapi.seen.append(params)
        if signature != expected:
            body = {"Code": "SignatureDoesNotMatch", "RequestId": "r-1"}
        elif FakeDysmsapi.answer_code != "OK":
            body = {"Code": FakeDysmsapi.answer_code, "Message": f"{params['PhoneNumbers']} invalid", "RequestId": "r-2"}
        else:
            body = {"Code": "OK", "Message": "OK", "BizId": "900619746936498440^0", "RequestId": "r-3"}
        payload = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def dysmsapi(settings):
    server = HTTPServer(("127.0.0.1", 0), FakeDysmsapi)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeDysmsapi.seen, FakeDysmsapi.answer_code = [], "OK"
    settings.SMS_BACKEND = "disclosures.information_requests.sms.aliyun.AliyunBackend"
    settings.SMS_ACCESS_KEY_ID = "test-key-id"
    settings.SMS_ACCESS_KEY_SECRET = FakeDysmsapi.secret
    settings.SMS_SIGN_NAME = "抚顺市政务公开"
    settings.SMS_TEMPLATE_CODE = "SMS_000001"
    settings.SMS_ENDPOINT = f"http://127.0.0.1:{server.server_port}/"
    yield FakeDysmsapi
    server.shutdown()
    server.server_close()


def test_the_aliyun_adapter_signs_its_request(dysmsapi):
    text = "您向抚顺市工业和信息化局提出的政府信息公开申请：请补正申请。请凭查询码在 https://example.gov.cn/requests/status/ 查看。"
    assert send_sms(PHONE, text) == "900619746936498440^0"
    assert send_sms(PHONE, text) == "900619746936498440^0"
    first, second = dysmsapi.seen
    assert first["Action"] == "SendSms" and first["Version"] == "2017-05-25" and first["AccessKeyId"] == "test-key-id"
    assert (first["SignatureMethod"], first["SignatureVersion"], first["Format"]) == ("HMAC-SHA1", "1.0", "JSON")
    assert datetime.datetime.strptime(first["Timestamp"], "%Y-%m-%dT%H:%M:%SZ")
    assert first["SignatureNonce"] != second["SignatureNonce"]
    assert (first["PhoneNumbers"], first["SignName"], first["TemplateCode"]) == (PHONE, "抚顺市政务公开", "SMS_000001")
    assert json.loads(first["TemplateParam"]) == {"content": text}


def test_the_aliyun_adapter_reports_a_wrong_secret_and_a_refusal_without_the_number(dysmsapi, settings):
    settings.SMS_ACCESS_KEY_SECRET = "wrong-secret"
    with pytest.raises(SmsRefused, match="SignatureDoesNotMatch"):
        AliyunBackend().send(PHONE, "测试")
    settings.SMS_ACCESS_KEY_SECRET = dysmsapi.secret
    dysmsapi.answer_code = "isv.MOBILE_NUMBER_ILLEGAL"
    with pytest.raises(SmsRefused) as refused:
        AliyunBackend().send(PHONE, "测试")
    assert "isv.MOBILE_NUMBER_ILLEGAL" in str(refused.value) and PHONE not in str(refused.value)
