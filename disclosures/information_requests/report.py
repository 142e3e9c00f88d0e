"""政府信息公开工作年度报告, parts three and four (条例第四十九、五十条; 国办公开办函〔2021〕30号).

Counting is by date: a request counts as new in the year it arrived (`counting_date`), as handled in
the year of its reply, and as carried over at the end of any year in which it had arrived but was not
yet answered. An application nobody registered is therefore still counted: new in the year it arrived
and carried over until it is answered. The table's own identity (一 + 二 = 三(七)总计 + 四, in every
column) is checked, and a report that breaks it is refused rather than printed.
"""

import csv
import datetime
import io
from dataclasses import dataclass

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from .models import Appeal, ApplicantType, InformationRequest
from .outcomes import REPORT_ROWS

COLUMNS = list(ApplicantType.values)  # 自然人, then the five kinds of 法人或其他组织
COLUMN_LABELS = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
IDENTITY_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
APPEAL_RESULTS = [Appeal.Result.UPHELD, Appeal.Result.CORRECTED, Appeal.Result.OTHER, Appeal.Result.PENDING]
APPEAL_RESULT_LABELS = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
APPEAL_GROUPS = [
    (Appeal.Kind.REVIEW, "行政复议"),
    (Appeal.Kind.LITIGATION_DIRECT, "行政诉讼·未经复议直接起诉"),
    (Appeal.Kind.LITIGATION_AFTER_REVIEW, "行政诉讼·复议后起诉"),
]


class ReportError(Exception):
    """The figures do not satisfy the table's identity; they must not be published."""


@dataclass
class Row:
    label: str
    kind: str  # received, carried_in, group, outcome, total, carried_out
    values: list[int] | None  # 7 figures (6 applicant types + 总计), None for a group heading


@dataclass
class AnnualReport:
    department: object
    year: int
    table3: list[Row]
    table4: list[int]  # 15 figures

    def row(self, label) -> Row:
        return next(row for row in self.table3 if row.label == label)


def _with_total(counts: list[int]) -> list[int]:
    return counts + [sum(counts)]


def counting_date(request) -> datetime.date:
    """The day an application counts in row 一 (本年新收): the day it was received.

    条例第三十一条 fixes the receipt day: in person, the day handed in; by post, the day signed for; online, the
    day both sides confirm, here the day staff register it (`received_on`), which may fall in the next year.
    An application never registered has no such day, yet it arrived: it counts from the day it was
    submitted, so that none drops out of the report (carried over in 四 until it is answered).
    """
    if request.received_on is not None:
        return request.received_on
    return timezone.localtime(request.submitted_at).date()


def build(department, year: int) -> AnnualReport:
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    zero = lambda: [0] * len(COLUMNS)  # noqa: E731
    received, carried_in, carried_out = zero(), zero(), zero()
    by_outcome = {}
    # Registered or not: `__date` reads the submission time in the local time zone, as counting_date does.
    requests = InformationRequest.objects.filter(department=department, submitted_at__date__lte=end)
    # Only what the table needs: the applicant's personal data is never read (nor decrypted) for it.
    requests = requests.select_related("reply").only(
        "applicant_type", "submitted_at", "received_on", "reply__sent_on", "reply__outcome"
    )
    for request in requests:
        if counting_date(request) > end:
            continue  # submitted this year, received (registered) in the next: it counts there
        column = COLUMNS.index(request.applicant_type)
        reply = getattr(request, "reply", None)
        answered_on = reply.sent_on if reply else None
        if counting_date(request) >= start:
            received[column] += 1
        elif answered_on is None or answered_on >= start:
            carried_in[column] += 1
        if answered_on is not None and start <= answered_on <= end:
            by_outcome.setdefault(reply.outcome, zero())[column] += 1
        if answered_on is None or answered_on > end:
            carried_out[column] += 1

    table3, total = [], zero()
    for label, outcome, kind in REPORT_ROWS:
        if kind == "group":
            table3.append(Row(label, kind, None))
        elif kind == "outcome":
            counts = by_outcome.get(outcome, zero())
            total = [a + b for a, b in zip(total, counts)]
            table3.append(Row(label, kind, _with_total(counts)))
        elif kind == "total":
            table3.append(Row(label, kind, _with_total(total)))
        else:
            counts = {"received": received, "carried_in": carried_in, "carried_out": carried_out}[kind]
            table3.append(Row(label, kind, _with_total(counts)))

    result = AnnualReport(department, year, table3, _table4(department, start, end))
    check(result)
    return result


def _table4(department, start, end) -> list[int]:
    figures = []
    appeals = list(Appeal.objects.filter(request__department=department, filed_on__range=(start, end)))
    for kind, _label in APPEAL_GROUPS:
        counts = dict.fromkeys(APPEAL_RESULTS, 0)
        for appeal in appeals:
            if appeal.kind != kind:
                continue
            # A result reached after the year's end is still pending as of that year's report.
            decided = appeal.result != Appeal.Result.PENDING and appeal.decided_on and appeal.decided_on <= end
            counts[appeal.result if decided else Appeal.Result.PENDING] += 1
        values = [counts[result] for result in APPEAL_RESULTS]
        figures.extend(values + [sum(values)])
    return figures


def check(result: AnnualReport):
    """国办公开办函〔2021〕30号, table 3: 一 + 二 = 三(七)总计 + 四 in every column."""
    rows = {
        row.kind: row.values for row in result.table3 if row.kind in ("received", "carried_in", "total", "carried_out")
    }
    for index, label in enumerate(COLUMN_LABELS):
        left = rows["received"][index] + rows["carried_in"][index]
        right = rows["total"][index] + rows["carried_out"][index]
        if left != right:
            raise ReportError(
                f"{result.department} {result.year} 年度报告表三“{label}”列勾稽关系不成立："
                f"第一项加第二项为 {left}，第三项（七）总计加第四项为 {right}。"
            )


def snapshot(result: AnnualReport) -> dict:
    """The figures as JSON, frozen into a publication (publication.py): what the published report shows."""
    return {
        "table3": [{"label": row.label, "kind": row.kind, "values": row.values} for row in result.table3],
        "table4": list(result.table4),
    }


def from_snapshot(subject, year: int, figures: dict) -> AnnualReport:
    """A report rebuilt from frozen figures; `subject` is the department (or a region, for a sum)."""
    rows = [Row(row["label"], row["kind"], row["values"]) for row in figures["table3"]]
    return AnnualReport(subject, year, rows, list(figures["table4"]))


def combine(subject, year: int, reports: list[AnnualReport]) -> AnnualReport:
    """The sum of several departments' reports, cell by cell (a region's report); its identity is checked."""
    if not reports:
        raise ReportError(f"{subject} {year} 年度没有可汇总的年度报告。")
    table3 = []
    for rows in zip(*(r.table3 for r in reports), strict=True):
        first = rows[0]
        if any(row.label != first.label for row in rows):
            raise ReportError("年度报告的表格格式不一致，不能汇总。")
        values = None if first.values is None else [sum(column) for column in zip(*(row.values for row in rows))]
        table3.append(Row(first.label, first.kind, values))
    table4 = [sum(column) for column in zip(*(r.table4 for r in reports), strict=True)]
    result = AnnualReport(subject, year, table3, table4)
    check(result)
    return result


def table4_headers() -> list[str]:
    return [f"{group}·{label}" for _kind, group in APPEAL_GROUPS for label in APPEAL_RESULT_LABELS]


def to_csv(result: AnnualReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["申请人情况"] + COLUMN_LABELS)
    for row in result.table3:
        writer.writerow([row.label] + (row.values if row.values is not None else [""] * len(COLUMN_LABELS)))
    writer.writerow([])
    writer.writerow(table4_headers())
    writer.writerow(result.table4)
    return out.getvalue()


def xlsx(result: AnnualReport, filename: str = "") -> tuple[str, str, bytes]:
    """(filename, content type, bytes), laid out as the published report prints the two tables."""
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    book = Workbook()

    sheet = book.active
    sheet.title = "表三"
    sheet["A1"] = "三、收到和处理政府信息公开申请情况"
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.merge_cells("A1:I1")
    sheet["A2"] = f"{result.department}　{result.year}年度"
    sheet.merge_cells("A2:I2")
    # Header: 申请人情况 over 自然人 | 法人或其他组织 {5} | 总计, as in the official form.
    sheet.merge_cells("A3:B5")
    sheet["A3"] = IDENTITY_NOTE
    sheet["C3"] = "申请人情况"
    sheet.merge_cells("C3:I3")
    sheet["C4"] = "自然人"
    sheet.merge_cells("C4:C5")
    sheet["D4"] = "法人或其他组织"
    sheet.merge_cells("D4:H4")
    for offset, label in enumerate(COLUMN_LABELS[1:6]):
        sheet.cell(row=5, column=4 + offset, value=label)
    sheet["I4"] = "总计"
    sheet.merge_cells("I4:I5")
    line = 6
    for row in result.table3:
        sheet.cell(row=line, column=1, value=row.label)
        sheet.merge_cells(start_row=line, start_column=1, end_row=line, end_column=2)
        if row.kind == "group":
            sheet.cell(row=line, column=1).font = Font(bold=True)
        for offset, value in enumerate(row.values or []):
            sheet.cell(row=line, column=3 + offset, value=value)
        line += 1
    for cells in sheet.iter_rows(min_row=3, max_row=line - 1, min_col=1, max_col=9):
        for cell in cells:
            cell.border = box
            cell.alignment = (
                centre if cell.column > 2 or cell.row <= 5 else Alignment(vertical="center", wrap_text=True)
            )
    sheet.column_dimensions["A"].width = 30
    sheet.column_dimensions["B"].width = 30
    for column in range(3, 10):
        sheet.column_dimensions[get_column_letter(column)].width = 11

    sheet4 = book.create_sheet("表四")
    sheet4["A1"] = "四、政府信息公开行政复议、行政诉讼情况"
    sheet4["A1"].font = Font(bold=True, size=13)
    sheet4.merge_cells("A1:O1")
    sheet4["A2"] = "行政复议"
    sheet4.merge_cells("A2:E3")
    sheet4["F2"] = "行政诉讼"
    sheet4.merge_cells("F2:O2")
    sheet4["F3"] = "未经复议直接起诉"
    sheet4.merge_cells("F3:J3")
    sheet4["K3"] = "复议后起诉"
    sheet4.merge_cells("K3:O3")
    for group in range(3):
        for offset, label in enumerate(APPEAL_RESULT_LABELS):
            sheet4.cell(row=4, column=1 + group * 5 + offset, value=label)
    for offset, value in enumerate(result.table4):
        sheet4.cell(row=5, column=1 + offset, value=value)
    for cells in sheet4.iter_rows(min_row=2, max_row=5, min_col=1, max_col=15):
        for cell in cells:
            cell.border, cell.alignment = box, centre
    for column in range(1, 16):
        sheet4.column_dimensions[get_column_letter(column)].width = 10

    out = io.BytesIO()
    book.save(out)
    filename = filename or f"annual-report-{result.department.pk}-{result.year}.xlsx"
    return filename, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", out.getvalue()
