"""The finance bureau's compliance view: who published on time, who is late, who has not published.

预算法第十四条 gives 20 days from approval; the finance department ranks departments on it (RULES A.1).
One row per department of the region (and everything below it) for a year and kind.
"""

import csv
import io
from dataclasses import dataclass, field

from django.utils import timezone

from disclosures import completeness
from disclosures.clock import clock
from disclosures.models import Department, Disclosure, Version

HEADERS = ["地区", "部门", "状态", "批复日期", "截止日期", "公开日期", "逾期天数", "期限情况", "缺少的必备内容"]


@dataclass
class Row:
    region: str
    department: str
    status: str
    approved_on: object = None
    deadline: object = None
    published_on: object = None
    days_late: int | None = None
    clock: str = ""
    missing: list = field(default_factory=list)
    bucket: str = "unpublished"  # on_time | late | unpublished
    calendar_note: str = ""
    disclosure_id: int | None = None
    department_url: str = ""
    disclosure_url: str = ""  # the published disclosure's public page
    # The previous year's 政府信息公开工作年度报告, due by 31 January (条例第五十条): information_requests.publication.
    annual_report: object = None

    def cells(self):
        return [
            self.region,
            self.department,
            self.status,
            self.approved_on.isoformat() if self.approved_on else "",
            self.deadline.isoformat() if self.deadline else "",
            self.published_on.isoformat() if self.published_on else "",
            "" if self.days_late is None else self.days_late,
            self.clock,
            "、".join(self.missing),
        ]


def _missing_sections(version):
    return [item.label for item in completeness.missing(version) if item.group == "栏目"]


def rows(region, year, kind="budget", today=None, *, public=False) -> list[Row]:
    """One row per department. `public`: only what is published counts (the accountability page): a draft's
    state and what it lacks stay private, and the missing tables and sections are the published version's."""
    today = today or timezone.localdate()
    departments = Department.objects.filter(region_id__in=region.descendant_ids()).select_related("region").order_by(
        "region__name", "name"
    )
    disclosures = {
        d.department_id: d
        for d in Disclosure.objects.filter(department__in=departments, year=year, kind=kind).select_related(
            "published_version"
        )
    }
    out = []
    for department in departments:
        disclosure = disclosures.get(department.pk)
        if disclosure is None:
            out.append(
                Row(department.region.path, department.name, "未登记批复", clock="—",
                    department_url=department.get_absolute_url())
            )  # fmt: skip
            continue
        state = clock(disclosure, today)
        if public:
            version = disclosure.published_version
            missing = [item.label for item in completeness.missing(version)] if version else []
        else:
            version = disclosure.published_version or disclosure.versions.exclude(status=Version.Status.DISCARDED).first()
            missing = _missing_sections(version) if version else ["尚未上传"]
        status = "已公开" if disclosure.is_published else (version.get_status_display() if version else "未上传")
        late = state.days if state.is_late else 0
        out.append(
            Row(
                department.region.path,
                department.name,
                status,
                disclosure.approved_on,
                state.deadline,
                disclosure.published_on,
                late,
                state.label,
                missing,
                "on_time" if state.state == "published_on_time" else "late" if state.state == "published_late" else "unpublished",
                state.calendar_note,
                disclosure.pk,
                department.get_absolute_url(),
                disclosure.get_absolute_url() if disclosure.is_published else "",
            )
        )
    if not public:
        from disclosures.information_requests.publication import deadline_states

        annual_reports = deadline_states(departments, year - 1, today)
        for department, row in zip(departments, out, strict=True):
            row.annual_report = annual_reports[department.pk]
    return out


def totals(table: list[Row]) -> dict:
    return {
        "on_time": sum(r.bucket == "on_time" for r in table),
        "late": sum(r.bucket == "late" for r in table),
        "unpublished": sum(r.bucket == "unpublished" for r in table),
        "overdue": sum(1 for r in table if r.bucket == "unpublished" and r.days_late),
        "all": len(table),
    }


def as_csv(table: list[Row]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADERS)
    for row in table:
        writer.writerow(row.cells())
    return buffer.getvalue()


def as_xlsx(table: list[Row], title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "公开情况"
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(HEADERS)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in table:
        sheet.append(row.cells())
    for letter, width in zip("ABCDEFGHI", (18, 28, 14, 12, 12, 12, 10, 16, 40)):
        sheet.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
