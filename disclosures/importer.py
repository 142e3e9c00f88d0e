"""Read an approved budget workbook (the 公开表 as finance systems export them to Excel).

One reader for every table of every format: it finds each table by the title inside the sheet,
recognises the columns by their header text, and reads the rows according to the table's row kind
in the format definition. It touches no database: `read_workbook` returns what it read and what it
found wrong, and `disclosures.services.import_disclosure` decides what to keep.
"""

import re
import zipfile
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from disclosures.formats import Column, FormatDefinition, TableDefinition
from disclosures.text import normalize

CENT = Decimal("0.01")
# Limits for a hostile workbook: an xlsx is a zip; these keep a zip bomb from filling memory.
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
MAX_ROWS_PER_SHEET = 20000
MAX_COLUMNS = 200

TABLE_NUMBER = re.compile(r"^(?:表|公开)\s*(\d{1,2})\s*表?$")
NAME_LINE = re.compile(r"^(?:部门|单位)(?:名称)?[:：]\s*(.+?)(?:\s+单位[:：].*)?$")
UNIT_LINE = re.compile(r"单位[:：]\s*(万元|元|千元)")
CODE = re.compile(r"^\d{3,7}$")
BLANK_MARKS = {"", "-", "－", "—", "--", "/"}
TOTAL_LABELS = {"合计", "总计"}
NOTE_START = re.compile(r"^(备注|注)[:：]")
# The row under a header that numbers the columns (决算 and Hebei tables print "栏次 | 1 | 2 …").
COLUMN_NUMBER_LABEL = "栏次"


@dataclass
class Finding:
    level: str  # error | warning | missing | info
    message: str
    sheet: str = ""
    cell: str = ""
    identity: str = ""
    figures: dict = field(default_factory=dict)

    def as_dict(self):
        return {k: v for k, v in self.__dict__.items() if v not in ("", {}, None)}


@dataclass
class ParsedRow:
    kind: str = "line"
    code: str = ""
    name: str = ""
    level: int = 0
    unit_code: str = ""
    unit_name: str = ""
    is_total: bool = False
    cells: dict = field(default_factory=dict)
    values: dict = field(default_factory=dict)  # key -> Decimal
    source: str = ""  # "Sheet1!7"

    def amount(self, key):
        return self.values.get(key)


@dataclass
class ParsedTable:
    definition: TableDefinition
    title: str
    sheet: str
    matched_by: str
    columns: list  # column tree as read (dicts)
    rows: list[ParsedRow] = field(default_factory=list)
    note: str = ""
    unit_label: str = "万元"
    extra_columns: list[str] = field(default_factory=list)
    column_numbers: dict = field(default_factory=dict)  # leaf key -> its 栏次 as printed ("<" under a merged cell)

    @property
    def is_empty(self):
        return not any(row.values for row in self.rows)


@dataclass
class ImportResult:
    format: FormatDefinition
    tables: dict[str, ParsedTable] = field(default_factory=dict)  # by table number
    findings: list[Finding] = field(default_factory=list)

    def add(self, level, message, **kwargs):
        self.findings.append(Finding(level, message, **kwargs))

    @property
    def errors(self):
        return [f for f in self.findings if f.level == "error"]

    @property
    def warnings(self):
        return [f for f in self.findings if f.level == "warning"]

    @property
    def missing(self):
        return [f for f in self.findings if f.level == "missing"]

    @property
    def infos(self):
        return [f for f in self.findings if f.level == "info"]

    @property
    def ok(self):
        return not self.errors

    def ordered_tables(self):
        return sorted(self.tables.values(), key=lambda t: t.definition.position)


class WorkbookUnreadable(Exception):
    pass


def parse_amount(value):
    """A cell's amount as a Decimal with two places; None for blank. Raises ValueError for non-numbers."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, (int, float, Decimal)):
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    else:
        text = str(value).strip().replace(",", "").replace("，", "").replace(" ", "").replace("\u3000", "")
        if text in BLANK_MARKS:
            return None
        if not re.fullmatch(r"-?\d+(\.\d+)?", text):
            raise ValueError(value)
        number = Decimal(text)
    if not number.is_finite():
        raise ValueError(value)
    return number.quantize(CENT, rounding=ROUND_HALF_UP)


def parse_figure(value):
    """A score, rate or weight as printed (绩效自评表): "93.13%" -> 93.13, "0.416" -> 0.416, kept unrounded.

    None for blank; ValueError for text that is not a figure."""
    if value is None:
        return None
    text = str(value).strip().replace(",", "").replace(" ", "")
    if text in BLANK_MARKS:
        return None
    text = text.removesuffix("%")
    if not re.fullmatch(r"-?\d+(\.\d+)?", text):
        raise ValueError(value)
    return Decimal(text)


def _text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def check_zip(source):
    """Refuse files that are not xlsx zips, or that would inflate beyond reason (zip bombs)."""
    try:
        with zipfile.ZipFile(source) as archive:
            names = archive.namelist()
            if "[Content_Types].xml" not in names:
                raise WorkbookUnreadable("文件不是 Excel 工作簿（.xlsx）。")
            total = sum(info.file_size for info in archive.infolist())
            packed = sum(info.compress_size for info in archive.infolist()) or 1
            if total > MAX_UNCOMPRESSED_BYTES or total / packed > MAX_COMPRESSION_RATIO:
                raise WorkbookUnreadable("文件解压后体积异常（疑似压缩炸弹），已拒绝。")
    except zipfile.BadZipFile:
        raise WorkbookUnreadable("文件已损坏或不是 Excel 工作簿（.xlsx），无法读取。") from None
    finally:
        if hasattr(source, "seek"):
            source.seek(0)


class Sheet:
    """A worksheet as a grid of values, with merged ranges known."""

    def __init__(self, worksheet):
        self.name = worksheet.title
        rows = []
        for index, row in enumerate(worksheet.iter_rows(values_only=True)):
            if index >= MAX_ROWS_PER_SHEET:
                break
            rows.append(list(row[:MAX_COLUMNS]))
        width = max((len(r) for r in rows), default=0)
        self.grid = [r + [None] * (width - len(r)) for r in rows]
        self.width = width
        # (row, col) -> (anchor_row, anchor_col), 0-based; spans by anchor
        self.merged_from = {}
        self.spans = {}
        for merged in worksheet.merged_cells.ranges:
            r0, c0, r1, c1 = merged.min_row - 1, merged.min_col - 1, merged.max_row - 1, merged.max_col - 1
            self.spans[(r0, c0)] = (r1 - r0 + 1, c1 - c0 + 1)
            for r in range(r0, r1 + 1):
                for c in range(c0, c1 + 1):
                    if (r, c) != (r0, c0):
                        self.merged_from[(r, c)] = (r0, c0)

    def value(self, r, c, fill_merged=False):
        if fill_merged and (r, c) in self.merged_from:
            r, c = self.merged_from[(r, c)]
        if r >= len(self.grid) or c >= self.width:
            return None
        return self.grid[r][c]

    def texts(self, r):
        return [normalize(_text(v)) for v in self.grid[r]]

    def nonempty(self, r):
        return [(c, v) for c, v in enumerate(self.grid[r]) if _text(v)]

    @staticmethod
    def ref(r, c):
        return f"{get_column_letter(c + 1)}{r + 1}"


# ---------------------------------------------------------------------------
# Which table is this sheet?
# ---------------------------------------------------------------------------


def _title_candidates(fmt: FormatDefinition, text: str):
    """Definitions this title text could be: (definition, strength)."""
    found = []
    for definition in fmt.tables:
        titles = [normalize(t) for t in [definition.title, *definition.aliases]]
        if text in titles:
            found.append((definition, "title"))
        elif all(normalize(word) in text for word in definition.match) and not any(
            normalize(word) in text for word in definition.exclude
        ):
            found.append((definition, "keywords"))
    return found


def identify(fmt: FormatDefinition, sheet: Sheet, top_rows=6):
    """Return (definition, how, title, title_row) or (None, reason, "", -1).

    Only the lines above the column header count: a title, "表N", the name and unit lines.
    A sheet that names three or more tables there is a cover or a table of contents.
    """
    number = None
    title_hits = []
    for r in range(min(top_rows, len(sheet.grid))):
        cells = sheet.nonempty(r)
        if len(cells) >= 3:
            break
        for _c, value in cells:
            text = normalize(_text(value))
            m = TABLE_NUMBER.match(text)
            if m:
                number = str(int(m.group(1)))
                continue
            if NAME_LINE.match(text) or (UNIT_LINE.search(text) and len(text) < 30):
                continue
            for definition, strength in _title_candidates(fmt, text):
                title_hits.append((definition, strength, _text(value), r))
    distinct = {d.number for d, *_ in title_hits}
    if len(distinct) >= 3:
        return None, "含多个表名，视为目录或封面", "", -1
    exact = [h for h in title_hits if h[1] == "title"]
    if exact:
        definition, _s, title, row = exact[0]
        how = "按表名" + (f"（表号 表{number} 不一致）" if number and number != definition.number else "")
        return definition, how, title, row
    if len(distinct) > 1:
        narrowed = [h for h in title_hits if h[0].number == number]
        if not narrowed:
            return None, "表名有歧义：" + "、".join(sorted({d.label for d, *_ in title_hits})), "", -1
        title_hits = narrowed
    if title_hits:
        definition, _s, title, row = title_hits[0]
        how = "按表名关键词" + ("和表号" if number == definition.number else "")
        return definition, how, title, row
    if number:
        try:
            definition = fmt.table(number)
        except KeyError:
            return None, f"表{number} 不在本表式中", "", -1
        return definition, "按表号", definition.title, 0
    return None, "未找到本表式的表名", "", -1


# ---------------------------------------------------------------------------
# Headers and columns
# ---------------------------------------------------------------------------


def _all_labels(columns: list[Column]):
    labels = set()
    for column in columns:
        labels.update(normalize(label) for label in column.labels)
        labels |= _all_labels(column.children)
    return labels


def _keyed_group_labels(columns: list[Column]):
    labels = set()
    for column in columns:
        if column.children:
            if column.required:
                labels.update(normalize(label) for label in column.labels)
            labels |= _keyed_group_labels(column.children)
    return labels


def _is_data_row(sheet: Sheet, r: int, known=frozenset()):
    """A row of figures, a classification code, or a 合计 label where row labels stand."""
    cells = sheet.nonempty(r)
    others = {normalize(_text(v)) for _c, v in cells} & (known - TOTAL_LABELS)
    for c, value in cells:
        text = normalize(_text(value))
        if isinstance(value, (int, float)):
            return True
        if c < 2 and (CODE.match(text) or (text in TOTAL_LABELS and not others)):
            return True
        if re.fullmatch(r"-?[\d,]+\.\d+", text):
            return True
    return False


def find_header(sheet: Sheet, definition: TableDefinition, start: int):
    """Return (first_header_row, header_row_count) or (None, 0)."""
    known = _all_labels(definition.columns)
    for r in range(start, min(start + 8, len(sheet.grid))):
        texts = {normalize(_text(sheet.value(r, c, fill_merged=True))) for c in range(sheet.width)}
        if texts & known:
            depth = 1
            while depth < 4 and r + depth < len(sheet.grid) and not _is_data_row(sheet, r + depth, known):
                below = sheet.texts(r + depth)
                if COLUMN_NUMBER_LABEL in below:
                    break
                if not any(below) and not any((r + depth, c) in sheet.merged_from for c in range(sheet.width)):
                    break
                depth += 1
            return r, depth
    return None, 0


def column_paths(sheet: Sheet, first: int, depth: int):
    paths = []
    for c in range(sheet.width):
        path = []
        for r in range(first, first + depth):
            text = normalize(_text(sheet.value(r, c, fill_merged=True)))
            if text and (not path or path[-1] != text):
                path.append(text)
        paths.append(path)
    return paths


def match_columns(definition: TableDefinition, paths):
    """Map each defined leaf to a sheet column. Returns ({leaf_key: col}, [missing leaves], {col: path})."""
    keyed = _keyed_group_labels(definition.columns)
    used, mapping, missing = set(), {}, []
    for leaf, trail in definition.leaf_paths():
        groups = [node for node in trail[:-1] if node.required]
        want_groups = [{normalize(label) for label in node.labels} for node in groups]
        leaf_labels = {normalize(label) for label in leaf.labels}
        for c, path in enumerate(paths):
            if c in used or not path or path[-1] not in leaf_labels:
                continue
            above = [p for p in path[:-1] if p in keyed]
            if len(above) != len(want_groups) or not all(a in g for a, g in zip(above, want_groups)):
                continue
            mapping[leaf.key] = c
            used.add(c)
            break
        else:
            missing.append("/".join([*(n.label for n in groups), leaf.label]))
    extras = {c: path for c, path in enumerate(paths) if path and c not in used}
    return mapping, missing, extras


# ---------------------------------------------------------------------------
# Rows
# ---------------------------------------------------------------------------


def _is_repeat_header(sheet, r, header_first_texts):
    texts = [t for t in sheet.texts(r)]
    if not any(texts):
        return False
    nonempty = [(i, t) for i, t in enumerate(texts) if t]
    return all(i < len(header_first_texts) and header_first_texts[i] == t for i, t in nonempty) and len(
        nonempty
    ) >= max(1, len([t for t in header_first_texts if t]) // 2)


def _is_page_furniture(sheet, r, definition, title):
    """Title, 表N, 部门名称 and 单位 lines repeated where a printed page broke."""
    cells = [normalize(_text(v)) for _c, v in sheet.nonempty(r)]
    if not cells:
        return False
    for text in cells:
        if text in (normalize(title), normalize(definition.title)) or TABLE_NUMBER.match(text):
            continue
        if NAME_LINE.match(text) or UNIT_LINE.search(text):
            continue
        return False
    return True


def _level_for_code(code, scheme):
    lengths = {"function": {3: 1, 5: 2, 7: 3}, "economic": {3: 1, 5: 2}}[scheme]
    return lengths.get(len(code), 0)


def read_table(sheet: Sheet, definition: TableDefinition, title: str, title_row: int, result: ImportResult, how):
    label = definition.label
    unit_label = "万元"
    for r in range(0, min(title_row + 6, len(sheet.grid))):
        for _c, value in sheet.nonempty(r):
            text = _text(value)
            m = UNIT_LINE.search(normalize(text))
            if m:
                unit_label = m.group(1)
    if definition.rows == "form":
        return read_form(sheet, definition, title, title_row, result, how, unit_label)

    first, depth = find_header(sheet, definition, title_row + 1)
    if first is None:
        result.add("error", f"{label}：在工作表“{sheet.name}”中找不到表头。", sheet=sheet.name)
        return None
    paths = column_paths(sheet, first, depth)
    mapping, missing, extras = match_columns(definition, paths)
    for name in missing:
        result.add("error", f"{label}：缺少列“{name}”。", sheet=sheet.name)
    if missing:
        return None

    body_start = first + depth
    header_first = sheet.texts(first)
    # Extra columns: keep them, as published (e.g. 项目内容, last year's figures).
    extra_keys = {}
    for c, path in extras.items():
        column_values = [sheet.value(r, c) for r in range(body_start, len(sheet.grid))]
        numeric = [v for v in column_values if _text(v)]
        is_amount = bool(numeric)
        for v in numeric:
            try:
                parse_amount(v)
            except ValueError:
                is_amount = False
                break
        if not numeric and not path:
            continue
        extra_keys[c] = (f"extra_{get_column_letter(c + 1)}", "/".join(path), not is_amount)
    parsed = ParsedTable(
        definition=definition, title=title, sheet=sheet.name, matched_by=how, columns=[], unit_label=unit_label
    )
    parsed.extra_columns = [name for _k, name, _t in extra_keys.values()]
    for _key, name, _is_text in extra_keys.values():
        result.add("info", f"{label}：保留了表式之外的列“{name}”。", sheet=sheet.name)

    text_cols = {leaf.key: mapping[leaf.key] for leaf in definition.leaves() if leaf.is_text}
    amount_cols = {leaf.key: mapping[leaf.key] for leaf in definition.leaves() if not leaf.is_text}
    for c, (key, _name, is_text) in extra_keys.items():
        (text_cols if is_text else amount_cols)[key] = c

    current_unit = ("", "")
    notes = []
    r = body_start
    while r < len(sheet.grid):
        if not sheet.nonempty(r):
            r += 1
            continue
        if _is_repeat_header(sheet, r, header_first):
            r += depth
            continue
        if _is_page_furniture(sheet, r, definition, title):
            r += 1
            continue
        if COLUMN_NUMBER_LABEL in sheet.texts(r):
            if not parsed.column_numbers:
                parsed.column_numbers = _column_numbers(sheet, r, mapping)
            r += 1
            continue
        first_text = _text(sheet.nonempty(r)[0][1])
        lone_text = len(sheet.nonempty(r)) == 1 and not isinstance(sheet.nonempty(r)[0][1], (int, float))
        if lone_text and (NOTE_START.match(first_text) or notes):
            # A note, or a further line of it ("注：本表反映…" / "如本表为空，…").
            notes.append(first_text)
            r += 1
            continue
        row = ParsedRow(source=f"{sheet.name}!{r + 1}")
        for key, c in text_cols.items():
            text = _text(sheet.value(r, c))
            if text:
                row.cells[key] = text
        for key, c in amount_cols.items():
            value = sheet.value(r, c)
            try:
                amount = parse_amount(value)
            except ValueError:
                result.add(
                    "error",
                    f"{label}, 单元格 {sheet.ref(r, c)}: \"{_text(value)}\" 不是金额",
                    sheet=sheet.name,
                    cell=sheet.ref(r, c),
                )
                continue
            if amount is not None:
                row.values[key] = amount
        if not row.cells and not row.values:
            r += 1
            continue
        current_unit = _classify(row, definition, current_unit)
        parsed.rows.append(row)
        r += 1
    parsed.note = "\n".join(notes)
    if definition.panel:
        parsed.rows = _split_panels(parsed.rows, definition)
    parsed.columns = _columns_as_read(definition, mapping, extra_keys, parsed.column_numbers)
    if definition.rows == "single":
        parsed.rows = [row for row in parsed.rows if row.values][:1] or parsed.rows[:1]
    return parsed


def _column_numbers(sheet, r, mapping):
    """The 栏次 row: each leaf's printed number, "<" for a leaf under a cell merged from its left."""
    numbers = {}
    for key, c in mapping.items():
        anchor = sheet.merged_from.get((r, c))
        if anchor is not None and anchor[0] == r:
            numbers[key] = "<"
        else:
            numbers[key] = _text(sheet.value(r, c))
    return numbers


def _split_panels(rows, definition):
    """Read side-by-side panels (公开06表) as one list: panel 1 top to bottom, then panel 2, …

    Each row keeps its panel and its printed line so the renderer can lay the panels out again."""
    panel_keys = [leaf.key for column in definition.panel for leaf in column.leaves()]
    printed = [leaf.key for leaf in definition.leaves()]
    count = len(printed) // len(panel_keys)
    panels = [[] for _ in range(count)]
    for line, row in enumerate(rows):
        for index in range(count):
            keys = dict(zip(printed[index * len(panel_keys) : (index + 1) * len(panel_keys)], panel_keys))
            part = ParsedRow(source=row.source)
            part.cells = {keys[k]: v for k, v in row.cells.items() if k in keys}
            part.values = {keys[k]: v for k, v in row.values.items() if k in keys}
            if not part.cells and not part.values:
                continue
            part.cells["_panel"], part.cells["_line"] = index, line
            _classify(part, definition, ("", ""))
            panels[index].append(part)
    return [row for panel in panels for row in panel]


def _classify(row: ParsedRow, definition: TableDefinition, current_unit):
    """Set the row's kind, code, name, level, unit and total flag. Returns the unit in force."""
    kind = definition.rows
    if kind in ("function", "economic"):
        code = re.sub(r"\s", "", row.cells.get("code", ""))
        name = row.cells.get("name", "").strip()
        if code and not code.isdigit() and not name:
            # A label written across the code and name columns ("合计", "人员经费合计").
            code, name = "", row.cells.pop("code").strip()
            row.cells["name"] = name
        if not code and name and normalize(name) not in TOTAL_LABELS and normalize(name).endswith(("合计", "总计")):
            row.kind, row.is_total, row.name = "total", True, name
            row.unit_code, row.unit_name = current_unit
            return current_unit
        row.name = name
        if len(code) == 6 and code.isdigit():
            row.kind, row.code, row.unit_code, row.unit_name = "unit", code, code, name
            return (code, name)
        if not code and normalize(name) in TOTAL_LABELS:
            row.kind, row.is_total = "total", True
        elif code:
            row.kind, row.code, row.level = "code", code, _level_for_code(code, kind)
        row.unit_code, row.unit_name = current_unit
        return current_unit
    if kind in ("units", "projects"):
        unit_name = row.cells.get("unit_name", "").strip()
        project = row.cells.get("project_name", "").strip()
        if normalize(unit_name) in TOTAL_LABELS:
            row.kind, row.is_total, row.name = "total", True, unit_name
            return current_unit
        if unit_name and not project:
            row.kind, row.name, row.level = "unit", unit_name, 1
            row.unit_name = unit_name
            return ("", unit_name)
        row.kind, row.name, row.level = ("project" if kind == "projects" else "unit"), project or unit_name, 2
        row.unit_code, row.unit_name = current_unit
        return current_unit
    # 序号 and 行次 number a line; its name is the first label after them.
    texts = [v for k, v in row.cells.items() if not k.startswith("extra_") and k != "serial" and not k.endswith("line_no")]
    row.name = texts[0] if texts else ""
    row.is_total = any(re.search(r"(合计|总计)$", normalize(t)) for t in texts)
    if kind == "lines" and normalize(row.name) in TOTAL_LABELS:
        row.kind = "total"
    return current_unit


def _columns_as_read(definition, mapping, extra_keys, numbers=None):
    """The definition's column tree in sheet order, plus the extra columns where they stood.

    A leaf carries its 栏次 ("number") when the sheet printed one, and, in a table of panels,
    which panel it belongs to and the panel key its figures are read under."""
    tree = [c.as_dict() for c in definition.columns]
    leaves_at = {}
    numbers = numbers or {}
    panel_keys = [leaf.key for column in definition.panel for leaf in column.leaves()]
    printed = [leaf.key for leaf in definition.leaves()]

    def attach(nodes):
        for node in nodes:
            if "children" in node:
                attach(node["children"])
            else:
                node["col"] = mapping.get(node["key"], 10_000)
                if node["key"] in numbers:
                    node["number"] = numbers[node["key"]]
                if panel_keys and node["key"] in printed:
                    index = printed.index(node["key"])
                    node["panel"] = index // len(panel_keys)
                    node["panel_key"] = panel_keys[index % len(panel_keys)]
                leaves_at[node["key"]] = node

    attach(tree)

    def first_col(node):
        if "children" in node:
            return min(first_col(child) for child in node["children"])
        return node["col"]

    for c, (key, name, is_text) in extra_keys.items():
        node = {"label": name.split("/")[-1], "key": key, "col": c, "extra": True}
        if is_text:
            node["text"] = True
        tree.append(node)
    tree.sort(key=first_col)
    return tree


# ---------------------------------------------------------------------------
# Form tables (绩效目标表): key/value blocks and an indicator grid
# ---------------------------------------------------------------------------


def read_form(sheet: Sheet, definition, title, title_row, result, how, unit_label):
    form = definition.form
    label = definition.label
    parsed = ParsedTable(
        definition=definition, title=title, sheet=sheet.name, matched_by=how, columns=[], unit_label=unit_label
    )
    parsed.columns = [c.as_dict() for c in definition.columns]
    fields = {normalize(f) for f in form["fields"]}
    amount_fields = {normalize(f) for f in form["amount_fields"]}
    indicator_labels = {
        leaf.key: {normalize(x) for x in leaf.labels} for leaf in definition.columns for leaf in leaf.leaves()
    }
    indicator_amounts = {leaf.key for column in definition.columns for leaf in column.leaves() if not leaf.is_text}
    value_fields = {normalize(k): v for k, v in form.get("value_fields", {}).items()}
    task_leaves = [leaf for column in form.get("tasks", []) for leaf in column.leaves()]
    task_cols = {}
    indicator_cols = {}
    mode = "fields"
    block = None
    previous = {}

    def figure(r, c, text):
        try:
            return parse_figure(text)
        except ValueError:
            result.add("error", f"{label}, 单元格 {sheet.ref(r, c)}: \"{text}\" 不是数值", sheet=sheet.name, cell=sheet.ref(r, c))
            return None

    def take_values(r, row, grid):
        """Figures printed after a label the format names (执行率 93.13%, 绩效自评总得分 99.31).

        The figure is the cell right of the label (past its merged width); blank means none."""
        for c, text, colspan, _rowspan in grid:
            key = value_fields.get(normalize(text))
            if key is None:
                continue
            value = figure(r, c + colspan, _text(sheet.value(r, c + colspan)))
            if value is not None:
                row.values[key] = value
                if block is not None and block is not row:
                    block.values[key] = value

    for r in range(title_row + 1, len(sheet.grid)):
        cells = sheet.nonempty(r)
        if not cells or _is_page_furniture(sheet, r, definition, title):
            continue
        grid = []
        for c, value in cells:
            rowspan, colspan = sheet.spans.get((r, c), (1, 1))
            grid.append([c, _text(value), colspan, rowspan])
        first = normalize(grid[0][1])
        texts = [normalize(g[1]) for g in grid]
        row = ParsedRow(source=f"{sheet.name}!{r + 1}", cells={"_grid": [[g[1], g[2], g[0], g[3]] for g in grid]})
        subheader = mode == "indicator_header" and any(
            t in labels and key not in indicator_cols for t in texts for key, labels in indicator_labels.items()
        )
        if "一级指标" in texts or subheader:
            # The indicator header; a second header row names the columns under a group (年度目标值 → 运算符号, 内容…).
            if not subheader:
                indicator_cols = {}
            for c in range(sheet.width):
                text = normalize(_text(sheet.value(r, c)))
                for key, labels in indicator_labels.items():
                    if text in labels and key not in indicator_cols:
                        indicator_cols[key] = c
            mode = "indicator_header"
            row.kind = "indicator_header"
            row.name = grid[0][1] if first != "一级指标" else ""
            previous = {}
        elif form["block_start"] and first == normalize(form["block_start"]):
            mode = "fields"
            row.kind, row.name = "block", grid[1][1] if len(grid) > 1 else ""
            if form.get("block_name_field"):
                row.code = row.name
                for i, (_c, text, _colspan, _rowspan) in enumerate(grid[:-1]):
                    if normalize(text) == normalize(form["block_name_field"]):
                        row.name = grid[i + 1][1]
            block = row
            take_values(r, row, grid)
        elif form["tasks_after"] and normalize(form["tasks_after"]) in texts:
            mode = "tasks"
            row.kind = "task_header"
            task_cols = {}
            for leaf in task_leaves:
                wanted = {normalize(x) for x in leaf.labels}
                for c in range(sheet.width):
                    if normalize(_text(sheet.value(r, c))) in wanted and c not in task_cols.values():
                        task_cols[leaf.key] = c
                        break
        elif mode == "tasks" and task_cols and first not in fields:
            row.kind = "task"
            for leaf in task_leaves:
                c = task_cols.get(leaf.key)
                text = _text(sheet.value(r, c)) if c is not None else ""
                if leaf.is_text:
                    row.cells[leaf.key] = text
                else:
                    value = figure(r, c, text)
                    if value is not None:
                        row.values[leaf.key] = value
            row.name = row.cells.get("name", "")
        elif first in fields or first in amount_fields:
            mode = "fields"
            take_values(r, row, grid)
            row.kind, row.name = "field", grid[0][1]
            row.cells["label"] = grid[0][1]
            row.cells["value"] = grid[1][1] if len(grid) > 1 else ""
            for i in range(2, len(grid) - 1, 2):
                row.cells.setdefault("pairs", []).append([grid[i][1], grid[i + 1][1]])
            if first in amount_fields and len(grid) > 1:
                try:
                    amount = parse_amount(grid[1][1])
                except ValueError:
                    result.add(
                        "error",
                        f"{label}, 单元格 {sheet.ref(r, grid[1][0])}: \"{grid[1][1]}\" 不是金额",
                        sheet=sheet.name,
                        cell=sheet.ref(r, grid[1][0]),
                    )
                    amount = None
                if amount is not None:
                    row.values["amount"] = amount
                    row.cells["_grid"][1][0] = f"{amount:,.2f}"
                    if block is not None:
                        block.values["amount"] = amount
        elif mode == "tasks":
            row.kind = "task"
            numbers = []
            for i, (_c, text, _colspan, _rowspan) in enumerate(grid):
                try:
                    amount = parse_amount(text)
                except ValueError:
                    amount = None
                if amount is not None and re.fullmatch(r"[\d,.\s]+", text):
                    numbers.append(amount)
                    row.cells["_grid"][i][0] = f"{amount:,.2f}"
                else:
                    row.name = row.name or text
            if numbers:
                row.values["amount"] = numbers[-1]
            if normalize(grid[0][1]) in ("年度主要任务",):
                row.name = grid[1][1] if len(grid) > 1 else ""
        elif mode in ("indicators", "indicator_header"):
            mode = "indicators"
            row.kind = "indicator"
            for key, c in indicator_cols.items():
                value = _text(sheet.value(r, c))
                if not value and (r, c) in sheet.merged_from:
                    value = previous.get(key, "")
                row.cells[key] = value
                if key in indicator_amounts and value:
                    number = figure(r, c, value)
                    if number is not None:
                        row.values[key] = number
            # 一级/二级 are printed once per group (merged cells, or blank on continuation pages).
            for key in ("level1", "level2"):
                if not row.cells.get(key):
                    row.cells[key] = previous.get(key, "")
            row.name = row.cells.get("level3", "")
            previous = dict(row.cells)
        else:
            row.kind, row.name = "text", grid[0][1]
        parsed.rows.append(row)
    return parsed


# ---------------------------------------------------------------------------
# The workbook
# ---------------------------------------------------------------------------


def read_workbook(source, fmt: FormatDefinition) -> ImportResult:
    """Read every sheet of the workbook against the format. Never raises for bad input: it reports."""
    result = ImportResult(format=fmt)
    try:
        check_zip(source)
        workbook = load_workbook(source, data_only=True, read_only=False)
    except WorkbookUnreadable as exc:
        result.add("error", str(exc))
        return result
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        result.add("error", f"文件已损坏或格式不受支持，无法读取（{type(exc).__name__}）。")
        return result

    for worksheet in workbook.worksheets:
        sheet = Sheet(worksheet)
        if not sheet.grid or not any(sheet.nonempty(r) for r in range(len(sheet.grid))):
            result.add("info", f"工作表“{sheet.name}”为空，已跳过。", sheet=sheet.name)
            continue
        definition, how, title, title_row = identify(fmt, sheet)
        if definition is None:
            result.add("info", f"工作表“{sheet.name}”不是本表式的表格（{how}），已跳过。", sheet=sheet.name)
            continue
        if definition.number in result.tables:
            other = result.tables[definition.number].sheet
            result.add(
                "error",
                f"工作表“{sheet.name}”和“{other}”都是表{definition.number} {definition.title}，请只保留一张。",
                sheet=sheet.name,
            )
            continue
        parsed = read_table(sheet, definition, title, title_row, result, how)
        if parsed is None:
            continue
        result.tables[definition.number] = parsed
        result.add(
            "info",
            f"工作表“{sheet.name}”读作 表{definition.number} {definition.title}（{how}），{len(parsed.rows)} 行。",
            sheet=sheet.name,
        )

    if not result.tables:
        if not result.errors:
            result.add("error", f"工作簿中没有找到“{fmt.name}”的任何一张表。")
        return result
    for definition in fmt.tables:
        if definition.number not in result.tables and definition.mandatory:
            result.add("missing", f"缺少 表{definition.number} {definition.title}。")
    return result
