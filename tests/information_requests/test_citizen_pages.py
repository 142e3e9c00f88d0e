"""The citizen's side: the form and its checks, anti-abuse, the receipt, the private status page."""

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from disclosures.information_requests import services
from disclosures.information_requests.models import InformationRequest, Status

from .conftest import CREDIT_CODE, PERSON_ID, grant_session, received

D = datetime.date
pytestmark = pytest.mark.django_db
APPLY = reverse("information_requests:apply")
LOOKUP = reverse("information_requests:lookup")


def form_data(department, **overrides):
    data = {
        "department": department.pk,
        "applicant_type": "natural_person",
        "name": "王小明",
        "id_type": "resident_id",
        "id_number": PERSON_ID.lower(),
        "phone": "139 1234 5678",
        "email": "wang@example.com",
        "address": "",
        "information_title": "2025年度专项资金分配结果",
        "description": "请提供2025年度工业企业技术改造专项资金的分配结果。",
        "form_wanted": "electronic",
        "delivery": "online",
        "consent": "on",
        "website": "",
    }
    data.update(overrides)
    return data


def text(response):
    return response.content.decode()


def test_a_citizen_applies_and_gets_a_receipt_with_an_unguessable_code(client, department, mailoutbox):
    response = client.post(APPLY, form_data(department), follow=True)
    request = InformationRequest.objects.get()
    assert response.redirect_chain[-1][0] == reverse("information_requests:receipt", args=[request.pk])
    assert re.fullmatch(r"[2-9A-HJKMNP-Z]{20}", request.tracking_code)
    assert str(request.pk) not in request.tracking_code
    page = text(response)
    assert request.display_code in page and "打印或保存回执" in page and "抚顺市工业和信息化局" in page
    assert (request.id_number, request.phone, request.status) == (PERSON_ID, "13912345678", Status.SUBMITTED)
    assert request.display_code in mailoutbox[0].body
    # Another browser cannot open the receipt.
    client.cookies.clear()
    assert client.get(reverse("information_requests:receipt", args=[request.pk])).status_code == 404


def test_the_form_offers_the_department_chosen_on_its_page(client, department):
    page = text(client.get(APPLY + f"?department={department.pk}"))
    assert f'<option value="{department.pk}" selected>辽宁省/抚顺市 · 抚顺市工业和信息化局</option>' in page
    assert page.count("<h1") == 1


@pytest.mark.parametrize(
    "overrides, field_message",
    [
        ({"id_number": "110105194912310021"}, "居民身份证号码校验位不正确，请核对。"),
        ({"id_number": "11010519491231"}, "居民身份证号码应为18位"),
        (
            {"applicant_type": "commercial", "id_number": "91110108551385082A", "contact_person": "赵六"},
            "统一社会信用代码校验位不正确",
        ),
        (
            {"applicant_type": "legal_services", "id_number": "9111010855138508IQ", "contact_person": "赵六"},
            "统一社会信用代码应为18位数字或大写字母",
        ),
        ({"applicant_type": "research", "id_number": CREDIT_CODE}, "法人或其他组织请填写联系人姓名。"),
        ({"phone": "12345"}, "请填写11位手机号码或带区号的固定电话号码。"),
        ({"delivery": "email", "email": ""}, "选择通过电子邮件获取信息时，请填写电子邮箱。"),
        ({"delivery": "post"}, "选择邮寄时，请填写通讯地址。"),
        ({"consent": ""}, "请阅读个人信息处理说明并勾选同意后再提交。"),
        ({"description": ""}, "请填写所需信息的内容描述。"),
        ({"description": "要" * 2001}, "所需信息的描述最多2000字（现有2001字）"),
        ({"phone": "+86 138 1234"}, "请填写11位手机号码或带区号的固定电话号码。"),
    ],
)
def test_bad_input_gets_a_clear_message_and_saves_nothing(client, department, overrides, field_message, mailoutbox):
    response = client.post(APPLY, form_data(department, **overrides))
    assert response.status_code == 200
    assert field_message in text(response)
    assert InformationRequest.objects.count() == 0 and mailoutbox == []


def test_an_organisation_gives_its_credit_code(client, department):
    client.post(
        APPLY,
        form_data(
            department,
            applicant_type="public_interest",
            id_type="",
            id_number=CREDIT_CODE,
            contact_person="赵六",
            name="抚顺市某公益基金会",
        ),
    )
    request = InformationRequest.objects.get()
    assert (request.applicant_type, request.id_type, request.id_number) == (
        "public_interest",
        "credit_code",
        CREDIT_CODE,
    )


def test_a_filled_honeypot_saves_nothing(client, department):
    response = client.post(APPLY, form_data(department, website="http://spam.example"))
    assert "提交未成功，请稍后重试。" in text(response)
    assert InformationRequest.objects.count() == 0


def test_the_sixth_submission_in_an_hour_from_one_applicant_is_refused(client, department):
    for n in range(5):
        assert client.post(APPLY, form_data(department, description=f"第{n}件")).status_code == 302
    response = client.post(APPLY, form_data(department, description="第6件", id_number=PERSON_ID.lower()))
    assert response.status_code == 429
    assert "同一申请人每小时最多提交5件申请" in text(response)
    assert InformationRequest.objects.count() == 5


def test_one_office_filing_for_many_applicants_is_not_blocked_until_thirty(client, department):
    # A legal-aid office: one address, a different applicant each time (valid organisation codes).
    codes = [_credit_code(f"91210400MA{n:02d}00000") for n in range(31)]
    for n, code in enumerate(codes[:30]):
        data = form_data(department, applicant_type="legal_services", id_number=code, contact_person="赵六", description=f"第{n}件")
        assert client.post(APPLY, data).status_code == 302, n
    data = form_data(department, applicant_type="legal_services", id_number=codes[30], contact_person="赵六")
    response = client.post(APPLY, data)
    assert response.status_code == 429 and "同一网络地址每小时最多提交30件申请" in text(response)
    assert InformationRequest.objects.count() == 30


def _credit_code(first17):
    """An 18-character 统一社会信用代码 with its check character (GB 32100-2015)."""
    from disclosures.information_requests.validators import credit_code_checksum

    return first17 + credit_code_checksum(first17)


def test_the_status_page_needs_the_code_and_the_phone_suffix(client, department, handler, frozen):
    frozen(D(2026, 9, 18))
    request = received(department, handler, D(2026, 9, 18))
    status_url = reverse("information_requests:status", args=[request.pk])
    # Without proof, the status URL shows nothing and sends the visitor to the lookup form.
    response = client.get(status_url)
    assert response.status_code == 302 and response["Location"].startswith(LOOKUP)

    wrong = client.post(LOOKUP, {"tracking_code": request.display_code, "phone_suffix": "0000"})
    assert wrong.status_code == 404
    assert (
        "查询码或电话号码后四位不正确" in text(wrong)
        and "王小明" not in text(wrong)
        and "抚顺市工业和信息化局" not in text(wrong)
    )
    unknown = client.post(LOOKUP, {"tracking_code": "ABCD-EFGH-JKMN-PQRS-TUVW", "phone_suffix": "5678"})
    assert text(unknown).count("查询码或电话号码后四位不正确") == 1

    right = client.post(LOOKUP, {"tracking_code": request.display_code.lower(), "phone_suffix": "5678"}, follow=True)
    page = text(right)
    assert "办理中" in page and "2026年9月18日" in page and "2026年10月22日" in page
    assert "提交申请" in page and "登记受理" in page
    assert PERSON_ID not in page  # the ID number is never shown back


def test_guessing_the_phone_suffix_is_rate_limited_even_for_the_right_answer(client, department, handler, frozen):
    frozen(D(2026, 9, 18))
    request = received(department, handler, D(2026, 9, 18))
    for guess in ["0000", "1111", "2222", "3333", "4444"]:
        assert client.post(LOOKUP, {"tracking_code": request.tracking_code, "phone_suffix": guess}).status_code == 404
    blocked = client.post(LOOKUP, {"tracking_code": request.tracking_code, "phone_suffix": "5678"})
    assert blocked.status_code == 429
    assert "查询失败次数过多，请一小时后再试。" in text(blocked)
    assert "办理中" not in text(blocked)
    # The owner, at another address, is not locked out by the stranger's guesses.
    owner = client.post(
        LOOKUP, {"tracking_code": request.tracking_code, "phone_suffix": "5678"}, REMOTE_ADDR="198.51.100.7", follow=True
    )
    assert owner.status_code == 200 and "办理中" in text(owner)


def test_one_address_guessing_many_codes_is_rate_limited(client, department):
    for n in range(10):
        client.post(LOOKUP, {"tracking_code": f"NOPE{n:016d}", "phone_suffix": "1234"})
    assert client.post(LOOKUP, {"tracking_code": "ANYTHING", "phone_suffix": "1234"}).status_code == 429


def test_the_applicant_amends_on_the_status_page(client, department, handler, frozen):
    frozen(D(2026, 9, 18))
    request = received(department, handler, D(2026, 9, 18))
    services.send_amendment_notice(request, instructions="请写明资金名称。", deadline=D(2026, 10, 15), actor=handler)
    frozen(D(2026, 9, 24))
    grant_session(client, request)
    page = text(client.get(reverse("information_requests:status", args=[request.pk])))
    assert "补正通知" in page and "请写明资金名称。" in page and "提交补正" in page
    amend_url = reverse("information_requests:amend", args=[request.pk])
    empty = client.post(amend_url, {"text": ""})
    assert empty.status_code == 400 and "这个字段是必填项。" in text(empty)
    response = client.post(amend_url, {"text": "技术改造专项资金"}, follow=True)
    page = text(response)
    assert "补正申请已提交" in page and "您已于2026年9月24日提交补正" in page
    request.refresh_from_db()
    assert request.due_on == D(2026, 10, 29)


def test_the_applicant_downloads_the_letter_and_the_files(client, department, handler, frozen):
    frozen(D(2026, 9, 18))
    request = received(department, handler, D(2026, 9, 18))
    upload = SimpleUploadedFile("分配结果.xlsx", b"PK fake workbook")
    reply = services.send_reply(
        request,
        outcome="partly_disclosed",
        reasons="名单中的个人信息已隐去（条例第十五条）。",
        files=[upload],
        actor=handler,
    )
    grant_session(client, request)
    page = text(client.get(reverse("information_requests:status", args=[request.pk])))
    assert "处理结果：<strong>部分公开</strong>" in page and "下载告知书（PDF）" in page and "分配结果.xlsx" in page
    letter = client.get(reverse("information_requests:letter", args=[request.pk]))
    assert letter["Content-Type"] == "application/pdf"
    assert b"".join(letter.streaming_content)[:5] == b"%PDF-"
    stored = reply.files.get()
    download = client.get(reverse("information_requests:file", args=[request.pk, stored.pk]))
    assert b"".join(download.streaming_content) == b"PK fake workbook"
    # Another browser gets nothing.
    client.cookies.clear()
    assert client.get(reverse("information_requests:letter", args=[request.pk])).status_code == 404
    assert client.get(reverse("information_requests:file", args=[request.pk, stored.pk])).status_code == 404


def test_the_status_page_keeps_internal_steps_and_the_third_party_to_staff(
    client, department, handler, approver, frozen
):
    frozen(D(2026, 9, 18))
    request = received(department, handler, D(2026, 9, 18))
    extension = services.request_extension(request, days=5, reason="内部讨论：档案室人手不足", actor=handler)
    services.reject_extension(extension, actor=approver)
    services.assign(request, approver, actor=handler)
    services.start_consultation(
        request, third_party="抚顺某化工有限公司", contact="024-1234567", matter="是否涉及商业秘密", reason="申报材料可能含有其商业秘密", actor=handler
    )
    grant_session(client, request)
    page = text(client.get(reverse("information_requests:status", args=[request.pk])))
    assert "征求第三方意见" in page and "征求第三方意见期间不计算在答复期限内" in page
    for private in [
        "抚顺某化工有限公司",
        "024-1234567",
        "是否涉及商业秘密",
        "档案室人手不足",
        "延期未获批准",
        "指定经办人",
        "李负责人",
        "张经办",
    ]:
        assert private not in page, private


def test_behind_a_trusted_proxy_the_limit_counts_the_forwarded_client_not_the_proxy(client, department, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    # Ten wrong guesses from one citizen, arriving through the proxy, whatever they write in front.
    for n in range(10):
        client.post(LOOKUP, {"tracking_code": f"NOPE{n:016d}", "phone_suffix": "1234"},
                    HTTP_X_FORWARDED_FOR=f"198.51.100.{n}, 203.0.113.7", **proxy)  # fmt: skip
    blocked = client.post(LOOKUP, {"tracking_code": "ANYTHING", "phone_suffix": "1234"},
                          HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy)  # fmt: skip
    assert blocked.status_code == 429
    # Another citizen behind the same proxy is not blocked: the code is simply not found.
    other = client.post(LOOKUP, {"tracking_code": "ANYTHING", "phone_suffix": "1234"},
                        HTTP_X_FORWARDED_FOR="203.0.113.8", **proxy)  # fmt: skip
    assert other.status_code == 404


def test_without_a_trusted_proxy_a_forged_forwarded_header_does_not_escape_the_limit(client, department):
    for n in range(10):
        client.post(LOOKUP, {"tracking_code": f"NOPE{n:016d}", "phone_suffix": "1234"}, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
    blocked = client.post(LOOKUP, {"tracking_code": "ANYTHING", "phone_suffix": "1234"}, HTTP_X_FORWARDED_FOR="192.0.2.1")
    assert blocked.status_code == 429


def test_a_phone_number_with_the_country_code_is_accepted(client, department):
    client.post(APPLY, form_data(department, phone="+86 138 1234 5678"))
    assert InformationRequest.objects.get().phone == "13812345678"


def test_an_empty_submit_lists_every_error_linked_to_its_field_and_each_field_points_at_its_error(client, department):
    response = client.post(APPLY, {"website": ""})
    page = response.content.decode()
    assert "<title>提交未成功：政府信息公开申请" in page
    summary = page[page.index('id="error-summary"'):page.index("</ul>", page.index('id="error-summary"'))]
    for field, message in [
        ("id_department", "向哪个机关申请：请选择向哪个机关申请。"),
        ("id_name", "姓名或名称：请填写姓名或名称。"),
        ("id_phone", "联系电话：请填写联系电话。"),
        ("id_description", "所需信息的内容描述：请填写所需信息的内容描述。"),
        ("id_consent", "请阅读个人信息处理说明并勾选同意后再提交。"),
    ]:
        assert f'href="#{field}"' in summary and message in summary, (field, message)
    assert "这个字段是必填项" not in page
    # Every link of the summary reaches an element on the page (a group of radio buttons too).
    assert all(f'id="{target}"' in page for target in re.findall(r'href="#(id_[a-z_]+)"', summary))
    # Every aria-describedby names ids that are on the page.
    described = {i for ids in re.findall(r'aria-describedby="([^"]+)"', page) for i in ids.split()}
    assert {"id_phone_error", "id_description_helptext", "id_description_error"} <= described
    assert all(f'id="{i}"' in page for i in described), sorted(i for i in described if f'id="{i}"' not in page)
