"""A workbook's own header is its layout: flattened groups, renamed tables, year groups, a region's saved wording."""

import datetime
from decimal import Decimal as D
from pathlib import Path

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from disclosures.ingest import read_workbook
from disclosures.ingest.formats import get_format
from disclosures.ingest.identities import check_identities
from disclosures.models import Disclosure, LayoutVariant
from tests.fixtures.workbooks import add_sheet

FIXTURES = Path(__file__).parent / "fixtures"
SEED004 = FIXTURES / "seed004_budget_2025.xlsx"
NAME = "单位名称：抚顺市工业和信息化局本级"


def income_table(unit_funds_label="单位资金"):
    """表2 as a 2023 export prints it: 单位资金 one column, no 事业收入 … 其他收入."""
    funds = ["合计", "一般公共预算", "政府性基金预算", "国有资本经营预算", "财政专户管理资金"]
    amount = [D("1425.40"), D("1425.40"), D("1425.40"), None, None, None, None, None, None, None, None, None, None]
    return [
        ["收入预算总表", *["<"] * 13],
        [*[None] * 13, "表2"],
        [NAME, *[None] * 12, "单位：万元"],
        ["单位名称", "总计", "本年收入", *["<"] * 5, "上年结转结余", *["<"] * 5],
        ["^", "^", *funds, unit_funds_label, *funds, "单位资金"],
        ["合计", *amount],
        ["抚顺市工业和信息化局本级", *amount],
    ]


def three_public_table():
    """表7 renamed 一般公共预算“三公”经费支出表, with last year's budget beside this year's."""
    group = ["“三公”经费合计", "因公出国（境）费", "公务用车购置及运行费", "<", "<", "公务接待费"]
    parts = ["^", "^", "小计", "公务用车购置费", "公务用车运行费", "^"]
    return [
        ["一般公共预算“三公”经费支出表", *["<"] * 11],
        [*[None] * 11, "表7"],
        [NAME, *[None] * 10, "单位：万元"],
        ["2024年预算数", *["<"] * 5, "2025年预算数", *["<"] * 5],
        [*group, *group],
        [*parts, *parts],
        [D("6.20"), None, D("6.20"), None, D("6.20"), None, D("5.80"), None, D("5.80"), None, D("5.80"), None],
    ]


@pytest.fixture
def drifted(tmp_path):
    """Seed 004 with the 2023-style 表2 and the renamed 三公 table with two year groups."""
    workbook = load_workbook(SEED004)
    for name in ("表2", "7三公"):
        workbook.remove(workbook[name])
    add_sheet(workbook, "收入", income_table())
    add_sheet(workbook, "三公", three_public_table())
    path = tmp_path / "drifted.xlsx"
    workbook.save(path)
    return path


def read(path):
    with open(path, "rb") as handle:
        return read_workbook(handle, get_format("liaoning-budget-18"))


def test_a_flattened_group_takes_the_role_of_its_subtotal_and_the_absent_columns_are_said(drifted):
    result = read(drifted)
    assert not result.errors
    income = result.tables["2"]
    assert [(r.header, r.role) for r in income.readings if "单位资金" in r.header] == [
        ("本年收入/单位资金", "本年收入/单位资金/小计"),
        ("上年结转结余/单位资金", "上年结转结余/单位资金"),
    ]
    assert "本年收入/单位资金/事业收入" in income.absent_roles
    outcomes = {o.id: o for o in check_identities(result.tables, result.format)}
    # B9 needs 事业收入 … 其他收入: not checked, and it says which column is missing — never a traceback.
    assert outcomes["B9"].status == "not_checked"
    assert "表2 缺少列“本年收入/单位资金/事业收入”" in outcomes["B9"].reason
    assert outcomes["B8"].status == "holds" and outcomes["B36"].status == "holds"


def test_a_renamed_three_public_table_keeps_both_year_groups(drifted):
    result = read(drifted)
    table = result.tables["7"]
    assert table.title == "一般公共预算“三公”经费支出表"
    row = table.rows[0]
    assert (row.values["total"], row.values["vehicles_running"]) == (D("5.80"), D("5.80"))
    assert (row.values["prior_total"], row.values["prior_vehicles_running"]) == (D("6.20"), D("6.20"))
    years = {r.header: r.year for r in table.readings}
    assert years["2024年预算数/“三公”经费合计"] == "prior" and years["2025年预算数/“三公”经费合计"] == "current"
    outcomes = {o.id: o for o in check_identities(result.tables, result.format)}
    assert outcomes["B28"].status == "holds" and outcomes["B29"].status == "holds"


def test_two_columns_for_one_role_are_an_error_naming_both_cells(tmp_path):
    workbook = load_workbook(SEED004)
    workbook["3"]["F5"].value = "人员经费"  # 公用经费 relabelled: two 人员经费 under 基本支出
    path = tmp_path / "twice.xlsx"
    workbook.save(path)
    result = read(path)
    assert [e.message for e in result.errors] == [
        "表3 支出预算总表：工作表“3”的 E5“基本支出/人员经费”、F5“基本支出/人员经费” 都可读作“基本支出/人员经费”，"
        "无法确定哪一列是。请删去多余的列或改正表头。"
    ]
    assert "3" not in result.tables


def test_swapped_columns_are_read_by_their_headers(tmp_path):
    workbook = load_workbook(SEED004)
    sheet = workbook["3"]
    for row in sheet.iter_rows(min_row=5, max_row=sheet.max_row):
        if not any(type(cell).__name__ == "MergedCell" for cell in row[4:6]):
            row[4].value, row[5].value = row[5].value, row[4].value
    path = tmp_path / "swapped.xlsx"
    workbook.save(path)
    base, swapped = read(SEED004), read(path)
    assert swapped.figures()["3"] == base.figures()["3"]
    assert swapped.tables["3"].rows[0].values["basic_personnel"] == D("1106.69")


def post_workbook(client, user, department, path, year=2025):
    client.force_login(user)
    with open(path, "rb") as handle:
        return client.post(
            reverse("staff_upload", args=[department.pk]),
            {"year": year, "kind": "budget", "approved_on": f"{year}-02-01", "workbook": handle},
            follow=True,
        )


def test_the_check_report_shows_the_workbooks_header_next_to_each_role(client, staff, drifted):
    page = post_workbook(client, staff.editor_a, staff.department_a, drifted).content.decode()
    assert "各表的列与对应关系" in page
    assert "<td>本年收入/单位资金</td><td>H5</td><td>本年收入/单位资金/小计</td>" in page
    assert "<td>2024年预算数/“三公”经费合计</td><td>A5</td><td>上年 · “三公”经费合计</td>" in page
    assert "工作簿没有的列：本年收入/单位资金/事业收入" in page


def test_a_wording_the_administrator_saves_is_read_by_the_next_workbook(client, staff, tmp_path):
    workbook = load_workbook(SEED004)
    for name in ("表2",):
        workbook.remove(workbook[name])
    add_sheet(workbook, "收入", income_table(unit_funds_label="单位资金收入合计"))
    path = tmp_path / "own_wording.xlsx"
    workbook.save(path)
    page = post_workbook(client, staff.editor_a, staff.department_a, path).content.decode()
    assert "<td>本年收入/单位资金收入合计</td><td>H5</td><td>表式之外的列（照原样保存和展示）</td>" in page
    version = Disclosure.objects.get(department=staff.department_a).versions.get()

    # The province's administrator sees the link to the admin form, prefilled with the unknown column.
    client.force_login(staff.admin)
    page = client.get(reverse("staff_version", args=[version.pk])).content.decode()
    assert "将表式之外的列登记为本地区的表式变体" in page
    response = client.post(reverse("admin:disclosures_layoutvariant_add"), {
        "region": staff.department_a.region.parent_id, "year": 2025, "kind": "budget", "format": "liaoning-budget-18",
        "name": "本省 2025 年版式", "wordings_text": "表2：本年收入/单位资金收入合计 = 本年收入/单位资金/小计",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    assert LayoutVariant.objects.get().wordings == {"2": {"current_unit_funds_subtotal": ["单位资金收入合计"]}}

    page = post_workbook(client, staff.editor_b, staff.department_b, path).content.decode()
    assert "<td>本年收入/单位资金收入合计</td><td>H5</td><td>本年收入/单位资金/小计</td>" in page


def test_a_wording_naming_no_column_of_the_format_is_refused_in_the_admin(client, staff):
    client.force_login(staff.admin)
    response = client.post(reverse("admin:disclosures_layoutvariant_add"), {
        "region": staff.department_a.region.parent_id, "year": 2025, "kind": "budget", "format": "liaoning-budget-18",
        "name": "x", "wordings_text": "表2：单位资金收入合计 = 不存在的列",
    })
    assert "表2 没有列“不存在的列”" in response.content.decode()
    assert not LayoutVariant.objects.exists()


@pytest.mark.django_db
def test_rows_that_name_a_unit_are_matched_to_the_registered_units_by_code_and_group_rows_are_not_units(tmp_path):
    from disclosures.models import Department, Region, TableRow, Unit
    from disclosures.services import import_disclosure, run_checks

    department = Department.objects.create(region=Region.get_or_create_path("辽宁省/抚顺市"), name="抚顺市工业和信息化局")
    registered = Unit.objects.create(department=department, code="060001", name="工业和信息化局本级")
    workbook = load_workbook(SEED004)
    sheet = workbook["表2"]
    sheet["A8"].value = "060001 抚顺市工业和信息化局本级"  # coded, and worded unlike the registered name
    procurement = workbook["14"]
    group_row = procurement.max_row + 1
    procurement.cell(row=group_row, column=1, value="项目支出")
    path = tmp_path / "units.xlsx"
    workbook.save(path)
    result = read(path)
    outcomes = run_checks(result)
    version = import_disclosure(
        result, region_path="辽宁省/抚顺市", department_name=department.name, year=2025, kind="budget",
        approved_on=datetime.date(2025, 2, 10), outcomes=outcomes,
    )
    assert list(department.units.all()) == [registered]
    row = TableRow.objects.get(table__version=version, table__number="2", kind="unit")
    assert row.unit == registered
    assert TableRow.objects.get(table__version=version, table__number="14", name="项目支出").kind == "group"
    report = " ".join(f["message"] for f in version.import_report["findings"])
    # 表9 names the unit without its code and with its own wording: reported, not created.
    assert "工作簿中的单位未在本部门登记：抚顺市工业和信息化局本级（表9 项目支出预算表）" in report


def test_the_drafted_text_compares_the_three_public_expenses_with_last_years_column(client, staff, drifted):
    post_workbook(client, staff.editor_a, staff.department_a, drifted)
    version = Disclosure.objects.get(department=staff.department_a).versions.get()
    draft = version.sections.get(key="explanation").body
    # 表7 prints 2024年预算数 6.20 beside 2025年预算数 5.80: the draft says so without a 2024 disclosure.
    assert "财政拨款“三公”经费预算 5.80 万元，比上年减少 0.40 万元，减少 6.45%" in draft


def test_a_table_printed_in_yuan_is_shown_in_yuan_and_counted_in_wan_everywhere_else(client, staff, tmp_path):
    from disclosures.models import TableRow

    workbook = load_workbook(SEED004)
    sheet = workbook["7三公"]
    sheet["F3"].value = "单位：元"
    for cell in sheet[6]:
        if cell.value is not None:
            cell.value = float(D(str(cell.value)) * 10000)
    path = tmp_path / "yuan.xlsx"
    workbook.save(path)
    result = read(path)
    assert result.tables["7"].unit_label == "元"
    outcomes = {o.id: o for o in check_identities(result.tables, result.format)}
    # 表7 in 元 against 表12 in 万元: checked exactly, no false alarm of a factor of 10,000.
    assert outcomes["B29"].status == "holds"
    post_workbook(client, staff.editor_a, staff.department_a, path)
    version = Disclosure.objects.get(department=staff.department_a).versions.get()
    row = TableRow.objects.get(table__version=version, table__number="7")
    assert row.values["total"] == "58000.00" and row.amount("total") == D("5.80")
    assert "财政拨款“三公”经费预算 5.80 万元" in version.sections.get(key="explanation").body


def test_the_report_lists_each_identity_it_could_not_check_and_why(client, staff, drifted):
    page = post_workbook(client, staff.editor_a, staff.department_a, drifted).content.decode()
    assert "未核对：B9 表2 每行：单位资金小计 = 事业收入 + 事业单位经营收入 + 上级补助收入 + 附属单位上缴收入 + 其他收入（表2 缺少列“本年收入/单位资金/事业收入”）" in page


def test_a_procurement_project_larger_than_the_project_itself_is_a_warning(tmp_path):
    workbook = load_workbook(SEED004)
    sheet = workbook["14"]
    sheet.append(["抚顺市工业和信息化局本级", "老干部服务工作经费", 5.00])  # 表9 budgets this project at 2.38
    path = tmp_path / "procurement.xlsx"
    workbook.save(path)
    result = read(path)
    outcome = {o.id: o for o in check_identities(result.tables, result.format)}["B51"]
    assert outcome.status == "fails"
    assert [f.figures for f in outcome.findings] == [{"lhs": "5.00", "rhs": "2.38", "diff": "2.62"}]
    assert "老干部服务工作经费" in outcome.findings[0].message
