"""Render any table from its column tree and rows, as the printed page lays it out.

This is the one renderer: grouped headers with colspan/rowspan and th scope, a code column,
names indented by level, totals in bold, amounts right-aligned with thousands separators.
It builds HTML in Python (everything escaped) because a disclosure page holds thousands of
cells; a published version is frozen, so its rendering is cached by version.
"""

import re
from collections import Counter
from decimal import Decimal

from django.core.cache import cache
from django.utils.html import escape, strip_tags
from django.utils.safestring import mark_safe

from disclosures.text import ENUMERATOR, normalize


_AMOUNT_TEXT = re.compile(r"-?[\d,]+\.\d{2}")


def format_amount(value) -> str:
    """The one place amounts are formatted: thousands separators, two decimals, blank for none."""
    if value in (None, ""):
        return ""
    return f"{Decimal(value):,.2f}"


def _depth(node):
    return 1 + max((_depth(c) for c in node.get("children", [])), default=0)


def _leaves(node):
    if not node.get("children"):
        return [node]
    return [leaf for child in node["children"] for leaf in _leaves(child)]


def header_rows(columns):
    """The column tree as rows of header cells: [[{label, colspan, rowspan, group, start}]] (start: first leaf)."""
    depth = max((_depth(c) for c in columns), default=1)
    rows = [[] for _ in range(depth)]

    def place(node, level, start):
        children = node.get("children", [])
        cell = {
            "label": node["label"],
            "colspan": len(_leaves(node)),
            "rowspan": 1 if children else depth - level,
            "group": bool(children),
            "start": start,
        }
        rows[level].append(cell)
        for child in children:
            place(child, level + 1, start)
            start += len(_leaves(child))

    start = 0
    for column in columns:
        place(column, 0, start)
        start += len(_leaves(column))
    return rows


def leaf_columns(columns):
    return [leaf for column in columns for leaf in _leaves(column)]


def _indent_for_text(text):
    match = ENUMERATOR.match(normalize(text))
    if match and match.group(0).startswith(("(", "其中")):
        return 1
    return 0


def render_grid(table, rows):
    leaves = leaf_columns(table.columns)
    if any("panel" in leaf for leaf in leaves):
        rows = _panel_lines(rows, leaves)
    body, header_columns = _body_rows(table, rows, leaves)
    # The name column is where most rows keep their row header (表9: 项目名称, not 单位名称); on screen
    # its header cell stays in view while a wide table scrolls sideways.
    name_column = Counter(header_columns).most_common(1)[0][0] if header_columns else None
    out = ['<table class="data-table">']
    out.append(f"<caption>{escape(_number_label(table))} {escape(table.title)}</caption>")
    # One <colgroup> per top-level column: a group header's scope="colgroup" then names the
    # columns it heads (HTML table model; WCAG 1.3.1, technique H63).
    out.append("".join(f'<colgroup span="{len(_leaves(column))}"></colgroup>' for column in table.columns))
    out.append("<thead>")
    for header_row in header_rows(table.columns):
        out.append("<tr>")
        for cell in header_row:
            scope = "colgroup" if cell["group"] else "col"
            attrs = f' scope="{scope}"'
            if cell["colspan"] > 1:
                attrs += f' colspan="{cell["colspan"]}"'
            if cell["rowspan"] > 1:
                attrs += f' rowspan="{cell["rowspan"]}"'
            if cell["start"] == name_column and cell["colspan"] == 1:
                attrs += ' class="name-col"'
            out.append(f"<th{attrs}>{escape(cell['label'])}</th>")
        out.append("</tr>")
    out.append(_column_number_row(leaves))
    out.append("</thead><tbody>")
    out.extend(body)
    if not rows:
        out.append(f'<tr><td colspan="{len(leaves)}" class="empty">（空表）</td></tr>')
    out.append("</tbody></table>")
    return "".join(out)


def _body_rows(table, rows, leaves):
    """The body's <tr>s, and for each row the leaf column of its row header (if it has one)."""
    out, header_columns = [], []
    for line in rows:
        panels = getattr(line, "panel", None)
        classes = [f"kind-{line.kind}"]
        if line.is_total or (panels and any(r.is_total for r in panels.values())):
            classes.append("total")
        out.append(f'<tr id="table-{escape(table.number)}-row-{line.position + 1}" class="{" ".join(classes)}">')
        first_text = True
        for index, leaf in enumerate(leaves):
            key = leaf.get("panel_key", leaf["key"])
            row = line if panels is None else panels.get(leaf["panel"])
            if row is None:
                out.append("<td></td>")
                continue
            if leaf.get("text"):
                value = row.cells.get(key, "")
                if key == "code" or key == "serial" or key.endswith("line_no"):
                    # Codes, 序号 and 行次 label a row but do not name it: the row header is the name after them.
                    out.append(f'<td class="code">{escape(row.code or value if key == "code" else value)}</td>')
                    continue
                level = row.level if key in ("name", "project_name", "unit_name") else 0
                if row.kind == "project" and key == "project_name":
                    level = 1
                level = max(level - 1, 0) + _indent_for_text(value)
                # The row header is the first text cell with words in it (表4's 收入 side can be blank
                # where its 支出 side carries on): an empty header names nothing.
                header = first_text and bool(value.strip())
                if header:
                    header_columns.append(index)
                tag = "th" if header else "td"
                scope = ' scope="row"' if header else ""
                first_text = first_text and not header
                css = f"text indent-{min(level, 4)}"
                out.append(f'<{tag}{scope} class="{css}">{escape(strip_tags(value))}</{tag}>')
            else:
                out.append(f'<td class="amount">{format_amount(row.values.get(key))}</td>')
        out.append("</tr>")
    return out, header_columns


def _column_number_row(leaves):
    """The 栏次 row under the header, as printed (a cell merged across label columns keeps its span)."""
    if not any(leaf.get("number") for leaf in leaves):
        return ""
    out = ['<tr class="column-numbers">']
    i = 0
    while i < len(leaves):
        span = 1
        while i + span < len(leaves) and leaves[i + span].get("number") == "<":
            span += 1
        text = escape(leaves[i].get("number", ""))
        attrs = f' colspan="{span}"' if span > 1 else ""
        out.append(f'<td class="column-number"{attrs}>{text}</td>')
        i += span
    out.append("</tr>")
    return "".join(out)


class _PanelLine:
    """One printed line of a table of side-by-side panels: the row of each panel on that line."""

    kind, is_total, level, code = "panel-line", False, 0, ""

    def __init__(self, position, panel):
        self.position, self.panel, self.cells, self.values = position, panel, {}, {}


def _panel_lines(rows, leaves):
    lines = {}
    for row in rows:
        line = lines.setdefault(row.cells.get("_line", row.position), {})
        line[row.cells.get("_panel", 0)] = row
    return [_PanelLine(position, lines[key]) for position, key in enumerate(sorted(lines))]


def render_form(table, rows):
    """绩效目标表: key/value blocks and indicator grids, laid out from the cells as exported.

    Each stored row keeps its cells as [text, colspan, column, rowspan]; merged cells are
    rendered as the export merged them.
    """
    width = max((c[2] + c[1] for row in rows for c in row.cells.get("_grid", [])), default=8)
    out = ['<table class="data-table form-table">']
    out.append(f"<caption>{escape(_number_label(table))} {escape(table.title)}</caption><tbody>")
    covered = {}  # first column of a merged cell from above -> [rows still covered, colspan]
    for row in rows:
        cells = {cell[2]: cell for cell in row.cells.get("_grid", [])}
        header_row = row.kind in ("indicator_header", "task_header")
        out.append(f'<tr id="table-{escape(table.number)}-row-{row.position + 1}" class="kind-{row.kind}">')
        column = 0
        while column < width:
            if column in covered:
                remaining, span = covered[column]
                if remaining > 0:
                    covered[column][0] -= 1
                    column += span
                    continue
                del covered[column]
            cell = cells.get(column)
            if cell is None:
                out.append("<td></td>")
                column += 1
                continue
            text, colspan = cell[0], max(1, min(cell[1], width - column))
            rowspan = cell[3] if len(cell) > 3 else 1
            attrs = (f' colspan="{colspan}"' if colspan > 1 else "") + (f' rowspan="{rowspan}"' if rowspan > 1 else "")
            if rowspan > 1:
                covered[column] = [rowspan - 1, colspan]
            text = escape(strip_tags(text))
            if header_row or (column == 0 and row.kind in ("field", "block", "indicator_header", "task_header")):
                scope = "col" if header_row and column > 0 else "row"
                out.append(f'<th scope="{scope}"{attrs}>{text}</th>')
            elif row.kind in ("field", "task") and _AMOUNT_TEXT.fullmatch(cell[0] or ""):
                out.append(f'<td class="amount"{attrs}>{text}</td>')
            else:
                out.append(f"<td{attrs}>{text}</td>")
            column += colspan
        out.append("</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def render_table(table, rows=None):
    rows = list(table.rows.all()) if rows is None else rows
    if rows and "_grid" in rows[0].cells:
        return mark_safe(render_form(table, rows))
    return mark_safe(render_grid(table, rows))


def _number_label(table):
    return getattr(table, "number_label", "") or f"表{table.number}"


def rendered_tables(version):
    """[(table, html)] for a version; a published version is frozen, so its HTML is cached."""
    cache_key = f"rendered-tables:v5:{version.pk}"
    if version.status == "published":
        cached = cache.get(cache_key)
        if cached is not None:
            return cached
    tables = list(version.tables.all())
    rows_by_table = {t.pk: [] for t in tables}
    from disclosures.models import TableRow

    for row in TableRow.objects.filter(table__version=version).order_by("table_id", "position"):
        rows_by_table[row.table_id].append(row)
    definition = version.disclosure.format_definition
    for table in tables:
        table.number_label = definition.printed_number(table.number)  # 表3, 公开03表, 附件
    result = [(table, render_table(table, rows_by_table[table.pk])) for table in tables]
    if version.status == "published":
        cache.set(cache_key, result, timeout=None)
    return result
