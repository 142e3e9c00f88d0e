"""A disclosure imports from its printed PDF with exactly the figures of its workbook.

The seed workbooks are printed by LibreOffice Calc (tests/variants/printing.py), with cell borders and
without (columns aligned by position only); the portal's own PDFs are built by WeasyPrint. Each is read without naming the format, by the one reader.
"""

import datetime
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from disclosures.ingest import read_workbook
from disclosures.ingest.detect import detect
from disclosures.ingest.formats import get_format
from disclosures.models import Disclosure, Version
from disclosures.text import normalize
from tests.variants.printing import print_pdfs

FIXTURES = Path(__file__).parent / "fixtures"
SEEDS = [
    ("seed000_budget_2025", "budget", "liaoning-budget-18"),
    ("seed004_budget_2025", "budget", "liaoning-budget-18"),
    ("seed004_budget_2024", "budget", "liaoning-budget-18"),
    ("seed002_budget_2024", "budget", "liaoning-budget-18"),
    ("shenyang_budget17_2023", "budget", "liaoning-budget-17"),
    ("seed003_budget_2024", "budget", "hebei-county-budget"),
    ("seed002_final_accounts_2024", "final_accounts", "liaoning-final-accounts-9"),
]
_printed = {}


def printed(name, ruled=True):
    """The seed printed once per test process, every seed in one LibreOffice run (starting it costs
    more than printing a workbook)."""
    if (name, ruled) not in _printed:
        names = [seed for seed, _kind, _code in SEEDS]
        for seed, pdf in zip(names, print_pdfs([FIXTURES / f"{seed}.xlsx" for seed in names], ruled=ruled)):
            _printed[(seed, ruled)] = pdf
    return _printed[(name, ruled)]


def figures(result):
    """Every figure read, per table: by row (kind, code, name as matched) and, in forms, by the named line.

    Names are compared as matched (white space folded): a print drops the spaces of "合   计"."""
    out = {}
    for number, table in result.tables.items():
        rows = [(normalize(r.name), tuple(sorted(r.values.items()))) for r in table.rows if r.values]
        if table.definition.rows == "form":
            out[number] = sorted(rows)
        else:
            out[number] = [(r.kind, r.code, normalize(r.name), tuple(sorted(r.values.items()))) for r in table.rows]
    return out


def read_pdf_bytes(data, kind):
    detection = detect(io.BytesIO(data), kind)
    assert detection.format is not None, detection.reason
    return detection


@pytest.mark.parametrize(("name", "kind", "code"), SEEDS, ids=[s[0] for s in SEEDS])
def test_a_seed_printed_with_cell_borders_imports_with_every_figure_of_its_workbook(name, kind, code):
    with open(FIXTURES / f"{name}.xlsx", "rb") as handle:
        workbook = read_workbook(handle, get_format(code))
    detection = read_pdf_bytes(printed(name), kind)
    assert detection.format.code in (code, "liaoning-budget-17" if code == "liaoning-budget-18" else code)
    result = detection.result
    assert result.errors == []
    assert figures(result) == figures(workbook)
    # Every table says which pages it was read from.
    assert all(table.pages for table in result.tables.values())


@pytest.mark.django_db
def test_the_command_imports_a_pdf_and_lists_each_tables_pages(tmp_path):
    path = tmp_path / "seed004.pdf"
    path.write_bytes(printed("seed004_budget_2025"))
    out = io.StringIO()
    call_command(
        "import_disclosure", str(path), "--region", "辽宁省/抚顺市", "--department", "抚顺市工业和信息化局",
        "--year", "2025", "--approved-on", "2025-02-10", "--published-on", "2025-02-26", "--accept-flags",
        stdout=out,
    )
    text = out.getvalue()
    assert "表3 支出预算总表：22 行（PDF 第 3–4 页，按表名）" in text
    assert "表7 财政拨款预算“三公”经费支出表：1 行（PDF 第 9 页，按表名）" in text
    assert "警告：" not in text
    version = Version.objects.get()
    assert version.status == Version.Status.PUBLISHED and version.source_file == "seed004.pdf"
    total = version.tables.get(number="3").rows.get(is_total=True)
    assert total.values["total"] == "1425.40" and total.values["basic_personnel"] == "1106.69"


def test_a_pdf_without_a_text_layer_is_refused_with_a_clear_message(tmp_path):
    from PIL import Image

    scan = io.BytesIO()
    Image.new("RGB", (600, 800), "white").save(scan, "PDF")
    from disclosures.ingest.guard import WorkbookUnreadable
    from disclosures.ingest.workbook import load_sheets

    scan.seek(0)
    with pytest.raises(WorkbookUnreadable) as refused:
        load_sheets(scan)
    detection_error = str(refused.value)
    assert detection_error.startswith("PDF 没有文字层（可能是扫描件）")
    assert "OCR" in detection_error


@pytest.mark.django_db
def test_a_damaged_pdf_is_refused_by_the_command_and_saves_nothing(tmp_path):
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer garbage")
    out = io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command(
            "import_disclosure", str(path), "--region", "辽宁省/抚顺市", "--department", "某局", "--year", "2025",
            "--approved-on", "2025-02-10", stdout=out,
        )
    assert exited.value.code == 1
    assert "错误：PDF 文件" in out.getvalue() and "未保存任何内容" in out.getvalue()
    assert not Disclosure.objects.exists()


def test_an_uploaded_pdf_shows_its_report_with_page_numbers(client, staff):
    client.force_login(staff.editor_a)
    data = printed("seed004_budget_2025")
    response = client.post(
        reverse("staff_upload", args=[staff.department_a.pk]),
        {"year": 2025, "kind": "budget", "approved_on": "2025-02-01", "workbook": _named(data, "批复表.pdf")},
        follow=True,
    )
    page = response.content.decode()
    version = Disclosure.objects.get(department=staff.department_a).versions.get()
    assert version.source_file == "批复表.pdf"
    assert "已读取PDF，生成第 1 版草稿" in page
    assert "表3 支出预算总表 · 单位：万元 · PDF 第 3、4 页" in page
    assert version.tables.get(number="7").rows.get().values["total"] == "5.80"


def _named(data, name):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="application/pdf")


PORTAL_SEEDS = [
    ("seed000_budget_2025", "budget", "辽宁省", "辽宁省互联网技术支撑中心"),
    ("seed004_budget_2025", "budget", "辽宁省/抚顺市", "抚顺市工业和信息化局"),
    ("seed003_budget_2024", "budget", "河北省/石家庄市/栾城区", "224网信办"),
    ("seed002_final_accounts_2024", "final_accounts", "辽宁省", "辽宁省数据局"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "kind", "region", "department"), PORTAL_SEEDS, ids=[s[0] for s in PORTAL_SEEDS])
def test_the_portals_own_pdf_of_a_seed_imports_back_with_every_figure(name, kind, region, department):
    from disclosures.exports.pdf import render_pdf
    from disclosures.services import import_disclosure, run_checks

    with open(FIXTURES / f"{name}.xlsx", "rb") as handle:
        detection = detect(handle, kind)
    workbook = detection.result
    version = import_disclosure(
        workbook, region_path=region, department_name=department, year=2025, kind=kind,
        approved_on=datetime.date(2025, 2, 1), published_on=datetime.date(2025, 2, 20), outcomes=run_checks(workbook),
    )
    pdf = render_pdf(version)
    back = read_pdf_bytes(pdf, kind)
    assert back.result.errors == []
    assert figures(back.result) == figures(workbook)


BACKFILL = [
    # file, seed, region, department, year, kind, approved_on, published_on
    ("shenyang-2023.pdf", "shenyang_budget17_2023", "辽宁省/沈阳市", "沈阳市某局", 2023, "budget", "2023-02-01", "2023-02-15"),
    ("fushun-2024.pdf", "seed004_budget_2024", "辽宁省/抚顺市", "抚顺市工业和信息化局", 2024, "budget", "2024-01-26", "2024-02-20"),
    ("data-2024-final.pdf", "seed002_final_accounts_2024", "辽宁省", "辽宁省数据局", 2024, "final_accounts", "2025-08-25", "2025-09-10"),
    ("fushun-2025.pdf", "seed004_budget_2025", "辽宁省/抚顺市", "抚顺市工业和信息化局", 2025, "budget", "2025-02-10", "2025-02-26"),
]


@pytest.mark.django_db
def test_a_backfill_of_three_years_of_pdfs_runs_with_progress_and_reports_each_file(tmp_path):
    import csv

    rows = []
    for file, seed, region, department, year, kind, approved, published in BACKFILL:
        (tmp_path / file).write_bytes(printed(seed))
        rows.append([file, region, department, year, kind, approved, published])
    (tmp_path / "scan.pdf").write_bytes(b"%PDF-1.7\nnot a real pdf")
    rows.insert(2, ["scan.pdf", "辽宁省/抚顺市", "抚顺市财政局", 2024, "budget", "2024-01-20", "2024-02-05"])
    index = tmp_path / "index.csv"
    with index.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file", "region", "department", "year", "kind", "approved_on", "published_on"])
        writer.writerows(rows)
    out, err = io.StringIO(), io.StringIO()
    call_command("backfill", str(tmp_path), "--index", str(index), stdout=out, stderr=err)

    assert "补录: 100%" in err.getvalue() and "5/5" in err.getvalue()  # the progress bar
    assert out.getvalue().strip().endswith(
        f"共 5 份：已导入 1，有警告 1，待保密审查 2，失败 1。报告：{tmp_path / 'backfill-report.csv'}"
    )
    with (tmp_path / "backfill-report.csv").open(encoding="utf-8-sig") as handle:
        report = {row["file"]: row for row in csv.DictReader(handle)}
    # 表9 of 2025 (and of Shenyang's 2023, printed from the same text) names two persons paid: without
    # --accept-flags each waits, as a draft, for a reviewer.
    assert report["fushun-2025.pdf"]["status"] == report["shenyang-2023.pdf"]["status"] == "待保密审查"
    assert report["fushun-2025.pdf"]["message"].startswith("保密审查有 2 处标记待决定，已存为草稿")
    assert not Disclosure.objects.get(year=2025).is_published
    assert report["scan.pdf"]["status"] == "失败" and report["scan.pdf"]["message"].startswith("PDF 文件")
    assert report["fushun-2024.pdf"]["status"] == "已导入" and report["fushun-2024.pdf"]["tables"] == "9"
    # Seed 002's published final accounts carry rounding residues: imported, with its warnings counted.
    assert report["data-2024-final.pdf"]["status"] == "有警告" and report["data-2024-final.pdf"]["tables"] == "11"
    assert int(report["data-2024-final.pdf"]["warnings"]) > 0
    # The failure stopped nothing else: 2024's two published on their own dates, the flagged two drafts.
    published = Disclosure.objects.order_by("year", "kind").values_list("year", "kind", "published_on")
    assert list(published) == [
        (2023, "budget", None),
        (2024, "budget", datetime.date(2024, 2, 20)),
        (2024, "final_accounts", datetime.date(2025, 9, 10)),
        (2025, "budget", None),
    ]
    version = Disclosure.objects.get(year=2025).versions.get()
    assert version.import_report["source_kind"] == "pdf"
    assert version.tables.get(number="7").rows.get().values["total"] == "5.80"


@pytest.mark.django_db
def test_a_backfill_with_accept_flags_publishes_documents_that_were_already_public(tmp_path):
    (tmp_path / "fushun-2025.pdf").write_bytes(printed("seed004_budget_2025"))
    (tmp_path / "index.csv").write_text(
        "file,region,department,year,kind,approved_on,published_on\n"
        "fushun-2025.pdf,辽宁省/抚顺市,抚顺市工业和信息化局,2025,budget,2025-02-10,2025-02-26\n", encoding="utf-8"
    )
    out = io.StringIO()
    call_command("backfill", str(tmp_path), "--index", str(tmp_path / "index.csv"), "--accept-flags",
                 "--no-progress", stdout=out)  # fmt: skip
    assert "共 1 份：已导入 1，有警告 0，失败 0。" in out.getvalue()
    version = Disclosure.objects.get().published_version
    assert version.published_on == datetime.date(2025, 2, 26)
    kept = version.secrecy_flags.values_list("text", "decision")
    assert sorted(kept) == [("佟春钰", "keep"), ("梁明辉", "keep")]


@pytest.mark.django_db
def test_the_narrative_of_a_printed_disclosure_is_read_into_its_sections_by_their_headings(tmp_path):
    """The portal's own PDF of seed 000: cover, contents, then 部门职责 … 名词解释, then the tables."""
    from disclosures.exports.pdf import render_pdf
    from tests.conftest import SEED000, SEED000_SECTIONS, save

    version = save(SEED000, department="辽宁省互联网技术支撑中心", region="辽宁省",
                   published_on=datetime.date(2025, 2, 8), sections_path=SEED000_SECTIONS)
    path = tmp_path / "seed000.pdf"
    path.write_bytes(render_pdf(version))
    out = io.StringIO()
    call_command(
        "import_disclosure", str(path), "--region", "辽宁省", "--department", "另一个单位", "--year", "2025",
        "--approved-on", "2025-01-24", stdout=out,
    )
    text = out.getvalue()
    assert "文字部分：PDF 标题“部门职责”归入“duties”" in text
    assert "文字部分：PDF 标题“名词解释”归入“glossary”" in text
    imported = Disclosure.objects.get(department__name="另一个单位").versions.get()
    bodies = {section.key: section.body for section in imported.sections.all()}
    assert bodies["duties"] == "负责为我省互联网管理和建设提供相关技术支撑和服务等工作。"
    assert "收入预算881.55万元" in bodies["explanation"].replace(" ", "")
    # The figures the text states were checked against the tables read from the same PDF.
    assert {i["id"]: i["status"] for i in imported.import_report["identities"]}["B47"] == "holds"


def test_staff_preview_the_narrative_of_a_pdf_before_saving_it(client, staff, tmp_path):
    from disclosures.exports.pdf import render_pdf
    from disclosures.services import upload
    from tests.conftest import SEED000, SEED000_SECTIONS, save

    published = save(SEED000, department="辽宁省互联网技术支撑中心", region="辽宁省",
                     published_on=datetime.date(2025, 2, 8), sections_path=SEED000_SECTIONS)
    data = render_pdf(published)
    draft = upload(io.BytesIO(data), department=staff.department_a, year=2025, kind="budget",
                   approved_on=datetime.date(2025, 2, 1), actor=staff.editor_a, file_name="公开.pdf")
    client.force_login(staff.editor_a)
    url = reverse("staff_sections_from_word", args=[draft.pk])
    page = client.post(url, {"document": _named(data, "公开.pdf")}).content.decode()
    assert "部门职责" in page and "负责为我省互联网管理和建设提供相关技术支撑和服务等工作。" in page
    assert draft.sections.get(key="duties").body == ""  # nothing saved before the editor confirms
    client.post(url, {"confirm": "1"})
    assert draft.sections.get(key="duties").body == "负责为我省互联网管理和建设提供相关技术支撑和服务等工作。"


@pytest.mark.parametrize(("name", "kind", "code"), SEEDS, ids=[s[0] for s in SEEDS])
def test_a_seed_printed_without_borders_imports_with_every_figure_of_its_workbook(name, kind, code):
    with open(FIXTURES / f"{name}.xlsx", "rb") as handle:
        workbook = read_workbook(handle, get_format(code))
    detection = read_pdf_bytes(printed(name, ruled=False), kind)
    assert detection.format.code in (code, "liaoning-budget-17" if code == "liaoning-budget-18" else code)
    result = detection.result
    assert result.errors == []
    assert figures(result) == figures(workbook)
    # Every table read by the alignment of its texts says so, with its pages, for staff to compare.
    flagged = {w.message.split(" ")[0] for w in result.warnings if "没有表格线" in w.message}
    with_figures = {f"表{number}" for number, table in result.tables.items() if any(r.values for r in table.rows)}
    assert with_figures <= flagged <= {f"表{number}" for number in result.tables}
    assert all(table.pages for table in result.tables.values())


@pytest.mark.django_db
def test_the_command_imports_a_pdf_printed_without_borders_and_says_how_it_was_read(tmp_path):
    path = tmp_path / "seed004.pdf"
    path.write_bytes(printed("seed004_budget_2025", ruled=False))
    out = io.StringIO()
    call_command(
        "import_disclosure", str(path), "--region", "辽宁省/抚顺市", "--department", "抚顺市工业和信息化局",
        "--year", "2025", "--approved-on", "2025-02-10", stdout=out,
    )
    text = out.getvalue()
    assert "表3 支出预算总表：22 行（PDF 第 3–4 页，按表名）" in text
    assert "警告：表3 支出预算总表：PDF 第 3–4 页的表格没有表格线，各列是按文字位置对齐读出的，请与原件核对。" in text
    total = Version.objects.get().tables.get(number="3").rows.get(is_total=True)
    assert total.values["total"] == "1425.40" and total.values["basic_personnel"] == "1106.69"


def _unruled_pdf(*pages, size=10):
    """Pages of absolutely placed texts (no lines), as a spreadsheet printed without borders leaves."""
    from weasyprint import HTML

    html = (
        f"<html><head><style>@page {{ size: A4 landscape; margin: 20mm }} body {{ font: {size}pt 'Noto Sans CJK SC' }}"
        " span { position: absolute; white-space: nowrap } div { position: relative; height: 160mm }"
        " div + div { page-break-before: always }</style></head><body>"
        + "".join(f"<div>{page}</div>" for page in pages) + "</body></html>"
    )
    return HTML(string=html).write_pdf()


def _at(x, y, text):
    return f'<span style="left:{x}pt; top:{y}pt">{text}</span>'


def test_a_header_read_wrongly_from_alignment_is_an_error_never_a_table_of_wrong_figures():
    from disclosures.ingest.workbook import load_sheets, read_sheets

    # "基本支出" is printed over one column where a group needs two: its columns cannot be told.
    page = "".join([
        _at(200, 0, "一般公共预算支出表"), _at(400, 20, "单位：万元"),
        _at(150, 45, "基本支出"),
        _at(0, 60, "科目编码"), _at(60, 60, "科目名称"), _at(160, 60, "合计"), _at(260, 60, "项目支出"),
        _at(0, 80, "201"), _at(60, 80, "一般公共服务支出"), _at(160, 80, "12.00"), _at(260, 80, "3.00"),
        _at(0, 95, "20101"), _at(60, 95, "人大事务"), _at(160, 95, "12.00"), _at(260, 95, "3.00"),
    ])
    result = read_sheets(load_sheets(io.BytesIO(_unruled_pdf(page))), get_format("liaoning-budget-18"))
    assert [e.message for e in result.errors] == ["表5 一般公共预算支出表：工作表“PDF”的表头中找不到任何金额列。"]


def test_a_wrapped_name_and_a_heading_without_figures_are_read_into_their_rows():
    from disclosures.ingest.workbook import load_sheets

    # A name wrapped over two lines is centred on its row's figures; a heading with no figures is a row.
    page = "".join([
        _at(200, 0, "支出预算总表"), _at(400, 20, "单位：万元"),
        _at(0, 50, "科目编码"), _at(70, 50, "科目名称"), _at(250, 50, "合计"), _at(330, 50, "项目支出"),
        _at(0, 70, "一、基本支出"),
        _at(70, 84, "机关事业单位基本养老保险缴费支"), _at(0, 92, "2080505"), _at(250, 92, "84.73"),
        _at(330, 92, "1,084.73"), _at(70, 100, "出"),
        _at(0, 118, "2080506"), _at(70, 118, "职业年金缴费支出"), _at(250, 118, "14.47"),
    ])
    sheet = load_sheets(io.BytesIO(_unruled_pdf(page)))[0]
    rows = [[cell for cell in row if cell] for row in sheet.grid]
    assert ["科目编码", "科目名称", "合计", "项目支出"] in rows
    assert ["一、基本支出"] in rows
    assert ["2080505", "机关事业单位基本养老保险缴费支出", "84.73", "1,084.73"] in rows
    assert ["2080506", "职业年金缴费支出", "14.47"] in rows
    assert sheet.aligned_pages == {1}


# Layout variants of the seeds (tests/variants/, as tests/test_layout_variants.py makes them) printed
# both ways: one variant per transform, the seeds taken in turn, reads back with every figure of its
# own workbook. bench/pdf_variants.py reads every variant of every seed the same way.
# A sheet holding every table printed as one is read for every seed below.


def _one_variant_per_transform():
    from tests.test_layout_variants import SINGLE_CASES

    by_transform = {}
    for case in SINGLE_CASES:
        if case.transforms:
            by_transform.setdefault(case.transforms[0], []).append(case)
    return [options[i % len(options)] for i, (_name, options) in enumerate(sorted(by_transform.items()))]


VARIANTS = _one_variant_per_transform()
_printed_variants = {}


def printed_variant(case, ruled):
    """Every chosen variant printed in one LibreOffice run per way of printing, once per test process."""
    from tests.test_layout_variants import variant

    if ruled not in _printed_variants:
        pdfs = print_pdfs([io.BytesIO(variant(c)[1]) for c in VARIANTS], ruled=ruled)
        _printed_variants[ruled] = {c.id: pdf for c, pdf in zip(VARIANTS, pdfs)}
    return _printed_variants[ruled][case.id]


@pytest.mark.parametrize(
    ("case", "ruled"),
    [(case, True) for case in VARIANTS]
    + [(case, False) for case in VARIANTS if case.transforms[0] != "one_sheet"],  # every seed's, below
    ids=lambda value: value.id if hasattr(value, "id") else ("ruled" if value else "unruled"),
)
def test_a_layout_variant_printed_imports_with_every_figure_of_its_own_workbook(case, ruled):
    from tests.test_layout_variants import variant

    workbook = detect(io.BytesIO(variant(case)[1]), case.base.kind)
    assert workbook.format is not None and workbook.result.errors == []
    detection = read_pdf_bytes(printed_variant(case, ruled), case.base.kind)
    assert detection.format.code == workbook.format.code
    assert [e.message for e in detection.result.errors] == []
    assert figures(detection.result) == figures(workbook.result)


def _one_sheet_variants():
    from tests.test_layout_variants import SINGLE_CASES

    return [c for c in SINGLE_CASES if c.transforms and c.transforms[0] == "one_sheet"]


ONE_SHEET = _one_sheet_variants()
_printed_one_sheet = {}


@pytest.mark.parametrize("case", ONE_SHEET, ids=lambda case: case.id)
def test_every_table_on_one_sheet_printed_small_without_lines_imports_with_every_figure(case):
    """A sheet holding every table, printed without borders and fitted to its widest table: text about
    3 points high, header rows 2 points apart, 单位名称 wrapped onto a line of its own beside 单位：万元,
    a header parted by a page break, amounts printed as text at the left of their columns under labels
    centred beside them, 栏次 centred over 项目 and 行次, a form's label centred on a tall cell. Every
    figure of every seed's workbook reads back."""
    from tests.test_layout_variants import variant

    if not _printed_one_sheet:
        pdfs = print_pdfs([io.BytesIO(variant(c)[1]) for c in ONE_SHEET], ruled=False)
        _printed_one_sheet.update({c.id: pdf for c, pdf in zip(ONE_SHEET, pdfs)})
    workbook = detect(io.BytesIO(variant(case)[1]), case.base.kind)
    detection = read_pdf_bytes(_printed_one_sheet[case.id], case.base.kind)
    assert [e.message for e in detection.result.errors] == []
    assert figures(detection.result) == figures(workbook.result)
    assert all(table.pages for table in detection.result.tables.values())


def _cells(sheet):
    return [[cell for cell in row if cell] for row in sheet.grid]


def test_a_header_parted_by_a_page_break_is_read_whole_on_the_page_its_figures_begin():
    from disclosures.ingest.workbook import load_sheets

    title = _at(200, 0, "支出预算总表") + _at(400, 20, "单位：万元")

    def first(y):
        return _at(0, y + 6, "科目编码") + _at(70, y + 6, "科目名称") + _at(250, y + 6, "合计") + _at(345, y, "基本支出")

    second = _at(310, 62, "人员经费") + _at(390, 62, "公用经费")
    body = (
        _at(0, 80, "201") + _at(70, 80, "一般公共服务支出") + _at(250, 80, "15.00") + _at(310, 80, "10.00")
        + _at(390, 80, "5.00")
    )
    whole = load_sheets(io.BytesIO(_unruled_pdf(title + first(44) + second + body)))[0]
    # The page ends under the header's first row; the next page begins with its second row and the figures.
    parted = load_sheets(io.BytesIO(_unruled_pdf(title + first(420), second + body)))[0]
    assert _cells(parted) == _cells(whole)
    header = next(r for r, row in enumerate(parted.grid) if "科目编码" in row)
    assert parted.grid[header] == ["科目编码", "科目名称", "合计", "基本支出", None]
    assert parted.spans[(header, 3)] == (1, 2)  # 基本支出 over 人员经费 and 公用经费
    assert parted.grid[header + 1][3:] == ["人员经费", "公用经费"]
    assert parted.grid[header + 2] == ["201", "一般公共服务支出", "15.00", "10.00", "5.00"]
    assert parted.page_of_row[header] == 2


def test_amounts_printed_as_text_stand_under_the_labels_centred_to_their_right():
    from disclosures.ingest.workbook import load_sheets

    # Printed as text, figures and codes stand at the left of their columns (codes indented by level),
    # the labels centred over the columns beside them.
    page = "".join([
        _at(200, 0, "支出功能分类预算表"), _at(400, 20, "单位：万元"),
        _at(30, 50, "科目编码"), _at(150, 50, "科目名称"), _at(290, 50, "合计"), _at(390, 50, "基本支出"),
        _at(0, 70, "201"), _at(110, 70, "一般公共服务支出"), _at(260, 70, "1,012.50"), _at(360, 70, "9.5"),
        _at(6, 85, "20101"), _at(110, 85, "人大事务"), _at(260, 85, "12.5"), _at(360, 85, "9.5"),
        _at(12, 100, "2010101"), _at(110, 100, "行政运行"), _at(260, 100, "1,000.00"),
    ])
    rows = _cells(load_sheets(io.BytesIO(_unruled_pdf(page)))[0])
    assert ["科目编码", "科目名称", "合计", "基本支出"] in rows
    assert ["201", "一般公共服务支出", "1,012.50", "9.5"] in rows
    assert ["2010101", "行政运行", "1,000.00"] in rows
    sheet = load_sheets(io.BytesIO(_unruled_pdf(page)))[0]
    last = next(row for row in sheet.grid if "2010101" in row)
    assert last.index("1,000.00") == next(row for row in sheet.grid if "合计" in row).index("合计")


def test_a_heading_after_a_tables_last_row_is_a_line_of_its_own_not_a_cell_of_the_table():
    from disclosures.ingest.workbook import load_sheets

    page = "".join([
        _at(200, 0, "部门预算财政拨款“三公”经费支出表"), _at(400, 20, "单位：万元"),
        _at(0, 50, "序号"), _at(60, 50, "项目"), _at(250, 50, "合计"), _at(330, 50, "一般公共预算"),
        _at(0, 70, "1"), _at(60, 70, "合计"), _at(250, 70, "2.40"), _at(330, 70, "2.40"),
        _at(0, 85, "2"), _at(60, 85, "公务接待费"),
        _at(260, 110, "部门项目预算安排情况及绩效目标"),
    ])
    sheet = load_sheets(io.BytesIO(_unruled_pdf(page)))[0]
    heading = next(row for row in sheet.grid if "部门项目预算安排情况及绩效目标" in row)
    assert heading[0] == "部门项目预算安排情况及绩效目标"
    assert ["2", "公务接待费"] in _cells(sheet)


def test_a_small_print_is_read_at_body_size_and_its_messages_name_positions_as_printed():
    from disclosures.ingest.workbook import load_sheets

    # Three-point text, placed at three tenths of the distances: read as the same table at ten points.
    def page(scale):
        return "".join(_at(x * scale, y * scale, text) for x, y, text in [
            (200, 0, "支出预算总表"), (400, 20, "单位：万元"),
            (0, 50, "科目编码"), (70, 50, "科目名称"), (250, 50, "合计"), (330, 50, "项目支出"),
            (0, 70, "201"), (70, 70, "一般公共服务支出"), (250, 70, "12.00"), (330, 70, "3.00"),
        ])

    small = load_sheets(io.BytesIO(_unruled_pdf(page(0.3), size=3)))[0]
    usual = load_sheets(io.BytesIO(_unruled_pdf(page(1))))[0]
    assert _cells(small) == _cells(usual)
    assert ["201", "一般公共服务支出", "12.00", "3.00"] in _cells(small)
    # A text that cannot be placed is named where it stands on the page as printed, not as read.
    from disclosures.ingest.unruled.texts import scaled, texts_of, unplaced

    chars = [{"text": "另", "x0": 217.0, "x1": 220.0, "top": 80.0, "bottom": 83.0, "size": 3.0},
             {"text": "计", "x0": 220.0, "x1": 223.0, "top": 80.0, "bottom": 83.0, "size": 3.0}]
    [line] = scaled([chars], 10 / 3)
    [text] = texts_of(line, 0)
    assert text.x0 > 700  # read at ten points
    assert str(unplaced(2, text)).startswith("PDF 第 2 页位置 x=217, y=80 处的文字“另计”无法对应到表格的某一列")
