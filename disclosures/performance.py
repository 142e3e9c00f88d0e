"""The figures of performance tables (绩效目标表, 绩效自评表) as numbers, each once, under its label.

These tables are forms: besides their indicator grid they print figures inside labelled text,
"项目预算金额（万元） 1079.03 全年执行数（万元） 1004.87 执行率 93.13%", and the importer also repeats a
block's figures on the block's first row (the project list reads them there). Summing a stored column
therefore counts each project's 预算资金情况 twice. Here each figure is read once, from the row that prints
it, and named by the label printed before it or, on a task line, by the task header above its column:

- the label's unit in brackets ("（万元）", "（%）") is the figure's unit and is left out of its name;
- an amount of money is a figure whose unit is 元/千元/万元/亿元, or whose label names money (金额, 资金,
  预算数, 执行数) — then in the table's own unit (单位：万元);
- another figure (执行率, 分值, 得分 …) is taken only where the importer read it as a figure too, so that a
  name that happens to be digits is never taken for one; "93.13%" is 93.13 in %.

The indicator rows are left out: their columns are typed by the format. Nothing is per table number; the
published text is never changed.
"""

import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from disclosures.ingest.amounts import CENT
from disclosures.text import normalize

MONEY_UNITS = ("亿元", "万元", "千元", "元")
_NUMBER = re.compile(r"^[-−]?(?:\d{1,3}(?:[,，]\d{3})+|\d+)(?:\.\d+)?\s*%?$")
_UNIT_IN_LABEL = re.compile(r"^(?P<label>.*?)[(（]\s*(?:金额)?(?:单位)?[:：]?\s*(?P<unit>亿元|万元|千元|元|%)\s*[)）]$")
_MONEY_WORDS = re.compile(r"金额|资金|预算数|执行数")
# Rows whose cells are read by the format's columns (indicators) or are headers.
_SKIPPED_KINDS = ("indicator", "indicator_header", "task_header")


@dataclass(frozen=True)
class Figure:
    label: str  # as printed, without its unit: 项目预算金额
    unit: str  # 万元, %, or "" (a score)
    value: Decimal
    is_amount: bool

    @property
    def text(self) -> str:
        """As the CSV and the API write it: an amount with two decimals, another figure as printed."""
        if self.is_amount and self.value.as_tuple().exponent >= -2:
            return f"{self.value:.2f}"
        return str(self.value)


@dataclass(frozen=True)
class FigureColumn:
    key: str
    label: str
    unit: str
    is_amount: bool

    @property
    def header(self) -> str:
        return f"{self.label}（{self.unit}）" if self.unit else self.label


@dataclass
class FormFigures:
    """A form table's figures: its columns in the order first printed, and each row's figures by column key."""

    columns: list = field(default_factory=list)
    by_row: dict = field(default_factory=dict)  # row pk -> {key: Figure}

    def of(self, row) -> dict:
        return self.by_row.get(row.pk, {})


def is_form(rows) -> bool:
    return bool(rows) and "_grid" in rows[0].cells


def _number(text):
    text = (text or "").strip()
    if not _NUMBER.match(text):
        return None
    try:
        return Decimal(re.sub(r"[,，\s%]", "", text).replace("−", "-"))
    except InvalidOperation:
        return None


def _figure(label_text, value_text, table_unit, stored):
    """The Figure a label and the number after it make, or None when they are not one."""
    label = re.sub(r"\s+", "", label_text or "")
    value = _number(value_text)
    if not label or value is None or _number(label) is not None:
        return None
    match = _UNIT_IN_LABEL.match(label)
    unit = match["unit"] if match else ""
    label = match["label"] if match else label
    if not unit and value_text.strip().endswith("%"):
        unit = "%"
    is_amount = unit in MONEY_UNITS or (unit == "" and bool(_MONEY_WORDS.search(label)))
    if is_amount:
        unit = unit or table_unit
    elif value.quantize(CENT, rounding=ROUND_HALF_UP) not in stored:
        # Not read as a figure by the importer (which keeps two places): a name or a code made of digits.
        return None
    return Figure(label, unit, value, is_amount)


def _header_labels(row):
    """A task header's labels by the columns each covers: {column: label}."""
    labels = {}
    for text, colspan, column, *_rowspan in row.cells.get("_grid", []):
        for c in range(column, column + max(colspan, 1)):
            labels[c] = text
    return labels


def row_figures(row, table_unit, task_labels=None) -> list[Figure]:
    """The figures one form row prints, in order."""
    if row.kind in _SKIPPED_KINDS:
        return []
    stored = {Decimal(v) for v in row.values.values() if v not in (None, "")}
    grid = row.cells.get("_grid", [])
    figures, previous = [], None
    for text, _colspan, column, *_rowspan in grid:
        if _number(text) is not None:
            # A task line's figures are named by the header above them; its first cell is the task's name.
            label = (task_labels or {}).get(column, "") if row.kind == "task" else previous or ""
            figure = _figure(label, text, table_unit, stored)
            if figure is not None:
                figures.append(figure)
            previous = None
        else:
            previous = text
    return figures


def read(table, rows) -> FormFigures:
    """The figures of a form table's rows (an empty FormFigures for any other table)."""
    result = FormFigures()
    if not is_form(rows):
        return result
    keys = {}  # (label, unit) -> key
    task_labels = {}
    for row in rows:
        if row.kind == "task_header":
            task_labels = _header_labels(row)
        figures = {}
        for figure in row_figures(row, table.unit_label, task_labels):
            key = keys.get((figure.label, figure.unit))
            if key is None:
                taken = {column.key for column in result.columns}
                key = figure.label if figure.label not in taken else f"{figure.label}（{figure.unit}）"
                keys[(figure.label, figure.unit)] = key
                result.columns.append(FigureColumn(key, figure.label, figure.unit, figure.is_amount))
            figures.setdefault(key, figure)
        if figures:
            result.by_row[row.pk] = figures
    return result


def label_key(text) -> str:
    """How a column's printed label is compared with a figure's (分值 in the indicator grid and on a task line)."""
    return normalize(text)
