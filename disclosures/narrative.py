"""The 情况说明: a first draft written from the tables, and a check of its figures against them.

RULES A.3 lists what the 情况说明 must say: income and spending totals and their parts, 基本 vs 项目
spending, the 三公 total and each part with the reason for any change, 机关运行经费, 政府采购,
国有资产占用, and 绩效目标 coverage. The draft states every figure the tables hold and leaves a
marked gap (【请填写：…】) for what only the department knows. The checklist will not let a version go
to review while a gap is left.

The figure check reuses the format's own narrative identities (B46, B47 of the Liaoning format:
`narrative(r"…")` expressions), so the draft and the check read the same sentences.
"""

from decimal import Decimal

from disclosures.identities import check_identities
from disclosures.importer import ParsedRow, ParsedTable
from disclosures.models import Disclosure
from disclosures.text import strip_enumerator

GAP = "【请填写"
ZERO = Decimal("0")


def parsed_tables(version) -> dict:
    """The saved tables of a version in the importer's shape, so the identity checker can read them."""
    fmt = version.disclosure.format_definition
    definitions = {t.number: t for t in fmt.tables}
    tables = {}
    for table in version.tables.prefetch_related("rows"):
        if table.number not in definitions:
            continue
        parsed = ParsedTable(
            definition=definitions[table.number],
            title=table.title,
            sheet=table.source_sheet,
            matched_by="saved",
            columns=table.columns,
            note=table.note,
            unit_label=table.unit_label,
        )
        for row in table.rows.all():
            parsed.rows.append(
                ParsedRow(
                    kind=row.kind,
                    code=row.code,
                    name=row.name,
                    level=row.level,
                    unit_name=row.unit.name if row.unit_id else "",
                    is_total=row.is_total,
                    cells=row.cells,
                    values={key: Decimal(value) for key, value in row.values.items()},
                    source=f"{table.source_sheet}!{row.position + 1}",
                )
            )
        tables[table.number] = parsed
    return tables


def explanation_text(version) -> str:
    return "\n".join(s.body for s in version.sections.all() if s.key == "explanation")


def check_figures(version):
    """Warnings where a figure written in the 情况说明 differs from the tables (one Finding each)."""
    fmt = version.disclosure.format_definition
    # One spec per check, so that a sentence the text does not contain (not evaluable) does not
    # hide a figure that is written and wrong.
    narrative_specs = [
        {**spec, "checks": [check]}
        for spec in fmt.identities
        if "narrative(" in str(spec)
        for check in spec.get("checks", [])
    ]
    if not narrative_specs:
        return []
    from dataclasses import replace

    only_narrative = replace(fmt, identities=narrative_specs)
    findings = []
    for outcome in check_identities(parsed_tables(version), only_narrative, explanation_text(version)):
        findings.extend(outcome.findings)
    return findings


def _money(value) -> str:
    return f"{(value or ZERO):,.2f}"


class _Figures:
    """Reads the figures the draft needs out of saved tables, tolerating absent tables and rows."""

    def __init__(self, version):
        self.tables = {t.number: t for t in version.tables.prefetch_related("rows")}

    def rows(self, number):
        table = self.tables.get(number)
        return list(table.rows.all()) if table else []

    def total(self, number):
        rows = self.rows(number)
        for row in rows:
            if row.is_total:
                return row
        return rows[0] if rows else None

    def amount(self, number, key, row=None):
        row = row if row is not None else self.total(number)
        return row.amount(key) if row is not None and row.amount(key) is not None else ZERO

    def line(self, number, column, label):
        wanted = strip_enumerator(label)
        for row in self.rows(number):
            if strip_enumerator(row.cells.get(column, "")) == wanted:
                return row
        return None


def summary_figures(version) -> dict:
    """The headline figures of a version: used by the draft and by the year-on-year comparison."""
    f = _Figures(version)
    income_total = f.line("1", "income_item", "收入总计")
    spending_total = f.line("1", "expenditure_item", "支出总计")
    three = f.total("7")
    figures = {
        "income_total": f.amount("1", "income_amount", income_total) if income_total else ZERO,
        "spending_total": f.amount("1", "expenditure_amount", spending_total) if spending_total else ZERO,
        "basic": f.amount("3", "basic_subtotal"),
        "basic_personnel": f.amount("3", "basic_personnel"),
        "basic_operating": f.amount("3", "basic_operating"),
        "project": f.amount("3", "project"),
        "three_total": f.amount("7", "total", three),
        "abroad": f.amount("7", "abroad", three),
        "vehicles": f.amount("7", "vehicles_subtotal", three),
        "vehicle_purchase": f.amount("7", "vehicles_purchase", three),
        "vehicle_running": f.amount("7", "vehicles_running", three),
        "reception": f.amount("7", "reception", three),
        "procurement": f.amount("14", "grand_total"),
        "performance_projects": sum(1 for row in f.rows("17") if row.kind == "block"),
        "income_parts": [],
        "spending_parts": [],
    }
    for row in f.rows("1"):
        item, amount = row.cells.get("income_item", ""), row.amount("income_amount")
        if item and amount and not row.is_total and strip_enumerator(item) not in ("上年结转结余",):
            figures["income_parts"].append((strip_enumerator(item), amount))
        item, amount = row.cells.get("expenditure_item", ""), row.amount("expenditure_amount")
        if item and amount and not row.is_total:
            figures["spending_parts"].append((strip_enumerator(item), amount))
    carryover = f.line("1", "income_item", "上年结转结余")
    figures["carryover"] = f.amount("1", "income_amount", carryover) if carryover else ZERO
    return figures


def previous_disclosure(disclosure):
    return (
        Disclosure.objects.published()
        .filter(department=disclosure.department, kind=disclosure.kind, year=disclosure.year - 1)
        .select_related("published_version")
        .first()
    )


def _change(now, before) -> str:
    diff = now - before
    if diff == 0:
        return "与上年持平"
    word = "增加" if diff > 0 else "减少"
    share = f"，{word} {abs(diff) / before * 100:.2f}%" if before else ""
    return f"比上年{word} {_money(abs(diff))} 万元{share}"


def draft_explanation(version) -> str:
    """A 情况说明 written from the tables, in the portal's plain-text section markup ("### " headings)."""
    d = version.disclosure
    fig = summary_figures(version)
    previous = previous_disclosure(d)
    before = summary_figures(previous.published_version) if previous else None
    year = d.year

    def versus(key):
        if before is None:
            return f"{GAP}：与上年相比的增减及原因】"
        return f"{_change(fig[key], before[key])}，主要原因是{GAP}：增减原因】"

    income_parts = "；".join(f"{name} {_money(amount)} 万元" for name, amount in fig["income_parts"]) or "无"
    spending_parts = "；".join(f"{name} {_money(amount)} 万元" for name, amount in fig["spending_parts"]) or "无"
    lines = [
        f"### 一、{year} 年收支预算总体情况",
        f"{year} 年收入预算 {_money(fig['income_total'])} 万元，{versus('income_total')}。"
        f"其中：{income_parts}。上年结转结余 {_money(fig['carryover'])} 万元。",
        f"{year} 年支出预算 {_money(fig['spending_total'])} 万元，{versus('spending_total')}。其中：{spending_parts}。",
        "",
        "### 二、基本支出和项目支出",
        f"基本支出 {_money(fig['basic'])} 万元，其中人员经费 {_money(fig['basic_personnel'])} 万元、"
        f"公用经费 {_money(fig['basic_operating'])} 万元；项目支出 {_money(fig['project'])} 万元。",
        "",
        "### 三、“三公”经费预算情况",
        f"财政拨款“三公”经费预算 {_money(fig['three_total'])} 万元，{versus('three_total')}。其中：",
        f"- 因公出国（境）费 {_money(fig['abroad'])} 万元；",
        f"- 公务用车购置及运行费 {_money(fig['vehicles'])} 万元（公务用车购置费 {_money(fig['vehicle_purchase'])} 万元，"
        f"公务用车运行费 {_money(fig['vehicle_running'])} 万元）；",
        f"- 公务接待费 {_money(fig['reception'])} 万元。",
        "",
        "### 四、机关运行经费",
        f"机关运行经费预算 {GAP}：金额及与上年相比的增减】万元。",
        "",
        "### 五、政府采购情况",
        f"{year} 年政府采购支出 {_money(fig['procurement'])} 万元，其中货物、工程、服务各{GAP}：金额】万元，"
        f"预留给中小企业的份额为{GAP}：比例】。",
        "",
        "### 六、国有资产占用情况",
        f"截至上年末，共有车辆{GAP}：数量】辆，单价 100 万元（含）以上设备{GAP}：数量】台（套）。",
        "",
        "### 七、绩效目标设置情况",
        f"{year} 年实行绩效目标管理的项目 {fig['performance_projects']} 个，"
        f"涉及项目支出 {_money(fig['project'])} 万元。",
    ]
    return "\n".join(lines)


def gaps(text: str) -> int:
    return text.count(GAP)

