"""Staff import the narrative sections from their Word document: preview what went where, then confirm."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx import Document

from disclosures.models import AuditEvent
from tests.conftest import upload_seed004


def word_file(name="说明.docx"):
    document = Document()
    document.add_paragraph("抚顺市工业和信息化局 2025 年部门预算公开")  # a cover line: belongs to no section
    document.add_heading("一、部门职责", level=1)
    document.add_paragraph("负责全市工业和信息化发展规划。")
    document.add_heading("二、机构设置", level=1)
    document.add_paragraph("本部门预算仅含本级。")
    document.add_heading("三、部门预算情况说明", level=1)
    document.add_heading("（一）收支总体情况", level=2)
    document.add_paragraph("2025 年收入预算 1,425.40 万元。")
    out = io.BytesIO()
    document.save(out)
    return SimpleUploadedFile(name, out.getvalue(), content_type="application/octet-stream")


def test_the_editor_sees_what_went_where_and_nothing_is_saved_until_confirmed(client, staff):
    version = upload_seed004(staff)
    glossary_before = version.sections.get(key="glossary").body
    client.force_login(staff.editor_a)
    url = reverse("staff_sections_from_word", args=[version.pk])
    assert "从 Word 文档（.docx）或 PDF 导入说明栏目" in client.get(reverse("staff_version", args=[version.pk])).content.decode()

    page = client.post(url, {"document": word_file()}).content.decode()
    assert "预览：说明.docx" in page
    assert "一、部门职责" in page and "三、部门预算情况说明" in page
    assert "文档中没有，保留现有内容" in page  # 名词解释 is not in the document
    assert "抚顺市工业和信息化局 2025 年部门预算公开" in page  # listed as not placed
    assert version.sections.get(key="duties").body == ""  # only a preview so far

    response = client.post(url, {"confirm": "1"})
    assert response.status_code == 302 and response["Location"] == reverse("staff_version", args=[version.pk])
    sections = {s.key: s.body for s in version.sections.all()}
    assert sections["duties"] == "负责全市工业和信息化发展规划。"
    assert sections["organisation"] == "本部门预算仅含本级。"
    assert sections["explanation"] == "### （一）收支总体情况\n\n2025 年收入预算 1,425.40 万元。"
    assert sections["glossary"] == glossary_before
    event = AuditEvent.objects.get(action="import_sections")
    assert event.actor == staff.editor_a and event.data["source_file"] == "说明.docx"
    assert set(event.data["sections"]) == {"duties", "organisation", "explanation"}

    # The preview is used once: confirming again imports nothing more.
    again = client.post(url, {"confirm": "1"}, follow=True).content.decode()
    assert "预览已过期，请重新上传 Word 文档。" in again
    assert AuditEvent.objects.filter(action="import_sections").count() == 1


def test_a_file_that_is_not_a_word_document_is_refused_with_a_reason(client, staff):
    version = upload_seed004(staff)
    client.force_login(staff.editor_a)
    url = reverse("staff_sections_from_word", args=[version.pk])
    page = client.post(url, {"document": SimpleUploadedFile("说明.docx", b"PK\x03\x04 not really a zip")}).content.decode()
    assert "文件已损坏或不是 Word 文档（.docx），无法读取。" in page
    page = client.post(url, {"document": SimpleUploadedFile("说明.doc", b"\xd0\xcf\x11\xe0")}).content.decode()
    assert "请上传 Word 文档（.docx）或 PDF；.doc 请先在 Word 中另存为 .docx。" in page
    blank = io.BytesIO()
    Document().save(blank)
    page = client.post(url, {"document": SimpleUploadedFile("空.docx", blank.getvalue())}).content.decode()
    assert "文档中没有找到任何栏目标题" in page
    assert client.post(url, {"confirm": "1"}).status_code == 302  # nothing pending
    assert not AuditEvent.objects.filter(action="import_sections").exists()
    assert version.sections.get(key="duties").body == ""


def test_only_the_departments_editor_may_import(client, staff):
    version = upload_seed004(staff)
    url = reverse("staff_sections_from_word", args=[version.pk])
    client.force_login(staff.reviewer_a)
    assert client.get(url).status_code == 403
    client.force_login(staff.editor_b)
    assert client.post(url, {"document": word_file()}).status_code == 404
