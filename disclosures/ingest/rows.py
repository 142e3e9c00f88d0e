"""Reading a table's body: one row per printed line, its labels and its figures under their roles.

What kind of line it is (a unit, a project, a classification code and its level, a 合计) follows from
the table's row kind in the format definition. Page furniture repeated where a printed page broke (the
title, 表N, the unit line, the header again) is not a row.
"""

import re

from openpyxl.utils import get_column_letter

from disclosures.ingest.amounts import parse_amount
from disclosures.ingest.formats import TableDefinition
from disclosures.ingest.grid import Sheet, cell_text
from disclosures.ingest.header import COLUMN_NUMBER_LABEL, TOTAL_LABELS, column_numbers
from disclosures.ingest.result import ParsedRow
from disclosures.ingest.titles import is_furniture_text
from disclosures.text import normalize

NOTE_START = re.compile(r"^(备注|注)[:：]")
EMPTY_MARKS = {"(空表)", "空表", "本表为空", "(本表为空)"}
UNIT_CODE = re.compile(r"^(\d{6})\s*(.*)$")
GROUP_LABEL = re.compile(r"(支出|经费|资金|收入|拨款|预算|项目)$")


def is_repeat_header(sheet: Sheet, r, header_first_texts):
    nonempty = [(i, t) for i, t in enumerate(sheet.texts(r)) if t]
    if not nonempty:
        return False
    return all(i < len(header_first_texts) and header_first_texts[i] == t for i, t in nonempty) and len(
        nonempty
    ) >= max(1, len([t for t in header_first_texts if t]) // 2)


def is_page_furniture(sheet: Sheet, r, fmt, definition, title):
    """Title, 表N, 部门名称, 单位 and 第 N 页 lines repeated where a printed page broke."""
    cells = [normalize(cell_text(v)) for _c, v in sheet.nonempty(r)]
    if not cells:
        return False
    for text in cells:
        if text in (normalize(title), normalize(definition.title)) or is_furniture_text(text):
            continue
        if re.fullmatch(r"第\d+页(共\d+页)?|第\d+页/共\d+页|-?\d+-?", text) and len(cells) == 1:
            continue
        if any(normalize(t) in text for t in [definition.title, *definition.aliases]):
            continue
        return False
    return True


def read_body(sheet: Sheet, body_start, parsed, *, text_cols, amount_cols, header_first, depth, fmt, result):
    """Append the body's rows to `parsed`; figures that are not amounts are errors naming the cell."""
    definition = parsed.definition
    label = definition.label
    current_unit = ("", "")
    notes = []
    r = body_start
    used_rows = []
    while r < len(sheet.grid):
        if not sheet.nonempty(r):
            r += 1
            continue
        if is_repeat_header(sheet, r, header_first):
            r += depth
            continue
        if is_page_furniture(sheet, r, fmt, definition, parsed.title):
            r += 1
            continue
        if COLUMN_NUMBER_LABEL in sheet.texts(r):
            if not parsed.column_numbers:
                keys = {c: key for key, c in {**text_cols, **amount_cols}.items()}
                parsed.column_numbers = column_numbers(sheet, r, keys)
            r += 1
            continue
        cells = sheet.nonempty(r)
        if all(normalize(cell_text(v)) in EMPTY_MARKS for _c, v in cells):
            r += 1  # "（空表）": the line a printed empty table shows, not a row of it
            continue
        first_text = cell_text(cells[0][1])
        lone_text = len(cells) == 1 and not isinstance(cells[0][1], (int, float))
        if lone_text and (NOTE_START.match(first_text) or notes):
            # A note, or a further line of it ("注：本表反映…" / "如本表为空，…").
            notes.append(first_text)
            r += 1
            continue
        row = ParsedRow(source=sheet.source(r))
        for key, c in text_cols.items():
            text = cell_text(sheet.value(r, c))
            if text:
                row.cells[key] = text
        for key, c in amount_cols.items():
            value = sheet.value(r, c)
            try:
                amount = parse_amount(value)
            except ValueError:
                result.add(
                    "error",
                    f"{label}，{sheet.where(r, c)}：“{cell_text(value)}”不是金额",
                    sheet=sheet.name,
                    cell=sheet.ref(r, c),
                )
                continue
            if amount is not None:
                row.values[key] = amount
        if not row.cells and not row.values:
            r += 1
            continue
        current_unit = classify(row, definition, current_unit)
        parsed.rows.append(row)
        used_rows.append(r)
        r += 1
    if notes:
        parsed.note = "\n".join(filter(None, [parsed.note, *notes]))
    parsed.pages = sorted(set(parsed.pages) | set(sheet.pages(used_rows)))


def extra_key(c):
    return f"extra_{get_column_letter(c + 1)}"


def _level_for_code(code, scheme):
    lengths = {"function": {3: 1, 5: 2, 7: 3}, "economic": {3: 1, 5: 2}}[scheme]
    return lengths.get(len(code), 0)


def classify(row: ParsedRow, definition: TableDefinition, current_unit):
    """Set the row's kind, code, name, level, unit and total flag. Returns the unit in force."""
    kind = definition.rows
    if kind in ("function", "economic"):
        code = re.sub(r"\s", "", row.cells.get("code", ""))
        name = row.cells.get("name", "").strip()
        if code and not code.isdigit() and not name:
            # A label written across the code and name columns ("合计", "人员经费合计", "560001 本级").
            unit = UNIT_CODE.match(row.cells["code"].strip())
            if unit and unit.group(2):
                code, name = unit.group(1), unit.group(2)
            else:
                code, name = "", row.cells.pop("code").strip()
                row.cells["name"] = name
        if not code and name and normalize(name) not in TOTAL_LABELS and normalize(name).endswith(("合计", "总计")):
            row.kind, row.is_total, row.name = "total", True, name
            row.unit_code, row.unit_name = current_unit
            return current_unit
        row.name = name
        if len(code) == 6 and code.isdigit():
            row.kind, row.code, row.unit_code, row.unit_name = "unit", code, code, name
            return (code, name)
        if not code and normalize(name) in TOTAL_LABELS:
            row.kind, row.is_total = "total", True
        elif code:
            row.kind, row.code, row.level = "code", code, _level_for_code(code, kind)
        row.unit_code, row.unit_name = current_unit
        return current_unit
    if kind in ("units", "projects"):
        unit_name = row.cells.get("unit_name", "").strip()
        project = row.cells.get("project_name", "").strip()
        if normalize(unit_name) in TOTAL_LABELS or (not project and normalize(unit_name).endswith(("合计", "总计"))):
            row.kind, row.is_total, row.name = "total", True, unit_name
            return current_unit
        if unit_name and not project and GROUP_LABEL.search(normalize(unit_name)):
            # "项目支出", "基本支出": a group of lines, not a unit (a unit's name never ends so).
            row.kind, row.name, row.level = "group", unit_name, 1
            return current_unit
        if unit_name and not project:
            row.kind, row.name, row.level = "unit", unit_name, 1
            coded = UNIT_CODE.match(unit_name)
            # "560001 沈阳市大数据管理局本级": the code names the unit, the rest is its name.
            row.unit_code, row.unit_name = (coded.group(1), coded.group(2).strip()) if coded and coded.group(2) else ("", unit_name)
            return (row.unit_code, row.unit_name)
        row.kind, row.name, row.level = ("project" if kind == "projects" else "unit"), project or unit_name, 2
        row.unit_code, row.unit_name = current_unit
        return current_unit
    # 序号 and 行次 number a line; its name is the first label after them.
    texts = [v for k, v in row.cells.items() if not k.startswith("extra_") and k != "serial" and not k.endswith("line_no")]
    row.name = texts[0] if texts else ""
    row.is_total = any(re.search(r"(合计|总计)$", normalize(t)) for t in texts)
    if kind == "lines" and normalize(row.name) in TOTAL_LABELS:
        row.kind = "total"
    return current_unit


def split_panels(rows, definition):
    """Read side-by-side panels (公开06表) as one list: panel 1 top to bottom, then panel 2, …

    Each row keeps its panel and its printed line so the renderer can lay the panels out again."""
    panel_keys = [leaf.key for column in definition.panel for leaf in column.leaves()]
    printed = [leaf.key for leaf in definition.leaves()]
    count = len(printed) // len(panel_keys)
    panels = [[] for _ in range(count)]
    for line, row in enumerate(rows):
        for index in range(count):
            keys = dict(zip(printed[index * len(panel_keys) : (index + 1) * len(panel_keys)], panel_keys))
            part = ParsedRow(source=row.source)
            part.cells = {keys[k]: v for k, v in row.cells.items() if k in keys}
            part.values = {keys[k]: v for k, v in row.values.items() if k in keys}
            if not part.cells and not part.values:
                continue
            part.cells["_panel"], part.cells["_line"] = index, line
            classify(part, definition, ("", ""))
            panels[index].append(part)
    return [row for panel in panels for row in panel]
