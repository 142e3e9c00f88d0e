"""Excel and CSV downloads: the official layout, numeric amounts, a faithful round trip, exact CSV bytes."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from disclosures.models import Disclosure
from tests.test_round_trip import published  # noqa: F401 (the seeds, each published: a fixture)


def download(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response


def content_of(version):
    """Every table of a version, figure for figure (column positions in the sheet left out)."""

    def columns(nodes):
        return [
            {"label": n["label"], "key": n["key"], "text": bool(n.get("text")), "children": columns(n.get("children", []))}
            for n in nodes
        ]

    return [
        (
            table.number,
            table.title,
            table.unit_label,
            table.note,
            table.is_empty,
            columns(table.columns),
            [
                (row.kind, row.code, row.name, row.level, row.unit.name if row.unit else "", row.is_total, row.cells, row.values)
                for row in table.rows.select_related("unit")
            ],
        )
        for table in version.tables.all()
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("fixture", ["published_seed000", "published_seed004"])
def test_importing_the_exported_workbook_reproduces_the_disclosure(fixture, request, client, tmp_path):
    disclosure = request.getfixturevalue(fixture)
    version = disclosure.published_version
    workbook = tmp_path / "export.xlsx"
    workbook.write_bytes(download(client, f"/disclosures/{disclosure.pk}/versions/1/download.xlsx").content)
    out = io.StringIO()
    call_command(
        "import_disclosure", str(workbook), "--region", "辽宁省/抚顺市", "--department", "抚顺市往返测试局",
        "--year", "2025", "--kind", "budget", "--approved-on", "2025-01-24", stdout=out,
    )  # fmt: skip
    assert "错误" not in out.getvalue()
    copy = Disclosure.objects.get(department__name="抚顺市往返测试局").versions.get()
    assert copy.tables.count() == version.tables.count()
    assert content_of(copy) == content_of(version)


@pytest.mark.django_db
def test_the_workbook_has_one_sheet_per_table_laid_out_like_the_official_export(client, published_seed004):
    response = download(client, f"/disclosures/{published_seed004.pk}/versions/1/download.xlsx")
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = load_workbook(io.BytesIO(response.content))
    assert len(book.sheetnames) == 18
    sheet = book["表2 收入预算总表"]
    assert sheet["A1"].value == "收入预算总表"
    assert sheet.cell(row=2, column=sheet.max_column).value == "表2"
    assert sheet["A3"].value == "部门名称：抚顺市工业和信息化局"
    assert sheet.cell(row=3, column=sheet.max_column).value == "单位：万元"
    merged = {str(r) for r in sheet.merged_cells.ranges}
    # 单位名称 spans the three header rows; 本年收入 its 11 leaves; 单位资金 its 6.
    assert {"A4:A6", "C4:M4", "H5:M5", "A1:S1"} <= merged
    assert (sheet["C4"].value, sheet["H5"].value, sheet["H6"].value) == ("本年收入", "单位资金", "小计")
    total = [cell for cell in sheet[7]]
    assert total[0].value == "合计"
    assert total[1].value == 1425.4 and total[1].number_format == "#,##0.00"
    assert total[4].value is None  # blank stays blank


@pytest.mark.django_db
def test_a_table_downloads_as_its_own_workbook(client, published_seed004):
    response = download(client, f"/disclosures/{published_seed004.pk}/versions/1/tables/3.xlsx")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["表3 支出预算总表"]
    sheet = book.active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=6, max_row=8)]
    assert rows[0][:2] == [None, "合计"]
    assert rows[0][2:] == [1425.4, 1207.28, 1106.69, 100.59, 218.12]
    assert rows[1][:3] == ["208", "社会保障和就业支出", 435.73]
    assert "filename*=utf-8''" in response["Content-Disposition"]


@pytest.mark.django_db
def test_the_table_csv_is_utf8_with_bom_and_full_grouped_headers(client, published_seed004):
    response = download(client, f"/disclosures/{published_seed004.pk}/versions/1/tables/3.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    lines = response.content.split(b"\r\n")
    assert lines[0] == "\ufeff编码,名称,级次,单位编码,合计,基本支出/小计,基本支出/人员经费,基本支出/公用经费,项目支出".encode()
    assert lines[1] == ",合计,,,1425.40,1207.28,1106.69,100.59,218.12".encode()
    assert lines[2] == "208,社会保障和就业支出,1,,435.73,435.73,394.73,41.00,".encode()
    assert lines[4] == "2080501,行政单位离退休,3,,336.42,336.42,295.42,41.00,".encode()
    assert lines[-1] == b""
    assert len(lines) == 1 + 22 + 1


@pytest.mark.django_db
def test_the_income_csv_names_its_grouped_columns_in_full(client, published_seed004):
    content = download(client, f"/disclosures/{published_seed004.pk}/versions/1/tables/2.csv").content.decode("utf-8-sig")
    header, total, unit, _end = content.split("\r\n")
    assert header.split(",")[4:8] == ["单位名称", "总计", "本年收入/合计", "本年收入/一般公共预算"]
    assert "本年收入/单位资金/事业收入" in header and "上年结转结余/单位资金" in header
    assert total.startswith(",合计,,,合计,1425.40,1425.40,1425.40,")
    assert unit.startswith(",抚顺市工业和信息化局本级,1,060001,抚顺市工业和信息化局本级,1425.40,")  # code from 表16


@pytest.mark.django_db
def test_downloads_are_cached_per_version_and_answer_conditional_requests(client, published_seed004, django_assert_max_num_queries):
    url = f"/disclosures/{published_seed004.pk}/versions/1/tables/3.csv"
    first = download(client, url)
    with django_assert_max_num_queries(3):  # the version and the table; the bytes come from the cache
        second = download(client, url)
    assert second.content == first.content
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert Decimal("1425.40") == Decimal(first.content.split(b"\r\n")[1].split(b",")[4].decode())


@pytest.mark.django_db
def test_the_disclosure_page_links_the_whole_disclosure_and_each_table(client, published_seed004):
    page = client.get(published_seed004.get_absolute_url()).content.decode()
    base = f"/disclosures/{published_seed004.pk}/versions/1"
    for link in ("download.pdf", "download.xlsx", "datapackage.zip"):
        assert page.count(f'href="{base}/{link}"') == 1
    for number in ("1", "3", "12", "17"):
        assert f'href="{base}/tables/{number}.csv"' in page and f'href="{base}/tables/{number}.xlsx"' in page
    assert page.count('class="table-downloads') == 18


# --- Performance forms: the figures their text prints, as numbers in their own columns ---------------------


def csv_lines(client, disclosure, number):
    import csv

    content = download(client, f"/disclosures/{disclosure.pk}/versions/1/tables/{number}.csv").content
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


@pytest.mark.django_db
def test_a_self_evaluation_csv_gives_the_labelled_amounts_as_numbers_once_and_keeps_the_text(client):
    from tests.test_final_accounts import save_seed002

    disclosure = save_seed002().disclosure
    lines = csv_lines(client, disclosure, "10")
    first = next(line for line in lines if line["名称"].startswith("项目预算金额（万元） 1079.03"))
    # The text as published; its figures in columns named by the label, the unit taken from it.
    assert first["名称"] == "项目预算金额（万元） 1079.03 全年执行数（万元） 1004.87 执行率 93.13%"
    assert (first["项目预算金额（万元）"], first["全年执行数（万元）"], first["执行率（%）"]) == ("1079.03", "1004.87", "93.13")
    block = next(line for line in lines if line["名称"] == "项目(政策)名称 辽宁省政务服务大厅运转经费")
    assert block["项目预算金额（万元）"] == "" and block["全年执行数（万元）"] == ""  # not repeated on the project's first line
    budgets = [Decimal(line["项目预算金额（万元）"]) for line in lines if line["项目预算金额（万元）"]]
    assert len(budgets) == 7 and sum(budgets) == Decimal("2984.23")  # the seven projects, each once
    footer = next(line for line in lines if line["名称"].startswith("指标自评得分小计 90"))
    assert (footer["预算执行率得分"], footer["绩效自评总得分"]) == ("9.31", "99.31")
    # 整体绩效自评表: a task line's figures under the task header's labels; its 分值 and 得分 in the grid's columns.
    task = next(line for line in csv_lines(client, disclosure, "11") if line["名称"].startswith("基本支出公用经费（保运转） 246.48"))
    assert (task["项目下达金额（万元）"], task["项目执行金额（万元）"], task["项目执行率（%）"]) == ("246.48", "230.47", "93.50")
    assert (task["分值"], task["得分"]) == ("13.3", "12.43")


@pytest.mark.django_db
def test_a_performance_target_csv_sums_each_projects_funds_once(client, published_seed000):
    lines = csv_lines(client, published_seed000, "17")
    funds = [(line["名称"], line["预算资金情况（万元）"]) for line in lines if line["预算资金情况（万元）"]]
    assert funds == [("预算资金情况 295.00", "295.00"), ("预算资金情况 28.81", "28.81"), ("预算资金情况 75.00", "75.00")]
    # 表16: each task line's amount, under the header 预算资金情况 above it.
    tasks = [line["预算资金情况（万元）"] for line in csv_lines(client, published_seed000, "16") if line["预算资金情况（万元）"]]
    assert tasks == ["164.16", "277.92", "4.28", "18.19", "18.19"]


@pytest.mark.django_db
def test_a_forms_own_workbook_adds_a_sheet_of_its_figures_as_numbers(client, published_seed004):
    book = load_workbook(io.BytesIO(download(client, f"/disclosures/{published_seed004.pk}/versions/1/tables/17.xlsx").content))
    assert book.sheetnames == ["表17 部门预算项目（政策）绩效目标表", "绩效数值"]
    sheet = book["绩效数值"]
    assert [cell.value for cell in sheet[2]] == ["表号", "所属项目（单位）", "文字（按原样）", "预算资金情况（万元）"]
    lines = [[cell.value for cell in line] for line in sheet.iter_rows(min_row=3)]
    assert len(lines) == 7
    assert lines[1] == ["17", "行业发展工作经费", "预算资金情况 3.60", 3.6]
    assert sheet["D4"].number_format == "#,##0.00"
    assert sum(Decimal(str(line[3])) for line in lines) == Decimal("218.12")
    # Any other table's workbook is the table alone.
    plain = load_workbook(io.BytesIO(download(client, f"/disclosures/{published_seed004.pk}/versions/1/tables/3.xlsx").content))
    assert plain.sheetnames == ["表3 支出预算总表"]


def test_every_figure_a_form_stores_is_exported_once_on_the_row_that_prints_it(published):
    """Across the seeds: a form row's stored figures are exactly those read from its text; a block's first row,
    which repeats its block's figures when stored, gets none of its own unless it prints them."""
    from disclosures import performance

    seed, _version, tables, rows = published
    for number, table in tables.items():
        if not performance.is_form(rows[number]):
            continue
        printed = performance.read(table, rows[number])
        block_figures, block = set(), None
        for row in [*rows[number], None]:
            if row is None or row.kind == "block":
                if block is not None:  # every figure stored on the block's first row is printed in the block
                    assert {Decimal(v) for v in block.values.values()} <= block_figures, f"{seed.id} 表{number} {block.name}"
                if row is None:
                    break
                block, block_figures = row, set()
            found = [figure.value.quantize(Decimal("0.01")) for figure in printed.of(row).values()]
            block_figures |= set(found)
            if row.kind not in ("block", "indicator"):
                assert sorted(found) == sorted(Decimal(v) for v in row.values.values()), f"{seed.id} 表{number} {row.name}"
