"""The whole request path in real Chromium, on a clock set to September 2026:

a citizen applies → staff confirm receipt → amendment notice → the citizen amends on the status page →
extension (requested by the handler, approved by the approver) → reply with a 部分公开 letter → the
citizen downloads the letter. Screenshots of the form, the status page, the inbox and the letter go to
tests/screenshots/ for a person to look at.
"""

import datetime
import subprocess

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from disclosures.information_requests.models import InformationRequest
from disclosures.models import Department, Membership, Region
from tests.factories import MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]
PASSWORD = "correct-horse-battery"
DESKTOP = {"width": 1280, "height": 900}


class Clock:
    """Moves the server's clock (and the live server thread's with it) from one day to another."""

    def __init__(self):
        self.traveller = None

    def go(self, day):
        self.stop()
        moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 0)))
        self.traveller = time_machine.travel(moment, tick=True)
        self.traveller.start()

    def stop(self):
        if self.traveller is not None:
            self.traveller.stop()
            self.traveller = None


@pytest.fixture
def clock():
    c = Clock()
    yield c
    c.stop()


@pytest.fixture
def setup(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    department = Department.objects.create(
        region=Region.get_or_create_path("辽宁省/抚顺市"), name="抚顺市工业和信息化局"
    )
    handler = UserFactory(username="fushun_handler", first_name="张经办")
    MembershipFactory(user=handler, role=Membership.Role.REQUEST_HANDLER, department=department)
    approver = UserFactory(username="fushun_approver", first_name="李负责人")
    MembershipFactory(user=approver, role=Membership.Role.REQUEST_APPROVER, department=department)
    return department


def context(browser):
    ctx = browser.new_context(locale="zh-CN", viewport=DESKTOP, accept_downloads=True)
    ctx.set_default_timeout(15_000)
    return ctx, ctx.new_page()


def log_in(page, live_server, username):
    page.goto(live_server.url + reverse("login"))
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form.form button[type=submit]")
    page.wait_for_load_state()


def look_up(page, live_server, code):
    page.goto(live_server.url + reverse("information_requests:lookup"))
    page.fill("#id_tracking_code", code)
    page.fill("#id_phone_suffix", "5678")
    page.click("form.form button[type=submit]")
    page.wait_for_selector("#status")
    # The code went in a POST; the address bar (and the server's access log) never shows it.
    assert code.replace("-", "").upper() not in page.url.upper()


def open_action(page, name):
    """Unfold the collapsed section that holds the form of one action."""
    page.locator("details.action", has=page.locator(f"#action-{name}")).locator("summary").click()


def test_a_request_from_application_to_letter(live_server, browser, setup, clock, screenshots_dir, tmp_path):
    department = setup
    clock.go(datetime.date(2026, 9, 18))  # a Friday before the 中秋 and National Day holidays
    citizen_ctx, citizen = context(browser)
    staff_ctx, staff = context(browser)

    # 1. The citizen applies.
    citizen.goto(live_server.url + reverse("information_requests:apply") + f"?department={department.pk}")
    assert citizen.locator("h1").inner_text() == "政府信息公开申请"
    citizen.select_option("#id_applicant_type", "natural_person")
    citizen.fill("#id_name", "王小明")
    citizen.select_option("#id_id_type", "resident_id")
    citizen.fill("#id_id_number", "11010519491231002X")
    citizen.fill("#id_phone", "13912345678")
    citizen.fill("#id_email", "wang@example.com")
    citizen.fill("#id_information_title", "2025年度工业企业技术改造专项资金分配结果")
    citizen.fill("#id_description", "请提供2025年度本局工业企业技术改造专项资金的分配结果。")
    citizen.check("input[name=form_wanted][value=electronic]")
    citizen.check("input[name=delivery][value=online]")
    citizen.check("#id_consent")
    # The honeypot is moved off-screen by the app's stylesheet: people never see it, bots fill it.
    assert citizen.locator("#id_website").bounding_box()["x"] < -1000
    citizen.screenshot(path=str(screenshots_dir / "request-form.png"), full_page=True)
    citizen.click("form.request-form button[type=submit]")
    citizen.wait_for_selector("#tracking-code")
    code = citizen.locator("#tracking-code").inner_text()
    request = InformationRequest.objects.get()
    assert code == request.display_code and len(request.tracking_code) == 20
    assert request.tracking_code not in citizen.url

    # 2. Staff confirm receipt: the clock starts; 20 working days end on 10-22.
    log_in(staff, live_server, "fushun_handler")
    staff.goto(live_server.url + reverse("information_requests:inbox", args=[department.pk]))
    assert staff.locator('[data-tab="new"] .count').inner_text() == "1"
    assert "1101**********002X" in staff.locator("table.inbox-table").inner_text()
    staff.screenshot(path=str(screenshots_dir / "request-inbox.png"), full_page=True)
    staff.locator("table.inbox-table a.code").first.click()
    # Masked by default; the handler reveals the full number when the case needs it (audited).
    assert staff.locator("#phone").inner_text() == "139****5678"
    staff.click("#reveal button")
    assert staff.locator("#id-number").inner_text() == "11010519491231002X"
    assert "本次查看已记入安全审计日志" in staff.locator("#revealed-note").inner_text()
    staff.goto(live_server.url + reverse("information_requests:detail", args=[request.pk]))
    assert staff.locator("#id-number").inner_text() == "1101**********002X"
    staff.click("#action-receive button")
    assert "已登记" in staff.locator(".messages").inner_text()
    assert "2026年10月22日" in staff.locator("#due-on").inner_text()

    # 3. Amendment notice (within 7 working days; deadline defaults to the shortest reasonable period, 15 working days on).
    open_action(staff, "amendment")
    staff.fill("#action-amendment textarea", "请写明所需资金的具体名称（如“技术改造专项资金”）及年度。")
    staff.click("#action-amendment button")
    assert staff.locator("#status").inner_text() == "待补正"

    # 4. Four days later the citizen looks the request up (a new session) and amends it.
    clock.go(datetime.date(2026, 9, 22))
    look_up(citizen, live_server, code.lower())
    assert "计时停止" in citizen.locator("#due-on").inner_text()
    assert "请写明所需资金的具体名称" in citizen.locator("#amendment").inner_text()
    citizen.fill("#id_text", "2025年度工业企业技术改造专项资金（抚工信发〔2025〕12号）的分配结果。")
    citizen.click("#amendment button[type=submit]")
    citizen.wait_for_selector(".messages")
    # The clock restarted from 9-22: 20 working days, across the holidays, end on 10-27.
    assert "2026年10月27日" in citizen.locator("#due-on").inner_text()

    # 5. Extension: the handler asks, the approver approves; the applicant sees the new date.
    log_in(staff, live_server, "fushun_handler")
    staff.goto(live_server.url + reverse("information_requests:detail", args=[request.pk]))
    open_action(staff, "extension")
    staff.fill("#action-extension input[name=days]", "10")
    staff.fill("#action-extension textarea", "所需材料需向三个科室调取并作区分处理")
    staff.click("#action-extension button")
    assert "待信息公开工作机构负责人批准" in staff.locator(".messages").inner_text()
    log_in(staff, live_server, "fushun_approver")
    staff.goto(live_server.url + reverse("information_requests:detail", args=[request.pk]))
    staff.check("input[name=decision][value=approve]")
    staff.click("#action-extension_decision button")
    assert "2026年11月10日" in staff.locator("#due-on").inner_text()
    staff.screenshot(path=str(screenshots_dir / "request-detail.png"), full_page=True)
    citizen.reload()
    assert "至2026年11月10日" in citizen.locator("#extension-note").inner_text()

    # 6. The reply: 部分公开, with a file, on 10-15.
    clock.go(datetime.date(2026, 10, 15))
    log_in(staff, live_server, "fushun_handler")
    staff.goto(live_server.url + reverse("information_requests:detail", args=[request.pk]))
    open_action(staff, "reply")
    staff.select_option("#action-reply select[name=outcome]", "partly_disclosed")
    staff.fill(
        "#action-reply textarea[name=reasons]",
        "分配名单中自然人的身份证号码属于个人隐私（条例第十五条），已作区分处理。",
    )
    staff.set_input_files(
        "#action-reply input[type=file]",
        files=[
            {
                "name": "资金分配结果.csv",
                "mimeType": "text/csv",
                "buffer": "企业,金额（万元）\n抚顺某机械有限公司,50.00\n".encode(),
            }
        ],
    )
    staff.click("#action-reply button")
    assert staff.locator("#status").inner_text() == "已办结"
    # The annual report counts it: received in 2026, answered 部分公开 in 2026, by a natural person.
    staff.goto(live_server.url + reverse("information_requests:report", args=[department.pk]) + "?year=2026")
    partly = staff.locator("#table3 tr", has_text="（二）部分公开").locator("td")
    assert partly.all_inner_texts() == ["1", "0", "0", "0", "0", "0", "1"]
    staff.screenshot(path=str(screenshots_dir / "request-report.png"), full_page=True)

    # 7. The citizen (session expired overnight) looks it up again and downloads the letter.
    look_up(citizen, live_server, code)
    assert "部分公开" in citizen.locator("#reply").inner_text()
    assert "资金分配结果.csv" in citizen.locator("#reply").inner_text()
    history = citizen.locator("#history").inner_text()
    for step in ["提交申请", "登记受理", "发出补正通知", "提交补正申请", "延期获批准", "答复并办结"]:
        assert step in history
    citizen.screenshot(path=str(screenshots_dir / "request-status.png"), full_page=True)
    with citizen.expect_download() as download:
        citizen.click("#letter-link")
    letter = tmp_path / "letter.pdf"
    download.value.save_as(letter)
    assert download.value.suggested_filename.endswith(".pdf")
    text = "".join(
        subprocess.run(["pdftotext", str(letter), "-"], capture_output=True, check=True, text=True).stdout.split()
    )
    assert "抚顺市工业和信息化局" in text and "王小明：" in text and "第三十七条" in text and "2026年10月15日" in text
    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", "-singlefile", str(letter), str(screenshots_dir / "request-letter")],
        check=True,
    )

    # On a phone the status page fits the screen: nothing scrolls sideways.
    phone_ctx = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True
    )
    phone = phone_ctx.new_page()
    look_up(phone, live_server, code)
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    phone.screenshot(path=str(screenshots_dir / "request-status-phone.png"), full_page=True)

    phone_ctx.close()
    citizen_ctx.close()
    staff_ctx.close()


def test_on_a_phone_an_empty_submit_focuses_a_summary_whose_links_reach_their_fields(live_server, phone, setup, screenshots_dir):
    phone.goto(live_server.url + reverse("information_requests:apply"))
    phone.fill("#id_description", "请提供资金分配结果。")
    assert phone.locator("[data-counter-for=id_description]").inner_text() == "已写 10 字，最多 2000 字"
    phone.click("form.form button[type=submit]")
    phone.wait_for_selector("#error-summary")
    assert phone.title().startswith("提交未成功：")
    phone.wait_for_function("document.activeElement && document.activeElement.id === 'error-summary'", timeout=5000)
    assert phone.evaluate("document.activeElement.id") == "error-summary"
    summary = phone.locator("#error-summary")
    assert "联系电话：请填写联系电话。" in summary.inner_text()
    assert summary.bounding_box()["y"] < 844  # on the first screen, not somewhere down a long page
    phone.screenshot(path=str(screenshots_dir / "request-form-errors-phone.png"))
    summary.get_by_role("link", name="联系电话：请填写联系电话。").click()
    assert phone.evaluate("document.activeElement.id") == "id_phone"
    assert phone.locator("#id_phone").get_attribute("aria-describedby") == "id_phone_error"
    assert phone.locator("#id_phone_error").inner_text() == "请填写联系电话。"


def test_on_a_phone_an_application_with_an_attachment_and_no_email_gets_its_notice_by_sms_recorded_as_delivered(
    live_server, browser, phone, setup, clock, settings, screenshots_dir, tmp_path
):
    from disclosures.information_requests.models import NoticeDelivery, RequestAttachment
    from disclosures.information_requests.sms import locmem

    settings.SMS_BACKEND = "disclosures.information_requests.sms.locmem.LocmemBackend"
    locmem.outbox.clear()
    department = setup
    clock.go(datetime.date(2026, 9, 14))
    proof = tmp_path / "身份证明.pdf"
    proof.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")

    # 1. An empty submit: the summary comes first, focused.
    phone.goto(live_server.url + reverse("information_requests:apply") + f"?department={department.pk}")
    phone.click("form.form button[type=submit]")
    phone.wait_for_selector("#error-summary")
    # form.js moves the focus once the page's scripts have run (deferred): wait for it, then check it.
    phone.wait_for_function("document.activeElement && document.activeElement.id === 'error-summary'", timeout=5000)
    assert phone.evaluate("document.activeElement.id") == "error-summary"
    assert "姓名或名称：请填写姓名或名称。" in phone.locator("#error-summary").inner_text()

    # 2. Filled in, with an identity proof attached and no e-mail.
    phone.select_option("#id_applicant_type", "natural_person")
    phone.fill("#id_name", "赵小红")
    phone.select_option("#id_id_type", "resident_id")
    phone.fill("#id_id_number", "11010519491231002X")
    phone.fill("#id_phone", "+86 139 1234 5678")
    phone.fill("#id_description", "请提供2025年度中小企业发展专项资金的拨付明细。")
    phone.check("input[name=form_wanted][value=electronic]")
    phone.check("input[name=delivery][value=online]")
    phone.set_input_files("#id_identity_files", str(proof))
    phone.check("#id_consent")
    phone.click("form.form button[type=submit]")
    phone.wait_for_selector("#tracking-code")
    request = InformationRequest.objects.get()
    attachment = RequestAttachment.objects.get(request=request)
    assert (attachment.name, attachment.kind, attachment.content_type) == ("身份证明.pdf", "identity", "application/pdf")
    assert request.email == ""
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    phone.screenshot(path=str(screenshots_dir / "request-receipt-phone.png"), full_page=True)

    # 3. Staff register it and send a 补正 notice: it goes by SMS, and its delivery is recorded.
    staff_ctx, staff = context(browser)
    log_in(staff, live_server, "fushun_handler")
    staff.goto(live_server.url + reverse("information_requests:detail", args=[request.pk]))
    assert "身份证明.pdf" in staff.locator("body").inner_text()
    staff.click("#action-receive button")
    open_action(staff, "amendment")
    staff.fill("#action-amendment textarea", "请写明所需资金的具体名称及年度。")
    staff.click("#action-amendment button")
    assert staff.locator("#status").inner_text() == "待补正"
    sms = [m for m in locmem.outbox if "补正" in m.text]
    assert len(sms) == 1 and sms[0].phone.endswith("13912345678")
    assert request.tracking_code not in sms[0].text
    delivery = NoticeDelivery.objects.get(request=request, proof=sms[0].message_id)
    assert delivery.channel == "sms" and delivery.delivered_on == datetime.date(2026, 9, 14)
    deliveries = staff.locator("#deliveries").inner_text()
    assert "2026-09-14 已送达" in deliveries and sms[0].message_id in deliveries
    staff.screenshot(path=str(screenshots_dir / "request-delivery.png"), full_page=True)
    staff_ctx.close()
