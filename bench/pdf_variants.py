"""PDF import across layouts: every single-transform layout variant of every seed workbook, printed by
LibreOffice with cell borders and without, read back and compared with its own workbook, figure for
figure. Prints what reads back exactly, per transform and per way of printing; asserts nothing.

    .venv/bin/python bench/pdf_variants.py            (from the project root; about 10 minutes)
    .venv/bin/python bench/pdf_variants.py yuan title  (only these transforms)

The variants are those of tests/test_layout_variants.py (tests/variants/): amounts in 元, one sheet for
everything, renamed columns, an extra header row, year groups, and so on. CI reads one variant per
transform each way (tests/test_pdf_import.py); this sweep reads them all. Time is printed as a ratio
to reading the seed 004 PDF printed as it is, in the same run.
"""

import io
import os
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
if not os.environ.get("DATABASE_URL"):
    os.environ["DATABASE_URL"] = f"sqlite:///{Path(tempfile.gettempdir()) / f'bench-variants-{os.getpid()}.sqlite3'}"

import django  # noqa: E402

django.setup()

from disclosures.ingest.detect import detect  # noqa: E402
from tests.test_layout_variants import SINGLE_CASES, variant  # noqa: E402
from tests.test_pdf_import import figures  # noqa: E402
from tests.variants.printing import print_pdfs  # noqa: E402

SEED004 = ROOT / "tests" / "fixtures" / "seed004_budget_2025.xlsx"


def compare(case, data):
    """'' when the PDF reads back with every figure of the variant's workbook, else what differs."""
    expected = detect(io.BytesIO(variant(case)[1]), case.base.kind).result
    detection = detect(io.BytesIO(data), case.base.kind)
    if detection.format is None:
        return detection.reason
    result = detection.result
    wrong = sorted((n for n in set(figures(expected)) | set(figures(result))
                    if figures(expected).get(n) != figures(result).get(n)), key=int)
    errors = [e.message[:80] for e in result.errors]
    return "; ".join(([f"表{'、'.join(wrong)} 的数字不同"] if wrong else []) + errors[:1])


def main(only):
    cases = [c for c in SINGLE_CASES if c.transforms and (not only or c.transforms[0] in only)]
    reference = {ruled: print_pdfs([SEED004], ruled=ruled)[0] for ruled in (True, False)}
    tally = defaultdict(lambda: [0, 0])
    failures = []
    for ruled in (True, False):
        way = "带表格线" if ruled else "无表格线"
        started = time.perf_counter()
        printed = print_pdfs([io.BytesIO(variant(c)[1]) for c in cases], ruled=ruled)
        print(f"{way}: printed {len(cases)} variants in {time.perf_counter() - started:.0f} s", flush=True)
        base = time.perf_counter()
        detect(io.BytesIO(reference[ruled]), "budget")
        base = time.perf_counter() - base
        reading = []
        for case, data in zip(cases, printed):
            started = time.perf_counter()
            problem = compare(case, data)
            reading.append(time.perf_counter() - started)
            counts = tally[(case.transforms[0], way)]
            counts[0 if not problem else 1] += 1
            if problem:
                failures.append(f"  {way} {case.id}: {problem}")
        reading.sort()
        print(f"{way}: read + compare, median {reading[len(reading) // 2]:.2f} s "
              f"({reading[len(reading) // 2] / base:.1f} × reading seed 004 as printed, {base:.2f} s)", flush=True)
    print()
    print(f"{'transform':<18} {'带表格线':>10} {'无表格线':>10}")
    for name in sorted({t for t, _ in tally}):
        cells = [f"{tally[(name, w)][0]}/{sum(tally[(name, w)])}" for w in ("带表格线", "无表格线")]
        print(f"{name:<18} {cells[0]:>10} {cells[1]:>10}")
    for way in ("带表格线", "无表格线"):
        exact = sum(v[0] for (t, w), v in tally.items() if w == way)
        total = sum(sum(v) for (t, w), v in tally.items() if w == way)
        print(f"{way}: {exact}/{total} variants read back with every figure")
    if failures:
        print("\nNot read back exactly:")
        print("\n".join(failures))


if __name__ == "__main__":
    main(set(sys.argv[1:]))
