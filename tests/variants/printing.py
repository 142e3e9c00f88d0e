"""Print a workbook to PDF the way a department does: LibreOffice Calc, fit to page width, landscape
when wide, long names wrapped inside their cells; with cell borders (ruled) or without (unruled).

Used by the PDF import tests; needs Debian's libreoffice-calc-nogui (installed by `make`).
"""

import io
import math
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.styles import Alignment, Border, Side
from openpyxl.utils import get_column_letter

THIN = Side(style="thin")


def _width_of(text):
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in str(text))


def _lines_of(text, width):
    """Printed lines of a wrapped cell: each paragraph wraps on its own."""
    return sum(max(1, math.ceil(_width_of(p) / max(width - 2, 1))) for p in str(text).split("\n"))


def _furniture(value):
    text = str(value).replace(" ", "")
    return bool(re.match(r"^(表|公开)\d{1,2}表?$", text)) or any(m in text for m in ("单位:", "单位：", "名称：", "名称:"))


def prepare(source, *, ruled: bool) -> bytes:
    """The workbook with print settings (and borders when ruled), as .xlsx bytes."""
    book = load_workbook(source)
    for sheet in book.worksheets:
        _prepare_sheet(sheet, ruled)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _prepare_sheet(ws, ruled):
    merged = {
        (r, c) for rng in ws.merged_cells.ranges for r in range(rng.min_row, rng.max_row + 1)
        for c in range(rng.min_col, rng.max_col + 1)
    }

    def header_like(r):
        values = [c.value for c in ws[r] if c.value not in (None, "")]
        return len(values) >= 2 and not any(_furniture(v) for v in values)

    start = next((r for r in range(1, ws.max_row + 1) if header_like(r)), 1)
    widths = {}
    for row in ws.iter_rows(min_row=start):
        for c in row:
            if c.value not in (None, "") and (c.row, c.column) not in merged:
                widths[c.column] = max(widths.get(c.column, 6), min(_width_of(c.value) + 2, 26))
    for col, w in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = w
    for row in ws.iter_rows(min_row=start):
        lines = 1
        for c in row:
            if type(c).__name__ == "MergedCell" or c.value in (None, ""):
                continue
            c.alignment = Alignment(wrap_text=True, vertical="center", horizontal=c.alignment.horizontal)
            if (c.row, c.column) not in merged:
                lines = max(lines, _lines_of(c.value, widths.get(c.column, 8)))
        ws.row_dimensions[row[0].row].height = 15 * lines
    for rng in ws.merged_cells.ranges:
        anchor = ws.cell(row=rng.min_row, column=rng.min_col)
        if anchor.value in (None, "") or rng.min_row < start:
            continue
        anchor.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        width = sum(widths.get(c, 8.43) for c in range(rng.min_col, rng.max_col + 1))
        lines = _lines_of(anchor.value, width)
        rows = rng.max_row - rng.min_row + 1
        for r in range(rng.min_row, rng.max_row + 1):
            ws.row_dimensions[r].height = max(ws.row_dimensions[r].height or 15, 15 * math.ceil(lines / rows) + 2)
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.orientation = "landscape" if ws.max_column > 6 else "portrait"
    if ruled:
        for row in ws.iter_rows(min_row=start, max_row=ws.max_row):
            if all(c.value in (None, "") for c in row) and not any(type(c).__name__ == "MergedCell" for c in row):
                continue
            filled = [c for c in row if c.value not in (None, "")]
            if len(filled) == 1 and str(row[0].value or "").startswith(("注", "备注")):
                continue
            for c in row:
                c.border = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


def print_pdf(source, *, ruled: bool) -> bytes:
    """The workbook printed to PDF by LibreOffice (its own profile, so parallel runs do not collide)."""
    return print_pdfs([source], ruled=ruled)[0]


def print_pdfs(sources, *, ruled: bool) -> list[bytes]:
    """Several workbooks printed by one LibreOffice run (starting it costs more than printing one)."""
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None:
        raise RuntimeError("LibreOffice (Debian libreoffice-calc-nogui) is needed to print workbooks; `make install` installs it")
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        books = []
        for n, source in enumerate(sources):
            books.append(folder / f"book{n}.xlsx")
            books[-1].write_bytes(prepare(source, ruled=ruled))
        profile = (folder / "profile").as_uri()
        subprocess.run(
            [office, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf", "--outdir", str(folder),
             *map(str, books)],
            check=True, capture_output=True, timeout=180 + 30 * len(books), env={**os.environ, "HOME": str(folder)},
        )
        return [book.with_suffix(".pdf").read_bytes() for book in books]
