"""The upload guard: what is refused before anything reads the file, on the command line and in the browser alike.

Every reader of an uploaded file (the workbook reader, the formula check, the Word and PDF narrative
readers) starts with `open_upload`, which guards the file and hands it over as an `Upload`; a reader given
an `Upload` already guarded does not guard it again. Nothing parses a byte of the file before the guard
has passed it (等保 2.0 入侵防范: the resources one request may consume are bounded).

An .xlsx or a .docx is a zip: a broken file, a file that is not the document it claims to be, and a zip
bomb are refused. The zip's directory is read first (declared sizes: each part, the total, the
compression ratio, the number of parts); then every part is inflated once, in chunks, up to its declared
size, and must come out exactly that size, so a directory that understates a part is caught too. A PDF's
compressed streams are inflated the same way, in chunks with a cap, since the PDF reader inflates each
stream whole.

openpyxl reads cached results (data_only=True), so a workbook saved by a program that writes formulas
without their results would read as blank cells, an upload of "all zeros" that looks valid: it is
refused too, naming the worksheet and the cell as Excel shows them.
"""

import logging
import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass
from xml.etree.ElementTree import fromstring, iterparse

from django.conf import settings

# The seed workbooks inflate to at most 220 kB (their largest part 74 kB), the seed Word document to
# 860 kB (438 kB): these caps leave two to three orders of magnitude of room, and no more.
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_ZIP_MEMBER_BYTES = 64 * 1024 * 1024  # the default of settings.MAX_ZIP_MEMBER_BYTES
MAX_ZIP_MEMBERS = 5000
MAX_COMPRESSION_RATIO = 200
RATIO_FLOOR = 1024 * 1024  # a part (or PDF stream) smaller than this may compress as it likes
CHUNK = 1024 * 1024

NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
SHEET_PATH = re.compile(r"^xl/worksheets/[^/]+\.xml$")
# A stream's data starts after the end of the line that holds the keyword, as the PDF reader takes it.
PDF_STREAM = re.compile(rb"(?<!end)stream[^\r\n]*(?:\r\n|\n|\r)")
PDF_IMAGE = re.compile(rb"/Subtype\s*/Image\b")

BOMB = "文件解压后体积异常（疑似压缩炸弹），已拒绝。"
LYING = "文件已损坏：压缩包中记录的大小或校验值与实际内容不符，已拒绝。"
PDF_BOMB = "PDF 文件中的压缩内容解压后体积异常（疑似压缩炸弹），已拒绝。"
NOT_PDF = "文件不是 PDF。"
# kind -> (the part that makes the zip that kind of document, "not this kind", "broken or not this kind")
ZIP_KINDS = {
    "xlsx": ("[Content_Types].xml", "文件不是 Excel 工作簿（.xlsx）。", "文件已损坏或不是 Excel 工作簿（.xlsx），无法读取。"),
    "docx": ("word/document.xml", "文件不是 Word 文档（.docx）。", "文件已损坏或不是 Word 文档（.docx），无法读取。"),
}

logger = logging.getLogger(__name__)


class WorkbookUnreadable(Exception):
    """The upload is refused or cannot be read; the message is for the user."""


@dataclass(frozen=True)
class Upload:
    """A file the guard has let through: the path or binary file given (rewound), and what it is."""

    source: object
    kind: str  # "xlsx", "docx" or "pdf"


def _rewind(source):
    if hasattr(source, "seek"):
        source.seek(0)


def _head(source, size):
    if hasattr(source, "read"):
        try:
            return source.read(size)
        finally:
            _rewind(source)
    with open(source, "rb") as handle:
        return handle.read(size)


def open_upload(source, accept=("xlsx", "pdf")) -> Upload:
    """Guard an uploaded file (a path or a binary file) and hand it over; raises WorkbookUnreadable.

    `accept` names the kinds the caller reads, the first zip kind being what a zip must be."""
    if isinstance(source, Upload):
        if source.kind not in accept:
            raise WorkbookUnreadable(ZIP_KINDS[accept[0]][1] if accept[0] in ZIP_KINDS else NOT_PDF)
        return source
    if _head(source, 5) == b"%PDF-":
        if "pdf" not in accept:
            raise WorkbookUnreadable(ZIP_KINDS[accept[0]][1])
        check_pdf(source)
        return Upload(source, "pdf")
    kind = next((k for k in accept if k in ZIP_KINDS), None)
    if kind is None:
        raise WorkbookUnreadable(NOT_PDF)
    check_zip(source, kind)
    return Upload(source, kind)


def _refuse(message, source, why):
    logger.warning("upload refused (%s): %s", why, getattr(source, "name", source))
    raise WorkbookUnreadable(message)


def check_zip(source, kind="xlsx"):
    """Refuse files that are not `kind` zips, or that would inflate beyond reason (zip bombs)."""
    required, not_kind, broken = ZIP_KINDS[kind]
    member_cap = getattr(settings, "MAX_ZIP_MEMBER_BYTES", MAX_ZIP_MEMBER_BYTES)
    try:
        parts = _declared_parts(source)
        if parts is not None and parts > MAX_ZIP_MEMBERS:
            _refuse(BOMB, source, f"{parts} parts")
        with zipfile.ZipFile(source) as archive:
            infos = archive.infolist()
            if len(infos) > MAX_ZIP_MEMBERS:
                _refuse(BOMB, source, f"{len(infos)} parts")
            if required not in {info.filename for info in infos}:
                raise WorkbookUnreadable(not_kind)
            # The directory's declared sizes: nothing is inflated yet.
            total = sum(info.file_size for info in infos)
            packed = sum(info.compress_size for info in infos) or 1
            if total > MAX_UNCOMPRESSED_BYTES or total / packed > MAX_COMPRESSION_RATIO:
                _refuse(BOMB, source, f"declared {total} bytes from {packed}")
            for info in infos:
                if info.file_size > member_cap or (
                    info.file_size > RATIO_FLOOR and info.file_size / (info.compress_size or 1) > MAX_COMPRESSION_RATIO
                ):
                    _refuse(BOMB, source, f"{info.filename} declares {info.file_size} bytes")
            # Then each part as it really inflates, in chunks, never past its declared size.
            # A part longer than the directory says is cut at the declared size and then fails its CRC.
            for info in infos:
                try:
                    inflated = _inflated_size(archive, info)
                except (zipfile.BadZipFile, zlib.error, EOFError):
                    inflated = None
                if inflated != info.file_size:
                    _refuse(LYING, source, f"{info.filename} is not its declared size")
    except WorkbookUnreadable:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError, RuntimeError):
        # An unknown compression, an encrypted part, a damaged directory: none is a readable file.
        raise WorkbookUnreadable(broken) from None
    finally:
        _rewind(source)


def _declared_parts(source):
    """The number of parts the zip's end record declares, read before the directory itself is (a directory
    of a million empty parts would cost more to list than to refuse); None when it cannot be read here."""
    end_record = getattr(zipfile, "_EndRecData", None)  # the standard library's own reader of that record
    if end_record is None:
        return None
    if hasattr(source, "seek"):
        try:
            found = end_record(source)
        finally:
            _rewind(source)
    else:
        with open(source, "rb") as handle:
            found = end_record(handle)
    return found[zipfile._ECD_ENTRIES_TOTAL] if found else None


def _inflated_size(archive, info):
    """The size a part inflates to; Python's zip reader stops at the declared size and checks the CRC."""
    size = 0
    with archive.open(info) as stream:
        while chunk := stream.read(CHUNK):
            size += len(chunk)
    return size


def check_pdf(source):
    """Refuse a PDF one of whose compressed (Flate) streams would inflate beyond reason.

    pdfminer inflates each stream whole, in memory, with no limit; here each is inflated in chunks and
    stopped at the cap. A stream that is not Flate fails at its first bytes and costs nothing."""
    member_cap = getattr(settings, "MAX_ZIP_MEMBER_BYTES", MAX_ZIP_MEMBER_BYTES)
    if hasattr(source, "read"):
        try:
            data = source.read()
        finally:
            _rewind(source)
    else:
        with open(source, "rb") as handle:
            data = handle.read()
    total = 0
    for match in PDF_STREAM.finditer(data):
        # A blank image (a white page behind the text) inflates a thousandfold: an image is held to the
        # caps on size, not to the ratio. A stream that only says it is an image is held to the caps too.
        ratio = None if _is_image(data, match.start()) else MAX_COMPRESSION_RATIO
        inflated, consumed = _inflate_capped(data, match.end(), member_cap, ratio)
        total += inflated
        if inflated > member_cap or total > MAX_UNCOMPRESSED_BYTES or (
            ratio and inflated > RATIO_FLOOR and inflated / (consumed or 1) > ratio
        ):
            _refuse(PDF_BOMB, source, f"stream at {match.end()} inflates to {inflated}+ bytes")


def _is_image(data, stream_at):
    """Whether the stream starting at `stream_at` is an image XObject (its dictionary says /Subtype /Image)."""
    start = data.rfind(b"obj", max(0, stream_at - 4096), stream_at)
    return bool(PDF_IMAGE.search(data, start if start != -1 else max(0, stream_at - 4096), stream_at))


def _inflate_capped(data, start, cap, ratio=MAX_COMPRESSION_RATIO):
    """(bytes out, bytes in) of the zlib stream at `start`, stopping once past `cap` or past the ratio."""
    inflator = zlib.decompressobj()
    out = consumed = 0
    position, pending = start, b""
    try:
        while not inflator.eof and out <= cap:
            if not pending:
                if position >= len(data):
                    break
                pending = data[position : position + 64 * 1024]
                position += len(pending)
            before = len(pending)
            out += len(inflator.decompress(pending, CHUNK))
            pending = inflator.unconsumed_tail
            consumed += before - len(pending)
            if ratio and out > RATIO_FLOOR and out / (consumed or 1) > ratio:
                break
    except zlib.error:
        pass  # not a Flate stream, or a damaged one: the reader says what it makes of it
    return out, consumed


def _sheet_titles(archive):
    """worksheet part path -> the sheet's name as Excel shows it on its tab."""
    try:
        book = fromstring(archive.read("xl/workbook.xml"))
        rels = fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, SyntaxError):
        return {}
    targets = {}
    for rel in rels.iter(f"{PKG_REL_NS}Relationship"):
        target = rel.get("Target", "")
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        targets[rel.get("Id")] = path
    return {targets.get(s.get(f"{REL_NS}id"), ""): s.get("name", "") for s in book.iter(f"{NS}sheet")}


def formula_without_value(source) -> str | None:
    """The first formula cell with no cached value, as "工作表“表3”的 B7", or None (a PDF has none)."""
    upload = open_upload(source)
    if upload.kind != "xlsx":
        return None
    source = upload.source
    try:
        with zipfile.ZipFile(source) as archive:
            titles = _sheet_titles(archive)
            for name in sorted(n for n in archive.namelist() if SHEET_PATH.match(n)):
                with archive.open(name) as stream:
                    for _event, element in iterparse(stream):
                        if element.tag == f"{NS}c":
                            formula = element.find(f"{NS}f")
                            value = element.find(f"{NS}v")
                            # An empty <v/> is a missing result, except for a formula whose result is
                            # the empty string (t="str").
                            empty = value is None or (not (value.text or "").strip() and element.get("t") != "str")
                            if formula is not None and empty:
                                sheet = titles.get(name) or name.rsplit("/", 1)[-1]
                                return f"工作表“{sheet}”的 {element.get('r', '')}"
                            element.clear()
    except (zipfile.BadZipFile, OSError, SyntaxError):
        return None  # the reader reports an unreadable file itself
    finally:
        _rewind(source)
    return None


def refusal(source) -> str | None:
    """Why the workbook (or PDF) is refused before reading (in Chinese, for staff), or None when it may be read.

    A PDF's text is checked by its reader (no text layer, damaged, too many pages)."""
    try:
        upload = open_upload(source)
    except WorkbookUnreadable as exc:
        return str(exc)
    cell = formula_without_value(upload)
    if cell:
        return f"工作簿中的公式没有计算结果（{cell}）。请在 Excel 中打开、保存后再上传，或将公式粘贴为数值。"
    return None
