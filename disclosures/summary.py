"""Figures per published disclosure, for a department's page over the years and its charts.

Each figure is read from the table whose role (its key in the format definition) holds it, in budgets
and final accounts alike (TABLES.md §1, §2): "summary" (表1 收支预算总表, 公开01表 收入支出决算总表) for the
grand totals (收入总计/支出总计, printed 总计 in the final accounts) and income by source, "expenditure"
(表3, 公开03表: all funds) for basic vs project spending and the 功能分类 lines, "three_public_expenses"
(表7, 公开09表) for the 三公 expenses. A figure a disclosure does not print is None, and the page shows a
dash: nothing is estimated. Published versions are frozen, so the figures are cached by version.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.cache import cache

from disclosures.models import DisclosureTable, TableRow
from disclosures.text import ENUMERATOR, normalize

# The 三公 parts as 表7 prints them (TABLES.md §1.7), in the order of the printed columns.
THREE_PUBLIC_PARTS = [
    ("total", "“三公”经费合计"),
    ("abroad", "因公出国（境）费"),
    ("vehicles_subtotal", "公务用车购置及运行费"),
    ("vehicles_purchase", "其中：公务用车购置费"),
    ("vehicles_running", "其中：公务用车运行费"),
    ("reception", "公务接待费"),
]
# The grand total lines of the "summary" table: 收入总计/支出总计 in budgets, 总计 on both sides in final accounts.
INCOME_TOTALS = ("收入总计", "总计")
SPENDING_TOTALS = ("支出总计", "总计")
# Income lines that are not numbered 一、二、… but are a source: the carry-over from the year before.
CARRYOVER = ("上年结转结余", "年初结转和结余", "使用非财政拨款结余")
LEVELS = {3: 1, 5: 2, 7: 3}  # 类 3 digits, 款 5, 项 7 (GLOSSARY.md: FunctionCode)


@dataclass
class Line:
    """A 功能分类 line: code, name, level (1 类, 2 款, 3 项) and amount, with the table row it came from."""

    code: str
    name: str
    level: int
    amount: Decimal | None
    anchor: str = ""


@dataclass
class Figures:
    disclosure: object
    income_total: Decimal | None = None
    spending_total: Decimal | None = None
    basic: Decimal | None = None
    project: Decimal | None = None
    income_sources: list = field(default_factory=list)  # [(label, amount)]
    three_public: dict = field(default_factory=dict)  # part key -> amount
    lines: list = field(default_factory=list)  # [Line], depth-first as printed
    total_line: Line | None = None
    # Every 功能分类 table by key: {key: ([Line], 合计 Line | None)}, so that a comparison can
    # pair like with like (表3 all funds with 表3, 一般公共预算 表5 with 表5).
    function_tables: dict = field(default_factory=dict)
    # Where each figure comes from, as printed ("表1 收支预算总表", "公开03表 支出决算表"), by role:
    # "summary" (totals, income sources), "structure" (basic and project: all funds), "function" (the table
    # `lines` come from), "three_public", and every table's key. Read from the format, so a table the
    # disclosure lacks is still named.
    sources: dict = field(default_factory=dict)

    @property
    def label(self):
        d = self.disclosure
        return f"{d.year} 年{d.get_kind_display()}"

    @property
    def three_public_row(self):
        """The 三公 parts in printed order; all None when the disclosure has no 三公 table."""
        return [self.three_public.get(key) for key, _label in THREE_PUBLIC_PARTS]

    @property
    def classes(self):
        return [line for line in self.lines if line.level == 1]

    def function_tree(self):
        """类 → 款 → 项 as nested dicts for the treemap; amounts as strings (Decimal is not JSON)."""
        roots, stack = [], []
        for line in self.lines:
            if line.amount is None:
                continue
            node = {"name": f"{line.code} {line.name}", "value": str(line.amount), "children": []}
            while stack and stack[-1][0] >= line.level:
                stack.pop()
            (stack[-1][1]["children"] if stack else roots).append(node)
            stack.append((line.level, node))
        return roots


def _compact(text):
    """Whitespace dropped, full-width brackets folded: "收 入 总 计" → "收入总计"."""
    return normalize(text)


def _function_table(tables, definitions):
    """The table of 功能分类 lines with all funds: 表3 in the Liaoning budget format."""
    candidates = [t for t in tables if definitions.get(t.number) and definitions[t.number].rows == "function"]
    for table in candidates:
        if table.key == "expenditure":
            return table
    return candidates[0] if candidates else None


def _first_amount_key(definition):
    keys = definition.amount_keys()
    return keys[0] if keys else None


def compute(disclosure, version) -> Figures:
    figures = Figures(disclosure=disclosure)
    fmt = disclosure.format_definition
    definitions = {t.number: t for t in fmt.tables}
    named = {t.key: f"{fmt.printed_number(t.number)} {t.title}" for t in fmt.tables}
    figures.sources = dict(named)
    for role, key in (("summary", "summary"), ("structure", "expenditure"), ("three_public", "three_public_expenses")):
        if key in named:
            figures.sources[role] = named[key]
    tables = list(DisclosureTable.objects.filter(version=version))
    by_key = {t.key: t for t in tables}
    function_table = _function_table(tables, definitions)
    function_tables = [t for t in tables if definitions.get(t.number) and definitions[t.number].rows == "function"]
    wanted = [t.pk for t in (by_key.get("summary"), by_key.get("three_public_expenses")) if t]
    wanted += [t.pk for t in function_tables]
    rows = {}
    for row in TableRow.objects.filter(table_id__in=wanted).select_related("table").order_by("position"):
        rows.setdefault(row.table_id, []).append(row)

    summary = by_key.get("summary")
    for row in rows.get(summary.pk, []) if summary else []:
        income_item = _compact(row.cells.get("income_item"))
        if income_item in INCOME_TOTALS:
            figures.income_total = row.amount("income_amount")  # the last one printed: 总计 after 本年收入合计
        elif income_item in CARRYOVER or (
            income_item and ENUMERATOR.match(income_item) and income_item[0] in "一二三四五六七八九"
        ):
            label = ENUMERATOR.sub("", income_item)
            figures.income_sources.append((label, row.amount("income_amount") or Decimal("0.00")))
        if _compact(row.cells.get("expenditure_item")) in SPENDING_TOTALS:
            figures.spending_total = row.amount("expenditure_amount")

    three = by_key.get("three_public_expenses")
    if three and rows.get(three.pk):
        if definitions[three.number].rows == "single":
            # Budget 表7: one row, one column per part.
            row = rows[three.pk][0]
            figures.three_public = {key: row.amount(key) or Decimal("0.00") for key, _label in THREE_PUBLIC_PARTS}
        else:
            # Final accounts 公开09表: one line per part, the actual amount in "actual".
            figures.three_public = _three_public_lines(rows[three.pk])

    for table in function_tables:
        amount_key = _first_amount_key(definitions[table.number])
        lines, total_line = [], None
        for row in rows.get(table.pk, []):
            line = Line(
                code=row.code,
                name=row.name,
                level=LEVELS.get(len(row.code), 0),
                amount=row.amount(amount_key),
                anchor=f"{table.number}-row-{row.position + 1}",
            )
            if row.is_total and not row.code:
                total_line = line
                if table.key == "expenditure":
                    # All funds only (表3, 公开03表): a 表5 of the 一般公共预算 alone is not the same figure.
                    # 基本支出 is a group in the budget's 表3 (小计 leaf), one column in the final accounts'.
                    basic = row.amount("basic_subtotal")
                    figures.basic = basic if basic is not None else row.amount("basic")
                    figures.project = row.amount("project")
            elif row.code:
                lines.append(line)
        figures.function_tables.setdefault(table.key, (lines, total_line))
    if function_table:
        figures.lines, figures.total_line = figures.function_tables[function_table.key]
        figures.sources["function"] = named.get(function_table.key, "")
    return figures


# Final accounts print the 三公 parts as lines; the label says which part (TABLES.md §3).
_THREE_PUBLIC_LABELS = [
    ("vehicles_purchase", "公务用车购置费"),
    ("vehicles_running", "公务用车运行"),
    ("vehicles_subtotal", "公务用车购置及运行费"),
    ("abroad", "因公出国"),
    ("reception", "公务接待费"),
    ("total", "合计"),
]


def _three_public_lines(rows):
    found = {}
    for row in rows:
        label = _compact(row.cells.get("item") or row.name)
        for key, needle in _THREE_PUBLIC_LABELS:
            if needle in label and key not in found:
                found[key] = row.amount("actual") if row.amount("actual") is not None else Decimal("0.00")
                break
    return {key: found.get(key, Decimal("0.00")) for key, _label in THREE_PUBLIC_PARTS} if found else {}


def figures_for(disclosure) -> Figures:
    """Figures of a disclosure's current published version (cached: published versions are frozen)."""
    version = disclosure.published_version
    key = f"summary:v3:{version.pk}"
    figures = cache.get(key)
    if figures is None:
        figures = compute(disclosure, version)
        cache.set(key, figures, timeout=None)
    figures.disclosure = disclosure
    return figures


def percent_change(before: Decimal | None, after: Decimal | None) -> Decimal | None:
    """(after − before) / before as a percentage, two decimals, half up; None when before is 0 or absent."""
    if before is None or after is None or before == 0:
        return None
    return ((after - before) / before * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass
class ComparedLine:
    code: str
    name: str
    level: int
    before: Decimal | None
    after: Decimal | None
    former_name: str = ""  # the earlier year's name, when the line was renamed (matched by code)

    @property
    def change(self):
        if self.before is None or self.after is None:
            return None
        return self.after - self.before

    @property
    def percent(self):
        return percent_change(self.before, self.after)

    @property
    def only_before(self):
        return self.after is None and self.before is not None

    @property
    def only_after(self):
        return self.before is None and self.after is not None


# Which 功能分类 table to compare, in order of preference: all funds (表3), then 一般公共预算 (表5).
COMPARED_TABLES = ("expenditure", "general_budget", "function_classification")


def compared_table(before: Figures, after: Figures):
    """The key of the 功能分类 table both disclosures print, so that like is compared with like."""
    common = [key for key in before.function_tables if key in after.function_tables]
    for key in COMPARED_TABLES:
        if key in common:
            return key
    return common[0] if common else None


def compare(before: Figures, after: Figures):
    """Line by line by 功能分类 code: [ComparedLine] in code order, the 合计 line first.

    Lines are matched by code, so a renamed line is one line (with its former name); a code
    printed in only one of the two disclosures is a line with one amount. Both sides come from
    the same kind of table (see compared_table): a budget that prints only 表5 is compared with
    the final accounts' 表5.
    """
    key = compared_table(before, after)
    if key is None:
        return []
    (before_lines, before_total), (after_lines, after_total) = before.function_tables[key], after.function_tables[key]
    old = {line.code: line for line in before_lines}
    new = {line.code: line for line in after_lines}
    out = []
    if before_total or after_total:
        out.append(
            ComparedLine(
                code="",
                name="合计",
                level=0,
                before=before_total.amount if before_total else None,
                after=after_total.amount if after_total else None,
            )
        )
    for code in sorted(set(old) | set(new)):
        a, b = old.get(code), new.get(code)
        current = b or a
        former = a.name if a and b and _compact(a.name) != _compact(b.name) else ""
        out.append(
            ComparedLine(
                code=code,
                name=current.name,
                level=current.level,
                before=a.amount if a else None,
                after=b.amount if b else None,
                former_name=former,
            )
        )
    return out


def common_function_key(years):
    """The 功能分类 table to set the years side by side with: the first of COMPARED_TABLES every year prints
    (a budget that prints only 表5 is set beside the final accounts' 公开05表, not their 03表), else the one
    most years print."""
    keys = [key for key in COMPARED_TABLES if all(key in f.function_tables for f in years)]
    if keys:
        return keys[0]
    counts = {key: sum(key in f.function_tables for f in years) for key in COMPARED_TABLES}
    best = max(COMPARED_TABLES, key=lambda key: (counts[key], -COMPARED_TABLES.index(key)))
    return best if counts[best] else None


@dataclass
class YearFigures:
    """One calendar year: its budget and its final accounts side by side (either may be None)."""

    year: int
    by_kind: list  # [Figures | None] in the order of the kinds asked for

    def column(self, attribute):
        return [getattr(f, attribute) if f else None for f in self.by_kind]

    @property
    def totals(self):
        """收入总计, 支出总计, 基本支出, 项目支出, each as [amount per kind]: the cells of a row."""
        return [self.column(name) for name in ("income_total", "spending_total", "basic", "project")]


def years_side_by_side(years, kinds):
    """[YearFigures] in year order, one per calendar year any of `years` (Figures) belongs to."""
    by_key = {(f.disclosure.year, f.disclosure.kind): f for f in years}
    return [YearFigures(year, [by_key.get((year, kind)) for kind in kinds]) for year in sorted({y for y, _k in by_key})]
