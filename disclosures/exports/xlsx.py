"""Excel workbook of a version (or of one table), laid out like the official export.

One sheet per table: the title, "表N", the department and unit line, the grouped header with
merged cells, then the rows with amounts as numeric cells in #,##0.00. The layout is the one
disclosures.importer reads, so importing the file reproduces the disclosure figure for figure.
"""

import io
import re
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from disclosures.importer import NOTE_START
from disclosures.rendering import header_rows, leaf_columns

AMOUNT_FORMAT = "#,##0.00"
_AMOUNT_TEXT = re.compile(r"-?[\d,]+\.\d{2}")
_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="F2F2F2")
_TITLE_FONT = Font(name="宋体", size=16, bold=True)
_BOLD = Font(name="宋体", bold=True)
_PLAIN = Font(name="宋体")
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def sheet_name(table):
    return _SHEET_NAME_FORBIDDEN.sub("", f"表{table.number} {table.title}")[:31]


def _note_text(note):
    """The note as one cell the importer recognises as a note (it starts with 备注： or 注：)."""
    return note if NOTE_START.match(note) else f"注：{note}"


def _write_heading(ws, table, department_name, width):
    ws.cell(row=1, column=1, value=table.title).font = _TITLE_FONT
    ws.cell(row=1, column=1).alignment = _CENTER
    if width > 1:
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.row_dimensions[1].height = 30
    number = ws.cell(row=2, column=width, value=f"表{table.number}")
    number.alignment = Alignment(horizontal="right")
    number.font = _PLAIN
    ws.cell(row=3, column=1, value=f"部门名称：{department_name}").font = _PLAIN
    unit = ws.cell(row=3, column=max(width, 2), value=f"单位：{table.unit_label}")
    unit.alignment = Alignment(horizontal="right")
    unit.font = _PLAIN
    return 4


def _write_grid_table(ws, table, rows, department_name):
    leaves = leaf_columns(table.columns)
    width = len(leaves)
    r0 = _write_heading(ws, table, department_name, width)
    header = header_rows(table.columns)
    occupied = set()
    for depth, cells in enumerate(header):
        r = r0 + depth
        c = 1
        for cell in cells:
            while (r, c) in occupied:
                c += 1
            target = ws.cell(row=r, column=c, value=cell["label"])
            target.font, target.alignment, target.fill = _BOLD, _CENTER, _HEADER_FILL
            r_end, c_end = r + cell["rowspan"] - 1, c + cell["colspan"] - 1
            for rr in range(r, r_end + 1):
                for cc in range(c, c_end + 1):
                    occupied.add((rr, cc))
                    ws.cell(row=rr, column=cc).border = _BORDER
            if r_end > r or c_end > c:
                ws.merge_cells(start_row=r, start_column=c, end_row=r_end, end_column=c_end)
            c = c_end + 1
    r = r0 + len(header)
    ws.freeze_panes = ws.cell(row=r, column=1)
    for row in rows:
        font = _BOLD if row.is_total else _PLAIN
        for c, leaf in enumerate(leaves, start=1):
            key = leaf["key"]
            if leaf.get("text"):
                value = (row.code or row.cells.get(key, "")) if key == "code" else row.cells.get(key, "")
                target = ws.cell(row=r, column=c, value=value or None)
                target.alignment = Alignment(vertical="center", wrap_text=key not in ("code",))
            else:
                raw = row.values.get(key)
                target = ws.cell(row=r, column=c, value=Decimal(raw) if raw not in (None, "") else None)
                target.number_format = AMOUNT_FORMAT
            target.font, target.border = font, _BORDER
        r += 1
    if table.note:
        ws.cell(row=r, column=1, value=_note_text(table.note)).font = _PLAIN
    for c, leaf in enumerate(leaves, start=1):
        key = leaf["key"]
        if key == "code":
            size = 12
        elif leaf.get("text"):
            size = 40 if key.startswith("extra_") else 28
        else:
            size = 14
        ws.column_dimensions[get_column_letter(c)].width = size
    if width > 7:
        ws.page_setup.orientation = "landscape"
    ws.print_title_rows = f"{r0}:{r0 + len(header) - 1}"


def _write_form_table(ws, table, rows, department_name):
    """绩效目标表: each stored row keeps its cells as [text, colspan, column, rowspan], as exported."""
    width = max((cell[2] + cell[1] for row in rows for cell in row.cells.get("_grid", [])), default=8)
    r = _write_heading(ws, table, department_name, width)
    merged = set()
    for row in rows:
        for text, colspan, column, *rest in row.cells.get("_grid", []):
            rowspan = rest[0] if rest else 1
            c = column + 1
            if (r, c) in merged:
                continue
            value = text
            if row.kind in ("field", "task") and _AMOUNT_TEXT.fullmatch(text or ""):
                value = Decimal(text.replace(",", ""))
            target = ws.cell(row=r, column=c, value=value if value != "" else None)
            target.font = _BOLD if row.kind in ("indicator_header", "task_header", "block") else _PLAIN
            target.alignment = Alignment(vertical="center", wrap_text=True)
            if isinstance(value, Decimal):
                target.number_format = AMOUNT_FORMAT
            r_end, c_end = r + max(rowspan, 1) - 1, c + max(colspan, 1) - 1
            for rr in range(r, r_end + 1):
                for cc in range(c, c_end + 1):
                    ws.cell(row=rr, column=cc).border = _BORDER
                    if (rr, cc) != (r, c):
                        merged.add((rr, cc))
            if r_end > r or c_end > c:
                ws.merge_cells(start_row=r, start_column=c, end_row=r_end, end_column=c_end)
        r += 1
    if table.note:
        ws.cell(row=r, column=1, value=_note_text(table.note)).font = _PLAIN
    for c in range(1, width + 1):
        ws.column_dimensions[get_column_letter(c)].width = 16


def add_table_sheet(workbook, table, rows, department_name):
    ws = workbook.create_sheet(sheet_name(table))
    if rows and "_grid" in rows[0].cells:
        _write_form_table(ws, table, rows, department_name)
    else:
        _write_grid_table(ws, table, rows, department_name)
    return ws


def rows_by_table(tables):
    from disclosures.models import TableRow

    by_table = {table.pk: [] for table in tables}
    for row in TableRow.objects.filter(table__in=tables).order_by("table_id", "position"):
        by_table[row.table_id].append(row)
    return by_table


def workbook_bytes(version, tables=None) -> bytes:
    """The whole version (or the given tables of it) as an .xlsx file."""
    tables = list(version.tables.all()) if tables is None else list(tables)
    department_name = version.disclosure.department.name
    rows = rows_by_table(tables)
    workbook = Workbook()
    workbook.remove(workbook.active)
    for table in tables:
        add_table_sheet(workbook, table, rows[table.pk], department_name)
    workbook.properties.title = f"{version.disclosure}（第 {version.number} 版）"
    workbook.properties.creator = department_name
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
