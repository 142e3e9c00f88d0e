"""The 情况说明: a first draft written from the tables, and a check of its figures against them.

RULES A.3 lists what the 情况说明 must say: income and spending totals and their parts, 基本 vs 项目
spending, the 三公 total and each part with the reason for any change, 机关运行经费, 政府采购,
国有资产占用, and 绩效目标 coverage. The draft states every figure the tables hold and leaves a
marked gap (【请填写：…】) for what only the department knows. The checklist will not let a version go
to review while a gap is left.

The figure check reuses the format's own narrative identities (B46–B50 of the Liaoning formats,
H8 and H10–H12 of Hebei's: `narrative(r"…")` expressions), so the draft and the check read the same
sentences. Its findings bind: services.py keeps them in the version's report, and a mismatch must be
corrected or acknowledged before the version goes to review.
"""

import re
from dataclasses import replace
from decimal import Decimal

from disclosures.ingest.identities import check_identities, stored_tables
from disclosures.models import Disclosure
from disclosures.text import strip_enumerator

GAP = "【请填写"
ZERO = Decimal("0")
# The sentence pattern inside narrative(r"…"); format files never put a double quote in one.
_NARRATIVE_CALL = re.compile(r'narrative\(r?"(.*?)"\)')


def _items(spec):
    if "checks" in spec:
        return spec["checks"]
    return [[spec["lhs"], spec["rhs"]]] if "lhs" in spec else []


def _reads_narrative(item):
    return any("narrative(" in str(part) for part in item[:2])


def narrative_identity_ids(fmt) -> set:
    """Identities that compare only the text with the tables (every check of them reads narrative(…))."""
    return {
        spec["id"]
        for spec in fmt.identities
        if "each" not in spec and _items(spec) and all(_reads_narrative(item) for item in _items(spec))
    }


def _figure_checks(fmt):
    """One identity per figure the text states, each with the sentence pattern it reads.

    Split so that a sentence the text does not contain (not evaluable) does not hide a figure that is
    written and wrong, as it would if the identity were checked whole.
    """
    for spec in fmt.identities:
        if "each" in spec or "columns" in spec:
            continue
        for item in _items(spec):
            if _reads_narrative(item):
                pattern = _NARRATIVE_CALL.search(" ".join(str(part) for part in item[:2])).group(1)
                one = {"id": spec["id"], "text": spec["text"], "checks": [item]}
                if "when" in spec:
                    one["when"] = spec["when"]
                yield one, pattern


def narrative_sections(version) -> list:
    """The sections whose figures are checked: the 情况说明 first, then the other parts in order.

    Some formats (Hebei) state the 三公, 机关运行经费 and 政府采购 figures in parts of their own; the
    情况说明 comes first so that, where the text says a figure twice, the one it reads is the 情况说明's.
    """
    sections = [s for s in version.sections.all() if s.body]
    return [s for s in sections if s.key == "explanation"] + [s for s in sections if s.key != "explanation"]


def narrative_text(version) -> str:
    return "\n".join(s.body for s in narrative_sections(version))


def _where(sections, pattern):
    """(section, the sentence as written) of the first match of `pattern` in the joined text."""
    text, offset = "\n".join(s.body for s in sections), 0
    match = re.search(pattern, text)
    if match is None:
        return None, ""
    for section in sections:
        if match.start() < offset + len(section.body) + 1:
            return section, match.group(0)
        offset += len(section.body) + 1
    return None, match.group(0)


def _checked(version):
    """(finding, section) for every figure written in the narrative that differs from the tables."""
    fmt = version.disclosure.format_definition
    checks = list(_figure_checks(fmt))
    if not checks:
        return
    sections = narrative_sections(version)
    specs, places = [], []
    for spec, pattern in checks:
        section, sentence = _where(sections, pattern)
        if section is not None:
            # The sentence as written and where, so the editor finds it; the same text gives the
            # same message, which is what a carried-over acknowledgement is matched on.
            spec = {**spec, "text": f"{spec['text']}（{section.title}：“{sentence}”）"}
        specs.append(spec)
        places.append(section)
    text = "\n".join(s.body for s in sections)
    outcomes = check_identities(stored_tables(version, fmt), replace(fmt, identities=specs), text)
    for outcome, section in zip(outcomes, places, strict=True):
        for finding in outcome.findings:
            yield finding, section


def check_figures(version):
    """Findings where a figure written in the narrative differs from the tables (one each)."""
    return [finding for finding, _section in _checked(version)]


def figure_warnings(version) -> list[dict]:
    """check_figures as report entries: marked `narrative`, with the key of the section that says it."""
    warnings = []
    for finding, section in _checked(version):
        warning = {**finding.as_dict(), "narrative": True}
        if section is not None:
            warning["section"] = section.key
        if warning not in warnings:
            warnings.append(warning)
    return warnings


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
        # Last year's budget when the 三公 table prints it beside this year's (2024预算数 | 2025预算数).
        "three_total_prior": three.amount("prior_total") if three is not None else None,
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
        if key == "three_total" and fig.get("three_total_prior") is not None:
            return f"{_change(fig[key], fig['three_total_prior'])}，主要原因是{GAP}：增减原因】"
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

