"""Files attached to an application or an amendment: checked by their bytes, limited in size and number, stored
through the storage API, opened only by the department's request handlers (and audited), deleted on anonymisation."""

import datetime
import io
import zipfile

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from disclosures.information_requests import retention, services
from disclosures.information_requests.models import InformationRequest, RequestAttachment, RequestEvent
from disclosures.models import AuditEvent

from .conftest import grant_session, received
from .test_citizen_pages import form_data, text

D = datetime.date
pytestmark = pytest.mark.django_db
APPLY = reverse("information_requests:apply")

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def docx_bytes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document xmlns:w='w'/>")
    return buffer.getvalue()


def plain_zip():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    return buffer.getvalue()


def upload(name, content):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def stored_files(settings):
    root = settings.MEDIA_ROOT
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def test_an_application_with_attachments_is_stored_with_the_types_read_from_the_bytes(client, department):
    data = form_data(department)
    data["identity_files"] = [upload("身份证正面.jpg", JPEG)]
    data["other_files"] = [upload("说明.pdf", PDF), upload("清单.docx", docx_bytes()), upload("截图.pdf", PNG)]
    response = client.post(APPLY, data)
    request = InformationRequest.objects.get()
    assert response.status_code == 302
    files = {a.name: a for a in request.attachments.all()}
    assert set(files) == {"身份证正面.jpg", "说明.pdf", "清单.docx", "截图.pdf"}
    assert files["身份证正面.jpg"].kind == RequestAttachment.Kind.IDENTITY
    assert files["说明.pdf"].content_type == "application/pdf"
    assert files["清单.docx"].content_type.endswith("wordprocessingml.document")
    # A PNG named .pdf is a PNG: the bytes decide, and it is served as one.
    assert files["截图.pdf"].content_type == "image/png"
    assert all(a.stage == RequestAttachment.Stage.APPLICATION for a in files.values())
    stored = files["说明.pdf"]
    # Through the storage API, under a random folder and a neutral name: nothing of the applicant in the path.
    assert default_storage.exists(stored.file.name) and stored.file.name.endswith("/attachment.pdf")
    assert "说明" not in stored.file.name and str(request.pk) not in stored.file.name.split("/")[-1]
    assert default_storage.open(stored.file.name).read() == PDF
    assert stored.size == len(PDF)
    submit = request.events.get(action=RequestEvent.Action.SUBMIT)
    assert "附身份证明1份、其他材料3份" in submit.remarks
    # The applicant sees the names of what they sent on their status page.
    page = text(client.get(reverse("information_requests:status", args=[request.pk])))
    assert "身份证正面.jpg" in page and "清单.docx" in page and 'id="my-attachments"' in page


def test_the_form_is_multipart_and_offers_the_two_kinds(client, department):
    page = text(client.get(APPLY))
    assert 'enctype="multipart/form-data"' in page
    assert 'name="identity_files"' in page and 'name="other_files"' in page and "multiple" in page


@pytest.mark.parametrize(
    "files, message",
    [
        ({"other_files": [upload("程序.pdf", b"MZ\x90\x00 not a pdf at all")]}, "文件“程序.pdf”的格式不支持，请上传PDF、JPG、PNG"),
        ({"other_files": [upload("压缩包.docx", plain_zip())]}, "文件“压缩包.docx”的格式不支持"),
        ({"identity_files": [upload("空.png", b"")]}, "文件“空.png”是空文件，请重新选择。"),
    ],
)
def test_a_file_of_the_wrong_type_refuses_the_whole_application(client, department, settings, files, message):
    data = form_data(department)
    data.update(files)
    data["identity_files"] = data.get("identity_files", []) + [upload("身份证.png", PNG)]
    response = client.post(APPLY, data)
    assert response.status_code == 200
    page = text(response)
    assert message in page and 'id="error-summary"' in page
    assert InformationRequest.objects.count() == 0 and RequestAttachment.objects.count() == 0
    assert stored_files(settings) == []


def test_a_file_too_large_is_refused_with_the_limit(client, department, settings):
    settings.REQUEST_ATTACHMENT_MAX_BYTES = 1024
    data = form_data(department)
    data["identity_files"] = [upload("身份证.jpg", JPEG + b"\x00" * 1024)]
    page = text(client.post(APPLY, data))
    assert "文件“身份证.jpg”大小为1.1 KB，超过1.0 KB的上限" in page
    # Linked to its field in the error summary.
    assert '<a href="#id_identity_files">身份证明（可选）：文件“身份证.jpg”' in page
    assert InformationRequest.objects.count() == 0 and stored_files(settings) == []


def test_too_many_files_are_refused(client, department, settings):
    settings.REQUEST_ATTACHMENT_MAX_FILES = 2
    data = form_data(department)
    data["identity_files"] = [upload("正面.jpg", JPEG)]
    data["other_files"] = [upload("a.pdf", PDF), upload("b.png", PNG)]
    page = text(client.post(APPLY, data))
    assert "每次最多上传2个附件（您选择了3个）" in page
    assert InformationRequest.objects.count() == 0 and stored_files(settings) == []
    # Two are fine.
    data["identity_files"] = [upload("正面.jpg", JPEG)]
    data["other_files"] = [upload("a.pdf", PDF)]
    assert client.post(APPLY, data).status_code == 302
    assert RequestAttachment.objects.count() == 2


def test_the_amendment_carries_attachments(client, department, handler, frozen):
    frozen(D(2026, 9, 18))
    request = received(department, handler, D(2026, 9, 18))
    services.send_amendment_notice(request, instructions="请提供身份证明。", deadline=D(2026, 10, 15), actor=handler)
    frozen(D(2026, 9, 24))
    grant_session(client, request)
    status_page = text(client.get(reverse("information_requests:status", args=[request.pk])))
    assert 'enctype="multipart/form-data"' in status_page and 'name="identity_files"' in status_page
    amend_url = reverse("information_requests:amend", args=[request.pk])
    refused = client.post(amend_url, {"text": "已补充", "identity_files": [upload("x.pdf", b"GIF89a")]})
    assert refused.status_code == 400 and "格式不支持" in text(refused)
    request.refresh_from_db()
    assert request.status == "awaiting_amendment" and not request.attachments.exists()
    response = client.post(amend_url, {"text": "已补充身份证明", "identity_files": [upload("身份证.pdf", PDF)]})
    assert response.status_code == 302
    attachment = request.attachments.get()
    assert (attachment.stage, attachment.kind, attachment.name) == ("amendment", "identity", "身份证.pdf")


@pytest.fixture
def with_attachment(client, department):
    data = form_data(department)
    data["identity_files"] = [upload("身份证.pdf", PDF)]
    client.post(APPLY, data)
    client.cookies.clear()
    request = InformationRequest.objects.get()
    return request, request.attachments.get()


def test_only_the_departments_request_handler_downloads_and_each_download_is_audited(
    client, with_attachment, handler, approver, admin_user, editor, other_handler
):
    request, attachment = with_attachment
    url = reverse("information_requests:staff_attachment", args=[request.pk, attachment.pk])
    detail = reverse("information_requests:detail", args=[request.pk])
    client.force_login(handler)
    page = text(client.get(detail))
    assert url in page and "身份证.pdf" in page
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"] and "attachment" in response["Content-Disposition"]
    event = AuditEvent.objects.get(action="view_attachment")
    assert event.actor == handler and event.data["attachment_id"] == attachment.pk
    for user, status in [(approver, 403), (admin_user, 403), (editor, 404), (other_handler, 404)]:
        client.force_login(user)
        assert client.get(url).status_code == status, user
        if status == 403:
            assert url not in text(client.get(detail))
    assert AuditEvent.objects.filter(action="view_attachment").count() == 1
    client.logout()
    assert client.get(url).status_code == 302  # to the sign-in page


def test_anonymisation_deletes_the_attachments_files(with_attachment, handler, settings):
    request, attachment = with_attachment
    name = attachment.file.name
    assert default_storage.exists(name)
    retention.anonymise(request, today=D(2030, 1, 1))
    attachment.refresh_from_db()
    assert not default_storage.exists(name) and not attachment.file and attachment.name == "（已删除）"
    request.refresh_from_db()
    assert request.phone_hash == request.email_hash == ""
