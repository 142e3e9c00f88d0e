"""Seed 002 (辽宁省数据局 2024 年度部门决算) imports as final accounts and its figures hold (TABLES.md §2, §4.2)."""

import datetime
import re
from decimal import Decimal as D
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from disclosures.ingest.formats import default_format, get_format
from disclosures.ingest import read_workbook
from disclosures.models import Disclosure, DisclosureTable
from disclosures.sections import parse_sections
from disclosures.services import import_disclosure, run_checks

FIXTURES = Path(__file__).parent / "fixtures"
SEED002 = FIXTURES / "seed002_final_accounts_2024.xlsx"
SEED002_SECTIONS = FIXTURES / "seed002_sections.txt"
FORMAT = "liaoning-final-accounts-9"


@pytest.fixture(scope="module")
def seed002():
    fmt = get_format(FORMAT)
    with open(SEED002, "rb") as handle:
        result = read_workbook(handle, fmt)
    sections = parse_sections(SEED002_SECTIONS.read_text(encoding="utf-8"), fmt)
    outcomes = run_checks(result, sections)
    return result, {o.id: o for o in outcomes}, sections


def save_seed002(published_on=datetime.date(2025, 9, 10)):
    fmt = get_format(FORMAT)
    with open(SEED002, "rb") as handle:
        result = read_workbook(handle, fmt)
    sections = parse_sections(SEED002_SECTIONS.read_text(encoding="utf-8"), fmt)
    outcomes = run_checks(result, sections)
    return import_disclosure(
        result, region_path="辽宁省", department_name="辽宁省数据局", year=2024, kind="final_accounts",
        approved_on=datetime.date(2025, 8, 25), published_on=published_on, sections=sections,
        source_file=SEED002.name, outcomes=outcomes,
    )  # fmt: skip


def row(result, number, **cells):
    table = result.tables[number]
    for candidate in table.rows:
        if all(re.sub(r"\s", "", candidate.cells.get(k, "")) == v for k, v in cells.items()):
            return candidate
    raise AssertionError(f"no row {cells} in 表{number}")


def table_html(page, caption):
    """One table of the page, without the id/headers attributes that tie cells to their headers."""
    html = page[page.index(f"<caption>{caption}</caption>") :]
    return re.sub(r'\s(?:headers|id)="[^"]*"', "", html[: html.index("</table>")])


def by_code(result, number, code):
    return next(r for r in result.tables[number].rows if r.code == code)


def test_the_final_accounts_format_is_the_default_for_final_accounts_and_the_budget_default_is_unchanged():
    assert default_format("final_accounts").code == FORMAT
    assert default_format("budget").code == "liaoning-budget-18"


def test_seed002_reads_all_nine_tables_and_both_annexes_without_errors(seed002):
    result, _outcomes, _sections = seed002
    assert result.errors == []
    assert result.missing == []
    assert sorted(result.tables, key=int) == [str(n) for n in range(1, 12)]
    assert result.tables["10"].definition.title == "预算项目(政策)绩效自评表"
    assert result.tables["11"].definition.title == "部门（单位）整体绩效自评表"


def test_table01_totals_and_row_numbers(seed002):
    result, _o, _s = seed002
    income = lambda label: row(result, "1", income_item=label)
    spending = lambda label: row(result, "1", expenditure_item=label)
    assert income("一、一般公共预算财政拨款收入").values["income_amount"] == D("5741.50")
    assert income("八、其他收入").values["income_amount"] == D("0.00")
    assert income("本年收入合计").values["income_amount"] == D("5741.50")
    assert income("本年收入合计").cells["income_line_no"] == "27"
    assert income("年初结转和结余").values["income_amount"] == D("2.18")
    assert income("总计").values["income_amount"] == D("5743.67")
    assert income("总计").cells["income_line_no"] == "31"
    assert spending("一、一般公共服务支出").values["expenditure_amount"] == D("4669.97")
    assert spending("一、一般公共服务支出").cells["expenditure_line_no"] == "32"
    assert spending("八、社会保障和就业支出").values["expenditure_amount"] == D("572.83")
    assert spending("十九、住房保障支出").values["expenditure_amount"] == D("184.75")
    assert spending("本年支出合计").values["expenditure_amount"] == D("5516.90")
    assert spending("年末结转和结余").values["expenditure_amount"] == D("226.77")
    assert spending("总计").cells["expenditure_line_no"] == "62"
    # A line whose income side is blank padding is named by its expenditure item, not by its 行次.
    assert spending("九、卫生健康支出").name == "九、卫生健康支出"
    # Every expenditure class line is there, padded to the same length as the income side.
    assert len(result.tables["1"].rows) == 31


def test_every_table_total_of_seed002(seed002):
    result, _o, _s = seed002
    total = lambda number: next(r for r in result.tables[number].rows if r.kind == "total")
    assert total("2").values == {
        "total": D("5741.50"),
        "appropriation": D("5741.50"),
        "other": D("0.00"),
    }
    assert total("3").values == {
        "total": D("5516.90"),
        "basic": D("2685.87"),
        "project": D("2831.03"),
    }
    t4 = row(result, "4", expenditure_item="本年支出合计").values
    assert t4["expenditure_total"] == t4["expenditure_general_budget"] == D("5516.84")
    assert row(result, "4", expenditure_item="年末财政拨款结转和结余").values["expenditure_total"] == D("224.66")
    assert row(result, "4", income_item="总计").values["income_amount"] == D("5741.50")
    assert total("5").values == {
        "total": D("5516.84"),
        "basic": D("2685.81"),
        "project": D("2831.03"),
    }
    assert row(result, "6", name="人员经费合计").values == {"amount": D("2362.06")}
    assert row(result, "6", name="公用经费合计").values == {"amount": D("323.75")}
    assert total("7").values == {} and total("8").values == {}
    assert result.tables["7"].is_empty and result.tables["8"].is_empty
    assert row(result, "9", item="合计").values == {
        "budget": D("12.00"),
        "actual": D("11.96"),
    }
    assert row(result, "9", item="其中:（1）公务用车运行维护费").values == {
        "budget": D("12.00"),
        "actual": D("11.96"),
    }


def test_table06_triplets_are_read_as_three_lists(seed002):
    result, _o, _s = seed002
    t6 = result.tables["6"]
    assert by_code(result, "6", "30101").values["amount"] == D("491.50")
    assert by_code(result, "6", "30231").values["amount"] == D("11.96")
    assert by_code(result, "6", "31002").values["amount"] == D("19.14")
    assert by_code(result, "6", "30299").level == 2 and by_code(result, "6", "399").level == 1
    panels = [r.cells["_panel"] for r in t6.rows]
    assert panels == sorted(panels)  # panel 1, then 2, then 3
    assert [r.code for r in t6.rows if r.cells["_panel"] == 2][:3] == [
        "307",
        "30701",
        "30702",
    ]


def test_the_column_number_row_is_kept_not_read_as_data(seed002):
    result, _o, _s = seed002
    assert result.tables["2"].column_numbers["total"] == "1"
    assert result.tables["2"].column_numbers["other"] == "7"
    assert not any(r.name == "栏次" or r.cells.get("code") == "栏次" for r in result.tables["2"].rows)
    leaves = {n["key"]: n for n in result.tables["4"].columns for n in n.get("children", [n])}
    assert leaves["expenditure_state_capital"]["number"] == "5"


def test_project_self_evaluations_are_read_per_project(seed002):
    result, _o, _s = seed002
    blocks = [r for r in result.tables["10"].rows if r.kind == "block"]
    assert [b.name for b in blocks] == [
        "辽宁省政务服务大厅运转经费", "全省一体化在线政务服务平台建设工作经费", "全省营商环境建设项目经费",
        "省本级信息化运行维护项目", "12345平台管理经费", "省本级信息化运行维护项目", "辽宁省12345政务服务便民热线平台运行经费",
    ]  # fmt: skip
    hall = blocks[0].values
    assert hall == {
        "full_year_budget": D("1079.03"), "executed": D("1004.87"), "rate": D("93.13"), "indicator_score": D(90),
        "rate_score": D("9.31"), "deduction": D(0), "total_score": D("99.31"),
    }  # fmt: skip
    assert blocks[2].values["deduction"] == D("8.0017") and blocks[2].values["total_score"] == D(89)
    indicators = [r for r in result.tables["10"].rows if r.kind == "indicator"]
    assert len(indicators) == 42
    first = indicators[0]
    assert first.cells["level1"] == "产出指标" and first.cells["level3"] == "消防维保次数"
    assert first.cells["operator"] == ">=" and first.cells["target"] == "12" and first.cells["measure"] == "次"
    assert first.values == {
        "completion": D(100),
        "weight": D("12.5"),
        "score": D("12.5"),
    }
    assert indicators[1].cells["level2"] == "数量指标"  # carried down from the merged cell


def test_department_self_evaluations_are_read_per_unit(seed002):
    result, _o, _s = seed002
    rows = result.tables["11"].rows
    blocks = [r for r in rows if r.kind == "block"]
    assert [b.name for b in blocks] == ["069003辽宁省数据局本级", "069007辽宁省民心网"]
    assert blocks[0].values == {
        "initial_income": D("2147.68"),
        "initial_budget": D("2147.68"),
        "total_score": D("96.99"),
    }
    tasks = [r for r in rows if r.kind == "task"]
    assert tasks[0].name == "基本支出公用经费（保运转）"
    assert tasks[0].values == {
        "allotted": D("246.48"), "executed": D("230.47"), "rate": D("93.50"), "weight": D("13.3"), "score": D("12.43"),
    }  # fmt: skip
    adjustment = next(r for r in rows if r.kind == "indicator" and r.cells.get("level3") == "预算调整率")
    assert adjustment.values == {
        "completion": D("0.26"),
        "weight": D("1.6"),
        "score": D("0.416"),
    }
    assert adjustment.cells["other"].startswith("2024年度按省人社厅")


def test_the_identities_that_hold_in_seed002(seed002):
    _r, outcomes, _s = seed002
    holding = {"D1", "D4", "D5", "D6", "D7", "D9", "D12", "D13", "D14", "D16", "D17", "D18", "D22", "D23", "D24",
               "D25", "D26", "D27", "D28"}  # fmt: skip
    assert {i for i, o in outcomes.items() if o.status == "holds"} == holding


def test_the_published_rounding_residues_of_seed002_are_reported_as_such(seed002):
    """TABLES.md §4.4: D2, D3, D8, D10, D11, D15 differ by 0.01–0.02 in the published figures."""
    _r, outcomes, _s = seed002
    for identity in ("D2", "D3", "D8", "D10", "D11", "D15", "D19", "D21"):
        assert outcomes[identity].status == "rounding", identity
    assert "左边 5,516.90，右边 5,516.91，相差 -0.01（尾差）" in outcomes["D2"].findings[0].message
    assert "208 社会保障和就业支出" in outcomes["D8"].findings[0].message


def test_d20_catches_the_misprinted_execution_rate(seed002):
    """The annex prints 43.75% for 4.97 / 11.35 = 43.79% (TABLES.md §4.2 D20)."""
    _r, outcomes, _s = seed002
    assert outcomes["D20"].status == "fails"
    mismatches = [f.message for f in outcomes["D20"].findings if "不一致" in f.message]
    assert mismatches == [
        (
            "D20 项目绩效自评表：执行率 = 全年执行数 ÷ 项目预算金额：工作表“附件1”第 60 行（省本级信息化运行维护项目）："
            "左边 43.75，右边 43.79，相差 -0.04（不一致）"
        )
    ]


def test_a_planted_score_error_is_caught(seed002):
    result, _o, sections = seed002
    fmt = result.format
    with open(SEED002, "rb") as handle:
        planted = read_workbook(handle, fmt)
    block = [r for r in planted.tables["11"].rows if r.kind == "block"][1]
    block.values["total_score"] = D("97.04")
    outcome = {o.id: o for o in run_checks(planted, sections)}["D24"]
    assert outcome.status == "fails"
    assert "069007辽宁省民心网" in outcome.findings[0].message


@pytest.mark.django_db
def test_the_import_command_reads_seed002_as_final_accounts_and_publishes_it():
    out = StringIO()
    call_command(
        "import_disclosure", str(SEED002), "--region", "辽宁省", "--department", "辽宁省数据局", "--year", "2024",
        "--kind", "final_accounts", "--approved-on", "2025-08-25", "--published-on", "2025-09-10",
        "--sections", str(SEED002_SECTIONS), stdout=out,
    )  # fmt: skip
    text = out.getvalue()
    assert "表式：部门决算公开表（公开01–09表及绩效自评表）" in text
    assert "表6 一般公共预算财政拨款基本支出决算表：90 行" in text
    assert "警告：D20" in text
    assert "缺少：" not in text
    disclosure = Disclosure.objects.get(department__name="辽宁省数据局", year=2024, kind="final_accounts")
    assert disclosure.format == FORMAT
    assert text.strip().endswith(f"published: /disclosures/{disclosure.pk}/")


@pytest.mark.django_db
def test_the_public_page_renders_table01_with_row_and_column_numbers(client):
    disclosure = save_seed002().disclosure
    page = client.get(f"/disclosures/{disclosure.pk}/").content.decode()
    assert "<h1>辽宁省数据局 2024 年部门决算</h1>" in page
    # numbered as the printed 决算 is (公开01表…公开09表, then the annexes), not 表1
    assert '<span class="table-number">公开01表</span> 收入支出决算总表' in page
    assert '<span class="table-number">公开09表</span>' in page and '<span class="table-number">附件</span> 部门（单位）整体绩效自评表' in page
    assert '<span class="table-number">表1</span>' not in page
    t1 = table_html(page, "公开01表 收入支出决算总表")
    assert '<td class="column-number" colspan="2">栏次</td><td class="column-number">1</td>' in t1
    assert (
        '<th scope="row" class="text indent-0">本年收入合计</th><td class="code">27</td><td class="amount">5,741.50</td>'
        in t1
    )
    assert '<td class="text indent-0">八、其他收入</td>' not in t1  # the first label of a line is the row header
    assert (
        '<th scope="row" class="text indent-0">八、其他收入</th><td class="code">8</td><td class="amount">0.00</td>'
        in t1
    )


@pytest.mark.django_db
def test_the_public_page_lays_out_table06_triplets_side_by_side(client):
    disclosure = save_seed002().disclosure
    page = client.get(f"/disclosures/{disclosure.pk}/").content.decode()
    t6 = table_html(page, "公开06表 一般公共预算财政拨款基本支出决算表")
    first_line = t6[t6.index("<tbody>") : t6.index("</tr>", t6.index("<tbody>"))]
    assert re.findall(r'<td class="code">(\d+)</td>', first_line) == [
        "301",
        "302",
        "307",
    ]
    assert "1,981.47" in first_line and "304.61" in first_line
    assert t6.count('<tr class="kind-panel-line') == 34  # 33 printed lines and the totals line, as printed


@pytest.mark.django_db
def test_the_public_page_shows_each_self_evaluation_with_its_scores(client):
    disclosure = save_seed002().disclosure
    page = client.get(f"/disclosures/{disclosure.pk}/").content.decode()
    annex = table_html(page, "附件 预算项目(政策)绩效自评表")
    assert annex.count(">项目(政策)名称</th>") == 7
    assert ">全省营商环境建设项目经费<" in annex
    assert ">绩效自评总得分</td>" in annex or ">绩效自评总得分</th>" in annex
    assert ">8.0017<" in annex and ">43.75%<" in annex
    table = DisclosureTable.objects.get(version=disclosure.published_version, number="11")
    assert table.rows.filter(kind="indicator").count() == 23 + 24


@pytest.mark.django_db
def test_the_final_accounts_narrative_sections_and_their_required_parts_are_present():
    version = save_seed002().disclosure.published_version
    from disclosures.completeness import checklist

    items = {item.label: item.ok for item in checklist(version)}
    for label in ("主要职责", "部门决算单位构成", "部门决算情况说明", "名词解释"):
        assert items[label] is True, label
    parts = {label.split("：", 1)[1]: ok for label, ok in items.items() if label.startswith("部门决算情况说明：")}
    assert parts == {
        "收入支出决算总体情况": True, "财政拨款支出与年初预算对比": True, "“三公”经费：因公出国（境）团组和人次": True,
        "“三公”经费：公务接待批次和人数": True, "“三公”经费：公务用车购置数和保有量": True, "机关运行经费": True,
        "政府采购（含授予中小企业合同金额）": True, "国有资产占用（车辆分类）": True, "预算绩效（绩效自评结果）": True,
    }  # fmt: skip
    assert all(ok for label, ok in items.items() if label.startswith("表"))


@pytest.mark.django_db
def test_the_20_day_rule_applies_to_final_accounts_as_to_budgets(client):
    """预算法第十四条: final accounts too are published within 20 days of approval (approved 2025-08-25)."""
    on_time = save_seed002(published_on=datetime.date(2025, 9, 10)).disclosure
    page = client.get(f"/disclosures/{on_time.pk}/").content.decode()
    assert "按时公开" in page and "截止 2025-09-15" in page  # day 20 is a Sunday: the next working day
    with open(SEED002, "rb") as handle:
        result = read_workbook(handle, get_format(FORMAT))
    late = import_disclosure(
        result, region_path="辽宁省", department_name="辽宁省民心网", year=2024, kind="final_accounts",
        approved_on=datetime.date(2025, 8, 25), published_on=datetime.date(2025, 9, 20),
    ).disclosure  # fmt: skip
    assert "逾期 5 天公开" in client.get(f"/disclosures/{late.pk}/").content.decode()


def _set(result, number, value, key, **cells):
    row(result, number, **cells).values[key] = D(value)


PLANTED = {
    "D1": lambda r: _set(r, "1", "5742.50", "income_amount", income_item="一、一般公共预算财政拨款收入"),
    "D4": lambda r: _set(r, "1", "230.00", "expenditure_amount", expenditure_item="年末结转和结余"),
    "D5": lambda r: by_code(r, "2", "2010302").values.__setitem__("total", D("1900.00")),
    "D6": lambda r: next(x for x in r.tables["2"].rows if x.kind == "total").values.__setitem__(
        "appropriation", D("5700.00")
    ),
    "D7": lambda r: next(x for x in r.tables["3"].rows if x.code == "2101101").values.__setitem__("basic", D("80.00")),
    "D9": lambda r: _set(r, "4", "300.00", "expenditure_total", expenditure_item="年末财政拨款结转和结余"),
    "D12": lambda r: next(x for x in r.tables["5"].rows if x.code == "2010301").values.__setitem__(
        "total", D("1800.00")
    ),
    "D13": lambda r: _set(r, "6", "2400.00", "amount", name="人员经费合计"),
    "D17": lambda r: _set(r, "9", "13.00", "budget", item="合计"),
    "D18": lambda r: next(x for x in r.tables["6"].rows if x.code == "30231").values.__setitem__("amount", D("10.00")),
    "D22": lambda r: next(b for b in r.tables["10"].rows if b.kind == "block").values.__setitem__(
        "total_score", D("98.00")
    ),
    "D23": lambda r: next(i for i in r.tables["10"].rows if i.kind == "indicator").values.__setitem__("score", D(10)),
    "D25": lambda r: next(t for t in r.tables["11"].rows if t.kind == "task").values.__setitem__("score", D("13.00")),
    "D26": lambda r: next(i for i in r.tables["11"].rows if i.kind == "indicator").values.__setitem__(
        "score", D("3.0")
    ),
}


@pytest.mark.parametrize("identity", sorted(PLANTED, key=lambda i: int(i[1:])))
def test_each_final_accounts_identity_catches_a_planted_error(identity, seed002):
    _r, clean, sections = seed002
    assert clean[identity].status == "holds"
    with open(SEED002, "rb") as handle:
        planted = read_workbook(handle, get_format(FORMAT))
    PLANTED[identity](planted)
    outcome = {o.id: o for o in run_checks(planted, sections)}[identity]
    assert outcome.status == "fails", identity
    assert outcome.findings and "（不一致）" in outcome.findings[0].message
