"""The completeness checklist: a version against its format's mandatory content (RULES A.3, A.4).

143号文 第三条: "除涉及国家秘密外，不得少公开、不公开应当公开的事项". So every table of the format must be
there (an empty table is published with its note, RULES A.4), and every mandatory section must be
written, including the parts the 情况说明 must cover. A version goes to review only when every item
holds.
"""

import re
from dataclasses import dataclass

from disclosures.narrative import GAP
from disclosures.sections import blocks


@dataclass
class Item:
    label: str
    ok: bool
    detail: str = ""
    group: str = ""


def _parts(definition):
    for part in definition.required_parts:
        if isinstance(part, str):
            yield part, re.escape(part)
        else:
            yield part["label"], part["pattern"]


def _paragraphs(body):
    for kind, content in blocks(body):
        if kind == "list":
            yield from content
        else:
            yield content


@dataclass
class TableEntry:
    """A table of the format, with the version's table of that number (None when the version lacks it)."""

    definition: object | None  # ingest.formats.TableDefinition (None: a table the format does not list)
    table: object | None  # DisclosureTable
    number_label: str  # as printed: 表3, 公开03表, 附件

    @property
    def number(self):
        return self.table.number if self.table else self.definition.number

    @property
    def title(self):
        return self.table.title if self.table else self.definition.title

    @property
    def anchor(self):
        return f"table-{self.number}"  # as DisclosureTable.anchor, so a link finds the table or its absence

    @property
    def is_missing(self):
        return self.table is None

    @property
    def is_empty(self):
        return self.table is not None and self.table.is_empty


@dataclass
class SectionEntry:
    """A section of the format and whether the version has written it."""

    definition: object  # ingest.formats.SectionDefinition
    body: str

    @property
    def key(self):
        return self.definition.key

    @property
    def title(self):
        return self.definition.title

    @property
    def is_written(self):
        return bool(self.body.strip())


def table_entries(version, tables=None) -> list[TableEntry]:
    """Every table of the format in its order. `tables`: the version's tables when already read."""
    fmt = version.disclosure.format_definition
    by_number = {t.number: t for t in (version.tables.all() if tables is None else tables)}
    return [TableEntry(d, by_number.get(d.number), fmt.printed_number(d.number)) for d in fmt.tables]


def section_entries(version, sections=None) -> list[SectionEntry]:
    """Every section of the format in its order, with the text the version has under it."""
    bodies = {}
    for section in version.sections.all() if sections is None else sections:
        bodies.setdefault(section.key, []).append(section.body)
    fmt = version.disclosure.format_definition
    return [SectionEntry(d, "\n".join(bodies.get(d.key, []))) for d in fmt.sections]


@dataclass
class Contents:
    """What a version publishes against what its format requires (RULES A.3, A.4), for the public page."""

    tables: list[TableEntry]
    sections: list[SectionEntry]

    @property
    def missing_tables(self):
        return [e for e in self.tables if e.is_missing and e.definition.mandatory]

    @property
    def empty_tables(self):
        return [e for e in self.tables if e.is_empty]

    @property
    def published_tables(self):
        return [e for e in self.tables if not e.is_missing]

    @property
    def missing_sections(self):
        return [e for e in self.sections if e.definition.mandatory and not e.is_written]

    @property
    def summary(self) -> str:
        """What is there, counted: "情况说明及 18 张公开表", "2 张公开表，缺 16 张；无情况说明"."""
        explanation = next((e for e in self.sections if e.key == "explanation" and e.is_written), None)
        text = f"{len(self.published_tables)} 张公开表"
        if explanation:
            text = f"{explanation.title}及 {text}"
        if self.missing_tables:
            text += f"，缺 {len(self.missing_tables)} 张"
        if self.empty_tables:
            text += f"，其中空表 {len(self.empty_tables)} 张"
        if self.missing_sections:
            text += "；无" + "、".join(e.title for e in self.missing_sections)
        return text


def contents(version, tables=None, sections=None) -> Contents:
    return Contents(table_entries(version, tables), section_entries(version, sections))


def checklist(version) -> list[Item]:
    items = []
    for entry in table_entries(version):
        definition, table = entry.definition, entry.table
        label = f"表{definition.number} {definition.title}"
        if table is None:
            items.append(Item(label, not definition.mandatory, "缺少此表" if definition.mandatory else "非必备表", "表格"))
        elif table.is_empty:
            items.append(Item(label, bool(table.note), "空表，附说明公开" if table.note else "空表缺少说明", "表格"))
        else:
            items.append(Item(label, True, f"{table.rows.count()} 行", "表格"))
    for entry in section_entries(version):
        definition, body = entry.definition, entry.body
        if definition.mandatory:
            written = bool(body.strip())
            items.append(Item(definition.title, written, "已填写" if written else "尚未填写", "栏目"))
        paragraphs = list(_paragraphs(body))
        for label, pattern in _parts(definition):
            found = any(re.search(pattern, paragraph) for paragraph in paragraphs)
            items.append(Item(f"{definition.title}：{label}", found, "已写明" if found else "未写明", "栏目"))
        if GAP in body:
            items.append(Item(f"{definition.title}：待填写内容", False, f"仍有 {body.count(GAP)} 处“{GAP}…】”", "栏目"))
    return items


def missing(version) -> list[Item]:
    return [item for item in checklist(version) if not item.ok]
