"""Which format is this workbook? Recognise its tables against every format and pick the one that fits.

Regions and years publish different table sets (RULES.md A.7): a Liaoning budget has 18 tables,
沈阳市 2023 had 17, a Hebei county 9 plus its 绩效目标表, final accounts 公开01–09表. The importer
finds tables by the titles inside the sheets, so each format is tried on every sheet:

1. the formats that recognise the most tables are the candidates;
2. of those, the one whose every mandatory table is present wins;
3. if that still leaves several (or none complete), the workbook is ambiguous. The format the
   administrator assigned to the region and year (FormatAssignment) settles a tie between formats
   it is one of; otherwise the import is refused and the user is asked to name the format.

When an assignment exists and the workbook clearly fits another format, detection contradicts it
and the import is refused too: either the assignment or the workbook is wrong, and a person decides.
"""

from dataclasses import dataclass, field

from openpyxl import load_workbook

from disclosures.formats import FormatDefinition, all_formats


@dataclass
class Fit:
    format: FormatDefinition
    recognised: list[str]  # table numbers found
    missing: list[str]  # mandatory table numbers not found

    @property
    def complete(self):
        return bool(self.recognised) and not self.missing

    def describe(self):
        found = f"识别出 {len(self.recognised)} 张表"
        if self.missing:
            return found + "，缺少 " + "、".join(f"表{n}" for n in self.missing)
        return found + "，必备表齐全"


@dataclass
class Detection:
    format: FormatDefinition | None
    reason: str
    fits: list[Fit] = field(default_factory=list)
    # "detected" (no expectation), "confirms" / "contradicts" an assignment, "settled" by it, or "refused"
    outcome: str = "detected"

    @property
    def refused(self):
        return self.format is None


def assigned_format(region_path: str, year: int, kind: str) -> tuple[str | None, str]:
    """The format explicitly assigned to the region (or the nearest region above it) for year and kind.

    Returns (code, region path) or (None, ""). The kind's default is not an assignment: it is
    what applies when nobody chose, so it neither confirms nor contradicts a workbook."""
    from disclosures.models import FormatAssignment, Region

    regions, parent = [], None
    for name in [part.strip() for part in region_path.split("/") if part.strip()]:
        parent = Region.objects.filter(parent=parent, name=name).first()
        if parent is None:
            break
        regions.append(parent)
    assignments = {
        a.region_id: a.format for a in FormatAssignment.objects.filter(region__in=regions, year=year, kind=kind)
    }
    for region in reversed(regions):
        if region.pk in assignments:
            return assignments[region.pk], region.path
    return None, ""


def fit_all(source, formats) -> list[Fit]:
    """How well each format recognises the workbook's sheets, best first."""
    from disclosures.importer import Sheet, identify

    workbook = load_workbook(source, data_only=True, read_only=False)
    if hasattr(source, "seek"):
        source.seek(0)
    sheets = [Sheet(ws) for ws in workbook.worksheets]
    fits = []
    for fmt in formats:
        found = set()
        for sheet in sheets:
            if not sheet.grid:
                continue
            definition, how, *_ = identify(fmt, sheet)
            # A printed "表N" alone says nothing about the format: only titles count as evidence.
            if definition is not None and how.startswith("按表名"):
                found.add(definition.number)
        order = [t.number for t in fmt.tables]
        recognised = [n for n in order if n in found]
        missing = [t.number for t in fmt.tables if t.mandatory and t.number not in found]
        fits.append(Fit(fmt, recognised, missing))
    fits.sort(key=lambda f: (-len(f.recognised), len(f.missing), f.format.code))
    return fits


# What a refusal tells the user to do: on the command line, an option; in the browser, whom to ask.
ADVICE = {
    "command": {
        "kind": "请检查 --kind。",
        "contradicts": "请核对表式指定，或用 --format 明确指定。",
        "ambiguous": "请用 --format 指定表式，或由管理员为该地区和年度指定表式。",
    },
    "web": {
        "kind": "请检查所选的公开类别（部门预算或部门决算）。",
        "contradicts": "请核对工作簿，或请财政部门管理员核对该地区和年度的表式指定。",
        "ambiguous": "请财政部门管理员为该地区和年度指定表式后再上传。",
    },
}


def detect(source, kind: str, expected: str | None = None, expected_from: str = "", advice: str = "command") -> Detection:
    """Choose the format of `kind` that fits the workbook; see the module docstring for the rules."""
    advise = ADVICE[advice]
    formats = [f for f in all_formats().values() if f.kind == kind]
    others = [f for f in all_formats().values() if f.kind != kind]
    fits = fit_all(source, formats + others)
    own = [f for f in fits if f.format.kind == kind]

    def summary(leaving_out=None):
        return "；".join(f"{f.format.code} {f.describe()}" for f in own if f.recognised and f is not leaving_out)

    best = own[0] if own else None
    if best is None or not best.recognised:
        elsewhere = next((f for f in fits if f.recognised and f.format.kind != kind), None)
        hint = f"它更像“{elsewhere.format.name}”（{elsewhere.describe()}），{advise['kind']}" if elsewhere else ""
        return Detection(None, f"工作簿中没有任何已知表式的表格。{hint}", fits, "refused")
    elsewhere = next((f for f in fits if f.format.kind != kind), None)
    if elsewhere is not None and len(elsewhere.recognised) > len(best.recognised) and elsewhere.complete:
        return Detection(
            None,
            f"工作簿是“{elsewhere.format.name}”（{elsewhere.describe()}），不是所选类别的表式，{advise['kind']}",
            fits,
            "refused",
        )
    top = [f for f in own if len(f.recognised) == len(best.recognised)]
    complete = [f for f in top if f.complete]
    chosen = complete if complete else top
    where = f"{expected_from} 指定的表式" if expected_from else "指定的表式"

    if len(chosen) == 1:
        winner = chosen[0]
        rest = summary(leaving_out=winner)
        why = winner.describe() + (f"；其他表式识别的表更少或不齐全（{rest}）" if rest else "")
        if expected and expected != winner.format.code:
            return Detection(
                None,
                f"工作簿符合“{winner.format.name}”（{winner.format.code}，{winner.describe()}），"
                f"与{where}“{expected}”不一致。{advise['contradicts']}",
                fits,
                "contradicts",
            )
        if expected:
            return Detection(winner.format, f"与{where}一致：{why}", fits, "confirms")
        return Detection(winner.format, f"按表名识别：{why}", fits)

    codes = [f.format.code for f in chosen]
    if expected in codes:
        winner = next(f for f in chosen if f.format.code == expected)
        return Detection(
            winner.format,
            f"工作簿同样符合 {'、'.join(codes)}（{summary()}），按{where}选用 {expected}",
            fits,
            "settled",
        )
    return Detection(
        None,
        f"无法确定表式：工作簿同样符合 {'、'.join(codes)}（{summary()}）。{advise['ambiguous']}",
        fits,
        "refused",
    )
