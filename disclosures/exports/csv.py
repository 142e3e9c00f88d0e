"""CSV of one table: UTF-8 with a BOM so that Excel opens it as UTF-8.

Columns: 编码, 名称, 级次, 单位编码, then every other column of the table with its full grouped
header ("本年收入/一般公共预算"). Amounts are written as stored: two decimals, no thousands
separator, blank where the published table is blank. Text is written as published: names keep
their full-width punctuation and quotes (disclosures.text.normalize is for matching, never for output).

A table printed as side-by-side panels (决算 公开06表: three 科目编码/科目名称/决算数 triplets across
the page) stores one row per panel entry, its figures under the panel's keys (code, name, amount),
not under the printed columns. Its CSV has one row per stored row and the panel's columns once: the
panel's heading (人员经费, 公用经费) and then its amounts, so every figure appears exactly once.

A form (绩效目标表, 绩效自评表) keeps each row's printed text in 名称, as published, and adds after its
indicator grid one column per figure printed in that text ("项目预算金额（万元）", "执行率（%）"), filled on
the row that prints it and nowhere else (disclosures.performance): summing 表17's 预算资金情况 gives the
projects' total once.
"""

import csv
import io
from dataclasses import dataclass, field, replace

from disclosures import performance
from disclosures.performance import is_form

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
    # Forms only (disclosures.performance): the figures rows print outside the indicator grid, and the
    # label this column takes them by; `unit` and `is_amount` say what a figure column holds.
    figures: object = None
    figure_key: str = ""
    unit: str = ""
    is_amount: bool = False

    def value(self, row):
        if self.panel_headings:
            return self.panel_headings.get(row.cells.get("_panel"), "")
        return row.cells.get(self.key, "") if self.is_text else row.values.get(self.key, "")

    def figure(self, row):
        """The figure a form's row prints under this column's label, once ("" where it prints none)."""
        if self.is_text or self.figures is None:
            return ""
        figure = self.figures.of(row).get(self.figure_key)
        return figure.text if figure is not None else ""


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


def _with_form_figures(table, rows, columns):
    """A form's columns: its indicator grid's, then one per figure printed outside it (预算资金情况,
    项目预算金额, 执行率, a task's 项目下达金额 …), in the unit its label gives (disclosures.performance).
    A figure whose label is also an indicator column's (a task line's 分值, 得分) goes in that column."""
    figures = performance.read(table, rows)
    grid_labels = {}
    for node, _header in leaf_paths(table.columns):
        grid_labels.setdefault(performance.label_key(node["label"]), node["key"])
    merged = {grid_labels[performance.label_key(c.label)]: c.key for c in figures.columns
              if performance.label_key(c.label) in grid_labels}  # fmt: skip
    columns = [replace(c, figures=figures, figure_key=merged.get(c.key, "")) for c in columns]
    for column in figures.columns:
        if performance.label_key(column.label) not in grid_labels:
            columns.append(
                ExportColumn(column.key, column.header, False, figures=figures, figure_key=column.key,
                             unit=column.unit, is_amount=column.is_amount)
            )  # fmt: skip
    return columns


def table_columns(table, rows=(), definition=None):
    """The columns after the fixed four, as [ExportColumn].

    `rows` are the stored rows (a form's figure columns depend on what it prints). `definition` (the
    format's table) is accepted for the callers that have it; the columns come from what was stored."""
    paths = leaf_paths(table.columns)
    if is_panel_table(table):
        return _panel_columns(paths)
    columns = [
        ExportColumn(node["key"], header, bool(node.get("text")))
        for node, header in paths
        if node["key"] not in _FIXED_KEYS
    ]
    if is_form(rows):
        columns = _with_form_figures(table, rows, columns)
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
        # Only what the row itself prints: a block's first row does not repeat its figures.
        return [row.code, grid_text, row.level or "", unit_code, *(column.figure(row) for column in columns)]
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
