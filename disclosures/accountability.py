"""What the public may read of the compliance view, and the region's 三公经费 league table.

The accountability page starts from the finance bureau's rows (compliance.rows: the deadline logic lives
there) and keeps only published facts: a department that has not published is "未公开", or "逾期未公开" past
its deadline, whatever may exist in draft. What is missing is read from the published version.

The league table reads each department's 三公 figures where its page does (summary.figures_for: 表7 of the
budget, the 三公 table of the final accounts), in 万元 (TableRow.amount converts from the table's printed unit).
"""

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal

from disclosures import compliance
from disclosures.models import Department, Disclosure
from disclosures.summary import figures_for, percent_change

OVERDUE = "逾期未公开"
UNPUBLISHED = "未公开"

HEADERS = ["地区", "部门", "状态", "截止日期", "公开日期", "逾期天数", "期限情况", "缺少的必备表格和栏目"]


@dataclass
class PublicRow:
    region: str
    department: str
    department_url: str
    status: str
    deadline: object = None
    published_on: object = None
    days_late: int = 0
    clock: str = ""
    missing: list = field(default_factory=list)
    disclosure_url: str = ""

    @property
    def is_late(self):
        return bool(self.days_late)

    def cells(self):
        return [
            self.region,
            self.department,
            self.status,
            self.deadline.isoformat() if self.deadline else "",
            self.published_on.isoformat() if self.published_on else "",
            self.days_late or "",
            self.clock,
            "、".join(self.missing),
        ]


def rows(region, year, kind="budget", today=None) -> list[PublicRow]:
    out = []
    for row in compliance.rows(region, year, kind, today, public=True):
        if row.status == "已公开":
            out.append(
                PublicRow(
                    row.region, row.department, row.department_url, "已公开", row.deadline, row.published_on,
                    row.days_late or 0, row.clock, row.missing, row.disclosure_url,
                )
            )  # fmt: skip
        elif row.deadline is not None and row.days_late:
            # Overdue: the deadline is the only fact the public needs (not the draft's state).
            out.append(
                PublicRow(
                    row.region, row.department, row.department_url, OVERDUE, row.deadline,
                    days_late=row.days_late, clock=f"截止 {row.deadline.isoformat()}，已逾期 {row.days_late} 天",
                )
            )  # fmt: skip
        else:
            deadline = row.deadline
            clock = f"截止 {deadline.isoformat()}" if deadline else "—"
            out.append(PublicRow(row.region, row.department, row.department_url, UNPUBLISHED, deadline, clock=clock))
    return out


def totals(table):
    return {
        "all": len(table),
        "on_time": sum(1 for r in table if r.status == "已公开" and not r.days_late),
        "late": sum(1 for r in table if r.status == "已公开" and r.days_late),
        "overdue": sum(1 for r in table if r.status == OVERDUE),
        "unpublished": sum(1 for r in table if r.status != "已公开"),
    }


def _cell(value):
    """Text a spreadsheet shows as text (a name starting "=" is not a formula); numbers stay numbers."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        try:
            Decimal(value)
        except ArithmeticError:
            return "'" + value
    return value


def _csv(headers, lines) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(headers)
    for line in lines:
        writer.writerow([_cell(c) for c in line])
    return "\ufeff" + buffer.getvalue()


def as_csv(table) -> str:
    return _csv(HEADERS, (row.cells() for row in table))


# ---- 三公经费 league table ------------------------------------------------------------------------

PARTS = [
    ("abroad", "因公出国（境）费"),
    ("vehicles_subtotal", "公务用车购置及运行费"),
    ("vehicles_purchase", "其中：购置费"),
    ("vehicles_running", "其中：运行费"),
    ("reception", "公务接待费"),
]


def _three_public(disclosure):
    if disclosure is None:
        return {}
    return figures_for(disclosure).three_public


def league(region, year, kind="budget") -> list[dict]:
    """One dict per department of the region and below: this year's 三公 total and parts, last year's, the change.
    A figure a department has not published is None (shown as "—")."""
    departments = list(
        Department.objects.filter(region_id__in=region.descendant_ids()).select_related("region").order_by(
            "region__name", "name"
        )
    )
    published = {
        (d.department_id, d.year): d
        for d in Disclosure.objects.published()
        .filter(department__in=departments, year__in=(year, year - 1), kind=kind)
        .select_related("published_version", "department")
    }
    out = []
    for department in departments:
        current = published.get((department.pk, year))
        previous = published.get((department.pk, year - 1))
        now, before = _three_public(current), _three_public(previous)
        total, last = now.get("total"), before.get("total")
        record = {
            "department": department.name,
            "department_url": department.get_absolute_url(),
            "region": department.region.path,
            "disclosure_url": current.get_absolute_url() if current else "",
            "total": total,
            "last_total": last,
            "change": total - last if total is not None and last is not None else None,
            "percent": percent_change(last, total),
        }
        for key, _label in PARTS:
            record[key] = now.get(key)
            record[f"last_{key}"] = before.get(key)
        out.append(record)
    return out


LEAGUE_HEADERS = (
    ["地区", "部门", "本年合计（万元）", "上年合计（万元）", "增减额（万元）", "增减率（%）"]
    + [f"本年{label}（万元）" for _key, label in PARTS]
    + [f"上年{label}（万元）" for _key, label in PARTS]
)


def _money(value):
    return "" if value is None else f"{value:.2f}" if isinstance(value, Decimal) else str(value)


def league_csv(records) -> str:
    lines = (
        [r["region"], r["department"]]
        + [_money(r[k]) for k in ("total", "last_total", "change", "percent")]
        + [_money(r[k]) for k, _l in PARTS]
        + [_money(r[f"last_{k}"]) for k, _l in PARTS]
        for r in records
    )
    return _csv(LEAGUE_HEADERS, lines)
