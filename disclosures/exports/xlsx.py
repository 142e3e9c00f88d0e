"""Excel workbook of a version (or of one table), laid out like the official export.

One sheet per table: the title, "表N", the department and unit line, the grouped header with
merged cells (and the 栏次 row where the table printed one), then the rows with amounts as numeric
cells in #,##0.00. A table of side-by-side panels (决算 公开06表) is laid out as printed, each panel's
rows on the lines they came from; a form (绩效目标表, 绩效自评表) keeps every cell's published text. A form's
own workbook (one table) adds a sheet, 绩效数值, with the figures printed in that text as numbers, each once.
The layout is the one the reader reads, so importing the file reproduces the disclosure figure for
figure and word for word (tests/test_round_trip.py).
"""

import io
import re
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from disclosures import performance
from disclosures.ingest.rows import NOTE_START
# _panel_lines is the page's grouping of panel rows into printed lines; the workbook reuses it so
# that the two layouts cannot drift apart.
from disclosures.rendering import _panel_lines, header_rows, leaf_columns

AMOUNT_FORMAT = "#,##0.00"
# The sheet of a performance form's figures (in the form's own workbook only).
FIGURES_SHEET = "绩效数值"
FIGURES_TITLE = "绩效目标表、绩效自评表文字中的金额和数值（每个数值只列一次，单位见列名）"
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


def _write_column_numbers(ws, r, leaves):
    """The 栏次 row under the header, as printed: a number under each leaf, a cell merged across the
    leaves marked "<". Besides being what the page shows, it ends the header for the reader, which
    would otherwise take the note of an empty table for a further header row."""
    c = 1
    while c <= len(leaves):
        span = 1
        while c + span <= len(leaves) and leaves[c + span - 1].get("number") == "<":
            span += 1
        target = ws.cell(row=r, column=c, value=leaves[c - 1].get("number") or None)
        target.font, target.alignment, target.fill = _BOLD, _CENTER, _HEADER_FILL
        for cc in range(c, c + span):
            ws.cell(row=r, column=cc).border = _BORDER
        if span > 1:
            ws.merge_cells(start_row=r, start_column=c, end_row=r, end_column=c + span - 1)
        c += span


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
    if any(leaf.get("number") for leaf in leaves):
        _write_column_numbers(ws, r, leaves)
        r += 1
    title_rows = f"{r0}:{r - 1}"
    ws.freeze_panes = ws.cell(row=r, column=1)
    # A table of side-by-side panels (公开06表) stores each panel's rows under the panel's keys: put
    # them back on the lines they were printed on, as the page does (one grouping, in rendering.py).
    panels = any("panel" in leaf for leaf in leaves)
    lines = _panel_lines(rows, leaves) if panels else rows
    for line in lines:
        parts = line.panel if panels else None
        total = any(part.is_total for part in parts.values()) if panels else line.is_total
        font = _BOLD if total else _PLAIN
        for c, leaf in enumerate(leaves, start=1):
            row = line if parts is None else parts.get(leaf["panel"])
            key = leaf.get("panel_key", leaf["key"])
            if row is None:
                value = None
            elif leaf.get("text"):
                value = (row.code or row.cells.get(key, "")) if key == "code" else row.cells.get(key, "")
                value = value or None
            else:
                raw = row.values.get(key)
                value = Decimal(raw) if raw not in (None, "") else None
            target = ws.cell(row=r, column=c, value=value)
            if leaf.get("text"):
                target.alignment = Alignment(vertical="center", wrap_text=key not in ("code",))
            else:
                target.number_format = AMOUNT_FORMAT
            target.font, target.border = font, _BORDER
        r += 1
    if not rows:
        # An empty table prints one empty line under its header, as the official export does.
        for c in range(1, width + 1):
            ws.cell(row=r, column=c).border = _BORDER
        r += 1
    if table.note:
        ws.cell(row=r, column=1, value=_note_text(table.note)).font = _PLAIN
    for c, leaf in enumerate(leaves, start=1):
        key = leaf.get("panel_key", leaf["key"])
        if key == "code":
            size = 12
        elif leaf.get("text"):
            size = 40 if key.startswith("extra_") else 28
        else:
            size = 14
        ws.column_dimensions[get_column_letter(c)].width = size
    if width > 7:
        ws.page_setup.orientation = "landscape"
    ws.print_title_rows = title_rows


def _write_form_table(ws, table, rows, department_name):
    """绩效目标表: each stored row keeps its cells as [text, colspan, column, rowspan], as exported."""
    width = max((cell[2] + cell[1] for row in rows for cell in row.cells.get("_grid", [])), default=8)
    r = _write_heading(ws, table, department_name, width)
    merged = set()
    for row in rows:
        grid = [list(cell) for cell in row.cells.get("_grid", [])]
        if row.kind == "field" and len(grid) > 1 and "value" in row.cells:
            # The reader shows an amount field's figure as "295.00" in the grid but keeps the cell as
            # published ("295") under "value": write what was published, and reading it back gives both.
            grid[1][0] = row.cells["value"]
        for text, colspan, column, *rest in grid:
            rowspan = rest[0] if rest else 1
            c = column + 1
            if (r, c) in merged:
                continue
            # The cell's text as published, amounts included: a number cell would come back as
            # "0.8" for the published "0.80" (and "1079.03" for "1,079.03").
            target = ws.cell(row=r, column=c, value=text if text != "" else None)
            target.font = _BOLD if row.kind in ("indicator_header", "task_header", "block") else _PLAIN
            target.alignment = Alignment(vertical="center", wrap_text=True)
            if row.kind in ("field", "task") and _AMOUNT_TEXT.fullmatch(text or ""):
                target.alignment = Alignment(horizontal="right", vertical="center", wrap_text=True)
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


def add_figures_sheet(workbook, tables, rows):
    """One more sheet, after the tables: the figures the performance forms print in their text, as numbers in
    their own columns (disclosures.performance), one line per row that prints any, with the table and the
    project (block) it belongs to. The forms' own sheets keep every cell as published. None without figures."""
    lines, headers = [], {}
    for table in tables:
        figures = performance.read(table, rows[table.pk])
        block = ""
        for row in rows[table.pk]:
            if row.kind == "block":
                block = row.name
            found = figures.of(row)
            if not found:
                continue
            by_header = {}
            for key, figure in found.items():
                column = next(c for c in figures.columns if c.key == key)
                headers.setdefault(column.header, column.is_amount)
                by_header[column.header] = figure
            text = " ".join(cell[0] for cell in row.cells.get("_grid", []) if cell[0])
            lines.append((table.number, block, text, by_header))
    if not lines:
        return None
    ws = workbook.create_sheet(FIGURES_SHEET)
    ws.cell(row=1, column=1, value=FIGURES_TITLE).font = _TITLE_FONT
    fixed = ["表号", "所属项目（单位）", "文字（按原样）"]
    for c, header in enumerate([*fixed, *headers], start=1):
        target = ws.cell(row=2, column=c, value=header)
        target.font, target.alignment, target.fill, target.border = _BOLD, _CENTER, _HEADER_FILL, _BORDER
    for r, (number, block, text, by_header) in enumerate(lines, start=3):
        for c, value in enumerate([number, block or None, text], start=1):
            cell = ws.cell(row=r, column=c, value=value)
            cell.font, cell.border = _PLAIN, _BORDER
            cell.alignment = Alignment(vertical="center", wrap_text=c > 1)
        for c, (header, is_amount) in enumerate(headers.items(), start=len(fixed) + 1):
            figure = by_header.get(header)
            cell = ws.cell(row=r, column=c, value=figure.value if figure is not None else None)
            cell.font, cell.border = _PLAIN, _BORDER
            if is_amount:
                cell.number_format = AMOUNT_FORMAT
    ws.freeze_panes = ws.cell(row=3, column=1)
    for c, size in enumerate([8, 28, 48, *[16] * len(headers)], start=1):
        ws.column_dimensions[get_column_letter(c)].width = size
    return ws


def workbook_bytes(version, tables=None, *, with_figures=False) -> bytes:
    """The whole version (or the given tables of it) as an .xlsx file; `with_figures`: and the figures sheet.

    The whole version's workbook has no figures sheet: importing it must give back the disclosure, and the
    importer would read a further sheet as a continuation of the last table. A form's own workbook has it."""
    tables = list(version.tables.all()) if tables is None else list(tables)
    department_name = version.disclosure.department.name
    rows = rows_by_table(tables)
    workbook = Workbook()
    workbook.remove(workbook.active)
    for table in tables:
        add_table_sheet(workbook, table, rows[table.pk], department_name)
    if with_figures:
        add_figures_sheet(workbook, tables, rows)
    workbook.properties.title = f"{version.disclosure}（第 {version.number} 版）"
    workbook.properties.creator = department_name
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
