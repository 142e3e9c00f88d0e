"""A worksheet as a grid of cell values with its merged ranges: what every later step reads.

A PDF page set becomes the same grid (see `pdf/`), so one reader serves both. A `Sheet` may also be a
slice of a worksheet (one of several tables printed one below another); it keeps the worksheet's name
and row numbers, so every message names the cell as Excel shows it.
"""

from openpyxl.utils import get_column_letter

from disclosures.text import normalize

MAX_ROWS_PER_SHEET = 20000
MAX_COLUMNS = 200


def cell_text(value):
    """A cell as text, as printed: integers without ".0", surrounding space dropped."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


class Sheet:
    """Rows of cell values (0-based), merged ranges, and where they stand in the source."""

    def __init__(self, name, grid, merges=(), *, row_offset=0, hidden=False, page_of_row=None):
        self.name = name
        width = max((len(r) for r in grid), default=0)
        self.grid = [list(r) + [None] * (width - len(r)) for r in grid]
        self.width = width
        self.row_offset = row_offset
        self.hidden = hidden
        # For a grid built from a PDF: the page each row was printed on.
        self.page_of_row = page_of_row or {}
        # (row, col) -> (anchor_row, anchor_col); spans by anchor: (rows, cols)
        self.merged_from = {}
        self.spans = {}
        for r0, c0, r1, c1 in merges:
            self.spans[(r0, c0)] = (r1 - r0 + 1, c1 - c0 + 1)
            for r in range(r0, r1 + 1):
                for c in range(c0, c1 + 1):
                    if (r, c) != (r0, c0):
                        self.merged_from[(r, c)] = (r0, c0)
        self._texts = {}
        self.is_pdf = False
        self.aligned_pages = set()  # PDF pages whose tables had no lines (read by the texts' alignment)

    @classmethod
    def from_worksheet(cls, worksheet):
        rows = []
        for index, row in enumerate(worksheet.iter_rows(values_only=True)):
            if index >= MAX_ROWS_PER_SHEET:
                break
            rows.append(list(row[:MAX_COLUMNS]))
        merges = [
            (m.min_row - 1, m.min_col - 1, m.max_row - 1, m.max_col - 1)
            for m in worksheet.merged_cells.ranges
            if m.min_row <= MAX_ROWS_PER_SHEET and m.min_col <= MAX_COLUMNS
        ]
        return cls(worksheet.title, rows, merges, hidden=worksheet.sheet_state != "visible")

    def slice(self, start, end):
        """Rows start…end-1 as a sheet of their own, keeping the worksheet's row numbers."""
        merges = []
        for (r0, c0), (height, width) in self.spans.items():
            r1 = r0 + height - 1
            if r0 >= start and r1 < end:
                merges.append((r0 - start, c0, r1 - start, c0 + width - 1))
        pages = {r - start: p for r, p in self.page_of_row.items() if start <= r < end}
        part = Sheet(self.name, self.grid[start:end], merges, row_offset=self.row_offset + start, page_of_row=pages)
        part.is_pdf = self.is_pdf
        part.aligned_pages = self.aligned_pages
        return part

    def value(self, r, c, fill_merged=False):
        if fill_merged and (r, c) in self.merged_from:
            r, c = self.merged_from[(r, c)]
        if r >= len(self.grid) or c >= self.width:
            return None
        return self.grid[r][c]

    def texts(self, r):
        """The row's cells as normalised text (for matching, never for storing)."""
        if r not in self._texts:
            self._texts[r] = [normalize(cell_text(v)) for v in self.grid[r]]
        return self._texts[r]

    def nonempty(self, r):
        return [(c, v) for c, v in enumerate(self.grid[r]) if cell_text(v)]

    def is_blank(self, r):
        return not any(self.texts(r))

    def ref(self, r, c):
        """The cell as Excel names it ("H12"), or on a PDF its page, line and column."""
        if self.is_pdf:
            page, line = self._page_line(r)
            return f"第 {page} 页第 {line} 行第 {c + 1} 列"
        return f"{get_column_letter(c + 1)}{r + 1 + self.row_offset}"

    def where(self, r, c):
        """A cell for a message: "工作表“表3”单元格 C7", or "PDF 第 3 页第 5 行第 2 列"."""
        return f"PDF {self.ref(r, c)}" if self.is_pdf else f"工作表“{self.name}”单元格 {self.ref(r, c)}"

    def source(self, r):
        """Where a row came from, for messages: "表3!12", or "第3页!5" on a PDF."""
        if self.is_pdf:
            page, line = self._page_line(r)
            return f"第{page}页!{line}"
        return f"{self.name}!{r + 1 + self.row_offset}"

    def _page_line(self, r):
        page = self.page_of_row.get(r, 0)
        first = min((x for x, p in self.page_of_row.items() if p == page), default=r)
        return page, r - first + 1

    def pages(self, rows):
        return sorted({self.page_of_row[r] for r in rows if r in self.page_of_row})
