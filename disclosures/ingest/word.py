"""The narrative parts of a disclosure, read from the Word document staff keep them in (.docx).

`parse_docx(file, fmt)` walks the document in order (paragraphs and tables) and maps its headings to
the format's sections, the way `disclosures.sections.section_key` maps "## " titles. It returns every
section of the format, in the format's order, each with the Word heading it came from (blank when the
document has none), and the paragraphs it could not place, so staff see what went where before saving.

What counts as a heading: a paragraph in a heading style ("Heading 1", "标题 2", "Title"), a part
title ("第二部分 …"), or a short numbered or bold line ("一、主要职责") whose text names a section.
A heading that names no section is kept inside the current section as a sub-heading ("### "); before
the first section heading, or under a part title that names none ("第四部分 部门决算表"), text is
unplaced. A second heading naming a section already found continues that section as a sub-heading.
Bodies use the plain-text convention of sections.py: blank-line paragraphs, "### " sub-headings, "- " list items.
"""

import re
from dataclasses import dataclass, field

from docx import Document
from docx.table import Table

from disclosures.ingest.guard import WorkbookUnreadable, open_upload
from disclosures.sections import section_key
from disclosures.text import normalize

PART = re.compile(r"^第[一二三四五六七八九十]+部分")
NUMBERED = re.compile(r"^(?:[一二三四五六七八九十]+\s*、|\d+\s*、)")
HEADING_STYLE = re.compile(r"^(heading|标题|title)\s*(\d*)", re.IGNORECASE)


@dataclass
class DocxSection:
    key: str
    title: str  # the Word heading as written, or the format's title when the document has none
    heading: str = ""  # the Word heading it came from ("" when not found)
    body: str = ""
    paragraphs: list[str] = field(default_factory=list)

    @property
    def found(self):
        return bool(self.heading)


@dataclass
class DocxImport:
    sections: list[DocxSection]
    unplaced: list[str]

    def found(self):
        """The sections the document had, in the format's order (what import_disclosure saves)."""
        return [section for section in self.sections if section.found and section.body]


def _blocks(document):
    """(kind, text, style) in document order; a table becomes one "- " line per row."""
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            for row in item.rows:
                cells = []
                for cell in row.cells:
                    text = cell.text.strip()
                    if text and (not cells or cells[-1] != text):  # merged cells repeat their text
                        cells.append(text)
                if cells:
                    yield "row", " | ".join(cells), ""
            continue
        text = item.text.strip()
        if text:
            yield "paragraph", text, item.style.name if item.style is not None else ""


def _heading_level(text, style, fmt, bold):
    """0 for body text; otherwise 1 (a part or a section) or 2 (a sub-heading)."""
    match = HEADING_STYLE.match(style or "")
    if match:
        return int(match.group(2) or 1)
    if PART.match(text):
        return 1
    short = len(text) <= 40 and not re.search(r"[。；]$", text)
    if short and (NUMBERED.match(text) or bold) and section_key(text, fmt) != "other":
        return 2
    return 0


MAX_DOCX_BYTES = 10 * 1024 * 1024


class DocxUnreadable(Exception):
    """The upload is not a Word document we can read; the message is for the user."""


def read_upload(file, fmt) -> DocxImport:
    """parse_docx (or parse_pdf) for a file a user uploaded: refuses what is not a .docx or a PDF, is too
    large or inflates beyond reason (a zip bomb), with a message that says so; nothing is kept either way."""
    name = (getattr(file, "name", "") or "").lower()
    if name.endswith(".pdf"):
        return _read_pdf_upload(file, fmt)
    if not name.endswith(".docx"):
        raise DocxUnreadable("请上传 Word 文档（.docx）或 PDF；.doc 请先在 Word 中另存为 .docx。")
    if getattr(file, "size", 0) > MAX_DOCX_BYTES:
        raise DocxUnreadable("Word 文档超过 10 MB，无法导入。")
    try:
        upload = open_upload(file, accept=("docx",))
    except WorkbookUnreadable as exc:
        raise DocxUnreadable(str(exc)) from None
    try:
        return parse_docx(upload, fmt)
    except Exception:  # noqa: BLE001 — python-docx raises many kinds of errors on a damaged file
        raise DocxUnreadable("文件已损坏或不是 Word 文档（.docx），无法读取。") from None


def _read_pdf_upload(file, fmt):
    from django.conf import settings

    if getattr(file, "size", 0) > settings.MAX_WORKBOOK_BYTES:
        raise DocxUnreadable("PDF 文件过大，无法导入。")
    try:
        upload = open_upload(file, accept=("pdf",))
    except WorkbookUnreadable as exc:
        raise DocxUnreadable(str(exc)) from None
    try:
        return parse_pdf(upload, fmt)
    except WorkbookUnreadable as exc:
        raise DocxUnreadable(str(exc)) from None
    except Exception:  # noqa: BLE001 — pdfminer raises many kinds for a damaged file
        raise DocxUnreadable("PDF 文件已损坏，无法读取。") from None


def parse_docx(file, fmt) -> DocxImport:
    """Raises WorkbookUnreadable when the guard refuses the file."""
    document = Document(open_upload(file, accept=("docx",)).source)
    bold_texts = {
        p.text.strip() for p in document.paragraphs if p.runs and all(run.bold for run in p.runs if run.text.strip())
    }
    return place_blocks(_blocks(document), fmt, bold_texts)


def parse_pdf(file, fmt) -> DocxImport:
    """The narrative of a printed disclosure: the text of its pages without tables, placed by its headings.

    Raises WorkbookUnreadable when the guard refuses the file."""
    from disclosures.ingest.pdf import narrative_blocks

    blocks, emphasised = narrative_blocks(file)
    return place_blocks(blocks, fmt, emphasised)


def place_blocks(blocks, fmt, bold_texts=frozenset()) -> DocxImport:
    """Map (kind, text, style) blocks in reading order to the format's sections by their headings."""
    by_key = {definition.key: DocxSection(definition.key, definition.title) for definition in fmt.sections}
    unplaced = []
    current = None  # the DocxSection being filled, or None while text cannot be placed
    for kind, text, style in blocks:
        level = _heading_level(text, style, fmt, text in bold_texts) if kind == "paragraph" else 0
        if level:
            key = section_key(_strip_part(text), fmt)
            if key in by_key:
                section = by_key[key]
                if section.heading:
                    # The same section again (a part title, then its numbered heading): continue it.
                    if current is section:
                        section.paragraphs.append(f"### {text}")
                    current = section
                    continue
                section.heading, section.title = text, text
                current = section
                continue
            if (level == 1 and PART.match(text)) or current is None:
                # A part or title that names no section: what follows cannot be placed until the next section.
                unplaced.append(text)
                current = None
                continue
            current.paragraphs.append(f"### {text}")
            continue
        line = f"- {text}" if kind == "row" or (style or "").lower().startswith(("list", "列表")) else text
        if current is None:
            unplaced.append(text)
        else:
            current.paragraphs.append(line)
    for section in by_key.values():
        section.body = _join(section.paragraphs)
    return DocxImport([by_key[d.key] for d in fmt.sections], unplaced)


def _strip_part(text):
    """ "第二部分 2024 年度部门决算情况说明" names its section after the part number."""
    return PART.sub("", normalize(text))


def _join(paragraphs):
    out = []
    for line in paragraphs:
        if out and line.startswith("- ") and out[-1].startswith("- "):
            out[-1] += "\n" + line
        else:
            out.append(line)
    return "\n\n".join(out)
