"""Every layout a finance system exports must import WITHOUT naming the format and give back exactly the
base workbook's figures.

Each seed fixture workbook is rewritten by the variation kit (tests/variants/) into layout variants:
amounts in 元, one sheet for everything, generic shuffled sheet names, a contents sheet and a hidden
scratch sheet, a 备注 column, swapped or flattened columns, synonyms, year groups, an extra header row,
a table split over two sheets, title variants, text amounts. Each single transform, and 210 random
combinations of 2–4, is one test case: the variant is read with format detection and compared row by
row with the base workbook read with its known format.

Two kinds of tests live here:

- test_generator_*: the kit itself (the variant really is what it claims, with the same figures). These
  must always pass; if one fails, the reader tests of that case say nothing.
- test_variant_* and test_reader_*: the reader. Many fail while the reader is rigid; that is the point.
  The cases it does not read back yet are listed in tests/variants/known_gaps.txt and expected to fail
  (strictly, see tests/conftest.py). Changing a transform changes the variants: rerun and update the list.
"""

from __future__ import annotations

import functools
import io
import random
import re
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from tests.variants import grid
from tests.variants.transforms import (
    TRANSFORMS,
    AddedNotes,
    AddedPriorYear,
    RemovedFigures,
    applicable,
    apply_all,
    flatten,
    ordinary_tables,
    swap_columns,
)

FIXTURES = Path(__file__).parent / "fixtures"


# ---------------------------------------------------------------------------
# The reader under test. Its home is moving (disclosures/formats → disclosures/ingest): adapt here only.
# ---------------------------------------------------------------------------


def reader_api():
    """(detect, read_workbook, get_format) from wherever the reader lives now."""
    try:
        from disclosures.ingest.detect import detect
    except ImportError:
        from disclosures.formats.detect import detect
    try:
        from disclosures.ingest import read_workbook
    except ImportError:
        from disclosures.importer import read_workbook
    try:
        from disclosures.ingest.formats import get_format
    except ImportError:
        from disclosures.formats import get_format
    return detect, read_workbook, get_format


def read_without_format(data: bytes, kind: str):
    """Detect the format as `import_disclosure` without --format does, then read. (detection, result or None)."""
    detect, read_workbook, _get_format = reader_api()
    handle = io.BytesIO(data)
    detection = detect(handle, kind)
    if detection.format is None:
        return detection, None
    handle.seek(0)
    result = read_workbook(handle, detection.format)
    return detection, result


def read_with_format(data: bytes, code: str):
    _detect, read_workbook, get_format = reader_api()
    return read_workbook(io.BytesIO(data), get_format(code))


# ---------------------------------------------------------------------------
# The base workbooks
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Base:
    file: str
    kind: str
    year: int  # the disclosure's year: the year groups and title variants print it
    format_code: str  # the format the fixture is known to be; reads the reference figures

    @property
    def stem(self):
        return self.file.removesuffix(".xlsx")


BASES = [
    Base("seed000_budget_2025.xlsx", "budget", 2025, "liaoning-budget-18"),
    Base("seed004_budget_2025.xlsx", "budget", 2025, "liaoning-budget-18"),
    Base("seed004_budget_2024.xlsx", "budget", 2024, "liaoning-budget-18"),
    Base("seed003_budget_2024.xlsx", "budget", 2024, "hebei-county-budget"),
    Base("seed002_final_accounts_2024.xlsx", "final_accounts", 2024, "liaoning-final-accounts-9"),
    Base("shenyang_budget17_2023.xlsx", "budget", 2023, "liaoning-budget-17"),
    Base("seed002_budget_2024.xlsx", "budget", 2024, "liaoning-budget-18"),
]
BY_STEM = {b.stem: b for b in BASES}


@functools.cache
def base_bytes(base: Base) -> bytes:
    return (FIXTURES / base.file).read_bytes()


@functools.cache
def base_model(base: Base) -> grid.WorkbookModel:
    return grid.load(io.BytesIO(base_bytes(base)), kind=base.kind, year=base.year)


@functools.cache
def base_reading(base: Base):
    """The reference: the base workbook read with the format it is known to be."""
    result = read_with_format(base_bytes(base), base.format_code)
    assert not result.errors, f"the base {base.file} itself does not read: {[e.message for e in result.errors]}"
    return result


@functools.cache
def base_transforms(base: Base) -> tuple[str, ...]:
    return tuple(applicable(base_model(base)))


def base_titles(base: Base) -> dict[str, str]:
    return {block.title: block.role for _sheet, block in base_model(base).blocks("table", "form")}


# ---------------------------------------------------------------------------
# The cases: each base × each single transform that applies to it, and random combinations
# ---------------------------------------------------------------------------

COMBINATIONS = 210


@dataclass(frozen=True)
class Case:
    id: str
    base: Base
    transforms: tuple[str, ...]
    seed: str


def build_cases() -> list[Case]:
    cases = []
    for base in BASES:
        cases.append(Case(f"{base.stem}-as_is", base, (), f"{base.stem}:as_is"))
        for name in base_transforms(base):
            cases.append(Case(f"{base.stem}-{name}", base, (name,), f"{base.stem}:{name}"))
    rng = random.Random(2025)
    for i in range(COMBINATIONS):
        base = rng.choice(BASES)
        names = base_transforms(base)
        chosen = sorted(rng.sample(names, rng.randint(2, min(4, len(names)))), key=lambda n: TRANSFORMS[n].stage)
        cases.append(Case(f"combo{i:03d}-{base.stem}-{'+'.join(chosen)}", base, tuple(chosen), f"combo{i}"))
    return cases


CASES = build_cases()
SINGLE_CASES = [c for c in CASES if len(c.transforms) <= 1]


@functools.lru_cache(maxsize=32)
def variant(case: Case) -> tuple[grid.WorkbookModel, bytes]:
    """The variant's model (with its effects) and its .xlsx bytes, built in memory."""
    model = apply_all(base_model(case.base), case.transforms, case.seed)
    return model, grid.to_xlsx(model).getvalue()


# ---------------------------------------------------------------------------
# Comparing a reading with the base reading
# ---------------------------------------------------------------------------

UNIT_FACTOR = {"万元": Decimal(1), "元": Decimal(10000), "千元": Decimal(10)}


def in_wan(values: dict, unit: str) -> dict:
    factor = UNIT_FACTOR.get(unit or "万元")
    if factor is None:
        raise AssertionError(f"unknown unit {unit!r}")
    return {k: v / factor for k, v in values.items()}


def _column_nodes(columns, ancestors=()):
    """Every node of a reading's column tree with the normalised labels above it."""
    for node in columns or []:
        label = grid.norm(node.get("label", ""))
        yield node, ancestors, label
        yield from _column_nodes(node.get("children"), (*ancestors, label))


def resolve_path(table, path: tuple[str, ...]):
    """The node of the base reading's column tree printed under this label path (normalised labels)."""
    matches = [
        (node, ancestors)
        for node, ancestors, label in _column_nodes(table.columns)
        if label == path[-1] and all(p in ancestors for p in path[:-1])
    ]
    if not matches:
        raise LookupError(f"表{table.definition.number}: no column {'/'.join(path)}")
    return max(matches, key=lambda m: len(m[1]))[0]


def leaf_key(table, path):
    node = resolve_path(table, path)
    if node.get("children"):  # a group printed as one column (flattened) stands for its 小计
        node = next(c for c in node["children"] if grid.norm(c["label"]) in ("小计", "合计"))
    return node["key"]


def table_of(effect, base_result):
    """The base table an effect is about: the same title, else the longest title inside the effect's."""
    title = grid.norm(effect.table_title)
    tables = list(base_result.tables.values())
    exact = [t for t in tables if grid.norm(t.title) == title]
    if exact:
        return exact[0]
    inside = [t for t in tables if grid.norm(t.title) and grid.norm(t.title) in title]
    if not inside:
        raise LookupError(f"no table of the base reading is titled {effect.table_title}")
    return max(inside, key=lambda t: len(grid.norm(t.title)))


@dataclass
class Expectations:
    """What the transforms change in one table's expected figures."""

    removed: set
    subtotal_aliases: dict  # subtotal key -> the group's key, which a flattened column may be read under
    prior: dict  # "prior_<key>" -> Decimal (万元)
    notes: set


def expectations_for(table, effects) -> Expectations:
    """`effects` are those about this table (see table_of)."""
    out = Expectations(set(), {}, {}, set())
    for effect in effects:
        if isinstance(effect, RemovedFigures):
            group = resolve_path(table, effect.group_path)
            for child in group.get("children", []):
                if grid.norm(child["label"]) == grid.norm(effect.subtotal_label):
                    if group.get("key"):
                        out.subtotal_aliases[child["key"]] = group["key"]
                    continue
                stack = [child]
                while stack:
                    node = stack.pop()
                    stack.extend(node.get("children", []))
                    if not node.get("children"):
                        out.removed.add(node["key"])
        elif isinstance(effect, AddedPriorYear):
            for path, value in effect.figures.items():
                out.prior["prior_" + leaf_key(table, path)] = value
        elif isinstance(effect, AddedNotes):
            out.notes.update(effect.texts)
    return out


def check_prior_year_figures(expected: dict, returned: dict, where: str) -> list[str]:
    """The prior-year group's figures (year-group variant), when the reader returns them.

    Nothing is settled about them yet: a reader may leave the prior year out (nothing is asserted), or
    return it under "prior_" + the column's key, and then every figure must be exactly right. This is
    the one place to tighten (require them) or rename the keys."""
    if not returned:
        return []
    problems = []
    for key in sorted(set(expected) | set(returned)):
        if expected.get(key) != returned.get(key):
            problems.append(f"{where}: {key} expected {expected.get(key)} got {returned.get(key)}")
    return problems


def comparable_cells(row, notes: set) -> dict:
    return {
        k: v
        for k, v in (row.cells or {}).items()
        if not k.startswith("_") and not k.startswith("extra_") and not (isinstance(v, str) and v.strip() in notes)
    }


ROW_FIELDS = ("kind", "code", "name", "level", "unit_code", "unit_name", "is_total")


def compare_readings(base_result, result, effects) -> list[str]:
    """Everything that differs between the variant's reading and the base reading (empty: same figures)."""
    problems = [f"error {f.sheet}!{f.cell}: {f.message}" for f in result.errors]
    missing = sorted(set(base_result.tables) - set(result.tables), key=int)
    extra = sorted(set(result.tables) - set(base_result.tables), key=int)
    problems += [f"表{n} not read" for n in missing]
    problems += [f"表{n} read but not in the base" for n in extra]
    about = {}
    for effect in effects:
        about.setdefault(table_of(effect, base_result).definition.number, []).append(effect)
    for number, base_table in base_result.tables.items():
        table = result.tables.get(number)
        if table is None:
            continue
        expect = expectations_for(base_table, about.get(number, []))
        where = f"表{number}"
        if len(table.rows) != len(base_table.rows):
            problems.append(f"{where}: {len(table.rows)} rows, base has {len(base_table.rows)}")
        for i, (brow, vrow) in enumerate(zip(base_table.rows, table.rows)):
            at = f"{where} row {i + 1} ({brow.name or brow.code or brow.kind})"
            for name in ROW_FIELDS:
                a, b = getattr(brow, name, None), getattr(vrow, name, None)
                if a != b:
                    problems.append(f"{at}: {name} {b!r}, base {a!r}")
            want = in_wan(brow.values, base_table.unit_label)
            got = in_wan(vrow.values, table.unit_label)
            want_extra = sorted(v for k, v in want.items() if k.startswith("extra_"))
            got_extra = sorted(v for k, v in got.items() if k.startswith("extra_"))
            want = {k: v for k, v in want.items() if not k.startswith("extra_") and k not in expect.removed}
            got = {k: v for k, v in got.items() if not k.startswith("extra_")}
            for subtotal, group in expect.subtotal_aliases.items():
                if subtotal not in got and group in got:
                    got[subtotal] = got.pop(group)
            prior = {k: got.pop(k) for k in [k for k in got if k.startswith("prior_")]}
            if expect.prior and i == 0:
                problems += check_prior_year_figures(expect.prior, prior, at)
            elif prior:
                problems.append(f"{at}: prior-year figures where there is no prior year: {prior}")
            if want != got:
                for key in sorted(set(want) | set(got)):
                    if want.get(key) != got.get(key):
                        problems.append(f"{at}: {key} = {got.get(key)}, base {want.get(key)}")
            if want_extra != got_extra:
                problems.append(f"{at}: extra-column figures {got_extra}, base {want_extra}")
            if comparable_cells(brow, expect.notes) != comparable_cells(vrow, expect.notes):
                problems.append(f"{at}: cells {comparable_cells(vrow, expect.notes)}, base {comparable_cells(brow, expect.notes)}")
    return problems


def describe(case: Case, model) -> str:
    return f"{case.id}\n  " + "\n  ".join(model.applied or ["(unchanged)"])


# ---------------------------------------------------------------------------
# The reader: every variant gives back the base figures
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_variant_reads_back_the_base_figures(case):
    model, data = variant(case)
    detection, result = read_without_format(data, case.base.kind)
    assert result is not None, f"format refused: {detection.reason}\n{describe(case, model)}"
    problems = compare_readings(base_reading(case.base), result, model.effects)
    shown = "\n".join(problems[:25]) + (f"\n… and {len(problems) - 25} more" if len(problems) > 25 else "")
    assert not problems, f"{describe(case, model)}\nformat: {detection.format.code}\n{shown}"


# ---------------------------------------------------------------------------
# The reader: failures it must report, naming the cells
# ---------------------------------------------------------------------------


def sibling_pair(model):
    """A group's two sibling leaf columns, 人员经费 and 公用经费 when the workbook has them: (layout, row, a, b)."""
    found = []
    for _sheet, _block, layout in ordinary_tables(model):
        sheet = layout.sheet
        for r in layout.label_rows:
            labels = {c: grid.norm(sheet.value(r, c)) for c in layout.value_cols}
            for a, la in labels.items():
                for b, lb in labels.items():
                    if a < b and la and lb and la != lb and la not in ("小计", "合计") and lb not in ("小计", "合计"):
                        above = [grid.norm(sheet.value(rr, a)) for rr in layout.label_rows if rr < r]
                        if above and above == [grid.norm(sheet.value(rr, b)) for rr in layout.label_rows if rr < r]:
                            if layout.paths[a][-1] == la and layout.paths[b][-1] == lb:
                                found.append((layout, r, a, b))
    preferred = [f for f in found if {grid.norm(f[0].sheet.value(f[1], f[2])), grid.norm(f[0].sheet.value(f[1], f[3]))} == {"人员经费", "公用经费"}]
    return (preferred or found or [None])[0]


def read_for_failure(base: Base, data: bytes):
    """Detection as the command does it; if detection refuses, the known format, since these tests are
    about what the reader says of a header, not about detection."""
    _detection, result = read_without_format(data, base.kind)
    return result if result is not None else read_with_format(data, base.format_code)


DUPLICATE_BASES = [b for b in BASES if sibling_pair(base_model(b)) is not None]


@pytest.mark.parametrize("base", DUPLICATE_BASES, ids=[b.stem for b in DUPLICATE_BASES])
def test_reader_names_both_cells_of_a_label_printed_twice_for_the_same_role(base):
    model = base_model(base).clone()
    layout, row, a, b = sibling_pair(model)
    sheet = layout.sheet
    label = sheet.value(row, a)
    for start, _depth in layout.header_blocks():
        sheet.set(start + row - layout.header_start, b, label)
    refs = [f"{get_column_letter(c + 1)}{row + 1}" for c in (a, b)]
    result = read_for_failure(base, grid.to_xlsx(model).getvalue())
    # Errors keep the import from saving anything (import_disclosure refuses a result with errors).
    assert result.errors, f"two “{label}” columns ({refs[0]}, {refs[1]}) in “{layout.title}” gave no error"
    naming = [e.message for e in result.errors if all(re.search(rf"\b{ref}\b", e.message) for ref in refs)]
    assert naming, f"no error names both {refs[0]} and {refs[1]}: {[e.message for e in result.errors][:5]}"


def test_reader_names_the_cell_of_an_amount_that_is_not_a_number():
    base = BY_STEM["seed004_budget_2025"]
    model = base_model(base).clone()
    sheet, _block, layout = next(t for t in ordinary_tables(model) if list(t[2].amount_cells()))
    r, c = next(layout.amount_cells())
    sheet.set(r, c, "1,425.4O")  # a letter O typed for a zero
    ref = f"{get_column_letter(c + 1)}{r + 1}"
    result = read_for_failure(base, grid.to_xlsx(model).getvalue())
    assert any(re.search(rf"\b{ref}\b", e.message) for e in result.errors), [e.message for e in result.errors][:5]


# ---------------------------------------------------------------------------
# The generator: every variant keeps the base figures (this must pass, whatever the reader does)
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_generator_keeps_the_figures(case):
    """Found again in the written file, by title, each table holds the base figures (in 万元), less the
    ones a transform says it removed, plus the ones it says it added; merges are sound; the unit line
    says 元 exactly when the amounts were converted."""
    model, data = variant(case)
    reloaded = grid.load(io.BytesIO(data))
    for sheet in reloaded.sheets:
        sheet.validate()
    titles = base_titles(case.base)
    want, base_units = grid.figures_by_table(base_model(case.base), titles)
    got, units = grid.figures_by_table(reloaded, titles)
    expected = {t: Counter(v) for t, v in want.items()}
    for effect in model.effects:
        if isinstance(effect, RemovedFigures):
            expected[effect.table_title] -= Counter(effect.removed_values)
        elif isinstance(effect, AddedPriorYear):
            expected[effect.table_title] += Counter(effect.figures.values())
    for title in titles:
        if titles[title] != "table":
            continue
        assert +Counter(got.get(title, [])) == +expected.get(title, Counter()), f"{describe(case, model)}\n{title}"
        unit = "元" if "yuan" in case.transforms and base_units[title] == "万元" else base_units[title]
        assert units.get(title) == unit, f"{describe(case, model)}\n{title}: unit {units.get(title)}, expected {unit}"
    hidden = [s for s in load_workbook(io.BytesIO(data), read_only=True).worksheets if s.sheet_state != "visible"]
    assert bool(hidden) == ("contents_hidden" in case.transforms)


@pytest.mark.parametrize("case", [c for c in SINGLE_CASES if c.transforms], ids=[c.id for c in SINGLE_CASES if c.transforms])
def test_generator_effects_name_columns_of_the_base_reading(case):
    """What a transform says it removed or added resolves to keys of the base reading's column tree."""
    model, _data = variant(case)
    reading = base_reading(case.base)
    for effect in model.effects:
        table = table_of(effect, reading)
        assert grid.norm(table.title) == grid.norm(effect.table_title)
        expect = expectations_for(table, [effect])
        if isinstance(effect, RemovedFigures):
            assert len(expect.removed) == len(effect.removed_labels)
        if isinstance(effect, AddedPriorYear):
            assert len(expect.prior) == len(effect.figures)


# ---------------------------------------------------------------------------
# The generator, by eye: each variant is what it says
# ---------------------------------------------------------------------------


class Aim(random.Random):
    """A random source whose choice() takes the first option a predicate accepts: aims a transform."""

    def __init__(self, predicate):
        super().__init__(0)
        self.predicate = predicate

    def choice(self, seq):
        return next(item for item in seq if self.predicate(item))


def reload(model) -> grid.WorkbookModel:
    return grid.load(grid.to_xlsx(model))


def single(stem, name):
    case = next(c for c in SINGLE_CASES if c.id == f"{stem}-{name}")
    model, data = variant(case)
    return model, grid.load(io.BytesIO(data))


def table(model, title) -> tuple[grid.SheetModel, grid.TableLayout]:
    for sheet, block in model.blocks("table"):
        layout = grid.analyse(sheet, block)
        if grid.norm(title) in grid.norm(layout.title):
            return sheet, layout
    raise LookupError(title)


def row_labelled(sheet, label, col=0):
    return next(r for r in range(sheet.height) if grid.norm(sheet.get(r, col)) == grid.norm(label))


def header_texts(sheet, layout):
    return [grid.norm(sheet.get(r, c)) for r in range(layout.header_start, layout.header_end) for c in range(layout.width)]


def test_generator_yuan_multiplies_amounts_exactly_and_leaves_codes_and_forms():
    base = base_model(BY_STEM["seed004_budget_2025"])
    _model, got = single("seed004_budget_2025", "yuan")
    b1, _ = table(base, "收支预算总表")
    v1, _ = table(got, "收支预算总表")
    r = row_labelled(b1, "收入总计")
    assert grid.as_number(v1.get(r, 1)) == grid.as_number(b1.get(r, 1)) * 10000 == Decimal("14254000")
    v3, layout3 = table(got, "支出预算总表")
    assert v3.get(layout3.body_rows[0], 2) == "14,254,000.00"  # a text amount stays text
    assert any("单位：元" == str(v) for _c, v in v3.nonempty(2))
    assert "2080501" in {str(v).strip() for r in layout3.body_rows for _c, v in v3.nonempty(r)}
    v17 = next(s for s in got.sheets if s.blocks[0].title.startswith("部门预算项目"))
    b17 = next(s for s in base.sheets if s.blocks[0].title.startswith("部门预算项目"))
    assert v17.rows == b17.rows  # forms: targets, scores and 预算资金情况 untouched
    hebei = base_model(BY_STEM["seed003_budget_2024"])
    _m, hebei_yuan = single("seed003_budget_2024", "yuan")
    bs, bl = table(hebei, "部门预算收支总表")
    vs, _vl = table(hebei_yuan, "部门预算收支总表")
    assert vs.rows[bl.column_number_row] == bs.rows[bl.column_number_row]  # 栏次
    assert [vs.get(r, 0) for r in bl.body_rows] == [bs.get(r, 0) for r in bl.body_rows]  # 序号
    fa, fl = table(hebei_yuan, "部门固定资产占用情况表")
    assert "价值（金额单位：元）" in [fa.get(fl.header_start, c) for c in range(fl.width)]
    car = row_labelled(fa, "2、车辆（台、辆）")
    assert fa.get(car, 1) == 1 and grid.as_number(fa.get(car, 2)) == Decimal("111000")  # 数量 is not an amount


def test_generator_one_sheet_stacks_every_table_in_order():
    _model, got = single("seed000_budget_2025", "one_sheet")
    assert len(got.visible()) == 1
    sheet = got.visible()[0]
    firsts = [grid.norm(sheet.nonempty(r)[0][1]) if sheet.nonempty(r) else "" for r in range(sheet.height)]
    positions = [firsts.index(grid.norm(t)) for t in base_titles(BY_STEM["seed000_budget_2025"]) if grid.norm(t) in firsts]
    assert len(positions) == 15 and positions == sorted(positions)
    assert not sheet.nonempty(positions[1] - 1)  # a blank row between two tables


def test_generator_generic_names_are_shuffled():
    base = base_model(BY_STEM["seed004_budget_2025"])
    _model, got = single("seed004_budget_2025", "generic_names")
    assert [s.name for s in got.sheets] == [f"Sheet{i}" for i in range(1, len(base.sheets) + 1)]
    titles = [s.blocks[0].title for s in got.sheets]
    assert sorted(titles) == sorted(s.blocks[0].title for s in base.sheets)
    assert titles != [s.blocks[0].title for s in base.sheets]


def test_generator_contents_first_and_a_hidden_copy_with_other_figures():
    stem = "seed000_budget_2025"
    _model, got = single(stem, "contents_hidden")
    contents = got.sheets[0]
    assert grid.norm(contents.get(0, 0)) == "目录"
    assert {row[1] for row in contents.rows[1:]} == set(base_titles(BY_STEM[stem]))
    assert [row[0] for row in contents.rows[1:4]] == ["表1", "表2", "表3"]
    assert sum(1 for s in got.sheets if grid.norm(s.get(0, 0)) == "目录") == 1  # the old 目录 is gone
    workbook = load_workbook(io.BytesIO(variant(next(c for c in SINGLE_CASES if c.id == f"{stem}-contents_hidden"))[1]))
    hidden = [ws for ws in workbook.worksheets if ws.sheet_state == "hidden"]
    assert len(hidden) == 1
    scratch = next(s for s in got.sheets if s.name == hidden[0].title)
    title = scratch.blocks[0].title
    assert title in base_titles(BY_STEM[stem])
    scratch.state = "visible"
    titles = base_titles(BY_STEM[stem])
    doubled, _units = grid.figures_by_table(grid.WorkbookModel([scratch]), titles)
    want, _units = grid.figures_by_table(base_model(BY_STEM[stem]), titles)
    assert Counter(doubled[title]) == Counter(v * 2 for v in want[title])


def test_generator_remarks_column_is_merged_over_the_header():
    model, got = single("seed004_budget_2025", "remarks")
    notes = [e for e in model.effects if isinstance(e, AddedNotes)]
    assert notes
    for effect in notes:
        sheet, layout = table(got, effect.table_title)
        col = layout.width - 1
        assert sheet.get(layout.header_start, col) == "备注"
        if layout.header_depth > 1:
            assert (layout.header_start, col, layout.header_end - 1, col) in sheet.merges
        assert {sheet.get(r, col) for r in layout.body_rows} - {None} == set(effect.texts)


def test_generator_swap_moves_headers_and_figures_together():
    base = base_model(BY_STEM["seed000_budget_2025"])
    model = base.clone()
    swap_columns(model, Aim(lambda c: c[2].title == "支出预算总表"))
    bs, bl = table(base, "支出预算总表")
    vs, _vl = table(reload(model), "支出预算总表")
    row = bl.header_start + 1
    assert [bs.get(row, 4), bs.get(row, 5)] == ["人员经费", "公用经费"]
    assert [vs.get(row, 4), vs.get(row, 5)] == ["公用经费", "人员经费"]
    for r in bl.body_rows:
        assert [vs.get(r, 4), vs.get(r, 5)] == [bs.get(r, 5), bs.get(r, 4)]
    assert vs.get(row - 1, 3) == "基本支出" and (row - 1, 3, row - 1, 5) in vs.merges


def test_generator_flatten_keeps_the_subtotal_under_the_group_label():
    base = base_model(BY_STEM["seed000_budget_2025"])
    model = base.clone()
    flatten(model, Aim(lambda c: c[2].title == "收入预算总表"))
    (effect,) = model.effects
    assert effect.group_path == ("本年收入", "单位资金") and effect.removed_labels[0] == "事业收入"
    vs, vl = table(reload(model), "收入预算总表")
    assert "事业收入" not in header_texts(vs, vl) and "小计" not in header_texts(vs, vl)
    assert vl.width == 14 and vs.get(4, 7) == "单位资金" and (4, 7, 5, 7) in vs.merges
    bs, bl = table(base, "收入预算总表")
    assert [vs.get(r, 7) for r in vl.body_rows] == [bs.get(r, 7) for r in bl.body_rows]  # the 小计 figures
    assert [vs.get(r, 8) for r in vl.body_rows] == [bs.get(r, 13) for r in bl.body_rows]  # 上年结转结余 合计 moved left
    assert vs.get(2, vl.width - 1) == "单位：万元"


def test_generator_synonyms_rename_header_labels_only():
    _model, got = single("seed000_budget_2025", "synonyms")
    s2, l2 = table(got, "收入预算总表")
    assert "上年结转" in header_texts(s2, l2) and "上年结转结余" not in header_texts(s2, l2)
    assert "单位" in header_texts(s2, l2)
    s1, _l1 = table(got, "收支预算总表")
    assert any(grid.norm(v) == "上年结转结余" for r in range(s1.height) for _c, v in s1.nonempty(r))  # a row label
    s7, l7 = table(got, "三公")
    assert "公务用车运行维护费" in header_texts(s7, l7)
    s6, l6 = table(got, "一般公共预算基本支出表")
    assert "科目名称" in header_texts(s6, l6)  # 经济分类: not a 功能分类科目名称
    assert s2.get(2, 0).startswith("部门名称：")  # the department line is not a header


def test_generator_year_groups_put_the_prior_year_first():
    base = base_model(BY_STEM["seed000_budget_2025"])
    model, got = single("seed000_budget_2025", "year_groups")
    sheet, layout = table(got, "三公")
    assert sheet.get(layout.header_start, 0) == "2024年预算数" and sheet.get(layout.header_start, 6) == "2025年预算数"
    bs, bl = table(base, "三公")
    data = layout.body_rows[0]
    assert [sheet.get(data, c + 6) for c in range(6)] == [bs.get(bl.body_rows[0], c) for c in range(6)]
    prior = [grid.as_number(sheet.get(data, c)) for c in range(6)]
    assert prior[0] == prior[1] + prior[2] + prior[5] and prior[2] == prior[3] + prior[4]
    (effect,) = [e for e in model.effects if isinstance(e, AddedPriorYear)]
    assert effect.year == 2024 and sorted(effect.figures.values()) == sorted(prior)


def test_generator_extra_header_row_merges_label_columns_down():
    base = base_model(BY_STEM["seed000_budget_2025"])
    _model, got = single("seed000_budget_2025", "extra_header_row")
    bs, bl = table(base, "支出预算总表")
    vs, vl = table(got, "支出预算总表")
    assert vl.header_depth == bl.header_depth + 1
    assert (3, 0, 5, 0) in vs.merges and vs.get(3, 0) == "科目编码"
    assert vs.get(3, 2) in ("金额", "预算数") and (3, 2, 3, 6) in vs.merges
    assert [vs.rows[r] for r in vl.body_rows] == [bs.rows[r] for r in bl.body_rows]


def test_generator_split_repeats_the_header_on_the_next_sheet():
    base = base_model(BY_STEM["seed000_budget_2025"])
    model, got = single("seed000_budget_2025", "split")
    title = re.search(r"split: (.+?) after", model.applied[0]).group(1)
    index = next(i for i, s in enumerate(got.sheets) if s.blocks[0].title == title)
    first, continuation = got.sheets[index], got.sheets[index + 1]
    _bs, bl = table(base, title)
    fl = grid.analyse(first, first.blocks[0])
    cl = grid.analyse(continuation, continuation.blocks[0])
    assert cl.paths == fl.paths == bl.paths
    assert len(fl.body_rows) + len(cl.body_rows) == len(bl.body_rows)
    assert cl.title in ("", title + "（续）")


def test_generator_titles_carry_year_department_or_suffix():
    for stem in ("seed000_budget_2025", "seed004_budget_2025", "seed003_budget_2024"):
        base = BY_STEM[stem]
        _model, got = single(stem, "title")
        department = base_model(base).department
        for title in base_titles(base):
            found = [b.title for _s, b in got.blocks("table", "form") if title in b.title]
            assert found, title
            new = found[0]
            assert new == title or new.startswith((f"{base.year}年", department)) or new == title + "（部门预算）"
        assert any(b.title not in base_titles(base) for _s, b in got.blocks("table"))


def test_generator_text_amounts_have_separators_and_some_trailing_spaces():
    _model, got = single("seed000_budget_2025", "text_amounts")
    cells = [sheet.get(r, c) for sheet, _b, layout in ordinary_tables(got) for r, c in layout.amount_cells()]
    assert cells and all(isinstance(v, str) and re.fullmatch(r"-?\d{1,3}(,\d{3})*\.\d{2} ?", v) for v in cells)
    assert any(v.endswith(" ") for v in cells) and any(not v.endswith(" ") for v in cells)


def test_generator_every_case_is_a_distinct_test_id_naming_base_and_transforms():
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids))
    assert sum(1 for c in CASES if len(c.transforms) >= 2) >= 200
    for case in CASES:
        assert case.base.stem in case.id and all(t in case.id for t in case.transforms)


# ---------------------------------------------------------------------------
# The grid: merges follow every row and column edit
# ---------------------------------------------------------------------------


def small_sheet():
    sheet = grid.SheetModel(
        "t",
        rows=[["title", None, None, None], ["a", "g", None, "d"], [None, "x", "y", None], [None, 1, 2, 3]],
        merges=[(0, 0, 0, 3), (1, 0, 2, 0), (1, 1, 1, 2), (1, 3, 2, 3)],
    )
    sheet.blocks = [grid.Block(0, 4, "table", "title")]
    return sheet


def test_grid_insert_rows_grows_spanning_merges_and_shifts_the_rest():
    sheet = small_sheet()
    sheet.insert_rows(2, 2)
    assert sorted(sheet.merges) == [(0, 0, 0, 3), (1, 0, 4, 0), (1, 1, 1, 2), (1, 3, 4, 3)]
    assert sheet.rows[4] == [None, "x", "y", None] and sheet.blocks[0].end == 6
    sheet.validate()


def test_grid_delete_rows_moves_the_label_of_a_merge_that_loses_its_anchor():
    sheet = small_sheet()
    sheet.delete_rows(1, 1)
    assert sheet.get(1, 0) == "a" and sheet.get(1, 3) == "d"
    assert (1, 1, 1, 2) not in sheet.merges and sorted(sheet.merges) == [(0, 0, 0, 3)]
    sheet.validate()


def test_grid_insert_and_delete_columns_keep_merges():
    sheet = small_sheet()
    sheet.insert_cols(2, 1)
    assert sorted(sheet.merges) == [(0, 0, 0, 4), (1, 0, 2, 0), (1, 1, 1, 3), (1, 4, 2, 4)]
    sheet.delete_cols(1, 1)
    assert sheet.get(1, 1) == "g" and sorted(sheet.merges) == [(0, 0, 0, 3), (1, 0, 2, 0), (1, 1, 1, 2), (1, 3, 2, 3)]
    sheet.delete_cols(0, 1)
    assert sheet.get(0, 0) == "title" and sheet.get(1, 0) == "g"
    sheet.validate()


def test_grid_swap_moves_single_column_merges_and_refuses_to_tear_one():
    sheet = small_sheet()
    sheet.swap_cols(0, 3, 1, 4)
    assert sheet.get(1, 0) == "d" and sheet.get(1, 3) == "a" and sheet.rows[3] == [3, 1, 2, None]
    assert (1, 0, 2, 0) in sheet.merges and (1, 3, 2, 3) in sheet.merges
    with pytest.raises(ValueError):
        small_sheet().swap_cols(1, 3, 1, 4)  # g spans columns 1–2


def test_grid_round_trips_through_xlsx():
    model = grid.WorkbookModel([small_sheet()])
    model.sheets[0].rows[3][1] = Decimal("1425.40")
    again = reload(model)
    assert again.sheets[0].merges == sorted(model.sheets[0].merges)
    assert again.sheets[0].rows[1] == ["a", "g", None, "d"] and grid.as_number(again.sheets[0].get(3, 1)) == Decimal("1425.4")
    with pytest.raises(AssertionError):
        bad = small_sheet()
        bad.set(2, 0, "inside a merge")
        bad.validate()
