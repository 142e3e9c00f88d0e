"""PDF import timings: reading a printed disclosure into checked tables. Prints figures; asserts nothing.

    .venv/bin/python bench/pdf_import.py        (from the project root)

Target: an 18-table disclosure ≤ 5 s. Printed here by LibreOffice (tests/variants/printing.py) from
seed 004, with cell borders and without; each set against a one-table PDF (表7 alone) printed the same way.
"""

import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
_own_db = None
if not os.environ.get("DATABASE_URL"):
    _own_db = Path(tempfile.gettempdir()) / f"bench-pdf-{os.getpid()}.sqlite3"
    os.environ["DATABASE_URL"] = f"sqlite:///{_own_db}"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from openpyxl import load_workbook  # noqa: E402

from disclosures.ingest.detect import choose  # noqa: E402
from disclosures.ingest.pdf import read_pdf  # noqa: E402
from tests.variants.printing import print_pdf  # noqa: E402

RUNS = 5
SEED004 = ROOT / "tests" / "fixtures" / "seed004_budget_2025.xlsx"


def one_table_workbook():
    book = load_workbook(SEED004)
    for sheet in [s for s in book.worksheets if s.title != "7三公"]:
        book.remove(sheet)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def timed(data):
    grid, whole = [], []
    for _ in range(RUNS):
        started = time.perf_counter()
        read_pdf(io.BytesIO(data))
        grid.append(time.perf_counter() - started)
        started = time.perf_counter()
        choice = choose(io.BytesIO(data), kind="budget", region_path="辽宁省/基准测试", year=2025)
        whole.append(time.perf_counter() - started)
        assert choice.format is not None and not choice.result.errors
    return statistics.median(grid), statistics.median(whole), len(choice.result.tables)


def main():
    call_command("migrate", verbosity=0)
    print("预决算公开 bench: PDF import (median of %d runs)" % RUNS)
    for ruled, label in ((True, "with cell borders (ruled)"), (False, "without borders (columns by alignment)")):
        full = print_pdf(SEED004, ruled=ruled)
        small = print_pdf(one_table_workbook(), ruled=ruled)
        pages_full = len(read_pdf(io.BytesIO(full))[0].pages(range(10_000)))
        pages_small = len(read_pdf(io.BytesIO(small))[0].pages(range(10_000)))
        grid_full, whole_full, tables = timed(full)
        grid_small, whole_small, _ = timed(small)
        print(f"  printed {label}")
        print(f"    seed004: {pages_full} pages, {tables} tables")
        print(f"      pages → grid             {grid_full:6.2f} s  ({grid_full / pages_full * 1000:5.0f} ms a page)")
        print(f"      read, detect and check   {whole_full:6.2f} s  ({whole_full / pages_full * 1000:5.0f} ms a page)")
        print(f"    one-table PDF: {pages_small} page")
        print(f"      read, detect and check   {whole_small:6.2f} s")
        print(f"    ratio 18-table / one-table {whole_full / whole_small:6.1f}×")
        print(f"    target: an 18-table disclosure ≤ 5 s: {'OK' if whole_full <= 5 else 'OVER'}")


if __name__ == "__main__":
    try:
        main()
    finally:
        if _own_db is not None:
            _own_db.unlink(missing_ok=True)
