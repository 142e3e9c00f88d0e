"""Seed 003 (224网信办 2024, a Hebei county office) imports in the Hebei format (TABLES.md §3, §4.3)."""

import re
from decimal import Decimal as D
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from disclosures.ingest.formats import get_format
from disclosures.ingest import read_workbook
from disclosures.models import Disclosure, DisclosureTable, Section
from disclosures.sections import parse_sections
from disclosures.services import run_checks

FIXTURES = Path(__file__).parent / "fixtures"
SEED003 = FIXTURES / "seed003_budget_2024.xlsx"
SEED003_SECTIONS = FIXTURES / "seed003_sections.txt"


@pytest.fixture(scope="module")
def seed003():
    fmt = get_format("hebei-county-budget")
    with open(SEED003, "rb") as handle:
        result = read_workbook(handle, fmt)
    sections = parse_sections(SEED003_SECTIONS.read_text(encoding="utf-8"), fmt)
    return result, {o.id: o for o in run_checks(result, sections)}, sections


def line(result, number, **cells):
    return next(
        r
        for r in result.tables[number].rows
        if all(re.sub(r"\s", "", r.cells.get(k, "")) == v for k, v in cells.items())
    )


def total(result, number):
    return next(r for r in result.tables[number].rows if r.kind == "total")


def test_seed003_reads_its_9_tables_projects_procurement_and_assets(seed003):
    result, _o, _s = seed003
    assert result.errors == [] and result.missing == []
    assert sorted(result.tables, key=int) == [str(n) for n in range(1, 13)]


def test_every_table_total_of_seed003(seed003):
    result, _o, _s = seed003
    assert line(result, "1", income_item="收入总计").values == {
        "income_amount": D("384.34"),
        "expenditure_amount": D("384.34"),
    }
    assert line(result, "1", expenditure_item="八、社会保障和就业支出").values == {"expenditure_amount": D("28.79")}
    assert line(result, "1", expenditure_item="三十一、往来性支出").cells["serial"] == "31"
    assert total(result, "2").values == {
        "grand_total": D("384.34"),
        "current_total": D("384.34"),
        "current_appropriation": D("384.34"),
    }
    assert total(result, "3").values == {
        "total": D("384.34"),
        "basic": D("357.11"),
        "project": D("27.23"),
    }
    assert line(result, "4", expenditure_item="本年支出合计").values == {
        "income_amount": D("384.34"), "expenditure_total": D("384.34"), "expenditure_general_budget": D("384.34"),
    }  # fmt: skip
    assert line(result, "4", income_item="收入总计").values["income_amount"] == D("384.34")
    assert total(result, "5").values == {
        "total": D("384.34"),
        "basic": D("357.11"),
        "project": D("27.23"),
    }
    assert total(result, "6").values == {
        "total": D("357.11"),
        "personnel": D("332.33"),
        "operating": D("24.79"),
    }
    assert result.tables["7"].is_empty and result.tables["7"].note == "注：无政府基金预算财政拨款预算，空表列示。"
    assert result.tables["8"].is_empty and result.tables["8"].note == "注：无国有资本经营预算财政拨款预算，空表列示。"
    assert line(result, "9", item="合计").values == {
        "total": D("2.40"),
        "general_budget": D("2.40"),
    }
    assert line(result, "9", item="公务用车运行维护费").values == {
        "total": D("2.40"),
        "general_budget": D("2.40"),
    }
    assert result.tables["11"].is_empty and result.tables["11"].note.endswith("注：无政府采购预算，空表列示。")
    assets = result.tables["12"]
    assert line(result, "12", item="资产总额").values == {"value": D("40.20")}
    assert line(result, "12", item="2、车辆（台、辆）").cells["quantity"] == "1"
    assert line(result, "12", item="2、车辆（台、辆）").values == {"value": D("11.10")}
    assert len(assets.rows) == 6


def test_the_project_performance_tables_carry_code_amount_schedule_and_indicators(
    seed003,
):
    result, _o, _s = seed003
    rows = result.tables["10"].rows
    blocks = [r for r in rows if r.kind == "block"]
    assert len(blocks) == 12
    assert (blocks[0].code, blocks[0].name) == (
        "13011124P000053100573",
        "互联网传播精品生产扶持专项经费",
    )
    assert blocks[2].values == {"amount": D("14.03"), "fiscal": D("14.03")}
    assert blocks[7].name == "网络执法" and blocks[7].values == {}  # printed blank
    assert sum(b.values.get("amount", D(0)) for b in blocks) == D("27.23")
    first = [r for r in rows if r.kind == "indicator"][:2]
    assert first[0].cells == {
        "_grid": first[0].cells["_grid"], "level1": "产出指标", "level2": "数量指标", "level3": "扶持优秀作品数量",
        "description": "扶持优秀作品数量", "target": "≥10", "basis": "历史依据",
    }  # fmt: skip
    assert first[1].cells["level1"] == "产出指标" and first[1].cells["level2"] == "质量指标"
    schedule = next(r for r in rows if r.kind == "text" and "60%" in [c[0] for c in r.cells["_grid"]])
    assert [c[0] for c in schedule.cells["_grid"]] == ["30%", "60%", "80%", "100%"]


def test_the_hebei_identities_and_the_published_rounding_residues(seed003):
    _r, outcomes, _s = seed003
    assert {i for i, o in outcomes.items() if o.status == "holds"} == {
        "H1",
        "H2",
        "H4a",
        "H6",
        "H7",
        "H8",
        "H9",
    }
    assert {i for i, o in outcomes.items() if o.status == "rounding"} == {
        "H3",
        "H3a",
        "H4",
        "H5",
    }
    messages = [f.message for f in outcomes["H4"].findings]
    assert any("表2 20827 财政对其他社会保险基金的补助 列 grand_total：左边 1.12，右边 1.11" in m for m in messages)
    assert any("表3 合计行 basic：左边 357.11，右边 357.12" in m for m in messages)
    assert any(
        "302 商品和服务支出 列 operating：左边 24.79，右边 24.77，相差 0.02（尾差）" in f.message
        for f in outcomes["H5"].findings
    )


def test_the_narrative_sections_are_read_in_their_numbered_order(seed003):
    _r, _o, sections = seed003
    assert [(s.key, s.title) for s in sections] == [
        ("duties", "一、部门职责及机构设置情况"), ("explanation", "2、部门预算安排的总体情况"),
        ("admin_running_costs", "三、机关运行经费安排情况"), ("three_public_expenses", "四、财政拨款“三公”经费预算情况及增减变化原因"),
        ("department_performance", "五、部门整体绩效目标"), ("special_funds", "六、部门主管专项资金预算安排情况及绩效目标"),
        ("assets", "九、国有资产信息"), ("glossary", "十、名词解释"), ("other", "十一、其他需要说明的事项"),
    ]  # fmt: skip


@pytest.mark.django_db
def test_seed003_imports_and_renders_its_project_table(client):
    out = StringIO()
    call_command(
        "import_disclosure", str(SEED003), "--region", "河北省/石家庄市/栾城区", "--department", "224网信办",
        "--year", "2024", "--approved-on", "2024-01-20", "--published-on", "2024-02-02", "--sections",
        str(SEED003_SECTIONS), stdout=out,
    )  # fmt: skip
    text = out.getvalue()
    assert "表式来源：hebei-county-budget，按表名和表头识别" in text
    assert "缺少：" not in text
    disclosure = Disclosure.objects.get(department__name="224网信办")
    assert disclosure.format == "hebei-county-budget"
    assert Section.objects.filter(version__disclosure=disclosure).count() == 9
    page = client.get(f"/disclosures/{disclosure.pk}/").content.decode()
    table = page[page.index("<caption>表10 部门项目预算安排情况及绩效目标</caption>") :]
    table = table[: table.index("</table>")]
    assert table.count(">项目编码</th>") == 12
    assert ">13011124P00005310048T<" in table and ">指标值确定依据<" in table
    assert "<caption>表1 部门预算收支总表</caption>" in page
    # 序号 labels the row; the row header is the item it numbers.
    t1 = page[page.index("<caption>表1 部门预算收支总表</caption>") :]
    assert '<td class="code">32</td><th scope="row" class="text indent-0">本年收入合计</th>' in t1
    t3 = DisclosureTable.objects.get(version=disclosure.published_version, number="3")
    leaves = [leaf for node in t3.columns for leaf in node.get("children", [node])]
    assert [leaf["number"] for leaf in leaves] == [
        "栏次",
        "1",
        "2",
        "3",
        "4",
        "5",
        "6",
        "7",
        "",
    ]
    assert '<td class="column-number">栏次</td><td class="column-number">1</td>' in page
