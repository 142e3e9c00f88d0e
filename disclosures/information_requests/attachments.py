"""Files an applicant sends with the application or the amendment: 身份证明 and other material (条例第二十九条).

What a file is comes from its first bytes, not from its name or the type the browser claims: PDF, JPEG and PNG,
and Word (.docx) and Excel (.xlsx) documents, which are zips and go through the upload guard like every other
zip the portal reads (disclosures/ingest/guard.py: broken files, zip bombs). A PDF goes through the guard too
(compressed streams that would inflate beyond reason). Each file at most REQUEST_ATTACHMENT_MAX_BYTES, at most
REQUEST_ATTACHMENT_MAX_FILES per form; a form with one refused file is refused whole, so nothing is stored.

The files are stored through the storage API under a random folder (models.private_upload); only the
department's request handlers open them, each opening a security event (views/staff.py), and retention.anonymise
deletes them with the applicant's identity.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from disclosures.ingest import guard

from .models import RequestAttachment

PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ACCEPTED = "PDF、JPG、PNG、Word（.docx）或 Excel（.xlsx）"
# The browser's file chooser offers these first; what counts is the content.
ACCEPT_ATTRIBUTE = ".pdf,.jpg,.jpeg,.png,.docx,.xlsx"
NAME_LENGTH = 200


def max_bytes() -> int:
    return getattr(settings, "REQUEST_ATTACHMENT_MAX_BYTES", 5 * 1024 * 1024)


def max_files() -> int:
    return getattr(settings, "REQUEST_ATTACHMENT_MAX_FILES", 5)


def sniff(upload) -> str:
    """The content type of an uploaded file, by its bytes; ValidationError (Chinese, naming the file) if it is
    none of the accepted types or the guard refuses it."""
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    try:
        if head.startswith(b"\xff\xd8\xff"):
            return JPEG
        if head.startswith(b"\x89PNG\r\n\x1a\n"):
            return PNG
        if head.startswith(b"%PDF-"):
            guard.open_upload(upload, accept=("pdf",))
            return PDF
        if head.startswith(b"PK\x03\x04"):
            for kind, content_type in (("docx", DOCX), ("xlsx", XLSX)):
                try:
                    guard.open_upload(upload, accept=(kind,))
                    return content_type
                except guard.WorkbookUnreadable as error:
                    if str(error) != guard.ZIP_KINDS[kind][1]:  # broken or a bomb, not merely another kind
                        raise
                finally:
                    upload.seek(0)
    except guard.WorkbookUnreadable as error:
        raise ValidationError(f"文件“{upload.name}”无法接收：{error}", code="refused") from None
    finally:
        upload.seek(0)
    raise ValidationError(f"文件“{upload.name}”的格式不支持，请上传{ACCEPTED}文件。", code="type")


def _size(n: int) -> str:
    return filesizeformat(n).replace("\xa0", " ")


def check(upload) -> str:
    """Size first (nothing is read of a file too large), then the type; returns the content type."""
    if upload.size > max_bytes():
        raise ValidationError(
            f"文件“{upload.name}”大小为{_size(upload.size)}，超过{_size(max_bytes())}的上限，请压缩或拆分后重新上传。",
            code="size",
        )
    if upload.size == 0:
        raise ValidationError(f"文件“{upload.name}”是空文件，请重新选择。", code="empty")
    return sniff(upload)


def too_many(count: int) -> str:
    return f"每次最多上传{max_files()}个附件（您选择了{count}个），请合并或删减后重新选择。"


def clean_name(name: str) -> str:
    """The name as shown and as offered on download: the last path part, no control characters, bounded."""
    name = str(name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip() or "附件"
    if len(name) > NAME_LENGTH:
        stem, dot, extension = name.rpartition(".")
        name = (stem[: NAME_LENGTH - len(extension) - 1] + dot + extension) if dot and len(extension) < 10 else name[:NAME_LENGTH]
    return name


def store(request, stage, uploads) -> list[RequestAttachment]:
    """Store checked uploads: (kind, upload, content_type) triples. Called inside the service's transaction."""
    stored = []
    now = timezone.now()
    for kind, upload, content_type in uploads:
        upload.seek(0)
        name = clean_name(upload.name)
        attachment = RequestAttachment(
            request=request, stage=stage, kind=kind, name=name, size=upload.size, content_type=content_type,
            uploaded_at=now,
        )  # fmt: skip
        # The stored name says nothing about the file's content or its owner: a random folder, a neutral name.
        extension = {PDF: "pdf", JPEG: "jpg", PNG: "png", DOCX: "docx", XLSX: "xlsx"}[content_type]
        attachment.file.save(f"attachment.{extension}", ContentFile(upload.read()), save=False)
        attachment.save()
        stored.append(attachment)
    return stored


def remarks(stored) -> str:
    """For the request's history: how many files of which kind, without their names."""
    if not stored:
        return ""
    counts = {}
    for attachment in stored:
        label = attachment.get_kind_display()
        counts[label] = counts.get(label, 0) + 1
    return "，附" + "、".join(f"{label}{n}份" for label, n in counts.items())


def delete_files(request) -> int:
    """Delete the stored files of a request's attachments (retention); the rows stay, with their names blanked."""
    deleted = 0
    for attachment in request.attachments.all():
        if attachment.file:
            attachment.file.delete(save=False)
            deleted += 1
        attachment.name = "（已删除）"
        attachment.save(update_fields=["file", "name"])
    return deleted
