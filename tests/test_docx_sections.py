"""Narrative sections read from a Word document: headings mapped to the format's sections."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from docx import Document

from disclosures.ingest.word import parse_docx
from disclosures.ingest.formats import get_format
from disclosures.models import Section
from disclosures.sections import blocks, parse_sections

FIXTURES = Path(__file__).parent / "fixtures"
DOCX = FIXTURES / "seed002_sections.docx"
TEXT = FIXTURES / "seed002_sections.txt"
FINAL = get_format("liaoning-final-accounts-9")


@pytest.fixture(scope="module")
def seed002_docx():
    return parse_docx(DOCX, FINAL)


def test_every_section_of_the_format_in_its_order_with_the_word_heading_it_came_from(
    seed002_docx,
):
    assert [(s.key, s.heading) for s in seed002_docx.sections] == [
        ("duties", "一、主要职责"),
        ("organisation", "二、部门决算单位构成"),
        ("explanation", "第二部分 2024 年度部门决算情况说明"),
        ("glossary", "第三部分 名词解释"),  # bold body text, no heading style
    ]


def test_the_bodies_are_the_transcribed_text(seed002_docx):
    expected = {s.key: s.body for s in parse_sections(TEXT.read_text(encoding="utf-8"), FINAL)}
    sections = {s.key: s for s in seed002_docx.sections}
    assert sections["duties"].body == expected["duties"]
    assert sections["glossary"].body == expected["glossary"]
    # The 情况说明's own numbered headings become sub-headings, as "### " lines; the page shows the same blocks.
    assert blocks(sections["explanation"].body) == blocks(expected["explanation"])
    assert [c for kind, c in blocks(sections["explanation"].body) if kind == "heading"] == [
        "一、收入支出决算总体情况说明", "二、财政拨款支出决算情况说明", "三、财政拨款“三公”经费支出决算情况说明",
        "四、一般公共预算财政拨款基本支出决算情况说明", "五、其他重要事项的情况说明",
    ]  # fmt: skip
    assert sections["explanation"].body.startswith(
        "### 一、收入支出决算总体情况说明\n\n（一）收入总计 5,743.67 万元，包括："
    )


def test_a_word_table_becomes_list_lines(seed002_docx):
    organisation = next(s for s in seed002_docx.sections if s.key == "organisation")
    assert (
        organisation.body
        == "纳入辽宁省数据局 2024年部门决算编制范围的预算单位包括：\n\n- 1 | 辽宁省数据局本级\n- 2 | 辽宁省民心网"
    )


def test_what_could_not_be_placed_is_listed(seed002_docx):
    assert seed002_docx.unplaced == [
        "辽宁省数据局2024年度部门决算",
        "（本文件为部门决算公开的文字部分，公开表见 Excel 工作簿）",
        "第一部分 部门概况",
        "第四部分 2024 年度部门决算表",
        "（公开01–09表见附件工作簿）",
    ]


def test_a_section_the_document_lacks_is_reported_not_found(tmp_path):
    document = Document()
    document.add_heading("一、主要职责", level=2)
    document.add_paragraph("负责全省数据工作。")
    path = tmp_path / "partial.docx"
    document.save(path)
    result = parse_docx(path, FINAL)
    found = {s.key: s.found for s in result.sections}
    assert found == {
        "duties": True,
        "organisation": False,
        "explanation": False,
        "glossary": False,
    }
    missing = next(s for s in result.sections if s.key == "glossary")
    assert (missing.title, missing.body) == ("名词解释", "")
    assert [s.key for s in result.found()] == ["duties"]


def test_numbered_plain_headings_map_to_the_hebei_sections(tmp_path):
    """A county office's Word file often has no heading styles: "一、…" lines that name a section are headings."""
    document = Document()
    document.add_paragraph("网信办2024年部门预算信息公开情况说明")
    document.add_paragraph("一、部门职责及机构设置情况")
    document.add_paragraph("1、负责处理区委网络安全和信息化委员会日常事务工作。")
    document.add_paragraph("三、机关运行经费安排情况")
    document.add_paragraph("2024年，我部门机关运行经费共计安排24.79万元。")
    document.add_paragraph("十、名词解释")
    document.add_paragraph("1、财政拨款收入：指本级财政当年拨付的资金。")
    path = tmp_path / "hebei.docx"
    document.save(path)
    result = parse_docx(path, get_format("hebei-county-budget"))
    found = {s.key: (s.heading, s.body) for s in result.found()}
    assert found == {
        "duties": (
            "一、部门职责及机构设置情况",
            "1、负责处理区委网络安全和信息化委员会日常事务工作。",
        ),
        "admin_running_costs": (
            "三、机关运行经费安排情况",
            "2024年，我部门机关运行经费共计安排24.79万元。",
        ),
        "glossary": ("十、名词解释", "1、财政拨款收入：指本级财政当年拨付的资金。"),
    }
    assert result.unplaced == ["网信办2024年部门预算信息公开情况说明"]


@pytest.mark.django_db
def test_the_import_command_takes_the_narrative_from_a_word_document():
    out = io.StringIO()
    call_command(
        "import_disclosure", str(FIXTURES / "seed002_final_accounts_2024.xlsx"), "--region", "辽宁省",
        "--department", "辽宁省数据局", "--year", "2024", "--kind", "final_accounts", "--approved-on", "2025-08-25",
        "--sections", str(DOCX), stdout=out,
    )  # fmt: skip
    text = out.getvalue()
    assert "文字部分：Word 标题“一、主要职责”归入“duties”" in text
    assert "说明：未归入任何栏目的段落：第四部分 2024 年度部门决算表" in text
    assert "缺少：缺少文字部分" not in text
    saved = list(Section.objects.order_by("position").values_list("key", "title"))
    assert saved == [
        ("duties", "一、主要职责"), ("organisation", "二、部门决算单位构成"),
        ("explanation", "第二部分 2024 年度部门决算情况说明"), ("glossary", "第三部分 名词解释"),
    ]  # fmt: skip
    assert text.strip().split("\n")[-1].startswith("draft: /staff/versions/")
