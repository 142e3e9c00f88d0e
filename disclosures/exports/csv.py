"""CSV of one table: UTF-8 with a BOM so that Excel opens it as UTF-8.

Columns: 编码, 名称, 级次, 单位编码, then every other column of the table with its full grouped
header ("本年收入/一般公共预算"). Amounts are written as stored: two decimals, no thousands
separator, blank where the published table is blank. Text is written as published: names keep
their full-width punctuation and quotes (disclosures.text.normalize is for matching, never for output).

A table printed as side-by-side panels (决算 公开06表: three 科目编码/科目名称/决算数 triplets across
the page) stores one row per panel entry, its figures under the panel's keys (code, name, amount),
not under the printed columns. Its CSV has one row per stored row and the panel's columns once: the
panel's heading (人员经费, 公用经费) and then its amounts, so every figure appears exactly once.
"""

import csv
import io
from dataclasses import dataclass, field

FIXED_HEADERS = ["编码", "名称", "级次", "单位编码"]
# Text leaves already given by the fixed columns.
_FIXED_KEYS = {"code", "name"}
# The column naming the panel a row was printed in (the group heading above the panel's columns).
PANEL_HEADING_KEY = "panel"
PANEL_HEADING_TITLE = "分栏"


@dataclass(frozen=True)
class ExportColumn:
    """One column after the fixed four: the key it is stored (and named in the data package) under."""

    key: str
    header: str  # the full grouped header, "本年收入/一般公共预算"
    is_text: bool
    # Only for the panel heading column: the heading of each panel, by the panel index rows carry.
    panel_headings: dict = field(default_factory=dict)

    def value(self, row):
        if self.panel_headings:
            return self.panel_headings.get(row.cells.get("_panel"), "")
        return row.cells.get(self.key, "") if self.is_text else row.values.get(self.key, "")


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


def is_panel_table(table) -> bool:
    """Printed as side-by-side panels: its leaves say which panel they belong to (the reader sets panel_key)."""
    return any("panel_key" in node for node, _header in leaf_paths(table.columns))


def _panel_columns(paths):
    """The columns of a table of panels: its heading, then each panel key once (as the first panel labels it)."""
    headings, columns, seen = {}, [], set()
    for node, header in paths:
        if "panel_key" not in node:
            continue
        # The heading is what stands above the leaf in the printed header ("人员经费", "公用经费").
        headings.setdefault(node["panel"], header.rsplit("/", 1)[0] if "/" in header else "")
    if any(headings.values()):
        columns.append(ExportColumn(PANEL_HEADING_KEY, PANEL_HEADING_TITLE, True, headings))
    for node, header in paths:
        key = node.get("panel_key", node["key"])
        if key in _FIXED_KEYS or key in seen:
            continue
        seen.add(key)
        # A panel column is named by its own label (决算数): the group above it differs between panels.
        columns.append(ExportColumn(key, node["label"] if "panel_key" in node else header, bool(node.get("text"))))
    return columns


def is_form(rows) -> bool:
    """绩效目标表 and 绩效自评表: rows keep the printed cells (_grid) rather than one cell per column."""
    return bool(rows) and "_grid" in rows[0].cells


def _form_definition(table):
    """The format's definition of a form table, for the labels of its figures (None if the format lacks it)."""
    try:
        return table.version.disclosure.format_definition.table(table.number)
    except KeyError:
        return None


def _form_figure_columns(definition, rows, taken):
    """The figures a form prints outside its indicator grid (预算资金情况, 执行率, a task's 项目下达金额 …),
    one column per key, headed by the label the format reads it after. Without these columns the
    blocks', fields' and tasks' figures would be in no column at all."""
    form = definition.form if definition is not None else {}
    labels = {}
    for label in form.get("amount_fields", []):
        labels.setdefault("amount", label)
    for label, key in form.get("value_fields", {}).items():
        labels.setdefault(key, label)
    for column in form.get("tasks", []):
        for leaf in column.leaves():
            if not leaf.is_text:
                labels.setdefault(leaf.key, leaf.label)
    # A figure the format does not name (e.g. a task line's last amount) still gets its column.
    for row in rows:
        for key in row.values:
            labels.setdefault(key, key)
    return [ExportColumn(key, label, False) for key, label in labels.items() if key not in taken]


def table_columns(table, rows=(), definition=None):
    """The columns after the fixed four, as [ExportColumn].

    `rows` are the stored rows (a form's figure columns depend on what it holds); `definition` is
    the format's table, looked up when a form needs it and it is not given."""
    paths = leaf_paths(table.columns)
    if is_panel_table(table):
        return _panel_columns(paths)
    columns = [
        ExportColumn(node["key"], header, bool(node.get("text")))
        for node, header in paths
        if node["key"] not in _FIXED_KEYS
    ]
    if is_form(rows):
        definition = definition if definition is not None else _form_definition(table)
        columns += _form_figure_columns(definition, rows, {column.key for column in columns})
    return columns


def row_values(table, row, columns):
    """One row as the CSV (and the Fiscal Data Package) write it."""
    unit_code = row.unit.code if row.unit_id else ""
    if "_grid" in row.cells:
        # A form's indicator rows carry their cells by key; its other rows (blocks, fields, tasks) are
        # named by their printed text and carry only figures. The text is joined as published: no
        # normalising, which would rewrite （一） and “三公”.
        grid_text = " ".join(cell[0] for cell in row.cells["_grid"] if cell[0])
        if row.kind == "indicator":
            return [row.code, row.name or grid_text, row.level or "", unit_code, *(c.value(row) for c in columns)]
        figures = ["" if column.is_text else column.value(row) for column in columns]
        return [row.code, grid_text, row.level or "", unit_code, *figures]
    return [row.code, row.name, row.level or "", unit_code, *(column.value(row) for column in columns)]


def table_csv(table, rows=None) -> bytes:
    rows = list(table.rows.select_related("unit")) if rows is None else rows
    columns = table_columns(table, rows)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([*FIXED_HEADERS, *(column.header for column in columns)])
    for row in rows:
        writer.writerow(row_values(table, row, columns))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
