"""Format definitions: which tables a disclosure has, their columns, and the identities that must hold.

Every format is a TOML file in this folder. One importer, one set of checks and one renderer read
them; no table has code of its own. A new region or year with another table set is a new file.
"""

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path


FORMATS_DIR = Path(__file__).parent


@dataclass
class Column:
    """A node of a column tree. Leaves hold a value; groups hold children."""

    labels: list[str]  # the header text and its variants, as printed
    key: str  # full key: group keys joined with "_" (empty for an unkeyed group)
    is_text: bool = False
    children: list["Column"] = field(default_factory=list)
    required: bool = True  # an unkeyed group may be absent from an export

    @property
    def label(self):
        return self.labels[0]

    @property
    def is_leaf(self):
        return not self.children

    def leaves(self):
        if self.is_leaf:
            return [self]
        return [leaf for child in self.children for leaf in child.leaves()]

    def as_dict(self):
        node = {"label": self.label, "key": self.key}
        if self.is_text:
            node["text"] = True
        if self.children:
            node["children"] = [c.as_dict() for c in self.children]
        return node


@dataclass
class TableDefinition:
    key: str
    number: str
    title: str
    rows: str  # lines | units | projects | function | economic | single | form
    columns: list[Column]
    aliases: list[str] = field(default_factory=list)
    match: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    mandatory: bool = True
    empty_note: str = ""
    form: dict = field(default_factory=dict)
    position: int = 0
    # Side-by-side panels (决算 公开06表 prints three code/name/amount triplets across one page):
    # the columns of one panel; the printed columns repeat them, and each panel is read as a list.
    panel: list[Column] = field(default_factory=list)
    # How the table's number is printed when it differs from the format's pattern (e.g. "附件").
    printed_number: str = ""

    def leaves(self):
        return [leaf for column in self.columns for leaf in column.leaves()]

    def leaf_paths(self):
        """Each leaf with the labels of the groups above it: [(leaf, [group nodes…, leaf])]."""
        out = []

        def walk(node, trail):
            trail = trail + [node]
            if node.is_leaf:
                out.append((node, trail))
            for child in node.children:
                walk(child, trail)

        for column in self.columns:
            walk(column, [])
        return out

    def amount_keys(self):
        leaves = [leaf for column in self.panel for leaf in column.leaves()] if self.panel else self.leaves()
        return [leaf.key for leaf in leaves if not leaf.is_text]

    @property
    def label(self):
        return f"表{self.number} {self.title}"


@dataclass
class SectionDefinition:
    key: str
    title: str
    aliases: list[str] = field(default_factory=list)
    mandatory: bool = True
    required_parts: list[str] = field(default_factory=list)


@dataclass
class FormatDefinition:
    code: str
    name: str
    kind: str
    unit: str
    tables: list[TableDefinition]
    sections: list[SectionDefinition]
    identities: list[dict]
    is_default: bool = False  # the kind's format when no region assigns another
    # Where the budget-vs-actual page finds its figures: the 功能分类 table and column, and the
    # “三公” items as expressions over the tables (see disclosures/views/budget_vs_actual.py).
    comparison: dict = field(default_factory=dict)
    # How table numbers are printed: 表1 in budgets, 公开01表 in Liaoning final accounts.
    number_label: str = "表{number}"

    def printed_number(self, number):
        """The table number as the printed disclosure shows it."""
        for table in self.tables:
            if table.number == str(number) and table.printed_number:
                return table.printed_number
        return self.number_label.format(number=str(number))

    def table(self, number):
        for table in self.tables:
            if table.number == str(number):
                return table
        raise KeyError(number)


_TOKEN = re.compile(r"\s*([{}|,])\s*")


def parse_columns(spec: str, macros: dict[str, str], prefix: str = "") -> list[Column]:
    """Parse "A:a{$b:b, c:c} | d:d" into a column tree (see the head of each format file)."""
    for name, value in macros.items():
        spec = spec.replace(name, value)
    parts = [p for p in _TOKEN.split(spec) if p and p.strip()]
    pos = 0

    def parse_list(prefix):
        nonlocal pos
        nodes = []
        while pos < len(parts):
            token = parts[pos]
            if token in ("|", ","):
                pos += 1
                continue
            if token == "}":
                pos += 1
                return nodes
            pos += 1
            is_text = token.startswith("$")
            label_part, _, key = token.lstrip("$").rpartition(":")
            if not label_part:
                raise ValueError(f"列定义缺少键：{token!r}")
            full_key = "_".join(k for k in (prefix, key) if k)
            node = Column(labels=label_part.split("/"), key=full_key, is_text=is_text, required=bool(key))
            if pos < len(parts) and parts[pos] == "{":
                pos += 1
                node.children = parse_list(full_key)
            nodes.append(node)
        return nodes

    return parse_list(prefix)


def load_format(path: Path) -> FormatDefinition:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    macros = data.get("macros", {})
    tables = []
    for position, t in enumerate(data["tables"]):
        form = {}
        if t["rows"] == "form":
            form = {
                "width": t.get("width", 8),
                "fields": t.get("fields", []),
                "block_start": t.get("block_start", ""),
                "tasks_after": t.get("tasks_after", ""),
                "tasks_until": t.get("tasks_until", ""),
                "amount_fields": t.get("amount_fields", []),
                "indicators": parse_columns(t["indicators"], macros),
                # label printed in a field row -> key of the figure printed after it (e.g. 执行率 -> rate)
                "value_fields": t.get("value_fields", {}),
                # the columns of the task lines (年度主要任务), when they carry more than one figure
                "tasks": parse_columns(t["tasks"], macros) if "tasks" in t else [],
                # the label of the field that names a block, when the block starts on another label
                "block_name_field": t.get("block_name_field", ""),
            }
            columns = form["indicators"]
        else:
            columns = parse_columns(t["columns"], macros)
        tables.append(
            TableDefinition(
                key=t["key"],
                number=str(t["number"]),
                title=t["title"],
                rows=t["rows"],
                columns=columns,
                aliases=t.get("aliases", []),
                match=t.get("match", [t["title"]]),
                exclude=t.get("exclude", []),
                mandatory=t.get("mandatory", True),
                empty_note=t.get("empty_note", ""),
                form=form,
                position=position,
                panel=parse_columns(t["panel"], macros) if "panel" in t else [],
                printed_number=t.get("printed_number", ""),
            )
        )
    sections = [SectionDefinition(**s) for s in data.get("sections", [])]
    return FormatDefinition(
        code=data["code"],
        name=data["name"],
        kind=data["kind"],
        unit=data.get("unit", "万元"),
        tables=tables,
        sections=sections,
        identities=data.get("identities", []),
        is_default=data.get("default", False),
        comparison=data.get("comparison", {}),
        number_label=data.get("number_label", "表{number}"),
    )


@cache
def all_formats() -> dict[str, FormatDefinition]:
    formats = {}
    for path in sorted(FORMATS_DIR.glob("[!_]*.toml")):  # _synonyms.toml is shared by all
        definition = load_format(path)
        formats[definition.code] = definition
    return formats


def get_format(code: str) -> FormatDefinition:
    try:
        return all_formats()[code]
    except KeyError:
        raise KeyError(f"未知的表式：{code}") from None


def default_format(kind: str) -> FormatDefinition:
    of_kind = [definition for definition in all_formats().values() if definition.kind == kind]
    for definition in sorted(of_kind, key=lambda d: not d.is_default):
        return definition
    raise KeyError(f"没有“{kind}”类别的表式")
