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


def checklist(version) -> list[Item]:
    fmt = version.disclosure.format_definition
    items = []
    tables = {t.number: t for t in version.tables.all()}
    for definition in fmt.tables:
        table = tables.get(definition.number)
        label = f"表{definition.number} {definition.title}"
        if table is None:
            items.append(Item(label, not definition.mandatory, "缺少此表" if definition.mandatory else "非必备表", "表格"))
        elif table.is_empty:
            items.append(Item(label, bool(table.note), "空表，附说明公开" if table.note else "空表缺少说明", "表格"))
        else:
            items.append(Item(label, True, f"{table.rows.count()} 行", "表格"))
    sections = {}
    for section in version.sections.all():
        sections.setdefault(section.key, []).append(section)
    for definition in fmt.sections:
        body = "\n".join(s.body for s in sections.get(definition.key, []))
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
