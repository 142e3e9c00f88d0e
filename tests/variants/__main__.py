"""Write every single-transform variant of every base workbook to a folder, for a person to open.

    .venv/bin/python -m tests.variants OUTDIR

One file per base and transform ("seed000_budget_2025-yuan.xlsx"), with readable column widths, and a
line per file saying what the transform did. The tests never write files; this is for looking.
"""

import sys
from pathlib import Path

from tests.variants import grid
from tests.variants.transforms import TRANSFORMS, applicable, apply_all

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

# The seed workbooks, their kind and disclosure year (kept in step with tests/test_layout_variants.py).
BASES = [
    ("seed000_budget_2025.xlsx", "budget", 2025),
    ("seed004_budget_2025.xlsx", "budget", 2025),
    ("seed004_budget_2024.xlsx", "budget", 2024),
    ("seed003_budget_2024.xlsx", "budget", 2024),
    ("seed002_final_accounts_2024.xlsx", "final_accounts", 2024),
    ("shenyang_budget17_2023.xlsx", "budget", 2023),
    ("seed002_budget_2024.xlsx", "budget", 2024),
]


def main(argv):
    if len(argv) != 1:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    out = Path(argv[0])
    out.mkdir(parents=True, exist_ok=True)
    written = 0
    for file, kind, year in BASES:
        base = grid.load(FIXTURES / file, kind=kind, year=year)
        stem = file.removesuffix(".xlsx")
        for name in applicable(base):
            # The same seed as the test case of this base and transform, so the file is the one tested.
            model = apply_all(base, (name,), f"{stem}:{name}")
            path = out / f"{stem}-{name}.xlsx"
            path.write_bytes(grid.to_xlsx(model, pretty=True).getvalue())
            written += 1
            print(f"{path.name}: {TRANSFORMS[name].description}; " + "; ".join(model.applied))
    print(f"{written} files in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
