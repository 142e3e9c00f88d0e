"""Which format reads this workbook best? Every format of the kind reads it; the best reading wins.

Regions and years publish different table sets (RULES.md A.7): a Liaoning budget has 18 tables, 沈阳市
2023 had 17, a Hebei county 9 plus its 绩效目标表, final accounts 公开01–09表. Each format reads the
workbook, and is scored by the tables it recognises by title, then by whether it finds every table
it requires, then by the columns it gives a role. The best score wins.

On a tie the readings are compared figure by figure. When they agree, the tie is settled by the
format the administrator assigned to the region and year, else the format of the region's last
accepted import, else the kind's default, and the report says which rule decided. When they differ,
an assignment still settles it; without one the import is refused and both readings are shown side by
side. A workbook that clearly fits another format than the one assigned is refused too: either the
assignment or the workbook is wrong, and a person decides.
"""

from dataclasses import dataclass, field

from disclosures.ingest.formats import FormatDefinition, all_formats
from disclosures.ingest.result import ImportResult
from disclosures.ingest.workbook import read_sheets


@dataclass
class Fit:
    format: FormatDefinition
    recognised: list[str]  # table numbers found by title
    missing: list[str]  # mandatory table numbers not found
    columns: int = 0  # columns given a role, over all tables
    result: ImportResult | None = None

    @property
    def complete(self):
        return bool(self.recognised) and not self.missing

    @property
    def score(self):
        # Tables found by title, then whether every mandatory one is there, then columns given a role.
        return (len(self.recognised), self.complete, self.columns)

    def describe(self):
        found = f"识别出 {len(self.recognised)} 张表、{self.columns} 列"
        if self.missing:
            return found + "，缺少 " + "、".join(f"表{n}" for n in self.missing)
        return found + "，必备表齐全"


@dataclass
class Detection:
    format: FormatDefinition | None
    reason: str
    fits: list[Fit] = field(default_factory=list)
    # "detected" (no expectation), "confirms" / "contradicts" an assignment, "settled" by a tie rule, or "refused"
    outcome: str = "detected"
    # Side by side, when tied readings differ: [{"table": "表2 …", "readings": {code: "3 行，合计 …"}}]
    comparison: list = field(default_factory=list)

    @property
    def refused(self):
        return self.format is None

    @property
    def result(self):
        """The chosen format's reading (so the workbook is not read again)."""
        for fit in self.fits:
            if self.format is not None and fit.format.code == self.format.code:
                return fit.result
        return None


def assigned_format(region_path: str, year: int, kind: str) -> tuple[str | None, str]:
    """The format explicitly assigned to the region (or the nearest region above it) for year and kind.

    Returns (code, region path) or (None, ""). The kind's default is not an assignment: it is
    what applies when nobody chose, so it neither confirms nor contradicts a workbook."""
    from disclosures.models import FormatAssignment

    regions = regions_on_path(region_path)
    assignments = {
        a.region_id: a.format for a in FormatAssignment.objects.filter(region__in=regions, year=year, kind=kind)
    }
    for region in reversed(regions):
        if region.pk in assignments:
            return assignments[region.pk], region.path
    return None, ""


def recent_format(region_path: str, kind: str) -> str | None:
    """The format of the region's last accepted import of this kind (a published version), if any."""
    from disclosures.models import Version

    regions = regions_on_path(region_path)
    if not regions:
        return None
    version = (
        Version.objects.filter(
            disclosure__department__region=regions[-1], disclosure__kind=kind, status=Version.Status.PUBLISHED
        )
        .select_related("disclosure")
        .order_by("-published_on", "-pk")
        .first()
    )
    return version.disclosure.format if version else None


def regions_on_path(region_path):
    from disclosures.models import Region

    regions, parent = [], None
    for name in [part.strip() for part in region_path.split("/") if part.strip()]:
        parent = Region.objects.filter(parent=parent, name=name).first()
        if parent is None:
            break
        regions.append(parent)
    return regions


def fit_all(sheets, formats, layouts=None) -> list[Fit]:
    """How well each format reads the sheets, best first."""
    fits = []
    for fmt in formats:
        result = read_sheets(sheets, fmt, layout=(layouts or {}).get(fmt.code))
        # A printed "表N" alone says nothing about the format: only titles count as evidence.
        found = {n for n, t in result.tables.items() if t.matched_by.startswith("按表名")}
        recognised = [t.number for t in fmt.tables if t.number in found]
        missing = [t.number for t in fmt.tables if t.mandatory and t.number not in found]
        columns = sum(1 for n in found for r in result.tables[n].readings if not r.key.startswith("extra_"))
        fits.append(Fit(fmt, recognised, missing, columns, result))
    fits.sort(key=lambda f: (tuple(-x for x in f.score), f.format.code))
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


def detect(source, kind: str, expected: str | None = None, expected_from: str = "", advice: str = "command",
           recent: str | None = None, layouts=None) -> Detection:
    """Choose the format of `kind` that reads the workbook best; see the module docstring for the rules.

    `source` is an .xlsx file or a list of sheets already read (a PDF's pages)."""
    from disclosures.ingest.workbook import load_sheets

    sheets = source if isinstance(source, list) else load_sheets(source)
    advise = ADVICE[advice]
    own_formats = [f for f in all_formats().values() if f.kind == kind]
    own = fit_all(sheets, own_formats, layouts)
    best = own[0] if own else None
    if best is None or not best.recognised:
        others = fit_all(sheets, [f for f in all_formats().values() if f.kind != kind])
        elsewhere = next((f for f in others if f.recognised), None)
        hint = f"它更像“{elsewhere.format.name}”（{elsewhere.describe()}），{advise['kind']}" if elsewhere else ""
        return Detection(None, f"工作簿中没有任何已知表式的表格。{hint}", own, "refused")
    others = fit_all(sheets, [f for f in all_formats().values() if f.kind != kind])
    elsewhere = others[0] if others else None
    if elsewhere is not None and len(elsewhere.recognised) > len(best.recognised) and elsewhere.complete:
        return Detection(
            None,
            f"工作簿是“{elsewhere.format.name}”（{elsewhere.describe()}），不是所选类别的表式，{advise['kind']}",
            own,
            "refused",
        )
    top = [f for f in own if f.score == best.score]
    where = f"{expected_from} 指定的表式" if expected_from else "指定的表式"

    def summary(leaving_out=None):
        return "；".join(f"{f.format.code} {f.describe()}" for f in own if f.recognised and f is not leaving_out)

    if len(top) == 1:
        winner = top[0]
        rest = summary(leaving_out=winner)
        why = winner.describe() + (f"；其他表式识别的表或列更少（{rest}）" if rest else "")
        if expected and expected != winner.format.code:
            assigned = next((f for f in own if f.format.code == expected), None)
            if assigned is not None and assigned.recognised and assigned.result.figures() == winner.result.figures():
                return Detection(assigned.format, f"按{where}选用 {expected}（与 {winner.format.code} 读出的数字完全相同）", own, "confirms")
            return Detection(
                None,
                f"工作簿符合“{winner.format.name}”（{winner.format.code}，{winner.describe()}），"
                f"与{where}“{expected}”不一致。{advise['contradicts']}",
                own,
                "contradicts",
            )
        if expected:
            return Detection(winner.format, f"与{where}一致：{why}", own, "confirms")
        return Detection(winner.format, f"按表名和表头识别：{why}", own)

    codes = [f.format.code for f in top]
    same = all(f.result.figures() == top[0].result.figures() for f in top[1:])
    default = next((f.format.code for f in top if f.format.is_default), None)
    tied = f"工作簿同样符合 {'、'.join(codes)}（{summary()}）"
    if expected in codes:
        chosen, rule = expected, f"按{where}选用 {expected}"
    elif same and recent in codes:
        chosen, rule = recent, f"按本地区上一次公开所用的表式选用 {recent}"
    elif same and default:
        chosen, rule = default, f"按默认表式选用 {default}"
    elif same:
        chosen, rule = codes[0], f"读出的数字完全相同，选用 {codes[0]}"
    else:
        return Detection(
            None,
            f"无法确定表式：{tied}，且各表式读出的数字不同（见对照）。{advise['ambiguous']}",
            own,
            "refused",
            _side_by_side(top),
        )
    note = "，读出的数字完全相同" if same else ""
    winner = next(f for f in top if f.format.code == chosen)
    return Detection(winner.format, f"{tied}{note}；{rule}", own, "settled")


def _side_by_side(fits):
    """The tables whose figures differ between tied readings, with what each reading found."""
    numbers = sorted({n for f in fits for n in f.result.tables}, key=lambda n: int(n) if n.isdigit() else 99)
    rows = []
    for number in numbers:
        readings = {}
        for fit in fits:
            table = fit.result.tables.get(number)
            if table is None:
                readings[fit.format.code] = "未读出"
                continue
            figures = sum(len(row.values) for row in table.rows)
            total = next((row for row in table.rows if row.is_total), None)
            shown = "，".join(f"{k} {v:,.2f}" for k, v in list(total.values.items())[:3]) if total else ""
            readings[fit.format.code] = f"{table.title}：{len(table.rows)} 行、{figures} 个数" + (f"；合计行 {shown}" if shown else "")
        if len(set(readings.values())) > 1:
            rows.append({"table": f"表{number}", "readings": readings})
    return rows


@dataclass
class Choice:
    """The format a file is read with, why, and the reading itself; `refusal` says why nothing is read."""

    format: FormatDefinition | None
    reason: str
    result: ImportResult | None
    refusal: str = ""
    comparison: list = field(default_factory=list)


def choose(source, *, kind, region_path, year, explicit=None, advice="command", layouts=None) -> Choice:
    """Read a workbook (or a PDF's pages as sheets) the way the import command and the staff upload both do.

    An explicit format is read as named. Otherwise detection decides, checked against the region's
    assignment; a file in which no format recognises anything is read with the assigned or default
    format, whose reader then says what it could not find."""
    from disclosures.ingest.formats import default_format, get_format
    from disclosures.ingest.guard import WorkbookUnreadable
    from disclosures.ingest.workbook import load_sheets

    if explicit:
        fmt = get_format(explicit)
        reason = "按 --format 指定" if advice == "command" else "按指定的表式"
    try:
        sheets = source if isinstance(source, list) else load_sheets(source)
    except WorkbookUnreadable as exc:
        fmt = get_format(explicit) if explicit else default_format(kind)
        result = ImportResult(format=fmt)
        result.add("error", str(exc))
        return Choice(fmt, "文件无法读取", result)
    if explicit:
        return Choice(fmt, reason, read_sheets(sheets, fmt, layout=(layouts or {}).get(fmt.code)))
    expected, expected_from = assigned_format(region_path, year, kind)
    detection = detect(
        sheets, kind, expected, f"{expected_from} {year} 年" if expected else "", advice=advice,
        recent=recent_format(region_path, kind), layouts=layouts,
    )
    if detection.refused and not any(fit.recognised for fit in detection.fits):
        fmt = get_format(expected) if expected else default_format(kind)
        why = "工作簿中没有任何已知表式的表格"
        if "不是所选类别" in detection.reason or "它更像" in detection.reason:
            return Choice(None, why, None, detection.reason)
        return Choice(fmt, why, read_sheets(sheets, fmt))
    if detection.refused:
        return Choice(None, "", None, detection.reason, detection.comparison)
    return Choice(detection.format, detection.reason, detection.result)
