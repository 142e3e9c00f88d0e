"""预算与决算对照: one department, one year, its published budget beside its published final accounts.

Each format says where its figures are ([comparison] in its TOML file): the 功能分类 table and column
(the 一般公共预算 spending: budget 表5 合计 ↔ 决算 05表 小计, the figures the 决算 情况说明 compares
when it writes “完成年初预算的 …%”), and the “三公” items as expressions over its tables. So the page
reads the Liaoning, Hebei and final-accounts formats alike, with no table named in code.

完成率 = 决算数 ÷ 年初预算数 × 100, to two decimals, half up. A line with no year-start budget has no
rate; the page says so rather than dividing by zero. Published disclosures only.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.http import Http404
from django.shortcuts import get_object_or_404, render

from disclosures.ingest.identities import evaluate, stored_tables
from disclosures.models import Disclosure
from disclosures.rendering import format_amount

THREE_PUBLIC_ITEMS = [
    ("total", "“三公”经费合计", 0),
    ("abroad", "因公出国（境）费", 1),
    ("vehicles", "公务用车购置及运行费", 1),
    ("vehicle_purchase", "其中：公务用车购置费", 2),
    ("vehicle_running", "其中：公务用车运行（维护）费", 2),
    ("reception", "公务接待费", 1),
]
LEVELS = {3: 1, 5: 2, 7: 3}


@dataclass
class Line:
    code: str
    name: str
    level: int
    budget: Decimal | None
    actual: Decimal | None
    full_year: Decimal | None = None

    @property
    def rate(self):
        if not self.budget:
            return None
        return ((self.actual or Decimal(0)) / self.budget * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    @property
    def budget_text(self):
        return format_amount(self.budget)

    @property
    def actual_text(self):
        return format_amount(self.actual)

    @property
    def full_year_text(self):
        return format_amount(self.full_year)

    @property
    def rate_text(self):
        return "" if self.rate is None else f"{self.rate:,.2f}%"


def counterpart(disclosure):
    """The published disclosure of the other kind for the same department and year, or None."""
    other = Disclosure.Kind.FINAL_ACCOUNTS if disclosure.kind == Disclosure.Kind.BUDGET else Disclosure.Kind.BUDGET
    return (
        Disclosure.objects.published()
        .filter(department_id=disclosure.department_id, year=disclosure.year, kind=other)
        .select_related("published_version")
        .first()
    )


def _function_lines(disclosure):
    fmt = disclosure.format_definition
    spec = fmt.comparison
    table = disclosure.published_version.tables.filter(number=spec.get("function_table")).first()
    lines, total = {}, None
    if table is None:
        return lines, total
    column = spec["function_column"]
    for row in table.rows.all():
        if row.kind == "total" and total is None:
            total = (row.name, row.amount(column))
        elif row.kind == "code" and row.code:
            lines[row.code] = (row.name, row.amount(column))
    return lines, total


def _three_public(disclosure, key="three_public"):
    fmt = disclosure.format_definition
    items = fmt.comparison.get(key, {})
    if not items:
        return {}
    tables = stored_tables(disclosure.published_version, fmt)
    return {name: evaluate(expression, tables, fmt) for name, expression in items.items()}


def comparison(budget, final):
    """(function lines with the 合计 first, 三公 lines) for a budget and final accounts of one year."""
    planned, planned_total = _function_lines(budget)
    spent, spent_total = _function_lines(final)
    lines = [
        Line(
            "",
            "合计",
            0,
            planned_total and planned_total[1],
            spent_total and spent_total[1],
        )
    ]
    # Codes sort as the tree prints them (a parent code is the prefix of its children).
    for code in sorted(set(planned) | set(spent)):
        name = (spent.get(code) or planned.get(code))[0]
        lines.append(
            Line(
                code,
                name,
                LEVELS.get(len(code), 0),
                (planned.get(code) or (None, None))[1],
                (spent.get(code) or (None, None))[1],
            )
        )
    year_start = _three_public(budget)
    actual = _three_public(final)
    full_year = _three_public(final, "three_public_full_year")
    three = [
        Line("", label, level, year_start.get(key), actual.get(key), full_year.get(key))
        for key, label, level in THREE_PUBLIC_ITEMS
        if key in year_start or key in actual
    ]
    return lines, three


def budget_vs_actual(request, pk):
    disclosure = get_object_or_404(
        Disclosure.objects.published().select_related("department__region", "published_version"),
        pk=pk,
    )
    other = counterpart(disclosure)
    if other is None:
        raise Http404("该部门本年度没有可对照的预算或决算。")
    budget, final = (disclosure, other) if disclosure.kind == Disclosure.Kind.BUDGET else (other, disclosure)
    if not budget.format_definition.comparison or not final.format_definition.comparison:
        raise Http404("该表式没有对照所需的表。")
    lines, three = comparison(budget, final)
    return render(
        request,
        "disclosures/budget_vs_actual.html",
        {
            "department": disclosure.department,
            "year": disclosure.year,
            "budget": budget,
            "final": final,
            "lines": lines,
            "three_public": three,
            "has_full_year": any(line.full_year is not None for line in three),
        },
    )
