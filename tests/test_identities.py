"""Every arithmetic identity B1–B47 (TABLES.md §4.1), the narrative figures B48–B50 and 表14's procurement bounds B51, catches an error planted into a real budget.

Each case reads a seed afresh, changes ONE figure (a cell of one row, or a figure of the 情况说明),
runs the identity checks again and asserts that the identity under test now fails, naming itself,
the figure that carries the error (as printed, two decimals) and the planted difference.
Other identities may fail too: a figure in a budget is usually tied to several others.
"""

from dataclasses import dataclass
from decimal import Decimal as D
from pathlib import Path

import pytest

from disclosures.ingest.identities import DefinitionError, check_identities, compile_expression
from disclosures.text import strip_enumerator
from tests.conftest import SEED000, SEED000_SECTIONS, SEED004, read

ZERO = D("0.00")
IDENTITIES = [f"B{n}" for n in range(1, 52)]

# The documented exceptions on the unplanted seeds (tests/test_import_seeds.py, TABLES.md §4.1).
NOT_CHECKED = {
    "seed000": {"B40": "不适用", "B46": "缺少表13；缺少表14；缺少表15", "B50": "缺少表14", "B51": "缺少表14"},  # a public institution (no 501/502); 表13–15 absent
    "seed004": {f"B{n}": "没有情况说明" for n in range(46, 51)},  # seed 004 comes without its narrative
}

# Seed 004 has empty 表13–15 and no transcribed narrative: this is what its 情况说明 would say.
SEED004_NARRATIVE = "在支出预算中债务支出 0 万元；政府采购支出 0 万元；政府购买服务支出 0 万元。"


def load(seed):
    """A fresh copy of a seed as read by the importer, with the 情况说明 text that feeds narrative()."""
    sections_path = SEED000_SECTIONS if seed == SEED000 else None
    result, _outcomes, sections = read(seed, sections_path=sections_path)
    assert result.errors == []
    narrative = "\n".join(s.body for s in sections if s.key == "explanation")
    return result, narrative


def outcome_of(outcomes, identity):
    (outcome,) = [o for o in outcomes if o.id == identity]
    return outcome


def describe(outcome):
    return f"{outcome.id} {outcome.status} {outcome.reason!r} " + " | ".join(
        f"{f.message} {f.figures}" for f in outcome.findings
    )


# --- finding the row to plant into ------------------------------------------------------------------


def _one(rows):
    rows = list(rows)
    assert len(rows) == 1, f"expected one row, found {len(rows)}"
    return rows[0]


def code(classification_code):
    return lambda table: _one(r for r in table.rows if r.kind == "code" and r.code == classification_code)


def total():
    return lambda table: _one(r for r in table.rows if r.kind == "total")


def first():
    return lambda table: table.rows[0]


def named(kind, name=None):
    """The row of that kind (and name); a table with one unit has one "unit" row."""
    return lambda table: _one(r for r in table.rows if r.kind == kind and (name is None or r.name == name))


def line(column, label, after=None):
    """A line of 表1/表4 by its text (enumerators and spacing ignored); after= picks a later occurrence."""

    def locate(table):
        rows = table.rows
        if after is not None:
            start = next(i for i, r in enumerate(rows) if strip_enumerator(r.cells.get(column, "")) == after)
            rows = rows[start + 1 :]
        return next(r for r in rows if strip_enumerator(r.cells.get(column, "")) == strip_enumerator(label))

    return locate


# --- planting ---------------------------------------------------------------------------------------


def bump(table, locate, column, delta):
    """Add delta to one amount of one row of one table."""

    def apply(result, narrative):
        row = locate(result.tables[table])
        row.values[column] = row.values.get(column, ZERO) + D(delta)
        return narrative

    return apply


def reword(old, new):
    """Change one figure of the 情况说明."""

    def apply(result, narrative):
        assert old in narrative
        return narrative.replace(old, new, 1)

    return apply


@dataclass(frozen=True)
class Plant:
    identity: str
    apply: object  # (result, narrative) -> narrative, after changing one figure
    shows: D  # the figure (lhs or rhs) the finding must print, as carried by the plant
    diff: D  # lhs − rhs of that finding
    seed: Path = SEED000
    narrative: str | None = None  # replaces the seed's 情况说明 (seed 004 has none)


def plant(identity, apply, shows, diff, **kwargs):
    return pytest.param(Plant(identity, apply, D(shows), D(diff), **kwargs), id=identity)


PLANTS = [
    # 表1 收支预算总表
    plant("B1", bump("1", line("income_item", "收入总计"), "income_amount", "0.50"), "882.05", "0.50"),
    plant("B2", bump("1", line("income_item", "本年收入合计"), "income_amount", "0.50"), "812.97", "0.50"),
    plant("B3", bump("1", line("income_item", "五、单位资金收入"), "income_amount", "0.50"), "306.61", "0.50"),
    plant("B4", bump("1", line("income_item", "上年结转结余"), "income_amount", "0.50"), "882.05", "-0.50"),
    plant("B5", bump("1", line("expenditure_item", "年终结转结余"), "expenditure_amount", "0.50"), "882.05", "-0.50"),
    plant("B6", bump("1", line("expenditure_item", "资源勘探工业信息等支出"), "expenditure_amount", "0.50"), "882.05", "-0.50"),
    # 表2 收入预算总表 (one unit row, the 本级)
    plant("B7", bump("2", named("unit"), "grand_total", "0.50"), "882.05", "0.50"),
    plant("B8", bump("2", named("unit"), "current_general_budget", "0.50"), "812.97", "-0.50"),
    plant("B9", bump("2", named("unit"), "current_unit_funds_operations", "0.50"), "306.61", "-0.50"),
    plant("B10", bump("2", named("unit"), "carryover_general_budget", "0.50"), "69.58", "-0.50"),
    plant("B11", bump("2", total(), "current_unit_funds_business", "0.50"), "231.61", "0.50"),
    plant("B12", bump("1", line("income_item", "事业单位经营收入"), "income_amount", "0.50"), "231.61", "-0.50"),
    # 表3 支出预算总表
    plant("B13", bump("3", code("2080505"), "total", "0.50"), "40.61", "0.50"),
    plant("B14", bump("3", code("2080505"), "basic_personnel", "0.50"), "40.61", "-0.50"),
    # 款 20805 = 2080505 + 2080506 in 表10 no longer holds
    plant("B15", bump("10", code("2080506"), "grand_total", "0.50"), "51.57", "-0.50"),
    plant("B16", bump("6", total(), "total", "0.50"), "183.05", "0.50"),
    plant("B17", bump("1", line("expenditure_item", "本年支出合计"), "expenditure_amount", "0.50"), "882.05", "-0.50"),
    plant("B18", bump("3", code("2210201"), "total", "0.50"), "30.58", "0.50"),
    # 表4 财政拨款收支预算总表
    plant("B19", bump("4", line("expenditure_item", "卫生健康支出"), "expenditure_amount", "0.50"), "510.94", "-0.50"),
    plant("B20", bump("5", total(), "total", "0.50"), "506.86", "-0.50"),
    plant(
        "B21",
        bump("4", line("income_item", "一般公共预算拨款收入", after="上年结转"), "income_amount", "0.50"),
        "4.58",
        "0.50",
    ),
    plant("B22", bump("10", code("221"), "current_general_budget", "0.50"), "14.14", "-0.50"),
    # 表5 一般公共预算支出表
    plant("B23", bump("5", code("2101102"), "basic_personnel", "0.50"), "14.15", "-0.50"),
    plant("B24", bump("10", code("2101102"), "current_general_budget", "0.50"), "14.15", "-0.50"),
    # 表6 一般公共预算基本支出表
    plant("B25", bump("6", total(), "operating", "0.50"), "18.69", "0.50"),
    plant("B26", bump("6", code("30207"), "operating", "0.50"), "16.69", "-0.50"),
    plant("B27", bump("6", code("30113"), "personnel", "-0.50"), "13.14", "0.50"),  # 住房公积金 not all 人员经费
    # 表7 三公, 表8 政府性基金 (empty in seed 000: the 合计 row gets an amount)
    plant("B28", bump("7", first(), "total", "0.50"), "0.85", "0.50"),
    plant("B29", bump("12", code("30217"), "current_general_budget", "0.50"), "0.85", "-0.50"),
    plant("B30", bump("8", total(), "total", "12.00"), "12.00", "12.00"),
    # 表9 项目支出预算表
    plant(
        "B31",
        bump("9", named("project", "骨干直联点监测系统链路改造及机房维护"), "current_general_budget", "0.50"),
        "295.50",
        "-0.50",
    ),
    plant("B32", bump("9", named("project", "辽宁省互联网运行监测相关系统机房运转经费"), "grand_total", "0.50"), "399.31", "-0.50"),
    plant("B33", bump("9", total(), "grand_total", "0.50"), "399.31", "0.50"),
    plant("B34", bump("9", total(), "current_general_budget", "0.50"), "324.31", "0.50"),
    # 表10–12
    plant("B35", bump("10", code("2080506"), "current_unit_funds", "0.50"), "11.46", "-0.50"),
    plant("B36", bump("2", total(), "carryover_unit_funds", "0.50"), "65.50", "-0.50"),
    plant("B37", bump("12", total(), "carryover_unit_funds", "0.50"), "65.50", "0.50"),
    plant("B38", bump("12", code("30211"), "grand_total", "0.50"), "61.69", "-0.50"),
    plant("B39", bump("11", code("50501"), "grand_total", "0.50"), "446.86", "0.50"),
    # B40 applies to administrative organs (表11 codes 501/502): seed 004
    plant("B40", bump("11", code("50101"), "grand_total", "0.50"), "544.79", "0.50", seed=SEED004),
    plant("B41", bump("5", total(), "project", "0.50"), "324.31", "-0.50"),
    # In seed 004 everything is 一般公共预算 (表3 合计 = 表5 合计), so 表3 人员经费 must equal 表6's
    plant("B42", bump("3", total(), "basic_personnel", "0.50"), "1107.19", "0.50", seed=SEED004),
    # 表16 整体绩效, 表17 项目绩效, 表18 专项资金 (empty in seed 000)
    plant("B43", bump("16", named("task", "基本支出人员经费(刚性)"), "amount", "0.50"), "446.86", "0.50"),
    plant("B44", bump("17", named("block", "工业互联网标识解析体系安全监测与防护项目"), "amount", "0.50"), "75.50", "0.50"),
    plant("B45", bump("18", total(), "total", "12.00"), "12.00", "12.00"),
    # Narrative figures: seed 004 (表13–15 present but empty) with a 情况说明 saying 0; 表14 gets an amount
    plant("B46", bump("14", total(), "grand_total", "12.00"), "12.00", "12.00", seed=SEED004, narrative=SEED004_NARRATIVE),
    plant("B47", reword("基本支出 482.74 万元", "基本支出 483.24 万元"), "483.24", "0.50"),
    # “三公” parts (seed 000 states each), 机关运行经费 of an administrative organ (seed 004 has 501/502),
    # 政府采购预算 against 表14 (present in seed 004, empty)
    plant("B48", reword("公务接待费 0.35 万元", "公务接待费 0.25 万元"), "0.25", "-0.10"),
    plant("B49", reword("100.59", "101.09"), "101.09", "0.50", seed=SEED004, narrative="机关运行经费预算 100.59 万元。"),
    plant("B50", bump("14", total(), "grand_total", "12.00"), "12.00", "-12.00", seed=SEED004, narrative="政府采购预算 0 万元。"),
    # 政府采购 of 2,000 from the 一般公共预算 of a department whose whole 一般公共预算 spending is 1,425.40
    plant("B51", bump("14", total(), "current_general_budget", "2000.00"), "2000.00", "-574.60", seed=SEED004, narrative=SEED004_NARRATIVE),
]


def test_every_identity_of_the_format_has_a_planted_error_case(liaoning):
    assert [spec["id"] for spec in liaoning.identities] == IDENTITIES
    assert [p.id for p in PLANTS] == IDENTITIES


@pytest.mark.parametrize("case", PLANTS)
def test_each_identity_catches_a_planted_error(case, liaoning):
    result, narrative = load(case.seed)
    if case.narrative is not None:
        narrative = case.narrative
    before = outcome_of(check_identities(result.tables, liaoning, narrative), case.identity)
    assert before.status == "holds", describe(before)

    narrative = case.apply(result, narrative)
    outcome = outcome_of(check_identities(result.tables, liaoning, narrative), case.identity)

    assert outcome.status == "fails", describe(outcome)
    printed = f"{case.shows:,.2f}"  # as the finding prints it (thousands separated)
    caught = [
        f
        for f in outcome.findings
        if f.message.startswith(f"{case.identity} ")
        and printed in f.message
        and f.figures["diff"] == str(case.diff)
        and "不一致" in f.message
        and f.identity == case.identity
        and f.level == "warning"
    ]
    assert caught, f"no finding shows {printed} with diff {case.diff}: {describe(outcome)}"


# --- the unplanted seeds ----------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "seed"), [("seed000", SEED000), ("seed004", SEED004)], ids=["seed000", "seed004"])
def test_every_identity_holds_on_an_unplanted_seed_except_the_documented_not_checked(name, seed, liaoning):
    result, narrative = load(seed)
    outcomes = check_identities(result.tables, liaoning, narrative)
    got = {o.id: (o.status, o.reason) for o in outcomes}
    expected = {i: ("not_checked", NOT_CHECKED[name][i]) if i in NOT_CHECKED[name] else ("holds", "") for i in IDENTITIES}
    assert got == expected
    assert all(o.findings == [] for o in outcomes)


def test_seed004_with_its_narrative_of_empty_tables_13_to_15_holds_b46(liaoning):
    result, _narrative = load(SEED004)
    outcome = outcome_of(check_identities(result.tables, liaoning, SEED004_NARRATIVE), "B46")
    assert (outcome.status, outcome.findings) == ("holds", [])


# --- the rounding rule (TABLES.md §4: at most 0.01 per addend is a 尾差) --------------------------------


@pytest.mark.parametrize(
    ("delta", "status", "kind"),
    [("0.01", "rounding", "尾差"), ("0.02", "rounding", "尾差"), ("0.03", "fails", "不一致"), ("0.50", "fails", "不一致")],
    ids=["0.01-rounding", "0.02-rounding-two-addends", "0.03-mismatch", "0.50-mismatch"],
)
def test_a_difference_within_a_cent_per_addend_is_a_rounding_residue_and_more_is_a_mismatch(delta, status, kind, liaoning):
    """表3 合计 total = 基本支出小计 + 项目支出 has two addends: up to 0.02 is 尾差."""
    result, narrative = load(SEED000)
    bump("3", total(), "total", delta)(result, narrative)
    outcome = outcome_of(check_identities(result.tables, liaoning, narrative), "B13")
    assert outcome.status == status, describe(outcome)
    (finding,) = outcome.findings
    assert f"（{kind}）" in finding.message
    assert finding.figures == {"lhs": str(D("881.55") + D(delta)), "rhs": "881.55", "diff": delta}
    assert "合计" in finding.message


def test_a_single_figure_comparison_allows_one_cent_only(liaoning):
    """B1 compares one figure with one figure: 0.01 is 尾差, 0.02 is not."""
    for delta, status in (("0.01", "rounding"), ("0.02", "fails")):
        result, narrative = load(SEED000)
        bump("1", line("income_item", "收入总计"), "income_amount", delta)(result, narrative)
        outcome = outcome_of(check_identities(result.tables, liaoning, narrative), "B1")
        assert outcome.status == status, describe(outcome)


def test_a_mismatch_outweighs_a_rounding_residue_in_the_same_identity(liaoning):
    result, narrative = load(SEED000)
    bump("3", code("2080505"), "total", "0.01")(result, narrative)
    bump("3", code("2210201"), "total", "0.50")(result, narrative)
    outcome = outcome_of(check_identities(result.tables, liaoning, narrative), "B13")
    assert outcome.status == "fails"
    assert sorted("尾差" in f.message for f in outcome.findings) == [False, True]


# --- a missing table --------------------------------------------------------------------------------


def test_a_missing_table_leaves_the_identities_that_need_it_not_checked(liaoning):
    result, narrative = load(SEED000)
    del result.tables["9"]
    outcomes = check_identities(result.tables, liaoning, narrative)
    dependent = {"B31", "B32", "B33", "B34", "B44"}
    for outcome in outcomes:
        if outcome.id in dependent:
            assert outcome.status == "not_checked", describe(outcome)
            assert "缺少表9" in outcome.reason
            assert outcome.findings == []
        else:
            assert (outcome.status, outcome.reason) == (
                ("not_checked", NOT_CHECKED["seed000"][outcome.id]) if outcome.id in NOT_CHECKED["seed000"] else ("holds", "")
            ), describe(outcome)


def test_a_missing_narrative_figure_leaves_the_identity_not_checked(liaoning):
    result, narrative = load(SEED000)
    narrative = narrative.replace("基本支出 482.74 万元", "基本支出若干")
    outcome = outcome_of(check_identities(result.tables, liaoning, narrative), "B47")
    # The other six figures of the text are still compared; the one that is not there is named.
    assert outcome.status == "holds"
    assert outcome.reason.startswith("部分未核对：情况说明中找不到") and "基本支出" in outcome.reason


# --- further errors a budget really shows ------------------------------------------------------------


def test_b44_catches_a_performance_block_whose_name_matches_no_project(liaoning):
    result, narrative = load(SEED000)
    block = named("block", "辽宁省互联网运行监测相关系统机房运转经费")(result.tables["17"])
    block.name = "辽宁省互联网运行监测相关系统运维经费"
    outcome = outcome_of(check_identities(result.tables, liaoning, narrative), "B44")
    assert outcome.status == "fails", describe(outcome)
    # the orphan block (28.81 against nothing) and the project left without a block (nothing against 28.81)
    assert sorted(f.figures["diff"] for f in outcome.findings) == ["-28.81", "28.81"]
    assert any("运维经费" in f.message for f in outcome.findings)
    assert any("机房运转经费" in f.message for f in outcome.findings)


def test_b44_pairs_blocks_and_projects_that_share_a_name_one_to_one(liaoning):
    """Units of one department can run projects of the same name (each with its own 表17 block).

    Two projects named alike, 295.00 and 28.81, each with a matching block: nothing is wrong, so B44 holds.
    """
    result, narrative = load(SEED000)
    same = "骨干直联点监测系统链路改造及机房维护"
    project = named("project", "辽宁省互联网运行监测相关系统机房运转经费")(result.tables["9"])
    project.name = project.cells["project_name"] = same
    named("block", "辽宁省互联网运行监测相关系统机房运转经费")(result.tables["17"]).name = same
    outcome = outcome_of(check_identities(result.tables, liaoning, narrative), "B44")
    assert (outcome.status, outcome.findings) == ("holds", []), describe(outcome)


def test_b44_catches_a_project_without_a_performance_block(liaoning):
    result, narrative = load(SEED000)
    table = result.tables["17"]
    block = named("block", "工业互联网标识解析体系安全监测与防护项目")(table)
    table.rows = [r for r in table.rows if r is not block]
    outcome = outcome_of(check_identities(result.tables, liaoning, narrative), "B44")
    assert outcome.status == "fails", describe(outcome)
    (finding,) = outcome.findings
    assert "工业互联网标识解析体系安全监测与防护项目" in finding.message
    assert finding.figures == {"lhs": "0.00", "rhs": "75.00", "diff": "-75.00"}


def test_b42_catches_table3_operating_costs_below_table6(liaoning):
    """Seed 000 mixes funds (表3 ≠ 表5), so only 表3 ≥ 表6 applies; 表3 公用经费 typed as 18.00 < 18.19."""
    result, narrative = load(SEED000)
    bump("3", total(), "basic_operating", "-18.38")(result, narrative)
    outcome = outcome_of(check_identities(result.tables, liaoning, narrative), "B42")
    assert outcome.status == "fails", describe(outcome)
    (finding,) = outcome.findings
    assert finding.figures == {"lhs": "18.00", "rhs": "18.19", "diff": "-0.19"}


def test_b40_is_not_applicable_to_a_public_institution(liaoning):
    result, narrative = load(SEED000)
    bump("11", code("50501"), "grand_total", "0.50")(result, narrative)
    outcome = outcome_of(check_identities(result.tables, liaoning, narrative), "B40")
    assert (outcome.status, outcome.reason, outcome.findings) == ("not_checked", "不适用", [])


# --- the expression language refuses what it does not define -----------------------------------------


@pytest.mark.parametrize(
    "expression",
    [
        "T1.__class__",
        "T1._row",
        "row._table.parsed",
        "T1.total.__dict__",
        "(lambda: 1)()",
        "T1.rows[0]",
        "[r for r in T1.rows]",
        "T1.total.total * 2",
        "not T1",
    ],
)
def test_compile_expression_refuses_forbidden_syntax(expression):
    with pytest.raises(DefinitionError):
        compile_expression(expression)


def test_compile_expression_refuses_names_starting_with_an_underscore():
    """A private or dunder name is no part of the vocabulary: refuse it with the definition, as for attributes.

    (Today such a name compiles and only fails at evaluation with a NameError, which check_identities does
    not catch: a format file with a typo crashes the import instead of reporting a DefinitionError.)
    """
    for expression in ("__import__('os')", "__builtins__", "_narrative('x')"):
        with pytest.raises(DefinitionError):
            compile_expression(expression)


def test_compile_expression_accepts_the_vocabulary_of_the_format():
    for expression in (
        'T1.line("income_item", "收入总计").income_amount',
        'sum_of(T9.kind("project"), "grand_total")',
        'row.under("301", "303")',
        'T11.code_sum("grand_total", "501", "50501")',
        r'narrative(r"债务支出\s*([\d,.]+)\s*万元")',
        "T3.total.total == T5.total.total",
        "a.total - b.grand_total",
    ):
        compile_expression(expression)
