"""The text cells of a table row, as the disclosure page prints them: what the search indexes besides names.

表9's 项目内容, 表16's 年度绩效目标 and 年度主要任务, 表17's 总体目标 and 绩效指标 (一级/二级/三级指标, a
target written in words), 表1's 收支项目 — every cell with Chinese text in it. Left out: codes, 序号 and
行次; the names already indexed as projects and 科目 lines; totals; the labels a form prints before its
values (主管部门, 总体目标); cells without a Chinese character (figures, dates, "=", "%").
"""

import html
import re

from django.utils.html import strip_tags

from disclosures.rendering import leaf_columns

# Rows with nothing of their own to find: units (the department group has them), totals, the headers
# of a form's grids, and a 表17 block (its label and the project's name, which the project group has).
SKIPPED_ROW_KINDS = {"unit", "total", "indicator_header", "task_header", "block"}
# Rows whose name the index already holds as a project.
PROJECT_ROW_KINDS = {"project"}
# Grid columns that label a row without saying anything: codes, 序号, 行次.
_LABEL_KEYS = re.compile(r"^(code|serial)$|line_no$")
_CHINESE = re.compile(r"[\u3400-\u9fff]")
SEPARATOR = " · "


def _clean(value):
    return " ".join(html.unescape(strip_tags(str(value))).split())


def _labels(cells):
    """The labels a form row prints before its values: 主管部门, and the pairs' 实施单位."""
    labels = {cells.get("label", "")}
    for pair in cells.get("pairs") or []:
        if isinstance(pair, (list, tuple)) and pair:
            labels.add(str(pair[0]))
    return {_clean(label) for label in labels if label}


def heading(row):
    """What a form's header row heads (绩效指标, 年度主要任务): its first cell; "" for other rows."""
    if row.kind not in ("indicator_header", "task_header"):
        return ""
    grid = row.cells.get("_grid") or [[""]]
    return _clean(grid[0][0])


def row_texts(table, row, *, form, coded_lines, under=""):
    """([text of each cell worth finding], [the labels of their columns]) of one row, in print order.

    `form`: whether the table is printed as a form (绩效目标表: the cells as exported, row.cells["_grid"])
    rather than as a grid of columns; `coded_lines`: whether the row's code and name are indexed as a
    科目 line (then its name is left out); `under`: the heading of the form's part the row is in.
    """
    if row.is_total or row.kind in SKIPPED_ROW_KINDS:
        return [], []
    known = {_clean(row.name)} if (coded_lines and row.code) or row.kind in PROJECT_ROW_KINDS else set()
    texts, columns = [], []
    if not form:
        leaves = leaf_columns(table.columns)
        if any("panel" in leaf for leaf in leaves):
            return [], []  # side-by-side panels hold coded lines only
        for leaf in leaves:
            key = leaf.get("key", "")
            if not leaf.get("text") or _LABEL_KEYS.search(key):
                continue
            text = _clean(row.cells.get(key, ""))
            if text and text not in known and _CHINESE.search(text) and text not in texts:
                texts.append(text)
                columns.append(_clean(leaf.get("label", "")))
    else:
        labels = _labels(row.cells) | known
        for cell in row.cells.get("_grid", []):
            text = _clean(cell[0]) if cell else ""
            if text and text not in labels and _CHINESE.search(text) and text not in texts:
                texts.append(text)
        label = _clean(row.cells.get("label", "")) or under
        columns = [label] if label and texts else []
    return texts, columns
