"""Applicants' personal data (个人信息保护法): encrypted at rest, masked on every page, revealed only to the
request handler (and audited), hidden from the overseeing administrator, anonymised after the retention
period, explained in the privacy notice, and never carried by a URL (the tracking code)."""

import datetime
import io
import re

import pytest
from cryptography.fernet import Fernet
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from disclosures.information_requests import personal_data, report, services
from disclosures.information_requests.models import InformationRequest
from disclosures.models.audit import AuditEvent

from .conftest import CREDIT_CODE, PERSON_ID, file_request, grant_session, received

D = datetime.date
pytestmark = pytest.mark.django_db
PHONE = "13912345678"
MASKED_ID = "1101**********002X"
MASKED_PHONE = "139****5678"
ADDRESS = "辽宁省抚顺市新抚区示例路1号"


def raw_row(pk):
    """The stored values, as a database dump or a backup would hold them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id_number, phone, email, address, id_number_hash, lookup_hash "
            "FROM information_requests_informationrequest WHERE id = %s",
            [pk],
        )
        return cursor.fetchone()


def text(response):
    return response.content.decode()


def reveal_events():
    return AuditEvent.objects.filter(action="reveal_personal_data")


# —— At rest ——————————————————————————————————————————————————————————————————


def test_the_database_holds_no_id_number_phone_email_or_address_in_clear(department):
    request = file_request(department)
    stored = raw_row(request.pk)
    dump = " ".join(stored)
    for clear in [PERSON_ID, PERSON_ID.lower(), "0519491231", PHONE, "2345678", "wang@example.com", "示例路"]:
        assert clear not in dump, clear
    assert all(personal_data.is_encrypted(value) for value in stored[:4])
    # The application reads them back as they were given.
    request = InformationRequest.objects.get(pk=request.pk)
    assert (request.id_number, request.phone, request.email, request.address) == (
        PERSON_ID, PHONE, "wang@example.com", ADDRESS,
    )  # fmt: skip
    # The same value encrypts differently each time: equal tokens would tell that two rows share a number.
    other = file_request(department, description="另一件")
    assert raw_row(other.pk)[0] != stored[0]
    # The hash that finds the same applicant is keyed: not the plain SHA-256 of the number.
    import hashlib

    assert stored[4] == other.id_number_hash and stored[4] != hashlib.sha256(PERSON_ID.encode()).hexdigest()


def test_the_encrypted_columns_cannot_be_filtered_on_by_mistake(department):
    from django.core.exceptions import FieldError

    file_request(department)
    with pytest.raises(FieldError):
        InformationRequest.objects.filter(id_number=PERSON_ID).count()


def test_a_repeated_application_is_still_found_by_the_keyed_hash(department):
    first = file_request(department)
    again = file_request(department, id_number=PERSON_ID.lower())
    different = file_request(department, id_number=CREDIT_CODE, id_type="credit_code", applicant_type="commercial")
    assert again.possible_repeat_of == first
    assert different.possible_repeat_of is None


def test_the_data_migration_encrypts_the_rows_already_there(transactional_db, department):
    from django.db.migrations.executor import MigrationExecutor

    before = [("information_requests", "0005_request_event_chain")]
    after = [("information_requests", "0006_personal_data_encrypted")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        old_apps = executor.loader.project_state(before).apps
        OldRequest = old_apps.get_model("information_requests", "InformationRequest")
        row = OldRequest.objects.create(
            department_id=department.pk, tracking_code="ABCDEFGHJKMNPQRS2345", applicant_type="natural_person",
            name="王小明", id_type="resident_id", id_number=PERSON_ID, phone=PHONE, email="wang@example.com",
            address=ADDRESS, description="旧申请", form_wanted="electronic", delivery="online",
            privacy_consent_at=datetime.datetime(2026, 1, 5, tzinfo=datetime.UTC),
        )  # fmt: skip
        with connection.cursor() as cursor:
            cursor.execute("SELECT id_number FROM information_requests_informationrequest WHERE id = %s", [row.pk])
            assert cursor.fetchone()[0] == PERSON_ID  # in clear before
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(after)
        # On to the latest migrations, which the model below reads (fields added after 0006).
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
    stored = raw_row(row.pk)
    assert PERSON_ID not in " ".join(stored) and PHONE not in " ".join(stored)
    migrated = InformationRequest.objects.get(pk=row.pk)
    assert (migrated.id_number, migrated.phone, migrated.address) == (PERSON_ID, PHONE, ADDRESS)
    assert migrated.id_number_hash == personal_data.id_number_hash(PERSON_ID)
    assert migrated.lookup_hash == personal_data.lookup_hash("ABCDEFGHJKMNPQRS2345", "5678")


# —— Key rotation ————————————————————————————————————————————————————————————


def test_a_new_key_reads_old_rows_and_rotation_re_encrypts_them(department, settings):
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.PERSONAL_DATA_KEYS = [old_key]
    request = file_request(department)
    token = raw_row(request.pk)[0]
    assert Fernet(old_key).decrypt(token.encode()).decode() == PERSON_ID

    # The new key first: old rows still open with the old key; new writes use the new one.
    settings.PERSONAL_DATA_KEYS = [new_key, old_key]
    assert InformationRequest.objects.get(pk=request.pk).id_number == PERSON_ID
    out = io.StringIO()
    call_command("rotate_personal_data_key", stdout=out)
    assert "重新加密 1 件" in out.getvalue()
    rotated = raw_row(request.pk)
    assert rotated[0] != token and Fernet(new_key).decrypt(rotated[0].encode()).decode() == PERSON_ID
    assert Fernet(new_key).decrypt(rotated[1].encode()).decode() == PHONE

    # The old key can go now.
    settings.PERSONAL_DATA_KEYS = [new_key]
    assert InformationRequest.objects.get(pk=request.pk).phone == PHONE


def test_dropping_a_key_before_rotating_fails_loudly(department, settings):
    settings.PERSONAL_DATA_KEYS = [Fernet.generate_key().decode()]
    request = file_request(department)
    settings.PERSONAL_DATA_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(personal_data.UndecryptableError):
        InformationRequest.objects.get(pk=request.pk)
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="个人信息无法解密"):
        call_command("rotate_personal_data_key", stdout=io.StringIO())


# —— Masking and revealing ————————————————————————————————————————————————————


def test_masks():
    assert personal_data.mask_id_number("210402198501011233") == "2104**********1233"
    assert personal_data.mask_phone("13812345678") == "138****5678"
    assert personal_data.mask_phone("02412345678") == "024****5678"
    assert personal_data.mask_email("wang@example.com") == "w***@example.com"
    assert personal_data.mask_address(ADDRESS) == "辽宁省抚顺市****"


@pytest.mark.parametrize("persona", ["handler", "approver"])
def test_the_request_page_masks_the_id_number_phone_email_and_address(client, department, persona, request):
    r = file_request(department)
    client.force_login(request.getfixturevalue(persona))
    page = text(client.get(reverse("information_requests:detail", args=[r.pk])))
    assert "王小明" in page and MASKED_ID in page and MASKED_PHONE in page and "w***@example.com" in page
    for clear in [PERSON_ID, PHONE, "wang@example.com", "示例路"]:
        assert clear not in page, clear
    inbox = text(client.get(reverse("information_requests:inbox", args=[department.pk])))
    assert MASKED_ID in inbox and PERSON_ID not in inbox and PHONE not in inbox


def test_the_handler_reveals_the_full_data_once_and_the_reveal_is_audited(client, department, handler):
    r = file_request(department)
    client.force_login(handler)
    detail = reverse("information_requests:detail", args=[r.pk])
    assert "显示完整信息" in text(client.get(detail))
    assert reveal_events().count() == 0
    reveal = reverse("information_requests:reveal", args=[r.pk])
    assert client.get(reveal).status_code == 405  # a link followed by a crawler or a prefetch reveals nothing

    response = client.post(reveal)
    page = text(response)
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert PERSON_ID in page and PHONE in page and "wang@example.com" in page and ADDRESS in page
    assert "本次查看已记入安全审计日志" in page
    event = reveal_events().get()
    assert event.actor == handler and event.data["request_id"] == r.pk
    assert event.action_label == "查看申请人完整个人信息"
    # Once: the next load of the page is masked again.
    again = text(client.get(detail))
    assert PERSON_ID not in again and MASKED_ID in again


@pytest.mark.parametrize("persona, status", [("approver", 403), ("admin_user", 403), ("editor", 404), ("other_handler", 404)])
def test_no_one_but_the_request_handler_can_reveal(client, department, persona, status, request):
    r = file_request(department)
    client.force_login(request.getfixturevalue(persona))
    response = client.post(reverse("information_requests:reveal", args=[r.pk]))
    assert response.status_code == status
    assert PERSON_ID not in text(response) and PHONE not in text(response)
    assert reveal_events().count() == 0
    if status == 403:
        assert "显示完整信息" not in text(client.get(reverse("information_requests:detail", args=[r.pk])))


def test_emails_to_staff_carry_no_personal_data(department, handler, mailoutbox):
    file_request(department)
    to_staff = [m for m in mailoutbox if handler.email in m.to]
    assert to_staff
    for message in to_staff:
        for private in ["王小明", PERSON_ID, PHONE, "wang@example.com", "示例路"]:
            assert private not in message.subject + message.body, private


def test_a_failed_email_is_logged_without_the_address(department, monkeypatch, caplog):
    from disclosures import tasks

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(tasks, "send_mail", refuse)  # what the e-mail task sends with
    file_request(department)
    assert "could not send" in caplog.text
    assert "wang@example.com" not in caplog.text and "王小明" not in caplog.text


def test_the_django_admin_shows_the_data_masked(client, department):
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    r = file_request(department)
    for url in [
        reverse("admin:information_requests_informationrequest_changelist"),
        reverse("admin:information_requests_informationrequest_change", args=[r.pk]),
    ]:
        page = text(client.get(url))
        assert MASKED_ID in page and PERSON_ID not in page and PHONE not in page, url


# —— The finance bureau's administrator ————————————————————————————————————————


def test_the_administrator_sees_the_figures_but_not_who_applied(client, department, handler, admin_user, frozen):
    frozen(D(2026, 9, 18))
    r = received(department, handler, D(2026, 9, 18))
    services.send_reply(r, outcome="disclosed", actor=handler)
    file_request(department, name="赵四", description="新申请")
    client.force_login(admin_user)

    inbox_url = reverse("information_requests:inbox", args=[department.pk])
    inbox = text(client.get(inbox_url))
    assert 'data-tab="new">新申请（待登记） <span class="count">1</span>' in inbox
    assert "（已隐去）" in inbox and "赵四" not in inbox and "1101**" not in inbox
    # Searching a name does not tell the administrator whether that person applied.
    assert "（已隐去）" not in text(client.get(inbox_url + "?tab=new&q=赵四")).split("<h1")[1]

    closed = text(client.get(inbox_url + "?tab=closed"))
    assert "2025年度工业企业技术改造专项资金分配结果" in closed  # what was asked stays visible
    page = text(client.get(reverse("information_requests:detail", args=[r.pk])))
    assert page.count("（已隐去）") == 5
    for private in ["王小明", MASKED_ID, MASKED_PHONE, "w***@", "辽宁省抚顺市****", "告知书（PDF）"]:
        assert private not in page, private

    report_page = text(client.get(reverse("information_requests:report", args=[department.pk]) + "?year=2026"))
    assert report_page.count('class="amount"') > 20 and "王小明" not in report_page
    assert client.get(reverse("information_requests:report_xlsx", args=[department.pk]) + "?year=2026").status_code == 200


# —— Retention ——————————————————————————————————————————————————————————————


def test_anonymising_after_the_retention_period_keeps_the_report_figures(
    client, department, handler, frozen, settings, mailoutbox
):
    settings.PERSONAL_DATA_RETENTION_YEARS = 3
    frozen(D(2026, 9, 18))
    old = received(department, handler, D(2026, 9, 18))
    services.send_reply(old, outcome="disclosed", files=[SimpleUploadedFile("a.csv", b"x")], actor=handler)
    org = received(
        department, handler, D(2026, 9, 18), applicant_type="commercial", id_type="credit_code",
        id_number=CREDIT_CODE, contact_person="赵六", name="抚顺某机械有限公司",
    )  # fmt: skip
    services.send_reply(org, outcome="withheld_process", reasons="内部事务信息。", actor=handler)
    appealed = received(department, handler, D(2026, 9, 18), description="有复议的申请")
    services.send_reply(appealed, outcome="withheld_process", reasons="内部事务信息。", actor=handler)
    services.record_appeal(appealed, kind="review", filed_on=D(2026, 9, 18), actor=handler)
    frozen(D(2027, 3, 1))
    recent = received(department, handler, D(2027, 3, 1), description="较近的申请")
    services.send_reply(recent, outcome="disclosed", actor=handler)
    open_ = file_request(department, description="未办结")
    reports_before = [report.to_csv(report.build(department, year)) for year in (2026, 2027)]

    frozen(D(2029, 9, 18))  # three years to the day: not yet longer than the period
    call_command("anonymise_requests", stdout=io.StringIO())
    assert InformationRequest.objects.filter(anonymised_on__isnull=False).count() == 0

    frozen(D(2029, 9, 19))
    out = io.StringIO()
    call_command("expire_requests", stdout=out)  # the daily job runs it
    assert out.getvalue().count("已匿名化") == 2

    for request in (old, org):
        request = InformationRequest.objects.get(pk=request.pk)
        assert request.anonymised_on == D(2029, 9, 19)
        assert request.name == "（已匿名化）"
        assert (request.id_number, request.phone, request.email, request.address) == ("", "", "", "")
        assert (request.id_number_hash, request.lookup_hash) == ("", "")
        assert not request.reply.letter  # the letter was addressed to the applicant by name
        assert request.reply.outcome and request.reply.letter_number  # the decision itself stays
    assert InformationRequest.objects.get(pk=org.pk).contact_person == "（已匿名化）"
    for kept in (appealed, recent, open_):  # a pending appeal still needs it; the others are within the period
        kept = InformationRequest.objects.get(pk=kept.pk)
        assert kept.anonymised_on is None and kept.id_number == PERSON_ID

    assert [report.to_csv(report.build(department, year)) for year in (2026, 2027)] == reports_before
    assert AuditEvent.objects.filter(action="anonymise_personal_data").get().data["count"] == 2

    # The applicant can no longer open it; staff see that it was anonymised.
    response = client.post(reverse("information_requests:lookup"), {"tracking_code": old.tracking_code, "phone_suffix": "5678"})
    assert response.status_code == 404
    client.force_login(handler)
    page = text(client.get(reverse("information_requests:detail", args=[old.pk])))
    assert "已于2029年9月19日匿名化" in page and "显示完整信息" not in page and "王小明" not in page
    assert client.post(reverse("information_requests:reveal", args=[old.pk])).status_code == 403


# —— The privacy notice ————————————————————————————————————————————————————————


def test_the_privacy_notice_names_the_processor_purpose_data_retention_and_rights(client, department, settings):
    settings.PERSONAL_DATA_RETENTION_YEARS = 5
    settings.PERSONAL_DATA_CONTROLLER_CONTACT = "辽宁省财政厅信息中心，024-12345678"
    page = text(client.get(reverse("information_requests:apply") + f"?department={department.pk}"))
    notice = page[page.index('id="privacy-title"') : page.index('name="consent"')]
    # The notes for developers stay in the template: the applicant reads only the notice.
    assert "{#" not in page and "who processes" not in page
    assert "抚顺市工业和信息化局" in notice.split('id="privacy-controller"')[1].split("</dd>")[0]
    assert "辽宁省财政厅信息中心，024-12345678" in notice
    assert "《中华人民共和国政府信息公开条例》办理您的本次申请" in notice
    for collected in ["姓名或名称", "证件类型和号码", "联系电话", "电子邮箱", "通讯地址", "敏感个人信息"]:
        assert collected in notice, collected
    assert "申请办结后保存5年" in notice
    assert "查阅、复制、更正、补充" in notice and "删除" in notice and "第四十四条至第四十七条" in notice
    # Without a department chosen yet, the notice says it is the one chosen on the form.
    assert "您在上方选择的受理机关" in text(client.get(reverse("information_requests:apply")))


# —— No tracking code in a URL ——————————————————————————————————————————————————


def urls_in(page):
    return re.findall(r'(?:href|action|src)="([^"]*)"', page)


def assert_no_code(values, request):
    for value in values:
        assert request.tracking_code not in value.upper().replace("-", ""), value


def test_no_page_link_or_redirect_of_the_citizen_carries_the_tracking_code(client, department, handler, mailoutbox, frozen):
    frozen(D(2026, 9, 18))
    from .test_citizen_pages import form_data

    response = client.post(reverse("information_requests:apply"), form_data(department), follow=True)
    request = InformationRequest.objects.get()
    assert request.display_code in text(response)  # the receipt shows it, on the page
    assert_no_code([url for url, _status in response.redirect_chain], request)
    assert_no_code(urls_in(text(response)), request)

    services.receive(request, actor=handler)
    services.send_amendment_notice(request, instructions="请写明资金名称。", deadline=D(2026, 10, 30), actor=handler)
    client.cookies.clear()
    looked_up = client.post(
        reverse("information_requests:lookup"), {"tracking_code": request.display_code, "phone_suffix": "5678"}
    )
    assert looked_up.status_code == 302
    assert_no_code([looked_up["Location"]], request)
    status_page = text(client.get(looked_up["Location"]))
    assert "提交补正" in status_page
    assert_no_code(urls_in(status_page), request)
    amended = client.post(reverse("information_requests:amend", args=[request.pk]), {"text": "技术改造专项资金"})
    assert_no_code([amended["Location"]], request)

    request.refresh_from_db()
    services.send_reply(request, outcome="disclosed", files=[SimpleUploadedFile("结果.csv", b"x")], actor=handler)
    final = text(client.get(reverse("information_requests:status", args=[request.pk])))
    assert "结果.csv" in final and "下载告知书（PDF）" in final
    assert_no_code(urls_in(final), request)

    # The e-mails give the code in the text and link to the lookup page, never to a URL with the code.
    to_applicant = [m for m in mailoutbox if m.to == ["wang@example.com"]]
    assert len(to_applicant) == 5  # submitted, received, amendment notice, amendment received, reply
    lookup_url = "http://127.0.0.1:8000" + reverse("information_requests:lookup")
    for message in to_applicant:
        assert request.display_code in message.body and lookup_url in message.body
        assert_no_code(re.findall(r"https?://[^\s）)]+", message.body), request)

    # The old paths with the code are gone.
    assert client.get(f"/requests/status/{request.tracking_code}/").status_code == 404


def test_a_session_that_has_not_proved_access_gets_nothing_for_a_guessed_id(client, department, handler):
    request = file_request(department)
    other = file_request(department, description="别人的申请")
    grant_session(client, request)
    assert client.get(reverse("information_requests:status", args=[request.pk])).status_code == 200
    response = client.get(reverse("information_requests:status", args=[other.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("information_requests:lookup")
    assert client.get(reverse("information_requests:receipt", args=[other.pk])).status_code == 404
    assert client.post(reverse("information_requests:amend", args=[other.pk]), {"text": "x"}).status_code == 404


def test_the_lookup_lockout_still_counts_per_code_and_address(client, department):
    request = file_request(department)
    for guess in ["0000", "1111", "2222", "3333", "4444"]:
        client.post(reverse("information_requests:lookup"), {"tracking_code": request.tracking_code, "phone_suffix": guess})
    blocked = client.post(
        reverse("information_requests:lookup"), {"tracking_code": request.tracking_code, "phone_suffix": "5678"}
    )
    assert blocked.status_code == 429
    from django.core.cache import caches

    keys = list(getattr(caches["limits"], "_cache", {}).keys())
    assert keys and not any(request.tracking_code in str(key) for key in keys)

