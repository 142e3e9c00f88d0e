"""Check the arithmetic identities a format defines (TABLES.md §4) against the tables read.

Identities are data in the format files. Their expressions use this vocabulary:

- ``T3`` — table 3 as read; ``T3.total`` its 合计 row, ``T3.first`` its first row,
  ``T3.code("208")`` the row of a classification code, ``T3.line("income_item", "收入总计")``
  the row whose text column reads so (``after="上年结转"`` picks a later occurrence),
  ``T3.numbered(col, "一、")`` the rows numbered in that style, ``T3.between(col, a, b)``,
  ``T3.coded()``, ``T3.level(1)``, ``T3.kind("unit")``, ``T3.named("人员经费")``,
  ``T3.code_sum(col, *codes)``, ``T3.has(*codes)``;
- ``row.total`` — an amount (blank is 0); ``row.under("301", "303")`` — is the code below these;
- ``sum_of(rows, col)``, ``narrative(regex)`` (a figure from the 情况说明);
- for the 绩效自评 forms: ``T10.kind("block")`` as an ``each``, ``row.within("indicator")`` (the rows of
  that block), ``product(a, b)``, ``quotient(a, b)`` (0 when b is 0), ``round2(x)`` (half up),
  ``trunc2(x)`` (cut, as the 整体自评 scores are), ``percent(a, b)`` (a / b × 100, 0 when b is 0).
  Only sums and differences are operators; a product or quotient is spelled out, so a format file
  cannot hide one in a long expression.

Rounding (TABLES.md §4): a difference of at most 0.01 per figure involved is reported as a
rounding residue (尾差); anything larger as a mismatch. Both are warnings: published documents
do contain inconsistencies, and a back-fill must still import.
"""

import ast
import re
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from disclosures.text import ENUMERATOR, normalize, strip_enumerator

ZERO = Decimal("0.00")
CENT = Decimal("0.01")


class NotEvaluable(Exception):
    """The identity cannot be checked here (a table or figure is absent)."""


class DefinitionError(Exception):
    """The format file itself is wrong (unknown column, forbidden syntax)."""


_ALLOWED = (
    ast.Expression, ast.BinOp, ast.Add, ast.Sub, ast.UnaryOp, ast.USub, ast.Name, ast.Load,
    ast.Attribute, ast.Call, ast.Constant, ast.keyword, ast.Compare, ast.Eq, ast.GtE, ast.LtE,
    ast.BoolOp, ast.And, ast.Or,
)  # fmt: skip


def compile_expression(text):
    tree = ast.parse(text, mode="eval")
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED):
            raise DefinitionError(f"表达式中不允许 {type(node).__name__}：{text}")
        if isinstance(node, ast.Attribute) and node.attr.startswith("_"):
            raise DefinitionError(f"表达式中不允许私有属性：{text}")
        if isinstance(node, ast.Name) and node.id.startswith("_"):
            raise DefinitionError(f"表达式中不允许私有名称：{text}")
    return compile(tree, "<identity>", "eval")


class Counter:
    def __init__(self):
        self.reads = 0


class RowView:
    def __init__(self, table, row, counter, label=""):
        self._table, self._row, self._counter, self._label = table, row, counter, label

    def __getattr__(self, key):
        table = self._table
        if key not in table.present:
            if key in table.defined:
                # The workbook does not print this column: the identity cannot be checked, it is not wrong.
                raise NotEvaluable(f"表{table.number} 缺少列“{table.display(key)}”")
            raise DefinitionError(f"表{table.number} 没有列 {key}")
        self._counter.reads += 1
        if self._row is None:
            return ZERO
        value = self._row.values.get(key, ZERO)
        return value * table.scale if table.scale != 1 else value

    def within(self, kind):
        """The rows of this block (a 绩效 form's block runs to the next block row) of one kind."""
        rows = self._table.parsed.rows
        start = next((i for i, r in enumerate(rows) if r is self._row), len(rows))
        found = []
        for row in rows[start + 1 :]:
            if row.kind == "block":
                break
            if row.kind == kind:
                found.append(row)
        return self._table._views(found)

    def under(self, *prefixes):
        return self._row is not None and any(self._row.code.startswith(p) for p in prefixes)

    def describe(self, column=None):
        if self._row is None:
            return f"（表{self._table.number} 无“{self._label}”行）"
        name = self._row.cells.get(column, "") if column else self._row.name
        text = " ".join(x for x in (self._row.code, name) if x)
        # Where staff find it in their workbook: the sheet and the row number Excel shows.
        sheet, _, number = self._row.source.rpartition("!")
        if sheet.startswith("第") and sheet.endswith("页"):
            place = f"PDF {sheet}第 {number} 行"
        else:
            place = f"工作表“{sheet}”第 {number} 行" if sheet else f"{number} 行"
        return f"{place}（{text}）" if text else place


class TableView:
    def __init__(self, parsed, counter, scale=Decimal(1)):
        self.parsed = parsed
        self.number = parsed.definition.number
        self.counter = counter
        self.scale = scale  # to the unit the identities are checked in (see common_unit)
        definition = parsed.definition
        self.defined = set(definition.amount_keys())
        found = {key for row in parsed.rows for key in row.values}
        if definition.rows == "form":
            self.defined.add("amount")
            self.present = self.defined | found
        elif parsed.readings or parsed.columns:
            self.present = _column_keys(parsed) | found
        else:
            self.present = self.defined | found

    def display(self, key):
        for leaf, trail in self.parsed.definition.leaf_paths():
            if leaf.key == key:
                return "/".join(node.label for node in trail if node.required or node is leaf)
        return key

    def amount_columns(self):
        """The format's amount columns this table prints, in the format's order."""
        return [key for key in self.parsed.definition.amount_keys() if key in self.present]

    def _view(self, row, label=""):
        return RowView(self, row, self.counter, label)

    def _views(self, rows):
        return [self._view(row) for row in rows]

    @property
    def total(self):
        for row in self.parsed.rows:
            if row.is_total and row.kind == "total":
                return self._view(row)
        for row in self.parsed.rows:
            if row.is_total:
                return self._view(row)
        return self._view(None, "合计")

    @property
    def first(self):
        return self._view(self.parsed.rows[0] if self.parsed.rows else None, "第一行")

    @property
    def rows(self):
        return self._views(self.parsed.rows)

    def code(self, code):
        rows = [row for row in self.parsed.rows if row.code == code and row.kind == "code"]
        if len(rows) <= 1:
            return self._view(rows[0] if rows else None, code)
        merged = type(rows[0])(kind="code", code=code, name=rows[0].name, source=rows[0].source)
        for row in rows:
            for key, value in row.values.items():
                merged.values[key] = merged.values.get(key, ZERO) + value
        return self._view(merged)

    def code_sum(self, column, *codes):
        return sum((getattr(self.code(code), column) for code in codes), ZERO)

    def has(self, *codes):
        return any(row.code in codes for row in self.parsed.rows)

    def _text(self, row, column):
        return row.cells.get(column, "")

    def line(self, column, label, after=None):
        start = 0
        if after is not None:
            for i, row in enumerate(self.parsed.rows):
                if strip_enumerator(self._text(row, column)) == strip_enumerator(after):
                    start = i + 1
                    break
            else:
                return self._view(None, label)
        wanted = strip_enumerator(label)
        for row in self.parsed.rows[start:]:
            if strip_enumerator(self._text(row, column)) == wanted:
                return self._view(row)
        return self._view(None, label)

    def numbered(self, column, sample):
        style = _enumerator_style(sample)
        return self._views(r for r in self.parsed.rows if _enumerator_style(self._text(r, column)) == style)

    def between(self, column, start, end):
        rows, inside = [], False
        for row in self.parsed.rows:
            text = strip_enumerator(self._text(row, column))
            if text == strip_enumerator(start):
                inside = True
                continue
            if text == strip_enumerator(end):
                break
            if inside and text:
                rows.append(row)
        return self._views(rows)

    def coded(self):
        return self._views(r for r in self.parsed.rows if r.kind == "code")

    def level(self, level):
        return self._views(r for r in self.parsed.rows if r.kind == "code" and r.level == level)

    def kind(self, kind):
        return self._views(r for r in self.parsed.rows if r.kind == kind)

    def named(self, fragment):
        return self._views(r for r in self.parsed.rows if normalize(fragment) in normalize(r.name) and r.values)


def _column_keys(parsed):
    """The keys of a table's columns as read (or as stored with a saved version)."""
    keys = {reading.key for reading in parsed.readings}

    def walk(nodes):
        for node in nodes:
            if node.get("children"):
                walk(node["children"])
            else:
                keys.add(node.get("panel_key") or node["key"])

    walk(parsed.columns)
    return keys


def common_unit(tables):
    """The unit identities are checked in: the tables' own when they share one, else 元 (exact for all)."""
    units = {table.unit_label or "万元" for table in tables.values()}
    return units.pop() if len(units) == 1 else "元"


def _enumerator_style(text):
    match = ENUMERATOR.match(normalize(text))
    if not match:
        return None
    token = match.group(0)
    if token.endswith("、") and not token[0].isdigit():
        return "一、"
    if token.startswith("("):
        return "(一)"
    return "1."


class MissingTable:
    def __init__(self, number):
        self.number = number

    def __getattr__(self, _name):
        raise NotEvaluable(f"缺少表{self.number}")


@dataclass
class IdentityOutcome:
    id: str
    text: str
    status: str  # holds | rounding | fails | not_checked
    findings: list = field(default_factory=list)
    reason: str = ""


def check_identities(tables, fmt, narrative_text=""):
    """Evaluate every identity of the format over the columns the tables print. Returns IdentityOutcomes.

    A comparison that names a column or table the workbook lacks is not checked (its reason says which);
    an identity none of whose comparisons could be made is "not_checked"."""
    from disclosures.ingest.result import Finding

    unit = common_unit(tables) if tables else fmt.unit
    tolerance = CENT * max((_scale(t.unit_label, unit) for t in tables.values()), default=Decimal(1))
    outcomes = []
    for spec in fmt.identities:
        outcome = IdentityOutcome(id=spec["id"], text=spec["text"], status="holds")
        counter = Counter()
        names = _names(tables, fmt, counter, narrative_text, unit)
        try:
            if "when" in spec and not _eval(spec["when"], names):
                outcome.status, outcome.reason = "not_checked", "不适用"
                outcomes.append(outcome)
                continue
            events = list(_evaluate(spec, names, counter, tables))
        except NotEvaluable as exc:
            outcome.status, outcome.reason = "not_checked", str(exc)
            outcomes.append(outcome)
            continue
        skipped = list(dict.fromkeys(e[1] for e in events if e[0] == "skip"))
        compared = [e for e in events if e[0] != "skip"]
        if not compared and skipped:
            outcome.status, outcome.reason = "not_checked", "；".join(skipped)
            outcomes.append(outcome)
            continue
        if skipped:
            outcome.reason = "部分未核对：" + "；".join(skipped)
        for _kind, where, lhs, rhs, op, reads in (e for e in compared if e[0] == "fails"):
            diff = lhs - rhs
            rounding = op == "=" and abs(diff) <= tolerance * max(reads - 1, 1)
            kind = "尾差" if rounding else "不一致"
            in_unit = f"（单位：{unit}）" if unit != fmt.unit else ""
            message = (
                f"{spec['id']} {spec['text']}{('：' + where) if where else ''}："
                f"左边 {lhs:,.2f}，右边 {rhs:,.2f}，相差 {diff:,.2f}{in_unit}（{kind}）"
            )
            outcome.findings.append(
                Finding("warning", message, identity=spec["id"], figures={"lhs": str(lhs), "rhs": str(rhs), "diff": str(diff)})
            )
            if not rounding or outcome.status == "holds":
                outcome.status = "rounding" if rounding and outcome.status != "fails" else "fails"
        outcomes.append(outcome)
    return outcomes


def _scale(from_unit, to_unit):
    from disclosures.ingest.amounts import UNIT_FACTORS

    return UNIT_FACTORS.get(from_unit or "万元", Decimal(1)) / UNIT_FACTORS.get(to_unit, Decimal(1))


def _names(tables, fmt, counter, narrative_text="", unit=None):
    """The vocabulary of an expression: the tables as T1…Tn and the functions of the module docstring.

    Amounts are given in `unit` (the format's when None), whatever unit each table prints."""
    unit = unit or fmt.unit
    names = {
        f"T{t.number}": (
            TableView(tables[t.number], counter, _scale(tables[t.number].unit_label, unit))
            if t.number in tables else MissingTable(t.number)
        )
        for t in fmt.tables
    }
    names["sum_of"] = lambda rows, column: sum((getattr(row, column) for row in rows), ZERO)
    names["narrative"] = lambda pattern: _narrative(narrative_text, pattern) * _scale("万元" if "万元" in pattern else "元", unit)
    names["round2"] = lambda x: Decimal(x).quantize(CENT, rounding=ROUND_HALF_UP)
    names["trunc2"] = lambda x: Decimal(x).quantize(CENT, rounding=ROUND_DOWN)
    names["percent"] = lambda a, b: (Decimal(a) / Decimal(b) * 100) if b else ZERO
    names["product"] = lambda a, b: Decimal(a) * Decimal(b)
    names["quotient"] = lambda a, b: (Decimal(a) / Decimal(b)) if b else ZERO
    return names


def evaluate(expression, tables, fmt):
    """One figure named by an expression of the vocabulary (e.g. a format's comparison items).

    None when a table or column it needs is absent. Figures are in 万元, whatever unit a table prints."""
    try:
        return _eval(expression, _names(tables, fmt, Counter(), unit="万元"))
    except NotEvaluable:
        return None


def stored_tables(version, fmt):
    """A saved version's tables in the shape the importer returns, so saved figures speak the same vocabulary."""
    from disclosures.ingest import ParsedRow, ParsedTable

    definitions = {t.number: t for t in fmt.tables}
    tables = {}
    for table in version.tables.prefetch_related("rows"):
        definition = definitions.get(table.number)
        if definition is None:
            continue
        parsed = ParsedTable(
            definition=definition, title=table.title, sheet=table.source_sheet, matched_by="", columns=table.columns,
            unit_label=table.unit_label,
        )
        parsed.rows = [
            ParsedRow(
                kind=row.kind, code=row.code, name=row.name, level=row.level, is_total=row.is_total, cells=row.cells,
                values={key: Decimal(value) for key, value in row.values.items() if value not in (None, "")},
            )
            for row in table.rows.all()
        ]
        tables[table.number] = parsed
    return tables


def _eval(text, names):
    try:
        return eval(compile_expression(text), {"__builtins__": {}}, names)  # noqa: S307 — AST-restricted above
    except NameError as exc:
        raise DefinitionError(f"表达式中有未知的名称（{exc}）：{text}") from None


def _compare(lhs, rhs, op):
    if op == ">=":
        return lhs >= rhs
    if op == "<=":
        return lhs <= rhs
    return lhs == rhs


def _check_items(spec, key="checks"):
    items = spec.get(key)
    if items is None and key == "checks" and "lhs" in spec:
        items = [[spec["lhs"], spec["rhs"]]]
    out = []
    for item in items or []:
        lhs, rhs = item[0], item[1]
        where = item[2] if len(item) > 2 else ""
        op = item[3] if len(item) > 3 else "="
        out.append((lhs, rhs, where, op))
    return out


def _evaluate(spec, names, counter, tables):
    """Yield ("fails", where, lhs, rhs, op, figures read), ("ok",) or ("skip", reason) per comparison."""

    def guarded(comparisons):
        try:
            for failure in comparisons:
                yield ("fails", *failure)
            yield ("ok",)
        except NotEvaluable as exc:
            yield ("skip", str(exc))

    if "each" in spec:
        # "T9" (every row) or an expression choosing rows: 'T10.kind("block")'.
        per_row = _check_items(spec, "each_checks") if "each_checks" in spec else _check_items(spec)
        try:
            rows = names[spec["each"]].rows if spec["each"] in names else _eval(spec["each"], names)
        except NotEvaluable as exc:
            yield ("skip", str(exc))
            per_row = []
        for lhs, rhs, where, op in per_row:
            yield from guarded(_each(rows, names, counter, lhs, rhs, where, op))
        if "each_checks" not in spec:
            return
    if "hierarchy" in spec or "top" in spec:
        # A table may be in both lists: its tree is checked, then its 合计 row against its classes.
        for table_name in spec.get("hierarchy", []):
            yield from guarded(_hierarchy(names[table_name], top=False))
        for table_name in spec.get("top", []):
            yield from guarded(_hierarchy(names[table_name], top=True))
        return
    for pair in spec.get("pairs", []):
        yield from guarded(_pairs(pair, names, counter))
    items = _check_items(spec)
    if "columns" in spec:
        try:
            columns = names[spec["columns"]].amount_columns()
        except NotEvaluable as exc:
            yield ("skip", str(exc))
            columns = []
        items = [(l.replace("$", c), r.replace("$", c), w, o, c) for l, r, w, o in items for c in columns]
    else:
        items = [(l, r, w, o, "") for l, r, w, o in items]
    for index, (lhs, rhs, where, op, column) in enumerate(items, start=1):
        place = f"列 {column}" if column else (f"第 {index} 项" if len(items) > 1 else "")
        yield from guarded(_single(names, counter, lhs, rhs, where, op, place))


def _each(rows, names, counter, lhs, rhs, where, op):
    for row in rows:
        scope = dict(names, row=row)
        if where and not _eval(where, scope):
            continue
        counter.reads = 0
        a, b = _eval(lhs, scope), _eval(rhs, scope)
        if not _compare(a, b, op):
            yield row.describe(), a, b, op, counter.reads


def _single(names, counter, lhs, rhs, where, op, place):
    if where and not _eval(where, names):
        return
    counter.reads = 0
    a, b = _eval(lhs, names), _eval(rhs, names)
    if not _compare(a, b, op):
        yield place, a, b, op, counter.reads


def _hierarchy(table, top):
    rows = [r for r in table.parsed.rows if r.kind in ("code", "total", "unit")]
    columns = sorted(table.amount_columns())
    label = f"表{table.number}"
    if top:
        total = next((r for r in rows if r.kind == "total"), None)
        if total is not None:
            classes = [r for r in rows if r.kind == "code" and r.level == 1]
            for column in columns:
                summed = sum((r.values.get(column, ZERO) for r in classes), ZERO)
                value = total.values.get(column, ZERO)
                if value != summed:
                    yield f"{label} 合计行 {column}", value, summed, "=", len(classes) + 1
        return
    # Children are checked within each unit's segment (multi-unit tables repeat the codes per unit).
    segment = []
    segments = [segment]
    for row in rows:
        if row.kind == "unit":
            segment = []
            segments.append(segment)
        elif row.kind == "code":
            segment.append(row)
    for segment in segments:
        for parent in segment:
            children = [
                r for r in segment if r.level == parent.level + 1 and r.code.startswith(parent.code) and r is not parent
            ]
            if not children:
                continue
            for column in columns:
                summed = sum((r.values.get(column, ZERO) for r in children), ZERO)
                value = parent.values.get(column, ZERO)
                if value != summed:
                    yield f"{label} {parent.code} {parent.name} 列 {column}", value, summed, "=", len(children) + 1


def _pairs(pair, names, counter):
    left = _eval(pair["left"], names)
    right = _eval(pair["right"], names)
    by = pair.get("by", "code")

    def key(view, column):
        row = view._row
        if by == "code":
            return row.code
        text = row.cells.get(column, "") if column else row.name
        return strip_enumerator(text)

    # Rows may share a key (two projects of one name, a code repeated per unit): pair them in order.
    right_by_key = {}
    for v in right:
        right_by_key.setdefault(key(v, pair.get("right_key")), []).append(v)
    at_most = pair.get("at_most", False)  # each left row at most its right row (a part of it), unmatched rows aside
    for view in left:
        k = key(view, pair.get("left_key"))
        candidates = right_by_key.get(k)
        other = candidates.pop(0) if candidates else None
        if at_most:
            if other is not None:
                counter.reads = 0
                a = _eval(pair["lhs"], dict(names, a=view, b=other))
                b = _eval(pair["rhs"], dict(names, a=view, b=other))
                if a > b:
                    yield f"表{view._table.number} {view.describe(pair.get('left_key'))} ↔ 表{other._table.number} {other.describe(pair.get('right_key'))}", a, b, "<=", counter.reads
            continue
        b_view = other if other is not None else _zero_like(names, pair, counter, k)
        counter.reads = 0
        a = _eval(pair["lhs"], dict(names, a=view, b=b_view))
        b = _eval(pair["rhs"], dict(names, a=view, b=b_view))
        if a != b:
            yield f"表{view._table.number} {view.describe(pair.get('left_key'))} ↔ 表{b_view._table.number} {b_view.describe(pair.get('right_key'))}", a, b, "=", counter.reads
    if at_most:
        return
    leftovers = [(k, view) for k, views in right_by_key.items() for view in views]
    for k, view in leftovers:
        if pair.get("strict") or any(view._row.values.values()):
            a_view = _zero_like(names, pair, counter, k, side="left")
            counter.reads = 0
            a = _eval(pair["lhs"], dict(names, a=a_view, b=view))
            b = _eval(pair["rhs"], dict(names, a=a_view, b=view))
            if a != b or pair.get("strict"):
                yield f"表{a_view._table.number} {a_view.describe(pair.get('left_key'))} ↔ 表{view._table.number} {view.describe(pair.get('right_key'))}", a, b, "=", counter.reads


def _zero_like(names, pair, counter, label, side="right"):
    """An all-blank row of the pair's table, standing in for a row the other side lacks."""
    expr = pair["right" if side == "right" else "left"]
    table_name = re.match(r"(T\d+)", expr).group(1)
    return RowView(names[table_name], None, counter, label)


def _narrative(text, pattern):
    if not text:
        raise NotEvaluable("没有情况说明")
    match = re.search(pattern, text)
    if not match:
        raise NotEvaluable(f"情况说明中找不到“{pattern}”")
    return Decimal(match.group(1).replace(",", "")).quantize(CENT)
