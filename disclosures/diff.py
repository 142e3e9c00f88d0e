"""What changed between two versions of a disclosure: every figure, every table note, every section.

Rows are matched by what identifies them on the page (kind, code, name, unit), in order of
appearance when a table repeats a label; columns by their leaf key, labelled with the full grouped
header as printed.
"""

import difflib
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal


@dataclass
class FigureChange:
    table: str
    anchor: str
    row: str
    column: str
    before: Decimal | None
    after: Decimal | None

    @property
    def difference(self):
        return (self.after or Decimal(0)) - (self.before or Decimal(0))


def _leaf_labels(columns, prefix=()):
    labels = {}
    for node in columns:
        path = (*prefix, node.get("label", ""))
        if node.get("children"):
            labels.update(_leaf_labels(node["children"], path))
        elif node.get("key"):
            labels[node["key"]] = " / ".join(p for p in path if p)
    return labels


def _keyed_rows(table):
    seen = defaultdict(int)
    out = {}
    for row in table.rows.all():
        label = " ".join(x for x in (row.code, row.name or " ".join(str(v) for v in row.cells.values() if isinstance(v, str))[:60]) if x)
        key = (row.kind, row.code, row.name, row.unit_id, tuple(sorted((k, v) for k, v in row.cells.items() if isinstance(v, str))))
        seen[key] += 1
        out[(key, seen[key])] = (label or f"第 {row.position + 1} 行", row)
    return out


def figure_changes(before, after) -> list[FigureChange]:
    changes = []
    old_tables = {t.number: t for t in before.tables.prefetch_related("rows")}
    for table in after.tables.prefetch_related("rows"):
        old = old_tables.get(table.number)
        labels = _leaf_labels(table.columns)
        title = f"表{table.number} {table.title}"
        new_rows = _keyed_rows(table)
        old_rows = _keyed_rows(old) if old else {}
        for key in list(old_rows) + [k for k in new_rows if k not in old_rows]:
            label, new_row = new_rows.get(key, (None, None))
            old_label, old_row = old_rows.get(key, (None, None))
            values_new = new_row.values if new_row else {}
            values_old = old_row.values if old_row else {}
            for column in sorted(set(values_new) | set(values_old)):
                a, b = values_old.get(column), values_new.get(column)
                if a != b:
                    changes.append(
                        FigureChange(
                            title, table.anchor, label or old_label, labels.get(column, column),
                            Decimal(a) if a is not None else None, Decimal(b) if b is not None else None,
                        )
                    )
    return changes


def note_changes(before, after):
    old = {t.number: t.note for t in before.tables.all()}
    return [(f"表{t.number} {t.title}", old.get(t.number, ""), t.note) for t in after.tables.all() if old.get(t.number, "") != t.note]


def section_changes(before, after):
    """(title, list of unified-diff lines) for each section whose text changed."""
    old = {s.key: s.body for s in before.sections.all()}
    out = []
    for section in after.sections.all():
        previous = old.get(section.key, "")
        if previous != section.body:
            lines = list(difflib.unified_diff(previous.splitlines(), section.body.splitlines(), lineterm="", n=0))[2:]
            out.append((section.title, [line for line in lines if not line.startswith("@@")]))
    return out


def changes_context(version, previous):
    return {
        "version": version,
        "previous": previous,
        "disclosure": version.disclosure,
        "figures": figure_changes(previous, version) if previous else [],
        "notes": note_changes(previous, version) if previous else [],
        "sections": section_changes(previous, version) if previous else [],
    }
