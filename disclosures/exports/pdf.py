"""The print-faithful PDF of a published version, built once at publication and stored.

WeasyPrint lays out templates/disclosures/pdf/disclosure.html with pdf.css: a cover, a table of
contents with page numbers, the sections, then every table as the one renderer draws it
(disclosures.rendering), its grouped header repeated on each page it spans, wide tables on
landscape pages, and "第 X 页 共 Y 页" in the footer. The PDF is tagged (PDF/UA-1: language,
title, structure with table headers) for screen readers.

The layout is split into parts laid out independently — in parallel on Celery workers when a broker
is configured, one after another here otherwise — and merged: disclosures.exports.pdf_parts.

Speed: most of WeasyPrint's time with a CJK font is spent reading and subsetting the font. The
stylesheet uses WenQuanYi Micro Hei (a TrueType font, small and quick to subset) with Noto Sans CJK
SC as a fallback for any glyph it lacks; bench/exports.py measures the full document against a
one-line PDF in the same font, bench/pdf.py the parts on one and two workers.
"""

import hashlib
import logging
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from disclosures.models import Review, Version
from disclosures.rendering import rendered_tables
from disclosures.sections import blocks

logger = logging.getLogger(__name__)

STYLESHEET = Path(settings.BASE_DIR) / "templates" / "disclosures" / "pdf" / "pdf.css"
# The fonts pdf.css names, first choice first; tests check every character is covered by one.
FONT_FAMILIES = ("WenQuanYi Micro Hei", "Noto Sans CJK SC")
# Tagged for accessibility: WeasyPrint then writes the structure tree, /Lang (from <html lang>) and the title.
PDF_VARIANT = "pdf/ua-1"


def document_title(version) -> str:
    disclosure = version.disclosure
    return f"{disclosure.department.name}{disclosure.year}年{disclosure.get_kind_display()}"


def download_name(version, extension: str) -> str:
    """The file name users see, e.g. 抚顺市工业和信息化局2025年部门预算（第1版）.pdf."""
    return f"{document_title(version)}（第{version.number}版）.{extension}"


def is_reviewed(version) -> bool:
    """保密审查 recorded and passed for this version (RULES A.2, 条例第十七条)."""
    return version.reviews.filter(outcome=Review.Outcome.PASSED).exists()


def running_title(version) -> str:
    """The page header's title, as the cover's heading reads."""
    disclosure = version.disclosure
    return f"{disclosure.department.name}{disclosure.year} 年{disclosure.get_kind_display()}公开"


def contents_entries(version):
    """(anchor, label) of every section and table in document order: the contents and the outline."""
    entries = [(f"section-{number}", section.title) for number, section in enumerate(version.sections.all(), 1)]
    for table, _html in rendered_tables(version):
        empty = "（空表）" if table.is_empty else ""
        entries.append((table.anchor, f"{table.number_label}　{table.title}{empty}"))
    return entries


def pdf_html(version, *, cover=True, contents="links", sections=None, tables=None) -> str:
    """The document, or a part of it: the cover or not, the contents (entries linking to their anchors with
    page numbers WeasyPrint counts, a list of {href, label, page} entries, or none), the sections and tables
    given (all by default)."""
    disclosure = version.disclosure
    if contents == "links":
        contents = [{"href": f"#{anchor}", "label": label} for anchor, label in contents_entries(version)]
    if sections is None:
        sections = [(section, blocks(section.body)) for section in version.sections.all()]
    return render_to_string(
        "disclosures/pdf/disclosure.html",
        {
            "title": document_title(version),
            "disclosure": disclosure,
            "version": version,
            "reviewed": is_reviewed(version),
            "cover": cover,
            "contents": contents,
            "sections": sections,
            "tables": rendered_tables(version) if tables is None else tables,
        },
    )


def render_whole_pdf(version) -> bytes:
    """The PDF laid out in one WeasyPrint run (one core): the reference the parts are measured against."""
    font_config = FontConfiguration()
    stylesheet = CSS(filename=str(STYLESHEET), font_config=font_config)
    return HTML(string=pdf_html(version), base_url=str(settings.BASE_DIR)).write_pdf(
        stylesheets=[stylesheet], font_config=font_config, pdf_variant=PDF_VARIANT
    )


def render_pdf(version) -> bytes:
    """Lay out the version as a PDF here, part after part, and merge them (seconds for 18 tables; call it
    at publication, not per download)."""
    from disclosures.exports.pdf_parts import render_in_process

    return render_in_process(version)


def store_pdf(version) -> Version:
    """Build the PDF of a published version and store it in version.pdf, replacing any earlier file.

    With a Celery broker the parts are queued for the workers and the merge stores the file when the last
    part is done (this returns at once); without one they are laid out here and the file is stored on return."""
    if version.status != Version.Status.PUBLISHED:
        raise ValueError("只为已公开的版本生成 PDF。")
    from disclosures.exports import pdf_parts

    if pdf_parts.dispatching():
        pdf_parts.dispatch(version)
        return version
    return save_pdf(version, render_pdf(version))


def save_pdf(version, content: bytes) -> Version:
    """Store a version's PDF bytes under a name carrying their digest, replacing any earlier file."""
    digest = hashlib.sha256(content).hexdigest()[:12]
    old_name = version.pdf.name
    name = f"disclosure-{version.disclosure_id}-v{version.number}-{digest}.pdf"
    field = version.pdf.field
    target = field.generate_filename(version, name)
    if old_name == target and version.pdf.storage.exists(target):
        return version  # the same bytes are already stored
    if version.pdf.storage.exists(target):
        version.pdf.storage.delete(target)  # a leftover of an interrupted run
    version.pdf.save(name, ContentFile(content), save=False)
    # Only the pdf column: a published version's content is frozen and never rewritten.
    Version.objects.filter(pk=version.pk).update(pdf=version.pdf.name)
    if old_name and old_name != version.pdf.name:
        version.pdf.storage.delete(old_name)
    return version


def ensure_pdf(version) -> Version:
    """The stored PDF, built now only if publication did not build it (e.g. its build failed)."""
    if not version.pdf or not version.pdf.storage.exists(version.pdf.name):
        store_pdf(version)
    return version
