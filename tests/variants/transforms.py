"""The layout variants real finance-system exports show, one small function each.

Each transform is `(model, rng) -> model` (it edits the model it is given and returns it), with a short
description, a test of whether it applies to a workbook (decided by inspecting it), and a stage: in a
combination the transforms run in stage order, the ones that edit a table's own columns first and the
ones that move tables between sheets last, so each can assume one table per sheet when it needs to.

Most transforms leave the figures alone: the reader must give back exactly the base workbook's figures.
The few that remove or add figures say so by appending an effect to `model.effects`
(RemovedFigures, AddedPriorYear, AddedNotes); the comparison in tests/test_layout_variants.py reads them.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Callable

from tests.variants.grid import (
    Block,
    SheetModel,
    TableLayout,
    WorkbookModel,
    analyse,
    as_number,
    is_blank,
    norm,
    text_cells,
)

TEN_THOUSAND = Decimal(10000)


class NotApplicable(Exception):
    """A transform found nothing to change (an earlier one in the combination removed it)."""


# ---------------------------------------------------------------------------
# Effects on the expected figures
# ---------------------------------------------------------------------------


@dataclass
class RemovedFigures:
    """A group's children columns are gone; its 小计 column stays (its figures may be read under the group's key)."""

    table_title: str
    group_path: tuple[str, ...]  # header labels from the top down to the group, normalised: ("本年收入", "单位资金")
    subtotal_label: str  # "小计"
    removed_labels: tuple[str, ...]  # the children removed: ("事业收入", …)
    removed_values: list[Decimal] = field(default_factory=list)  # their figures in 万元 (for the generator check)


@dataclass
class AddedPriorYear:
    """The table carries a second, prior-year group; its figures are expected under "prior_" + the column's key."""

    table_title: str
    year: int
    figures: dict[tuple[str, ...], Decimal]  # column label path (normalised, below the year label) -> 万元


@dataclass
class AddedNotes:
    """A 备注 column of text: these texts may appear in a row's cells (under whatever key), nothing else may."""

    table_title: str
    texts: tuple[str, ...]


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


def ordinary_tables(model: WorkbookModel) -> list[tuple[SheetModel, Block, TableLayout]]:
    """Every table that is not a form (绩效目标表/自评表), with its layout, in workbook order."""
    out = []
    for sheet, block in model.blocks("table"):
        layout = analyse(sheet, block)
        if layout.header_start is not None:
            out.append((sheet, block, layout))
    return out


def in_wan(value: Decimal, unit: str) -> Decimal:
    return value / TEN_THOUSAND if unit == "元" else value / Decimal(10) if unit == "千元" else value


def format_like(original, number: Decimal, *, text: bool | None = None, trailing: str | None = None):
    """The number written the way `original` was: a text amount stays text (with thousands separators)."""
    as_text = isinstance(original, str) if text is None else text
    if not as_text:
        return int(number) if number == number.to_integral_value() else number
    keep = re.search(r"\s*$", original).group(0) if isinstance(original, str) else ""
    return f"{number:,.2f}" + (keep if trailing is None else trailing)


def column_number_rows(layout: TableLayout) -> set[int]:
    """The 栏次 row of the header and of each repetition of it."""
    if layout.column_number_row is None:
        return set()
    offset = layout.column_number_row - layout.header_start
    return {start + offset for start, _depth in layout.header_blocks()}


def renumber_column_numbers(sheet: SheetModel, layout_row: int):
    """After columns come or go, the 栏次 row counts 1, 2, 3… again, as the export prints it."""
    cells = [(c, v) for c, v in sheet.nonempty(layout_row) if isinstance(v, int) and not isinstance(v, bool)]
    if not cells:
        return
    first = cells[0][1]
    for i, (c, _v) in enumerate(cells):
        sheet.set(layout_row, c, first + i)


def move_preamble_cells(sheet: SheetModel, layout: TableLayout, from_col: int, to_col: int):
    """Keep 表N and the unit line at the table's right edge when the edge moves."""
    for r in layout.preamble_rows:
        value = sheet.get(r, from_col)
        if is_blank(value) or sheet.merge_at(r, from_col) is not None or r == layout.title_row:
            continue
        if is_blank(sheet.get(r, to_col)) and sheet.merge_at(r, to_col) is None:
            sheet.set(r, from_col, None)
            sheet.set(r, to_col, value)


def widen_title_merges(sheet: SheetModel, layout: TableLayout, old_last: int, new_last: int):
    """A title merged across the table's width stays merged across it."""
    for m in list(sheet.merges):
        if m[0] in layout.preamble_rows and m[3] == old_last and m[0] == m[2]:
            sheet.remove_merge(m)
            sheet.add_merge(m[0], m[1], m[2], new_last)


def groups(layout: TableLayout):
    """Grouped header cells: (group merge, child label row, [child columns]) for single-row horizontal merges."""
    sheet = layout.sheet
    label_rows = layout.label_rows
    out = []
    for i, row in enumerate(label_rows[:-1]):
        child_row = label_rows[i + 1]
        for m in sheet.merges:
            r0, c0, r1, c1 = m
            if r0 != row or r1 != row or c1 <= c0 or c1 >= layout.width:
                continue
            out.append((m, child_row, list(range(c0, c1 + 1))))
    return out


def is_leaf_at(layout: TableLayout, c: int, child_row: int) -> bool:
    """The column's label at child_row is its last label (nothing is grouped under it)."""
    label = norm(layout.sheet.value(child_row, c))
    return bool(label) and layout.paths[c] and layout.paths[c][-1] == label


def same_header(layout: TableLayout, start: int, row: int, col: int) -> bool:
    """Does the repeated header starting at `start` show the same label as the main header at (row, col)?"""
    offset = row - layout.header_start
    return norm(layout.sheet.value(start + offset, col)) == norm(layout.sheet.value(row, col))


# ---------------------------------------------------------------------------
# 1. amounts in 元
# ---------------------------------------------------------------------------

UNIT_IN_TEXT = re.compile(r"(单位\s*[:：]\s*)万元")


def yuan(model, rng):
    """Every amount ×10000 (exact), and the unit line says 元. Codes, 栏次, serials and forms stay as they are."""
    tables = cells = 0
    for sheet, block, layout in ordinary_tables(model):
        if layout.unit != "万元":
            continue
        tables += 1
        for r, c in list(layout.amount_cells()):
            value = sheet.get(r, c)
            sheet.set(r, c, format_like(value, as_number(value) * TEN_THOUSAND))
            cells += 1
        for r, c, text in list(text_cells(sheet, block.start, block.end)):
            if UNIT_IN_TEXT.search(text):
                sheet.set(r, c, UNIT_IN_TEXT.sub(r"\1元", text))
    model.applied.append(f"yuan: {cells} amounts ×10000 in {tables} tables, unit lines say 元")
    return model


def has_amounts(model):
    return any(list(layout.amount_cells()) for _s, _b, layout in ordinary_tables(model))


# ---------------------------------------------------------------------------
# 13. text amounts with thousands separators, some with a trailing space
# ---------------------------------------------------------------------------


def text_amounts(model, rng):
    """Every amount becomes text "1,425.40"; about a third get a trailing space ("1,425.40 ")."""
    cells = spaced = 0
    for sheet, _block, layout in ordinary_tables(model):
        for r, c in list(layout.amount_cells()):
            value = sheet.get(r, c)
            space = rng.random() < 0.35
            sheet.set(r, c, format_like(value, as_number(value), text=True, trailing=" " if space else ""))
            cells, spaced = cells + 1, spaced + space
    model.applied.append(f"text amounts: {cells} amounts as text, {spaced} with a trailing space")
    return model


# ---------------------------------------------------------------------------
# 7. a sub-column group flattened into its 小计
# ---------------------------------------------------------------------------


def flatten_candidates(model):
    out = []
    for sheet, block, layout in ordinary_tables(model):
        values = set(layout.value_cols)
        for m, child_row, cols in groups(layout):
            if len(cols) < 3 or norm(sheet.value(child_row, cols[0])) != "小计":
                continue
            if all(is_leaf_at(layout, c, child_row) and c in values for c in cols):
                out.append((sheet, block, layout, m, child_row, cols))
    return out


def flatten(model, rng):
    """A group {小计, a, b, …} becomes one column under the group's label holding the 小计 figures."""
    candidates = flatten_candidates(model)
    if not candidates:
        raise NotApplicable("flatten: no group {小计, …} left")
    # Prefer a group whose removal leaves a pair of columns to swap, so that flatten + swap always combine.
    swaps = swap_candidates(model)

    def leaves_a_swap(candidate):
        sheet, _block, _layout, _m, _row, cols = candidate
        return any(s[0] is not sheet or (s[4] not in cols and s[5] not in cols) for s in swaps)

    candidates = [c for c in candidates if leaves_a_swap(c)] or candidates
    sheet, _block, layout, m, child_row, cols = rng.choice(candidates)
    group_row, first = m[0], cols[0]
    group_label = norm(sheet.get(group_row, first))
    path = layout.paths[first]
    group_path = tuple(path[: path.index(group_label) + 1])
    removed = [c for c in cols[1:]]
    removed_values = [
        in_wan(as_number(sheet.get(r, c)), layout.unit)
        for r in layout.body_rows
        for c in removed
        if as_number(sheet.get(r, c)) is not None
    ]
    model.effects.append(
        RemovedFigures(
            table_title=layout.title,
            group_path=group_path,
            subtotal_label="小计",
            removed_labels=tuple(norm(sheet.value(child_row, c)) for c in removed),
            removed_values=removed_values,
        )
    )
    # 表N and the unit line may stand above the removed columns: they stay at the right edge.
    new_last = layout.width - 1 - len(removed)
    edge = []
    for r in layout.preamble_rows:
        for c in removed:
            if not is_blank(sheet.get(r, c)) and sheet.merge_at(r, c) is None and r != layout.title_row:
                edge.append((r, sheet.get(r, c)))
                sheet.set(r, c, None)
    blocks = [start for start, _depth in layout.header_blocks() if start == layout.header_start or same_header(layout, start, group_row, first)]
    last_label = layout.label_rows[-1]
    sheet.delete_cols(first + 1, len(removed))
    for r, value in edge:
        if is_blank(sheet.get(r, new_last)) and sheet.merge_at(r, new_last) is None:
            sheet.set(r, new_last, value)
    for start in blocks:
        shift = start - layout.header_start
        g, bottom = group_row + shift, last_label + shift
        for mm in list(sheet.merges):
            if mm[1] <= first <= mm[3] and g < mm[0] <= bottom:
                if mm[1] != mm[3]:
                    raise ValueError(f"{sheet.name}: cannot flatten under a merge spanning columns {mm}")
                sheet.remove_merge(mm)
        for r in range(g + 1, bottom + 1):
            sheet.set(r, first, None)
        gm = sheet.merge_at(g, first)
        if gm is not None:
            sheet.remove_merge(gm)
        sheet.add_merge(g, first, bottom, first)
    for r in column_number_rows(layout):
        renumber_column_numbers(sheet, r)
    model.applied.append(f"flatten: {layout.title} {'/'.join(group_path)} keeps 小计, drops {len(removed)} columns")
    return model


# ---------------------------------------------------------------------------
# 6. two sibling columns of a group swapped
# ---------------------------------------------------------------------------


def swap_candidates(model):
    out = []
    for sheet, block, layout in ordinary_tables(model):
        values = set(layout.value_cols)
        amounts = set(layout.amount_cols)
        for _m, child_row, cols in groups(layout):
            leaves = [
                c
                for c in cols
                if c in values and is_leaf_at(layout, c, child_row) and norm(sheet.value(child_row, c)) not in ("小计", "合计")
            ]
            labels = [norm(sheet.value(child_row, c)) for c in leaves]
            if len(set(labels)) != len(labels):
                continue  # side-by-side panels (公开06表) repeat their labels: swapping says nothing
            for i, a in enumerate(leaves):
                for b in leaves[i + 1 :]:
                    if a in amounts or b in amounts:
                        out.append((sheet, block, layout, child_row, a, b))
    return out


def swap_columns(model, rng):
    """Two sibling leaf columns of a group change places (人员经费 ↔ 公用经费 under 基本支出), header and figures."""
    candidates = swap_candidates(model)
    if not candidates:
        raise NotApplicable("swap: no two sibling columns left")
    sheet, _block, layout, child_row, a, b = rng.choice(candidates)
    labels = (sheet.value(child_row, a), sheet.value(child_row, b))
    # Down to the last figure: notes under the table are often merged across it and do not move.
    last = max([*layout.body_rows, *(start + depth - 1 for start, depth in layout.repeats)])
    sheet.swap_cols(a, b, child_row, last + 1, skip_rows=column_number_rows(layout))
    model.applied.append(f"swap: {layout.title} {labels[0]} ↔ {labels[1]}")
    return model


# ---------------------------------------------------------------------------
# 9. the 三公 table with a prior-year and a current-year group
# ---------------------------------------------------------------------------


def three_public_table(model):
    for sheet, block, layout in ordinary_tables(model):
        if "三公" in norm(layout.title) and layout.column_number_row is None and any(
            "出国" in label for path in layout.paths for label in path
        ):
            return sheet, block, layout
    return None


def year_groups_apply(model):
    return model.year is not None and three_public_table(model) is not None


def _prior_figures(layout: TableLayout, rng, current: dict[int, Decimal | None]) -> dict[int, Decimal]:
    """Made-up prior-year figures that add up (合计 = 出国 + 车 + 接待; 小计 = 购置 + 运行) and differ from this year's."""
    roles = {}
    for c in layout.value_cols:
        last = layout.paths[c][-1]
        if "合计" in last:
            roles[c] = "total"
        elif "出国" in last:
            roles[c] = "abroad"
        elif "接待" in last:
            roles[c] = "reception"
        elif last == "小计" or last == "公务用车购置及运行费":
            roles[c] = "vehicles"
        elif "购置" in last and "运行" not in last:
            roles[c] = "purchase"
        elif "运行" in last:
            roles[c] = "running"
        else:
            roles[c] = "other"

    def draw(c):
        value = Decimal(rng.randint(1, 3000)) / 100
        return value + Decimal("0.01") if value == current.get(c) else value

    figures = {c: draw(c) for c, role in roles.items() if role in ("abroad", "reception", "purchase", "running", "other")}
    by_role = {role: c for c, role in roles.items()}
    for c, role in roles.items():
        if role == "vehicles":
            parts = [figures[by_role[p]] for p in ("purchase", "running") if p in by_role]
            figures[c] = sum(parts, Decimal(0)) if parts else draw(c)
    for c, role in roles.items():
        if role == "total":
            parts = [figures[by_role[p]] for p in ("abroad", "vehicles", "reception") if p in by_role]
            figures[c] = sum(parts, Decimal(0)) if parts else draw(c)
    return figures


def year_groups(model, rng):
    """“三公”表 as two year groups side by side: "{year-1}年预算数" (made up) | "{year}年预算数" (the base figures)."""
    sheet, _block, layout = three_public_table(model)
    width, hs = layout.width, layout.header_start
    data = layout.body_rows[0]
    current = {c: as_number(sheet.get(data, c)) for c in layout.value_cols}
    prior = _prior_figures(layout, rng, current)
    model.effects.append(
        AddedPriorYear(
            table_title=layout.title,
            year=model.year - 1,
            figures={tuple(layout.paths[c]): in_wan(v, layout.unit) for c, v in prior.items()},
        )
    )
    # The current year moves to columns [width, 2·width); the prior year takes [0, width).
    header_merges = [m for m in sheet.merges if hs <= m[0] and m[2] < layout.header_end and m[3] < width]
    for r in [*range(hs, layout.header_end), *layout.body_rows]:
        for c in range(width):
            sheet.set(r, c + width, sheet.get(r, c))
    for m in header_merges:
        sheet.add_merge(m[0], m[1] + width, m[2], m[3] + width)
    for c in range(width):
        original = sheet.get(data, c + width)
        if c in prior:
            sheet.set(data, c, format_like(original if original is not None else 0, prior[c]))
    move_preamble_cells(sheet, layout, width - 1, 2 * width - 1)
    widen_title_merges(sheet, layout, width - 1, 2 * width - 1)
    sheet.insert_rows(hs, 1)
    sheet.set(hs, 0, f"{model.year - 1}年预算数")
    sheet.set(hs, width, f"{model.year}年预算数")
    sheet.add_merge(hs, 0, hs, width - 1)
    sheet.add_merge(hs, width, hs, 2 * width - 1)
    model.applied.append(f"year groups: {layout.title} {model.year - 1}年预算数 | {model.year}年预算数")
    return model


# ---------------------------------------------------------------------------
# 8. synonyms in the header
# ---------------------------------------------------------------------------

# Pairs of labels exports use for the same column. Both directions apply; "where" narrows a pair to
# the tables it is safe in. 一般公共预算 ↔ 财政拨款 is left out on purpose: 财政拨款 also covers 政府性基金
# and 国有资本经营预算, so the pair is only a synonym in some tables, and a wrong figure would pass as right.
SYNONYMS = [
    ("上年结转结余", "上年结转", "any"),
    ("公务用车运行费", "公务用车运行维护费", "any"),
    ("单位名称", "单位", "any"),
    ("科目名称", "功能分类科目名称", "function"),
    ("一般公共预算", "一般公共预算拨款", "fund"),
]
FUND_GROUPS = ("本年收入", "上年结转结余", "上年结转")


def _function_table(layout: TableLayout) -> bool:
    """A table classified by 功能分类 (codes 2xx…), not by 经济分类 (3xx, 5xx)."""
    codes = [norm(layout.sheet.get(r, c)) for r in layout.body_rows for c in range(min(3, layout.width))]
    codes = [c for c in codes if re.fullmatch(r"\d{3}(\d{2}){0,2}", c)]
    return bool(codes) and all(c.startswith("2") for c in codes)


def _renames(model):
    """(sheet, row, col, new text, rule) for every header label a synonym rule applies to."""
    out = []
    for sheet, _block, layout in ordinary_tables(model):
        function = _function_table(layout)
        for start, depth in layout.header_blocks():
            for r in range(start, start + depth):
                for c, value in sheet.nonempty(r):
                    text = norm(value)
                    for a, b, where in SYNONYMS:
                        if text not in (a, b):
                            continue
                        if where == "function" and not function:
                            continue
                        if where == "fund":
                            path = layout.paths[c] if c < len(layout.paths) else []
                            if not any(g in path for g in FUND_GROUPS):
                                continue
                        out.append((sheet, r, c, b if text == a else a, f"{text}→{b if text == a else a}"))
    return out


def synonyms(model, rng):
    """Header labels replaced by their synonyms (上年结转结余 ↔ 上年结转, 公务用车运行费 ↔ 公务用车运行维护费, …)."""
    if not _renames(model):
        raise NotApplicable("synonyms: no label left to rename")
    done = set()
    for sheet, r, c, new, rule in _renames(model):
        sheet.set(r, c, new)
        done.add(rule)
    model.applied.append("synonyms: " + ", ".join(sorted(done)))
    return model


# ---------------------------------------------------------------------------
# 10. one more grouping row in the header
# ---------------------------------------------------------------------------


def _extra_row_target(layout: TableLayout):
    """(first amount column) when the labels are a block on the left and every column right of it is a figure."""
    text = set(layout.text_cols)
    lead = 0
    while lead < layout.width and lead in text:
        lead += 1
    rest = range(lead, layout.width)
    if not rest or any(c in text for c in rest) or any(not layout.paths[c] for c in rest):
        return None
    return lead


def extra_header_row(model, rng):
    """A merged "金额"/"预算数" row above the amount columns; the label columns are merged down through it."""
    label = "金额" if model.kind != "budget" else rng.choice(["金额", "预算数"])
    touched = []
    for sheet, _block, layout in ordinary_tables(model):
        lead = _extra_row_target(layout)
        if lead is None:
            continue
        for start, _depth in layout.header_blocks():
            sheet.insert_rows(start, 1)
            done = set()
            for c in range(lead):
                m = sheet.merge_at(start + 1, c)
                if m is not None:
                    if m in done or m[0] != start + 1:
                        continue
                    value = sheet.get(m[0], m[1])
                    sheet.remove_merge(m)
                    sheet.set(m[0], m[1], None)
                    sheet.set(start, m[1], value)
                    sheet.add_merge(start, m[1], m[2], m[3])
                    done.add((start, m[1], m[2], m[3]))
                else:
                    sheet.set(start, c, sheet.get(start + 1, c))
                    sheet.set(start + 1, c, None)
                    sheet.add_merge(start, c, start + 1, c)
            sheet.set(start, lead, label)
            if layout.width - 1 > lead:
                sheet.add_merge(start, lead, start, layout.width - 1)
        touched.append(layout.title)
    model.applied.append(f"extra header row “{label}”: " + "、".join(touched))
    return model


def extra_header_row_applies(model):
    return any(_extra_row_target(layout) is not None for _s, _b, layout in ordinary_tables(model))


# ---------------------------------------------------------------------------
# 5. a 备注 column
# ---------------------------------------------------------------------------

NOTE_TEXTS = ["据实列支", "含上年结转资金", "按标准核定", "参照上年执行数", "待财政批复后细化", "含追加预算"]


def remarks(model, rng):
    """A 备注 column appended right of the header (merged over all header rows), with text in a few rows."""
    eligible = [t for t in ordinary_tables(model) if t[2].body_rows]
    chosen = rng.sample(eligible, rng.randint(1, min(3, len(eligible))))
    for sheet, _block, layout in chosen:
        col = layout.width
        for start, depth in layout.header_blocks():
            sheet.set(start, col, "备注")
            if depth > 1:
                sheet.add_merge(start, col, start + depth - 1, col)
        rows = rng.sample(layout.body_rows, min(len(layout.body_rows), rng.randint(1, 3)))
        texts = rng.sample(NOTE_TEXTS, len(rows))
        for r, text in zip(rows, texts):
            sheet.set(r, col, text)
        move_preamble_cells(sheet, layout, col - 1, col)
        widen_title_merges(sheet, layout, col - 1, col)
        model.effects.append(AddedNotes(table_title=layout.title, texts=tuple(texts)))
    model.applied.append("备注 column: " + "、".join(layout.title for _s, _b, layout in chosen))
    return model


# ---------------------------------------------------------------------------
# 12. the title with the year and/or department, or a suffix
# ---------------------------------------------------------------------------


def _suffix_ok(title: str) -> bool:
    t = norm(title)
    return not re.search(r"[(（]", t) and not any(w in t for w in ("部门预算", "政府预算", "决算", "经济分类", "绩效"))


def title_variant(model, rng):
    """Titles printed with the year and/or the department in front, or "（部门预算）" after where that is unambiguous."""
    styles = ["year", "department", "both"] if model.department else ["year"]
    if model.year is None:
        styles = [s for s in styles if s == "department"] or ["suffix"]
    if model.kind == "budget" and any(_suffix_ok(b.title) for _s, b in model.blocks("table")):
        styles.append("suffix")
    style = rng.choice(styles)
    changed = []
    for sheet, block in list(model.blocks("table", "form")):
        layout = analyse(sheet, block)
        title = layout.title
        if layout.title_row is None or not title:
            continue
        if style == "year":
            new = f"{model.year}年{title}"
        elif style == "department":
            new = f"{model.department}{title}"
        elif style == "both":
            new = f"{model.year}年{model.department}{title}"
        elif block.role == "table" and _suffix_ok(title):
            new = f"{title}（部门预算）"
        else:
            continue
        for r, c, text in list(text_cells(sheet, block.start, block.end)):
            if text.strip() == title:
                sheet.set(r, c, new)
        block.title = new
        changed.append(new)
    model.applied.append(f"title ({style}): " + "、".join(changed[:3]) + ("…" if len(changed) > 3 else ""))
    return model


# ---------------------------------------------------------------------------
# 11. a long table split over two sheets
# ---------------------------------------------------------------------------


def _split_point(layout: TableLayout):
    """A body row near the middle where no merge crosses and no repeated header starts."""
    sheet = layout.sheet
    body = layout.body_rows
    if len(body) < 6:
        return None
    inside_repeat = {r for start, depth in layout.repeats for r in range(start, start + depth)}
    middle = len(body) // 2
    for offset in sorted(range(-len(body) // 3, len(body) // 3 + 1), key=abs):
        r = body[middle + offset] if 0 <= middle + offset < len(body) else None
        if r is None or r in inside_repeat or r <= layout.header_end:
            continue
        if any(m[0] < r <= m[2] for m in sheet.merges):
            continue
        return r
    return None


def split_candidates(model):
    out = []
    for sheet, block, layout in ordinary_tables(model):
        if len(sheet.blocks) == 1 and _split_point(layout) is not None:
            out.append((sheet, block, layout))
    return out


def split_table(model, rng):
    """The second half of a long table's body moves to a new sheet right after it, under a repeated header
    (with no title, or with the title, 表N and unit lines and "（续）")."""
    sheet, _block, layout = max(split_candidates(model), key=lambda t: len(t[2].body_rows))
    at = _split_point(layout)
    titled = rng.random() < 0.5
    tail = sheet.copy_rows(at, layout.end)
    head = sheet.copy_rows(layout.header_start, layout.header_end)
    new = SheetModel(name=(sheet.name + "续")[:31], continues=True)
    if titled:
        pre = sheet.copy_rows(layout.start, layout.header_start)
        if layout.title_row is not None:
            row = pre.rows[layout.title_row - layout.start]
            for c, value in enumerate(row):
                if isinstance(value, str) and value.strip() == layout.title:
                    row[c] = layout.title + "（续）"
        new.paste(pre, 0)
    new.paste(head, new.height)
    new.paste(tail, new.height)
    new.blocks = [Block(0, new.height, "table", layout.title + "（续）" if titled else "", continues=True)]
    sheet.delete_rows(at, layout.end - at)
    model.sheets.insert(model.sheet_index(sheet) + 1, new)
    model.applied.append(f"split: {layout.title} after row {at + 1}, continuation {'titled （续）' if titled else 'under the header only'}")
    return model


# ---------------------------------------------------------------------------
# 2. everything on one sheet
# ---------------------------------------------------------------------------


def one_sheet(model, rng):
    """All visible tables stacked on one worksheet, 1–2 blank rows apart; cover and contents dropped."""
    stacked = SheetModel(name=rng.choice(["Sheet1", "公开表", "预算公开表" if model.kind == "budget" else "决算公开表"]))
    kept = []
    for sheet in model.sheets:
        if sheet.state != "visible":
            kept.append(sheet)
            continue
        for block in sheet.blocks:
            if block.role not in ("table", "form"):
                continue
            at = stacked.height + (rng.choice([1, 2]) if stacked.height else 0)
            fragment = sheet.copy_rows(block.start, block.end)
            while stacked.height < at:
                stacked.rows.append([])
            stacked.paste(fragment, at)
            stacked.blocks.append(Block(at, at + len(fragment.rows), block.role, block.title, block.continues or sheet.continues))
    model.sheets = [stacked] + kept
    model.applied.append(f"one sheet: {len(stacked.blocks)} blocks on “{stacked.name}”")
    return model


# ---------------------------------------------------------------------------
# 4. a contents sheet first, and a hidden scratch sheet
# ---------------------------------------------------------------------------


def contents_and_hidden(model, rng):
    """A 目录 sheet (number and title of every table) goes first; a hidden sheet holds a copy of one table
    with other figures, which the importer must ignore."""
    listed = []
    for _sheet, block in model.blocks("table", "form"):
        if block.continues or not block.title:
            continue
        sheet = _sheet
        layout = analyse(sheet, block)
        number = layout.number or str(len(listed) + 1)
        listed.append([number, block.title])
    # The scratch copy: a table with figures, every amount doubled, title untouched.
    tables = [(s, b) for s, b in model.blocks("table") if not b.continues]
    with_amounts = [(s, b) for s, b in tables if list(analyse(s, b).amount_cells())]
    source_sheet, source_block = rng.choice(with_amounts or tables)
    fragment = source_sheet.copy_rows(source_block.start, source_block.end)
    scratch = SheetModel(name=rng.choice(["底稿", "调整前", "Sheet0", "temp"]), state="hidden")
    scratch.paste(fragment, 0)
    scratch.blocks = [Block(0, scratch.height, "table", source_block.title)]
    for r, c in list(analyse(scratch, scratch.blocks[0]).amount_cells()):
        value = scratch.get(r, c)
        scratch.set(r, c, format_like(value, as_number(value) * 2))
    model.sheets = [s for s in model.sheets if not any(b.role == "contents" for b in s.blocks)]
    model.sheets.insert(model.sheet_index(source_sheet), scratch)
    contents = SheetModel(name="目录", rows=[["目  录"], *listed])
    contents.blocks = [Block(0, contents.height, "contents", "目  录")]
    model.sheets.insert(0, contents)
    model.applied.append(f"contents first ({len(listed)} tables) and hidden “{scratch.name}” copying {source_block.title}")
    return model


# ---------------------------------------------------------------------------
# 3. generic sheet names, shuffled
# ---------------------------------------------------------------------------


def generic_names(model, rng):
    """Sheets named Sheet1, Sheet2… in a shuffled order (a split table's continuation stays after it)."""
    front = []
    while len(front) < len(model.sheets) and model.sheets[len(front)].blocks and all(
        b.role in ("cover", "contents") for b in model.sheets[len(front)].blocks
    ):
        front.append(model.sheets[len(front)])
    runs = []
    for sheet in model.sheets[len(front) :]:
        if sheet.continues and runs:
            runs[-1].append(sheet)
        else:
            runs.append([sheet])
    before = [id(r[0]) for r in runs]
    rng.shuffle(runs)
    if len(runs) > 1 and [id(r[0]) for r in runs] == before:
        runs.append(runs.pop(0))
    model.sheets = front + [s for run in runs for s in run]
    for i, sheet in enumerate(model.sheets, start=1):
        sheet.name = f"Sheet{i}"
    model.applied.append(f"generic names: {len(model.sheets)} sheets shuffled")
    return model


# ---------------------------------------------------------------------------
# The registry
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Transform:
    name: str
    description: str
    stage: int
    applies: Callable[[WorkbookModel], bool]
    apply: Callable[[WorkbookModel, random.Random], WorkbookModel]


TRANSFORMS = {
    t.name: t
    for t in [
        Transform("flatten", "a sub-column group flattened into its 小计", 10, lambda m: bool(flatten_candidates(m)), flatten),
        Transform("swap", "two sibling columns of a group swapped", 20, lambda m: bool(swap_candidates(m)), swap_columns),
        Transform("year_groups", "“三公” table with prior- and current-year groups", 30, year_groups_apply, year_groups),
        Transform("synonyms", "header labels replaced by synonyms", 40, lambda m: bool(_renames(m)), synonyms),
        Transform("extra_header_row", "one more grouping row in the header", 50, extra_header_row_applies, extra_header_row),
        Transform("remarks", "a 备注 column with text in a few rows", 60, lambda m: any(t[2].body_rows for t in ordinary_tables(m)), remarks),
        Transform("yuan", "amounts in 元 instead of 万元", 70, has_amounts, yuan),
        Transform("text_amounts", "amounts as text with thousands separators and trailing spaces", 80, has_amounts, text_amounts),
        Transform("title", "titles with year/department prefix or a suffix", 90, lambda m: any(True for _ in m.blocks("table")), title_variant),
        Transform("split", "a long table split over two sheets", 110, lambda m: bool(split_candidates(m)), split_table),
        Transform("one_sheet", "every table stacked on one sheet", 120, lambda m: sum(1 for _ in m.blocks("table", "form")) >= 2, one_sheet),
        Transform("contents_hidden", "a 目录 sheet first and a hidden scratch sheet", 130, lambda m: any(True for _ in m.blocks("table")), contents_and_hidden),
        Transform("generic_names", "sheets named Sheet1… in shuffled order", 140, lambda m: len(m.sheets) >= 2, generic_names),
    ]
}


def applicable(model: WorkbookModel) -> list[str]:
    """The transforms that apply to this workbook, by inspecting it (not by knowing which fixture it is)."""
    return [name for name, t in TRANSFORMS.items() if t.applies(model)]


def apply_all(base: WorkbookModel, names, seed) -> WorkbookModel:
    """A copy of the base with the transforms applied in stage order; `seed` makes it reproducible."""
    model = base.clone()
    rng = random.Random(seed)
    for name in sorted(names, key=lambda n: TRANSFORMS[n].stage):
        model = TRANSFORMS[name].apply(model, rng)
    for sheet in model.sheets:
        sheet.validate()
    return model


__all__ = [
    "TRANSFORMS",
    "AddedNotes",
    "AddedPriorYear",
    "RemovedFigures",
    "Transform",
    "applicable",
    "apply_all",
]
