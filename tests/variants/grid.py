"""An editable model of a workbook, independent of the importer under test.

A workbook is loaded into plain lists (per sheet: rows of cell values, merged ranges, hidden state,
name), edited by the transforms, and written back to .xlsx in memory. Row and column edits keep the
merged ranges right, because a header is mostly merges: a merge that loses its anchor would silently
drop a label, and the variant would test the generator instead of the reader.

`analyse` finds a table's layout (title, header block, body rows, amount columns) from the sheet alone.
It deliberately shares no code with disclosures/: if it did, a bug in the reader could hide itself.
"""

from __future__ import annotations

import copy
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.merge import MergedCellRange

# A merged range, 0-based and inclusive: (first row, first column, last row, last column).
Merge = tuple[int, int, int, int]


# ---------------------------------------------------------------------------
# Text and numbers
# ---------------------------------------------------------------------------

_SPACES = re.compile(r"\s+")
_WIDTH = str.maketrans({"（": "(", "）": ")", "：": ":", "，": ",", "“": "", "”": "", '"': "", "\u3000": ""})


def norm(value) -> str:
    """Label text as compared: no spaces, half-width brackets and colons, no quotes."""
    if value is None:
        return ""
    return _SPACES.sub("", str(value)).translate(_WIDTH)


_NUMBER_TEXT = re.compile(r"-?\d+(\.\d+)?")
BLANK_MARKS = {"", "-", "－", "—", "--", "/"}


def as_number(value) -> Decimal | None:
    """The cell as an exact Decimal when it is a figure (number, or text such as "1,425.40 "), else None."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        # repr gives the shortest text that round-trips: 1425.4 -> "1425.4", never 1425.40000000000009
        return Decimal(repr(value))
    if isinstance(value, str):
        text = value.strip().replace("\u3000", "").replace(",", "")
        if _NUMBER_TEXT.fullmatch(text):
            try:
                return Decimal(text)
            except InvalidOperation:
                return None
    return None


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and value.strip() in BLANK_MARKS)


# Lines printed above a header: "表3", "公开03表", "部门名称：…", "单位：万元", "预算年度：2024", "截止时间：…".
NUMBER_LINE = re.compile(r"^(?:表\d{1,2}|公开\d{1,2}表|附件\d*)$")
NAME_LINE = re.compile(r"^(?:部门|单位)(?:名称)?:")
UNIT_TEXT = re.compile(r"单位:(万元|元|千元)")
OTHER_PREAMBLE = re.compile(r"^(?:预算年度|截止时间|截止日期|编制单位)")
TOTAL_LABELS = {"合计", "总计"}
ENUMERATED = re.compile(r"^(?:[一二三四五六七八九十]+、|\([一二三四五六七八九十]+\)|\d+[.、])")
CODE_TEXT = re.compile(r"^\d{3,7}$")
# Header labels of columns that hold numbers which are not amounts (codes, serials, line numbers, counts).
NOT_AMOUNT_LABEL = re.compile(r"编码|序号|行次|栏次|数量|计量单位|代码")
COLUMN_NUMBER_LABEL = "栏次"
# Leaf labels of text columns ("科目名称", "项目", "单位名称", "项目内容", "支出功能分类（类级）").
LABEL_COLUMN = re.compile(r"名称|编码|序号|行次|内容|代码|科目|分类|^项目$|^单位$|^项目\(政策\)$|^备注$")
NOTE_START = re.compile(r"^(?:注|备注|说明)\d*[:：、]")


def is_preamble_text(text: str) -> bool:
    t = norm(text)
    return bool(NUMBER_LINE.match(t) or NAME_LINE.match(t) or UNIT_TEXT.search(t) or OTHER_PREAMBLE.match(t))


# ---------------------------------------------------------------------------
# The model
# ---------------------------------------------------------------------------


@dataclass
class Block:
    """One table laid out in a sheet, rows [start, end). A stacked sheet holds several."""

    start: int
    end: int
    role: str  # table | form | cover | contents | empty
    title: str = ""
    continues: bool = False  # the rest of the previous table (a split table's continuation)


@dataclass
class SheetModel:
    name: str
    rows: list[list] = field(default_factory=list)
    merges: list[Merge] = field(default_factory=list)
    state: str = "visible"
    blocks: list[Block] = field(default_factory=list)
    continues: bool = False  # this sheet continues the table of the sheet before it

    # -- cells ------------------------------------------------------------------

    @property
    def height(self) -> int:
        return len(self.rows)

    @property
    def width(self) -> int:
        cols = max((len(r) for r in self.rows), default=0)
        for _r0, _c0, _r1, c1 in self.merges:
            cols = max(cols, c1 + 1)
        return cols

    def get(self, r: int, c: int):
        if 0 <= r < len(self.rows) and 0 <= c < len(self.rows[r]):
            return self.rows[r][c]
        return None

    def set(self, r: int, c: int, value):
        while len(self.rows) <= r:
            self.rows.append([])
        row = self.rows[r]
        if len(row) <= c:
            row.extend([None] * (c + 1 - len(row)))
        row[c] = value

    def merge_at(self, r: int, c: int) -> Merge | None:
        # Analysis asks this for every header cell; an index per merges list keeps it O(1).
        # Every edit either replaces self.merges or goes through add_merge/remove_merge, which drop it.
        index = self.__dict__.get("_merge_index")
        if index is None or index[0] is not self.merges:
            cells = {}
            for m in self.merges:
                for rr in range(m[0], m[2] + 1):
                    for cc in range(m[1], m[3] + 1):
                        cells[(rr, cc)] = m
            index = (self.merges, cells)
            self.__dict__["_merge_index"] = index
        return index[1].get((r, c))

    def value(self, r: int, c: int, fill_merged: bool = True):
        """The cell's value; a cell inside a merge shows the merge's (as it looks when printed)."""
        if fill_merged:
            m = self.merge_at(r, c)
            if m is not None:
                return self.get(m[0], m[1])
        return self.get(r, c)

    def nonempty(self, r: int) -> list[tuple[int, object]]:
        if r >= len(self.rows):
            return []
        return [(c, v) for c, v in enumerate(self.rows[r]) if v is not None and str(v).strip() != ""]

    def add_merge(self, r0, c0, r1, c1):
        if (r0, c0) == (r1, c1):
            return
        new = (r0, c0, r1, c1)
        for m in self.merges:
            if not (m[2] < r0 or r1 < m[0] or m[3] < c0 or c1 < m[1]):
                raise ValueError(f"{self.name}: merge {ref(new)} overlaps {ref(m)}")
        self.merges.append(new)
        self.__dict__.pop("_merge_index", None)

    def remove_merge(self, m: Merge):
        self.merges.remove(m)
        self.__dict__.pop("_merge_index", None)

    # -- rows -------------------------------------------------------------------

    def insert_rows(self, at: int, count: int = 1):
        """Insert blank rows before row `at`. As in Excel, a merge spanning the insertion point grows."""
        if count <= 0:
            return
        while len(self.rows) < at:
            self.rows.append([])
        self.rows[at:at] = [[] for _ in range(count)]
        merges = []
        for r0, c0, r1, c1 in self.merges:
            if r0 >= at:
                merges.append((r0 + count, c0, r1 + count, c1))
            elif r1 >= at:
                merges.append((r0, c0, r1 + count, c1))
            else:
                merges.append((r0, c0, r1, c1))
        self.merges = merges
        for b in self.blocks:
            if b.start >= at:
                b.start += count
                b.end += count
            elif b.end > at:
                b.end += count

    def delete_rows(self, at: int, count: int = 1):
        """Delete rows [at, at+count). A merge keeps its surviving part; its label moves to the new anchor."""
        if count <= 0:
            return
        gone = range(at, at + count)

        def moved(r):
            return r if r < at else r - count

        merges, anchors = [], []
        for r0, c0, r1, c1 in self.merges:
            kept = [r for r in range(r0, r1 + 1) if r not in gone]
            if not kept:
                continue
            new = (moved(kept[0]), c0, moved(kept[-1]), c1)
            if r0 in gone:
                anchors.append((new[0], c0, self.get(r0, c0)))
            if new[0] != new[2] or c0 != c1:
                merges.append(new)
        del self.rows[at : at + count]
        self.merges = merges
        for r, c, v in anchors:
            self.set(r, c, v)
        for b in self.blocks:
            start, end = b.start, b.end
            b.start = moved(start) if start not in gone else at
            b.end = max(b.start, end - len([r for r in gone if r < end]) if end > at else end)

    # -- columns ----------------------------------------------------------------

    def insert_cols(self, at: int, count: int = 1):
        """Insert blank columns before column `at` in every row; a merge spanning the point grows."""
        if count <= 0:
            return
        for row in self.rows:
            if len(row) > at:
                row[at:at] = [None] * count
        merges = []
        for r0, c0, r1, c1 in self.merges:
            if c0 >= at:
                merges.append((r0, c0 + count, r1, c1 + count))
            elif c1 >= at:
                merges.append((r0, c0, r1, c1 + count))
            else:
                merges.append((r0, c0, r1, c1))
        self.merges = merges

    def delete_cols(self, at: int, count: int = 1):
        """Delete columns [at, at+count) in every row, shrinking merges and keeping their labels."""
        if count <= 0:
            return
        gone = range(at, at + count)

        def moved(c):
            return c if c < at else c - count

        merges, anchors = [], []
        for r0, c0, r1, c1 in self.merges:
            kept = [c for c in range(c0, c1 + 1) if c not in gone]
            if not kept:
                continue
            new = (r0, moved(kept[0]), r1, moved(kept[-1]))
            if c0 in gone:
                anchors.append((r0, new[1], self.get(r0, c0)))
            if new[1] != new[3] or r0 != r1:
                merges.append(new)
        for row in self.rows:
            del row[at : at + count]
        self.merges = merges
        for r, c, v in anchors:
            self.set(r, c, v)

    def swap_cols(self, a: int, b: int, first_row: int, end_row: int, skip_rows=()):
        """Swap columns a and b in rows [first_row, end_row), labels, figures and single-column merges.

        A merge covering both columns (a group label) stays where it is; one covering a column and a
        neighbour cannot be swapped without tearing it, so that is refused."""
        rows = range(first_row, end_row)
        merges = []
        for m in self.merges:
            r0, c0, r1, c1 = m
            inside = r0 >= first_row and r1 < end_row
            touches_rows = not (r1 < first_row or r0 >= end_row)
            has_a, has_b = c0 <= a <= c1, c0 <= b <= c1
            if not touches_rows or has_a == has_b:
                merges.append(m)
                continue
            if not inside or c0 != c1:
                raise ValueError(f"{self.name}: merge {ref(m)} would be torn by swapping columns {a} and {b}")
            target = b if has_a else a
            merges.append((r0, target, r1, target))
        for r in rows:
            if r in skip_rows:
                continue
            ma, mb = self.merge_at(r, a), self.merge_at(r, b)
            if ma is not None and ma is mb:
                continue
            va, vb = self.get(r, a), self.get(r, b)
            self.set(r, a, vb)
            self.set(r, b, va)
        self.merges = merges

    # -- fragments --------------------------------------------------------------

    def copy_rows(self, first: int, end: int) -> "Fragment":
        """Rows [first, end) with the merges inside them (a merge crossing the edge is refused)."""
        merges = []
        for r0, c0, r1, c1 in self.merges:
            if r1 < first or r0 >= end:
                continue
            if r0 < first or r1 >= end:
                raise ValueError(f"{self.name}: merge {ref((r0, c0, r1, c1))} crosses rows {first}–{end - 1}")
            merges.append((r0 - first, c0, r1 - first, c1))
        return Fragment([list(r) for r in self.rows[first:end]], merges)

    def paste(self, fragment: "Fragment", at: int):
        """Insert the fragment's rows before row `at`."""
        self.insert_rows(at, len(fragment.rows))
        for i, row in enumerate(fragment.rows):
            self.rows[at + i] = list(row)
        for r0, c0, r1, c1 in fragment.merges:
            self.add_merge(r0 + at, c0, r1 + at, c1)

    def validate(self):
        """Merges must not overlap, and only a merge's anchor may hold a value (Excel drops the rest)."""
        seen = {}
        for m in self.merges:
            r0, c0, r1, c1 = m
            if r0 > r1 or c0 > c1 or r0 < 0 or c0 < 0:
                raise AssertionError(f"{self.name}: malformed merge {m}")
            for r in range(r0, r1 + 1):
                for c in range(c0, c1 + 1):
                    if (r, c) in seen:
                        raise AssertionError(f"{self.name}: merges {ref(seen[(r, c)])} and {ref(m)} overlap")
                    seen[(r, c)] = m
                    if (r, c) != (r0, c0) and not is_blank(self.get(r, c)):
                        raise AssertionError(f"{self.name}: {ref((r, c, r, c))} inside {ref(m)} holds {self.get(r, c)!r}")


@dataclass
class Fragment:
    rows: list[list]
    merges: list[Merge]


@dataclass
class WorkbookModel:
    sheets: list[SheetModel]
    kind: str = "budget"
    year: int | None = None
    department: str = ""
    # What the transforms changed in the expected figures (see transforms.py), in the order applied.
    effects: list = field(default_factory=list)
    applied: list[str] = field(default_factory=list)

    def clone(self) -> "WorkbookModel":
        return copy.deepcopy(self)

    def visible(self):
        return [s for s in self.sheets if s.state == "visible"]

    def blocks(self, *roles):
        """(sheet, block) for every block of the given roles in visible sheets, in workbook order."""
        for sheet in self.sheets:
            if sheet.state != "visible":
                continue
            for block in sheet.blocks:
                if not roles or block.role in roles:
                    yield sheet, block

    def sheet_index(self, sheet: SheetModel) -> int:
        return next(i for i, s in enumerate(self.sheets) if s is sheet)


def ref(m) -> str:
    r0, c0, r1, c1 = m
    a = f"{get_column_letter(c0 + 1)}{r0 + 1}"
    return a if (r0, c0) == (r1, c1) else f"{a}:{get_column_letter(c1 + 1)}{r1 + 1}"


# ---------------------------------------------------------------------------
# Load and write
# ---------------------------------------------------------------------------


def load(source, *, kind: str = "budget", year: int | None = None) -> WorkbookModel:
    """Read an .xlsx (path or file object) into a model; each sheet starts as one block."""
    workbook = load_workbook(source)
    sheets = []
    for ws in workbook.worksheets:
        rows = [list(r) for r in ws.iter_rows(values_only=True)]
        while rows and not any(v is not None and str(v).strip() for v in rows[-1]):
            rows.pop()
        for row in rows:
            while row and row[-1] is None:
                row.pop()
        merges = [(m.min_row - 1, m.min_col - 1, m.max_row - 1, m.max_col - 1) for m in ws.merged_cells.ranges]
        merges.sort()
        sheet = SheetModel(name=ws.title, rows=rows, merges=merges, state=ws.sheet_state)
        role, title = classify(sheet, 0, sheet.height)
        sheet.blocks = [Block(0, sheet.height, role, title)]
        sheets.append(sheet)
    model = WorkbookModel(sheets=sheets, kind=kind, year=year)
    model.department = find_department(model)
    return model


def to_xlsx(model: WorkbookModel, *, pretty: bool = False) -> io.BytesIO:
    """Write the model as an .xlsx into a BytesIO (positioned at 0).

    `pretty` adds column widths, bold titles and number formats for a person opening the file; the
    tests skip it because it is pure cost."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for sheet in model.sheets:
        sheet.validate()
        ws = workbook.create_sheet(title=sheet.name)
        anchors = {(m[0], m[1]) for m in sheet.merges}
        for r, row in enumerate(sheet.rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, Decimal):
                    value = int(value) if value == value.to_integral_value() else float(value)
                cell = ws.cell(row=r + 1, column=c + 1, value=value)
                if pretty:
                    if isinstance(value, (int, float)):
                        cell.number_format = "#,##0.00"
                    if (r, c) in anchors:
                        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        for r0, c0, r1, c1 in sheet.merges:
            coord = f"{get_column_letter(c0 + 1)}{r0 + 1}:{get_column_letter(c1 + 1)}{r1 + 1}"
            # ws.merge_cells re-checks every earlier range and restyles every cell: most of the write time.
            # validate() has already refused overlaps, so the range is added as it is.
            ws.merged_cells.ranges.add(MergedCellRange(ws, coord))
        ws.sheet_state = sheet.state
        if pretty:
            for c in range(sheet.width):
                ws.column_dimensions[get_column_letter(c + 1)].width = 16
            for block in sheet.blocks:
                layout = analyse(sheet, block)
                if layout.title_row is not None:
                    ws.cell(row=layout.title_row + 1, column=1).font = Font(bold=True, size=14)
    visible = [i for i, s in enumerate(model.sheets) if s.state == "visible"]
    if visible:
        workbook.active = visible[0]
    out = io.BytesIO()
    workbook.save(out)
    out.seek(0)
    return out


# ---------------------------------------------------------------------------
# Layout analysis
# ---------------------------------------------------------------------------


def classify(sheet: SheetModel, start: int, end: int) -> tuple[str, str]:
    """(role, title) of the rows [start, end) of a sheet."""
    first = next((r for r in range(start, end) if sheet.nonempty(r)), None)
    if first is None:
        return "empty", ""
    title = str(sheet.nonempty(first)[0][1]).strip()
    if norm(title) == "目录":
        return "contents", title
    if "绩效" in title:
        return "form", title
    layout = analyse(sheet, Block(start, end, "table", title))
    if layout.header_start is None:
        return "cover", title
    return "table", layout.title


def find_department(model: WorkbookModel) -> str:
    """The department as printed on the tables: "部门名称：X", "单位名称：X", "部门：X", or the line under a Hebei title."""
    for sheet, block in model.blocks("table"):
        layout = analyse(sheet, block)
        for r in layout.preamble_rows:
            for _c, value in sheet.nonempty(r):
                text = str(value).strip()
                m = re.match(r"^(?:部门|单位)(?:名称)?\s*[:：]\s*(.+?)(?:\s+单位\s*[:：].*)?$", text)
                if m and not UNIT_TEXT.search(norm(text)):
                    return m.group(1).strip()
        for r in layout.preamble_rows:
            cells = sheet.nonempty(r)
            if r != layout.title_row and len(cells) >= 1 and not is_preamble_text(cells[0][1]):
                return str(cells[0][1]).strip()
    return ""


@dataclass
class TableLayout:
    sheet: SheetModel
    start: int
    end: int
    title: str = ""
    title_row: int | None = None
    number: str = ""  # "表3", "公开03表" as printed, or ""
    preamble_rows: list[int] = field(default_factory=list)
    header_start: int | None = None
    header_depth: int = 0  # rows, the 栏次 row included
    column_number_row: int | None = None
    repeats: list[tuple[int, int]] = field(default_factory=list)  # repeated headers in the body: (start, depth)
    furniture_rows: list[int] = field(default_factory=list)  # title / 表N / unit lines repeated in the body
    note_rows: list[int] = field(default_factory=list)
    body_rows: list[int] = field(default_factory=list)
    width: int = 0
    paths: list[list[str]] = field(default_factory=list)  # per column, header labels top-down (normalised)
    amount_cols: list[int] = field(default_factory=list)
    unit: str = "万元"

    @property
    def header_end(self) -> int:
        return (self.header_start or 0) + self.header_depth

    @property
    def label_rows(self) -> list[int]:
        """Header rows that carry labels (not the 栏次 row)."""
        return [r for r in range(self.header_start, self.header_end) if r != self.column_number_row]

    def header_blocks(self) -> list[tuple[int, int]]:
        """The header and each repetition of it, bottom-up so that row edits keep the others' positions."""
        return sorted([(self.header_start, self.header_depth), *self.repeats], reverse=True)

    @property
    def text_cols(self) -> list[int]:
        """Columns of labels, codes, serials or counts: any header label says so, or the body holds text."""
        out = []
        for c in range(self.width):
            path = self.paths[c] if c < len(self.paths) else []
            leaf = path[-1] if path else ""
            if LABEL_COLUMN.search(leaf) or any(NOT_AMOUNT_LABEL.search(p) for p in path):
                out.append(c)
                continue
            if any(not is_blank(v) and as_number(v) is None for v in (self.sheet.get(r, c) for r in self.body_rows)):
                out.append(c)
        return out

    @property
    def value_cols(self) -> list[int]:
        """Columns of figures, whether or not this table has any (an empty 表13 has value columns too)."""
        text = set(self.text_cols)
        return [c for c in range(self.width) if c not in text and self.paths[c]]

    def amount_cells(self):
        for r in self.body_rows:
            for c in self.amount_cols:
                if as_number(self.sheet.get(r, c)) is not None:
                    yield r, c


def _row_texts(sheet, r, width):
    return [norm(sheet.value(r, c)) for c in range(width)]


def _data_like(sheet: SheetModel, r: int) -> bool:
    """A body row: a figure, a classification code, an enumerated line, or a 合计 label where labels stand."""
    cells = sheet.nonempty(r)
    for c, value in cells:
        if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
            return True
        text = norm(value)
        if as_number(value) is not None and "." in str(value):
            return True
        if c < 3 and (CODE_TEXT.match(text) or ENUMERATED.match(text)):
            return True
    texts = [norm(v) for _c, v in cells]
    return bool(texts) and texts[0] in TOTAL_LABELS and len(texts) <= 2


def analyse(sheet: SheetModel, block: Block) -> TableLayout:
    """Find the layout of the table in rows [block.start, block.end) of the sheet."""
    start, end = block.start, min(block.end, sheet.height)
    layout = TableLayout(sheet=sheet, start=start, end=end)
    r = start
    # Preamble: title, 表N, department and unit lines. A row of two or more labels that are not such lines
    # starts the header (the 表1 header has only two: 收入 | 支出).
    while r < end and r < start + 8:
        cells = sheet.nonempty(r)
        if not cells:
            r += 1
            continue
        texts = [str(v) for _c, v in cells]
        preamble = len(cells) == 1 or (len(cells) <= 2 and any(is_preamble_text(t) for t in texts))
        if not preamble:
            break
        layout.preamble_rows.append(r)
        for t in texts:
            n = norm(t)
            if NUMBER_LINE.match(n):
                layout.number = n
            elif layout.title_row is None and not is_preamble_text(t) and len(cells) == 1:
                layout.title_row, layout.title = r, t.strip()
        r += 1
    for rr in range(start, min(end, start + 10)):
        for _c, v in sheet.nonempty(rr):
            m = UNIT_TEXT.search(norm(v))
            if m:
                layout.unit = m.group(1)
                break
        else:
            continue
        break
    if r >= end or r >= start + 8 or len(sheet.nonempty(r)) < 2:
        return layout
    layout.header_start = r
    depth = 1
    while r + depth < end and depth < 6:
        rr = r + depth
        texts = [norm(v) for _c, v in sheet.nonempty(rr)]
        if COLUMN_NUMBER_LABEL in texts:
            layout.column_number_row = rr
            depth += 1
            break
        covered = any(m[0] >= r and m[0] < rr <= m[2] for m in sheet.merges)
        if covered and not _data_like(sheet, rr):
            depth += 1
            continue
        if texts and not _data_like(sheet, rr) and len(texts) >= 2:
            depth += 1
            continue
        break
    layout.header_depth = depth
    # Width: the columns the header covers.
    width = 0
    for hr in range(r, r + depth):
        for c, _v in sheet.nonempty(hr):
            width = max(width, c + 1)
        for m in sheet.merges:
            if m[0] <= hr <= m[2]:
                width = max(width, m[3] + 1)
    layout.width = width
    first_texts = _row_texts(sheet, r, width)
    labels = [t for t in first_texts if t]
    title_norm = norm(layout.title)
    in_note = False
    rr = r + depth
    while rr < end:
        cells = sheet.nonempty(rr)
        if not cells:
            rr += 1
            continue
        texts = _row_texts(sheet, rr, width)
        if labels and all(a == b for a, b in zip(texts, first_texts) if b) and sum(1 for t in texts if t) >= max(1, len(labels) // 2) and not _data_like(sheet, rr):
            # A header repeated where a printed page broke.
            layout.repeats.append((rr, depth))
            rr += depth
            continue
        plain = [norm(v) for _c, v in cells]
        if all(is_preamble_text(v) or norm(v) == title_norm or ("续" in norm(v) and title_norm and title_norm in norm(v)) for _c, v in cells):
            layout.furniture_rows.append(rr)
            rr += 1
            continue
        lone_text = len(cells) == 1 and as_number(cells[0][1]) is None
        if lone_text and (in_note or NOTE_START.match(plain[0])):
            in_note = True
            layout.note_rows.append(rr)
            rr += 1
            continue
        layout.body_rows.append(rr)
        rr += 1
    # Column label paths, and which columns hold amounts.
    for c in range(width):
        path = []
        for hr in range(r, r + depth):
            if hr == layout.column_number_row:
                continue
            text = norm(sheet.value(hr, c))
            if text and (not path or path[-1] != text):
                path.append(text)
        layout.paths.append(path)
    for c in range(width):
        if any(NOT_AMOUNT_LABEL.search(p) for p in layout.paths[c]):
            continue
        values = [sheet.get(b, c) for b in layout.body_rows]
        numbers = [v for v in values if as_number(v) is not None]
        texts = [v for v in values if not is_blank(v) and as_number(v) is None]
        if numbers and not texts:
            layout.amount_cols.append(c)
    return layout


def text_cells(sheet: SheetModel, first: int, end: int):
    for r in range(first, min(end, sheet.height)):
        for c, v in sheet.nonempty(r):
            if isinstance(v, str):
                yield r, c, v


# ---------------------------------------------------------------------------
# Figures per table, found by title: the generator's own check that a variant keeps the figures
# ---------------------------------------------------------------------------


def figures_by_table(model: WorkbookModel, titles: dict[str, str]) -> tuple[dict[str, list[Decimal]], dict[str, str | None]]:
    """Every amount of every ordinary table, in 万元, keyed by the table's base title; and the unit each
    table's first part prints (None when it prints none).

    `titles` maps each base title to its role ("table" or "form"). Tables are found by title wherever
    they are: one per sheet, stacked on one sheet, with a year or department in front, or continued on
    the next sheet (a part without a title, or titled "…（续）", belongs to the table before it). Hidden
    sheets and contents sheets are not read. Forms are not counted (their figures are not amounts)."""
    wanted = sorted(titles, key=lambda t: -len(norm(t)))
    out: dict[str, list[Decimal]] = {}
    units: dict[str, str] = {}
    current = None
    for sheet in model.sheets:
        if sheet.state != "visible":
            continue
        first = next((r for r in range(sheet.height) if sheet.nonempty(r)), None)
        if first is None or norm(sheet.nonempty(first)[0][1]) == "目录":
            continue
        starts = []
        for r in range(sheet.height):
            cells = sheet.nonempty(r)
            if not 1 <= len(cells) <= 2:
                continue
            text = norm(cells[0][1])
            match = next((t for t in wanted if norm(t) in text), None)
            if match is not None and not text.startswith(("注", "备注")):
                starts.append((r, match))
        segments = []
        if not starts or starts[0][0] > first:
            segments.append((first, starts[0][0] if starts else sheet.height, current))
        for i, (r, title) in enumerate(starts):
            segments.append((r, starts[i + 1][0] if i + 1 < len(starts) else sheet.height, title))
        for start, end, title in segments:
            if title is None:
                continue
            current = title
            if titles[title] != "table":
                continue
            layout = analyse(sheet, Block(start, end, "table", title))
            found = next(
                (m.group(1) for _r, _c, v in text_cells(sheet, start, layout.header_end) for m in [UNIT_TEXT.search(norm(v))] if m),
                None,
            )
            # A continuation printed without a unit line is in the unit of the part before it.
            units.setdefault(title, found)
            unit = found or units[title] or "万元"
            factor = Decimal(10000) if unit == "元" else Decimal(10) if unit == "千元" else Decimal(1)
            bucket = out.setdefault(title, [])
            for r, c in layout.amount_cells():
                bucket.append(as_number(sheet.get(r, c)) / factor)
    return out, units
