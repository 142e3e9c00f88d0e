"""The PDF of a published version: built once at publication, real text, embedded CJK font, print layout."""

import html
import re
import subprocess
from functools import cache
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils.html import strip_tags
from fontTools.ttLib import TTCollection
from pypdf import PdfReader

from disclosures.exports import pdf as pdf_export
from disclosures.exports import receivers
from disclosures.models import Review, Version
from disclosures.tasks import build_version_pdf
from disclosures.services import publish, review, submit
from tests.conftest import decide_flags
from tests.test_publishing_workflow import ready_for_review


def pdftotext(path, first=None, last=None):
    args = ["pdftotext", "-layout"]
    if first:
        args += ["-f", str(first), "-l", str(last or first)]
    return subprocess.run([*args, str(path), "-"], capture_output=True, text=True, check=True).stdout


def pdffonts(path):
    lines = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout.splitlines()
    return [line.split() for line in lines[2:]]


@cache
def font_cmap(family):
    """Every code point the installed font of this family has a glyph for."""
    location = subprocess.run(
        ["fc-match", "-f", "%{file}|%{index}", family], capture_output=True, text=True, check=True
    ).stdout
    file, index = location.split("|")
    font = TTCollection(file).fonts[int(index or 0)]
    return set(font.getBestCmap())


_rendered = {}


@pytest.fixture
def stored_seed004(published_seed004, tmp_path):
    """Seed 004's PDF. Every test builds the same fixture data, so it is laid out once per run (seconds)."""
    version = published_seed004.published_version
    if "seed004" not in _rendered:
        _rendered["seed004"] = pdf_export.render_pdf(version)
    path = tmp_path / "seed004.pdf"
    path.write_bytes(_rendered["seed004"])
    return version, path


def test_it_builds_the_pdf_once_at_publication_and_downloads_serve_the_stored_file(
    staff, client, django_capture_on_commit_callbacks, monkeypatch, settings
):
    settings.PDF_ON_PUBLISH = "inline"
    version = ready_for_review(staff)
    submit(version, actor=staff.editor_a)
    decide_flags(version, staff.reviewer_a)
    review(version, actor=staff.reviewer_a, outcome=Review.Outcome.PASSED, remarks="不涉密")
    with django_capture_on_commit_callbacks(execute=True):
        publish(version, actor=staff.reviewer_a)
    version.refresh_from_db()
    assert version.status == Version.Status.PUBLISHED
    assert version.pdf.name.startswith(f"pdf/disclosure-{version.disclosure_id}-v1-")
    stored = Path(version.pdf.path).read_bytes()
    cover = pdftotext(version.pdf.path, 1)
    assert "抚顺市工业和信息化局" in cover and "2025 年部门预算公开" in cover
    assert "批复日期" in cover and "2025 年 2 月 10 日" in cover
    assert "保密审查情况：已审查" in cover

    # Downloads never lay the PDF out again.
    monkeypatch.setattr(pdf_export, "render_pdf", lambda version: pytest.fail("PDF rebuilt on download"))
    url = f"/disclosures/{version.disclosure_id}/versions/1/download.pdf"
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == stored
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''"
        "%E6%8A%9A%E9%A1%BA%E5%B8%82%E5%B7%A5%E4%B8%9A%E5%92%8C%E4%BF%A1%E6%81%AF%E5%8C%96%E5%B1%80"
        "2025%E5%B9%B4%E9%83%A8%E9%97%A8%E9%A2%84%E7%AE%97%EF%BC%88%E7%AC%AC1%E7%89%88%EF%BC%89.pdf"
    )  # 抚顺市工业和信息化局2025年部门预算（第1版）.pdf
    assert "max-age=86400" in response["Cache-Control"] and "public" in response["Cache-Control"]
    again = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


def test_by_default_publishing_hands_the_pdf_to_the_worker_and_returns(
    staff, django_capture_on_commit_callbacks, monkeypatch, settings
):
    # Without a broker (as here) the build task runs on the web process's PDF thread; with one, a worker
    # takes it (tests/test_celery_worker.py).
    settings.PDF_ON_PUBLISH = "task"
    queued = []
    monkeypatch.setattr(receivers.executor, "submit", lambda function, *args: queued.append((function, args)))
    version = ready_for_review(staff)
    submit(version, actor=staff.editor_a)
    decide_flags(version, staff.reviewer_a)
    review(version, actor=staff.reviewer_a, outcome=Review.Outcome.PASSED, remarks="不涉密")
    with django_capture_on_commit_callbacks(execute=True):
        publish(version, actor=staff.reviewer_a)
    version.refresh_from_db()
    assert version.status == Version.Status.PUBLISHED and not version.pdf  # not built in the request
    [(function, args)] = queued
    assert function == receivers._run_in_thread and args[:2] == (build_version_pdf, version.pk)
    receivers._run_logged(*args)  # what the thread runs, but for closing its own database connection
    version.refresh_from_db()
    assert "保密审查情况：已审查" in pdftotext(version.pdf.path, 1)


def test_the_pdf_is_real_text_in_an_embedded_cjk_font(stored_seed004):
    _version, path = stored_seed004
    text = pdftotext(path)
    assert "抚顺市工业和信息化局" in text
    for figure in ["1,425.40", "1,207.28", "1,106.69", "100.59", "218.12", "893.19"]:
        assert figure in text
    fonts = pdffonts(path)
    assert fonts and all(row[-5] == "yes" for row in fonts)  # emb column
    assert any("WenQuanYi-Micro-Hei" in row[0] for row in fonts)
    assert "\ufffd" not in text


def test_every_character_printed_has_a_glyph_in_the_fonts_the_stylesheet_names(published_seed000):
    version = published_seed000.published_version
    printed = set(re.sub(r"\s", "", html.unescape(strip_tags(pdf_export.pdf_html(version)))))
    covered = set().union(*(font_cmap(family) for family in pdf_export.FONT_FAMILIES))
    missing = {ch for ch in printed if ord(ch) not in covered}
    assert len(printed) > 400
    assert missing == set()


def test_the_pdf_has_contents_with_page_numbers_and_a_page_count_footer(stored_seed004):
    _version, path = stored_seed004
    pages = len(PdfReader(path).pages)
    contents = pdftotext(path, 2)
    assert "目" in contents and "录" in contents
    entries = dict(re.findall(r"(表\d+)\s+\S+?[\s.]+(\d+)\n", contents))
    assert len(entries) == 18
    # Each entry's page shows that table's number.
    for number in ("表3", "表12", "表17"):
        assert number in pdftotext(path, int(entries[number]))
    for page in (1, 5, pages):
        assert f"第 {page} 页 共 {pages} 页" in pdftotext(path, page)


def test_wide_tables_are_landscape_and_repeat_their_grouped_header_on_every_page(stored_seed004):
    _version, path = stored_seed004
    reader = PdfReader(path)
    landscape, pages_of_12 = [], []
    for index, page in enumerate(reader.pages, start=1):
        box = page.mediabox
        text = pdftotext(path, index)
        if "表12 支出经济分类预算表（部门预算）" in text:  # the running header line
            pages_of_12.append(index)
        if float(box.width) > float(box.height):
            landscape.append(index)
    assert len(pages_of_12) == 2  # 31 rows do not fit one landscape page
    assert set(pages_of_12) <= set(landscape)
    first, second = (pdftotext(path, n) for n in pages_of_12)
    for header in ("科目编", "科目名称", "总计", "本年收入", "上年结转结余"):
        assert header in first and header in second
    assert "30101" in first and "31204" in second
    # 表3 has 7 columns: portrait.
    page_of_3 = next(i for i in range(1, len(reader.pages) + 1) if "表3 支出预算总表" in pdftotext(path, i))
    assert page_of_3 not in landscape


def test_empty_tables_are_printed_with_their_note_and_no_review_line_without_a_review(stored_seed004):
    _version, path = stored_seed004
    text = pdftotext(path)
    assert "政府性基金预算支出表" in text
    assert "备注：如此表为空表，则表示部门无政府性基金预算安排的支出。" in text
    assert text.count("注：本表为空表，本年度无此项数据。") == 4  # 表13, 14, 15, 18 carry no note of their own
    assert "保密审查情况" not in text  # back-filled: no review recorded here


def test_render_pdfs_rebuilds_every_published_version_and_shows_progress(published_seed000, draft_seed004, capsys):
    call_command("render_pdfs")
    out = capsys.readouterr().out
    assert "[1/1] 辽宁省互联网技术支撑中心 2025 年部门预算 第 1 版" in out
    assert "完成：1/1 份" in out
    version = published_seed000.published_version
    version.refresh_from_db()
    assert Path(version.pdf.path).read_bytes().startswith(b"%PDF-")
    assert not draft_seed004.versions.get().pdf
    call_command("render_pdfs", "--missing")
    assert "没有需要生成的 PDF。" in capsys.readouterr().out
