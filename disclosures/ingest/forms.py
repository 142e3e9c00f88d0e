"""Form tables (绩效目标表, 绩效自评表): key/value blocks, a task list and an indicator grid.

They have no column header to map; the format names the field labels, and the figures printed after
them are read under the keys it gives.
"""

import re

from disclosures.ingest.amounts import parse_amount, parse_figure
from disclosures.ingest.grid import Sheet, cell_text
from disclosures.ingest.result import ParsedRow, ParsedTable
from disclosures.ingest.rows import is_page_furniture
from disclosures.text import normalize


def _grid_of(sheet, r):
    """A row's printed cells: [column, text, colspan, rowspan]."""
    grid = []
    for c, value in sheet.nonempty(r):
        rowspan, colspan = sheet.spans.get((r, c), (1, 1))
        grid.append([c, cell_text(value), colspan, rowspan])
    return grid


def _join_wrapped_labels(rows, grids, labels):
    """A field label wrapped over the two rows its cell spans ("预算规模及资金" / "用途").

    A print without lines gives each line of a tall label cell to the row beside it. Where the first
    cells of two rows, read one after the other, make a label the format names, they are one cell
    spanning both rows, as the workbook has it."""
    for above, below in zip(rows, rows[1:]):
        top, under = grids[above], grids[below]
        if not top or not under or top[0][0] != under[0][0] or normalize(top[0][1]) in labels:
            continue
        joined = top[0][1] + under[0][1]
        if normalize(joined) in labels:
            top[0][1], top[0][3] = joined, top[0][3] + under[0][3]
            del under[0]


def _join_centred_labels(rows, grids, labels, reach=12):
    """A field label printed below the row it heads ("预算规模及资金用途" under 预算数 …, "年度目标"
    among the wrapped lines of 年初总体目标's text): its cell spans that row and the lines under it,
    centred on them, as a print without lines shows a tall cell. It heads the nearest row above of two
    cells or more that leaves its column empty, over lines that leave it empty too, as the workbook
    has it. What else its line prints is more of those lines (a wrapped text's next line), never a
    value of its own. Returns the rows left."""
    left = []
    for r in rows:
        grid = grids[r]
        head, between = None, []
        if grid and normalize(grid[0][1]) in labels:
            for above in reversed(left[-reach:]):
                cells = grids[above]
                if not cells or cells[0][0] <= grid[0][0] or normalize(cells[0][1]) in labels:
                    break
                if len(cells) >= 2:
                    head = cells
                    break
                between.append(cells)
        wrapped = {c[0] for cells in between for c in cells}
        if head is not None and all(c[0] in wrapped for c in grid[1:]):
            head.insert(0, [grid[0][0], grid[0][1], grid[0][2], 2])
            del grid[0]
            if not grid:
                continue
        left.append(r)
    return left


def _join_spaced_labels(grid, labels):
    """A label printed with a wide space inside it ("其中：财政    资金"), which a print without lines
    reads as two cells: the two are one where together they make a label the format names."""
    i = 0
    while i + 1 < len(grid):
        a, b = grid[i], grid[i + 1]
        if normalize(a[1]) not in labels and normalize(a[1] + b[1]) in labels:
            a[1], a[2] = a[1] + b[1], b[0] + b[2] - a[0]
            del grid[i + 1]
        i += 1


def read_form(sheet: Sheet, definition, title, title_row, result, how, unit_label):
    form = definition.form
    label = definition.label
    parsed = ParsedTable(
        definition=definition, title=title, sheet=sheet.name, matched_by=how, columns=[], unit_label=unit_label
    )
    parsed.columns = [c.as_dict() for c in definition.columns]
    fields = {normalize(f) for f in form["fields"]}
    amount_fields = {normalize(f) for f in form["amount_fields"]}
    indicator_labels = {
        leaf.key: {normalize(x) for x in leaf.labels} for leaf in definition.columns for leaf in leaf.leaves()
    }
    indicator_amounts = {leaf.key for column in definition.columns for leaf in column.leaves() if not leaf.is_text}
    value_fields = {normalize(k): v for k, v in form.get("value_fields", {}).items()}
    task_leaves = [leaf for column in form.get("tasks", []) for leaf in column.leaves()]
    task_cols = {}
    indicator_cols = {}
    mode = "fields"
    block = None
    previous = {}

    def figure(r, c, text):
        try:
            return parse_figure(text)
        except ValueError:
            result.add("error", f"{label}，{sheet.where(r, c)}：“{text}”不是数值", sheet=sheet.name, cell=sheet.ref(r, c))
            return None

    def take_values(r, row, grid):
        """Figures printed after a label the format names (执行率 93.13%, 绩效自评总得分 99.31).

        The figure is the next cell right of the label (past its merged width; a print without
        lines may leave blank columns between); another label, or nothing, means none."""
        labels = set(value_fields) | fields | amount_fields
        for i, (c, text, colspan, _rowspan) in enumerate(grid):
            key = value_fields.get(normalize(text))
            if key is None:
                continue
            following = grid[i + 1] if i + 1 < len(grid) else None
            if following is None or normalize(following[1]) in labels:
                continue
            value = figure(r, following[0], following[1])
            if value is not None:
                row.values[key] = value
                if block is not None and block is not row:
                    block.values[key] = value

    rows = [r for r in range(title_row + 1, len(sheet.grid)) if sheet.nonempty(r)]
    grids = {r: _grid_of(sheet, r) for r in rows}
    _join_wrapped_labels(rows, grids, fields | amount_fields)
    rows = _join_centred_labels(rows, grids, fields | amount_fields)
    for grid in grids.values():
        _join_spaced_labels(grid, fields | amount_fields | set(value_fields))
    for r in rows:
        grid = grids[r]
        if not grid or is_page_furniture(sheet, r, None, definition, title):
            continue
        first = normalize(grid[0][1])
        texts = [normalize(g[1]) for g in grid]
        row = ParsedRow(source=sheet.source(r), cells={"_grid": [[g[1], g[2], g[0], g[3]] for g in grid]})
        subheader = mode == "indicator_header" and any(
            t in labels and key not in indicator_cols for t in texts for key, labels in indicator_labels.items()
        )
        if "一级指标" in texts or subheader:
            # The indicator header; a second header row names the columns under a group (年度目标值 → 运算符号, 内容…).
            if not subheader:
                indicator_cols = {}
            for c in range(sheet.width):
                text = normalize(cell_text(sheet.value(r, c)))
                for key, labels in indicator_labels.items():
                    if text in labels and key not in indicator_cols:
                        indicator_cols[key] = c
            mode = "indicator_header"
            row.kind = "indicator_header"
            row.name = grid[0][1] if first != "一级指标" else ""
            previous = {}
        elif form["block_start"] and first == normalize(form["block_start"]):
            mode = "fields"
            row.kind, row.name = "block", grid[1][1] if len(grid) > 1 else ""
            if form.get("block_name_field"):
                row.code = row.name
                for i, (_c, text, _colspan, _rowspan) in enumerate(grid[:-1]):
                    if normalize(text) == normalize(form["block_name_field"]):
                        row.name = grid[i + 1][1]
            block = row
            take_values(r, row, grid)
        elif form["tasks_after"] and normalize(form["tasks_after"]) in texts:
            mode = "tasks"
            row.kind = "task_header"
            task_cols = {}
            for leaf in task_leaves:
                wanted = {normalize(x) for x in leaf.labels}
                for c in range(sheet.width):
                    if normalize(cell_text(sheet.value(r, c))) in wanted and c not in task_cols.values():
                        task_cols[leaf.key] = c
                        break
        elif mode == "tasks" and task_cols and first not in fields:
            row.kind = "task"
            for leaf in task_leaves:
                c = task_cols.get(leaf.key)
                text = cell_text(sheet.value(r, c)) if c is not None else ""
                if leaf.is_text:
                    row.cells[leaf.key] = text
                else:
                    value = figure(r, c, text)
                    if value is not None:
                        row.values[leaf.key] = value
            row.name = row.cells.get("name", "")
        elif first in fields or first in amount_fields:
            mode = "fields"
            take_values(r, row, grid)
            row.kind, row.name = "field", grid[0][1]
            row.cells["label"] = grid[0][1]
            row.cells["value"] = grid[1][1] if len(grid) > 1 else ""
            for i in range(2, len(grid) - 1, 2):
                row.cells.setdefault("pairs", []).append([grid[i][1], grid[i + 1][1]])
            if first in amount_fields and len(grid) > 1:
                try:
                    amount = parse_amount(grid[1][1])
                except ValueError:
                    result.add(
                        "error",
                        f"{label}，{sheet.where(r, grid[1][0])}：“{grid[1][1]}”不是金额",
                        sheet=sheet.name,
                        cell=sheet.ref(r, grid[1][0]),
                    )
                    amount = None
                if amount is not None:
                    row.values["amount"] = amount
                    row.cells["_grid"][1][0] = f"{amount:,.2f}"
                    if block is not None:
                        block.values["amount"] = amount
        elif mode == "tasks":
            row.kind = "task"
            numbers = []
            for i, (_c, text, _colspan, _rowspan) in enumerate(grid):
                try:
                    amount = parse_amount(text)
                except ValueError:
                    amount = None
                if amount is not None and re.fullmatch(r"[\d,.\s]+", text):
                    numbers.append(amount)
                    row.cells["_grid"][i][0] = f"{amount:,.2f}"
                else:
                    row.name = row.name or text
            if numbers:
                row.values["amount"] = numbers[-1]
            if normalize(grid[0][1]) in ("年度主要任务",):
                row.name = grid[1][1] if len(grid) > 1 else ""
        elif mode in ("indicators", "indicator_header"):
            mode = "indicators"
            row.kind = "indicator"
            for key, c in indicator_cols.items():
                value = cell_text(sheet.value(r, c))
                if not value and (r, c) in sheet.merged_from:
                    value = previous.get(key, "")
                row.cells[key] = value
                if key in indicator_amounts and value:
                    number = figure(r, c, value)
                    if number is not None:
                        row.values[key] = number
            # 一级/二级 are printed once per group (merged cells, or blank on continuation pages).
            for key in ("level1", "level2"):
                if not row.cells.get(key):
                    row.cells[key] = previous.get(key, "")
            row.name = row.cells.get("level3", "")
            previous = dict(row.cells)
        else:
            row.kind, row.name = "text", grid[0][1]
        parsed.rows.append(row)
    parsed.pages = sheet.pages(range(title_row, len(sheet.grid)))
    return parsed
