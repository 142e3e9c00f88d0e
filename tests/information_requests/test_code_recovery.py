"""找回查询码: the codes go to the contact on file, never onto the page; the page answers the same whether or not
the contact has applied; limited per address and per contact."""

import datetime

import pytest
from django.urls import reverse

from disclosures.information_requests import recovery, retention
from disclosures.information_requests.models import InformationRequest
from disclosures.information_requests.sms import locmem
from disclosures.models import AuditEvent

from .conftest import file_request

D = datetime.date
pytestmark = pytest.mark.django_db
LOOKUP = reverse("information_requests:lookup")
RECOVER = reverse("information_requests:recover")


@pytest.fixture(autouse=True)
def sms(settings):
    settings.SMS_BACKEND = "disclosures.information_requests.sms.locmem.LocmemBackend"
    locmem.outbox.clear()
    yield locmem.outbox
    locmem.outbox.clear()


@pytest.fixture
def filed(department, other_department, mailoutbox, sms):
    mine = [
        file_request(department, phone="13912345678", email=""),
        file_request(other_department, phone="13912345678", email="wang@example.com"),
    ]
    stranger = file_request(department, phone="13800001111", email="li@example.com", id_number="110101199003074514")
    mailoutbox.clear()
    sms.clear()
    return mine, stranger


def text(response):
    return response.content.decode()


def test_the_codes_go_by_sms_to_the_phone_on_file_and_not_onto_the_page(client, filed, sms, mailoutbox):
    mine, stranger = filed
    response = client.post(RECOVER, {"contact": "139-1234-5678"}, follow=True)
    assert response.redirect_chain == [(LOOKUP, 302)]
    page = text(response)
    assert recovery.ANSWER in page
    for request in mine + [stranger]:
        assert request.display_code not in page and request.tracking_code not in page
    assert [m.phone for m in sms] == ["13912345678"]
    assert all(r.display_code in sms[0].text for r in mine) and stranger.display_code not in sms[0].text
    assert mailoutbox == []
    assert AuditEvent.objects.get(action="recover_tracking_code").data["count"] == 2


def test_the_codes_go_by_email_to_the_address_on_file(client, filed, sms, mailoutbox):
    mine, stranger = filed
    client.post(RECOVER, {"contact": " WANG@Example.com "})
    assert [m.to for m in mailoutbox] == [["wang@example.com"]]
    body = mailoutbox[0].body
    assert mine[1].display_code in body and mine[0].display_code not in body and stranger.display_code not in body
    assert sms == []


def test_an_unknown_contact_gets_the_same_answer_and_nothing_is_sent(client, filed, sms, mailoutbox):
    known = client.post(RECOVER, {"contact": "13912345678"})
    known_page = text(client.get(LOOKUP))
    sms.clear()
    unknown = client.post(RECOVER, {"contact": "13700009999"})
    unknown_page = text(client.get(LOOKUP))
    assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"]) == (302, LOOKUP)
    assert recovery.ANSWER in unknown_page and recovery.ANSWER in known_page
    assert unknown.content == known.content
    client.post(RECOVER, {"contact": "nobody@example.com"})
    assert recovery.ANSWER in text(client.get(LOOKUP))
    assert sms == [] and mailoutbox == []
    assert AuditEvent.objects.filter(action="recover_tracking_code").count() == 1


def test_an_anonymised_request_is_not_found_any_more(client, department, sms, mailoutbox):
    request = file_request(department, phone="13912345678", email="")
    retention.anonymise(request, today=D(2030, 1, 1))
    sms.clear()
    client.post(RECOVER, {"contact": "13912345678"})
    assert sms == []


def test_a_malformed_contact_is_refused_with_a_message(client, db):
    response = client.post(RECOVER, {"contact": "12345"})
    assert response.status_code == 400
    assert "请填写申请时所留的11位手机号码、带区号的固定电话号码或电子邮箱。" in text(response)
    assert 'href="#id_contact"' in text(response)


def test_the_lookup_page_offers_the_recovery(client, db):
    page = text(client.get(LOOKUP))
    assert "找回查询码" in page and f'action="{RECOVER}"' in page and 'name="contact"' in page


def test_one_contact_is_limited_whoever_asks(client, filed, sms):
    for n in range(recovery.PER_CONTACT_PER_DAY):
        response = client.post(RECOVER, {"contact": "13912345678"}, REMOTE_ADDR=f"10.0.0.{n}")
        assert response.status_code == 302
    assert len(sms) == recovery.PER_CONTACT_PER_DAY
    refused = client.post(RECOVER, {"contact": "139 1234 5678"}, REMOTE_ADDR="10.0.0.99")
    assert refused.status_code == 429 and recovery.TOO_MANY in text(refused)
    assert len(sms) == recovery.PER_CONTACT_PER_DAY
    # An unknown contact is limited the same way: the limit tells nothing either.
    for _ in range(recovery.PER_CONTACT_PER_DAY):
        client.post(RECOVER, {"contact": "13700009999"}, REMOTE_ADDR="10.0.1.1")
    assert client.post(RECOVER, {"contact": "13700009999"}, REMOTE_ADDR="10.0.1.2").status_code == 429


def test_one_address_is_limited(client, db, sms):
    for n in range(recovery.PER_ADDRESS_PER_HOUR):
        assert client.post(RECOVER, {"contact": f"1370000{n:04d}"}).status_code == 302
    assert client.post(RECOVER, {"contact": "13912345678"}).status_code == 429


def test_the_hashes_are_kept_with_the_row(department):
    request = file_request(department, phone="+86 139 1234 5678", email="Wang@Example.com")
    stored = InformationRequest.objects.get(pk=request.pk)
    assert stored.phone_hash == recovery.contact_hash("phone", "13912345678")
    assert stored.email_hash == recovery.contact_hash("email", "wang@example.com")
    assert "13912345678" not in stored.phone_hash


def test_the_migration_hashes_the_contacts_of_rows_already_there(transactional_db, department):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate([("information_requests", "0006_personal_data_encrypted")])
    try:
        # A row as 0006 left it: encrypted contacts, no contact hashes.
        from disclosures.information_requests import personal_data

        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO information_requests_informationrequest (department_id, tracking_code, status, "
                "applicant_type, name, contact_person, id_type, id_number, phone, email, address, id_number_hash, "
                "lookup_hash, information_title, document_number, description, form_wanted, delivery, submitted_at, "
                "privacy_consent_at) VALUES (%s, 'ABCDEFGHJKMNPQRS2345', 'submitted', 'natural_person', '王小明', '', "
                "'resident_id', %s, %s, %s, '', '', '', '', '', '旧申请', 'electronic', 'online', %s, %s)",
                [department.pk, personal_data.encrypt("11010519491231002X"), personal_data.encrypt("13912345678"),
                 personal_data.encrypt("Wang@example.com"), "2026-01-05 00:00:00", "2026-01-05 00:00:00"],
            )  # fmt: skip
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
    migrated = InformationRequest.objects.get(tracking_code="ABCDEFGHJKMNPQRS2345")
    assert migrated.phone_hash == recovery.contact_hash("phone", "13912345678")
    assert migrated.email_hash == recovery.contact_hash("email", "wang@example.com")
