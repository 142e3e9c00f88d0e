"""CSV of one table: UTF-8 with a BOM so that Excel opens it as UTF-8.

Columns: 编码, 名称, 级次, 单位编码, then every other column of the table with its full grouped
header ("本年收入/一般公共预算"). Amounts are written as stored: two decimals, no thousands
separator, blank where the published table is blank.
"""

import csv
import io

from disclosures.text import normalize

FIXED_HEADERS = ["编码", "名称", "级次", "单位编码"]
# Text leaves already given by the fixed columns.
_FIXED_KEYS = {"code", "name"}


def leaf_paths(columns):
    """[(leaf node, "组/子组/列")] of a stored column tree, in order."""
    out = []

    def walk(node, trail):
        trail = [*trail, node["label"]]
        if node.get("children"):
            for child in node["children"]:
                walk(child, trail)
        else:
            out.append((node, "/".join(trail)))

    for node in columns:
        walk(node, [])
    return out


def table_columns(table):
    """The leaf columns after the fixed four: [(key, full header, is_text)]."""
    return [
        (node["key"], header, bool(node.get("text")))
        for node, header in leaf_paths(table.columns)
        if node["key"] not in _FIXED_KEYS
    ]


def row_values(table, row, columns):
    """One row as the CSV (and the Fiscal Data Package) write it."""
    if "_grid" in row.cells:  # 绩效目标表: indicator rows carry their cells by key; others their text
        grid_text = " ".join(normalize(cell[0]) for cell in row.cells["_grid"] if cell[0])
        name = row.name or grid_text
        cells = [row.cells.get(key, "") if is_text else row.values.get(key, "") for key, _h, is_text in columns]
        if row.kind != "indicator":
            cells = ["" for _ in columns]
            name = grid_text
        return [row.code, name, row.level or "", row.unit.code if row.unit_id else "", *cells]
    out = [row.code, row.name, row.level or "", row.unit.code if row.unit_id else ""]
    for key, _header, is_text in columns:
        out.append(row.cells.get(key, "") if is_text else row.values.get(key, ""))
    return out


def table_csv(table, rows=None) -> bytes:
    rows = list(table.rows.select_related("unit")) if rows is None else rows
    columns = table_columns(table)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([*FIXED_HEADERS, *(header for _k, header, _t in columns)])
    for row in rows:
        writer.writerow(row_values(table, row, columns))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
