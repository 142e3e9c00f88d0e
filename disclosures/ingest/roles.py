"""Role mapping: which column of the workbook's own header is which column the format knows.

A format definition's column tree lists the *roles* a table may have (the 合计, the fund sources, the
基本/项目 split, the code and the name) with their labels; the workbook's header decides which of them
are present, in which order and under which wording. A column is given the role whose label it prints
under the same keyed groups (本年收入, 上年结转结余, 基本支出 …); a group printed as one column takes the
role of the group's 小计. Year labels (2024年预算数, 上年, 本年) are read apart: the latest year is the
current one, an earlier year's columns are kept under "prior_" roles.

Never two columns for one role, never two roles for one column: an ambiguous header is an error that
names both cells. A column with no role is kept as printed; a role with no column is reported.
"""

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache

from disclosures.ingest.formats import FORMATS_DIR, Column, TableDefinition
from disclosures.text import normalize

YEAR_LABEL = re.compile(r"^(?:(\d{4})年?度?|(本年|上年|本年度|上年度))(预算数|决算数|预算|决算|执行数|预计执行数|数)?$")
AGGREGATE_LABELS = {"小计", "合计"}
UNIT_IN_LABEL = re.compile(r"\((?:金额)?单位:[^)]*\)")


def label_key(text):
    """A header label as matched: normalised, without a unit in brackets (价值（金额单位：元）→ 价值)."""
    return UNIT_IN_LABEL.sub("", normalize(text)) or normalize(text)


@cache
def _synonyms():
    data = tomllib.loads((FORMATS_DIR / "_synonyms.toml").read_text(encoding="utf-8"))
    table = {}
    for label, others in data.get("labels", {}).items():
        table.setdefault(normalize(label), set()).update(normalize(o) for o in others)
    return table


@dataclass
class Role:
    key: str
    labels: set  # normalised wordings of the leaf
    groups: list  # normalised wordings of each keyed group above it, outermost first
    is_text: bool
    display: str  # "本年收入/单位资金/小计"
    aggregate_of: set = field(default_factory=set)  # the group's wordings, when the role is its 小计
    saved: set = field(default_factory=set)  # wordings an administrator saved for a region's layout
    aggregate_groups: list = field(default_factory=list)  # the keyed groups above the flattened group

    @property
    def signature(self):
        return (frozenset(self.labels), tuple(frozenset(g) for g in self.groups))


@dataclass
class RoleSet:
    roles: list[Role]
    keyed_labels: set  # every wording of a keyed group: a path element that must match a role's groups
    known_labels: set  # every wording the format knows for this table (to find the header)


def _walk(columns: list[Column], trail):
    for column in columns:
        if column.children:
            yield from _walk(column.children, trail + [column])
        else:
            yield column, trail


def roles_for(definition: TableDefinition, extra_labels=None) -> RoleSet:
    """The table's roles with their wordings: the format's, the shared synonyms, and a saved layout's.

    `extra_labels` maps a role key to wordings an administrator saved for a region's layout."""
    frozen = tuple(sorted((k, tuple(sorted(v))) for k, v in (extra_labels or {}).items()))
    cached = _ROLE_SETS.get((id(definition), frozen))
    if cached is None or cached[0] is not definition:
        cached = _ROLE_SETS[(id(definition), frozen)] = (definition, _build(definition, dict(frozen)))
    return cached[1]


_ROLE_SETS = {}


def _build(definition, extra):
    leaves = list(_walk(definition.columns, []))
    own = {label_key(label) for leaf, _t in leaves for label in leaf.labels}
    groups_seen = {}
    for _leaf, trail in leaves:
        for node in trail:
            groups_seen[id(node)] = node
    own |= {label_key(label) for node in groups_seen.values() for label in node.labels}
    synonyms = _synonyms()

    def wordings(labels):
        found = {label_key(label) for label in labels}
        for label in list(found):
            found |= {s for s in synonyms.get(label, ()) if s not in own}
        return found

    roles = []
    keyed = set()
    known = set(own)
    for leaf, trail in leaves:
        keyed_groups = [node for node in trail if node.required]
        group_wordings = [wordings(node.labels) for node in keyed_groups]
        keyed.update(w for g in group_wordings for w in g)
        saved = {normalize(x) for x in extra.get(leaf.key, ())}
        labels = wordings(leaf.labels) | saved
        known |= labels | {w for g in group_wordings for w in g}
        aggregate, aggregate_groups = set(), group_wordings
        parent = trail[-1] if trail else None
        if parent is not None and parent.children[0] is leaf and normalize(leaf.label) in AGGREGATE_LABELS:
            aggregate = wordings(parent.labels)
            if parent.required:  # a keyed group is among the groups: the flattened column stands above it
                aggregate_groups = group_wordings[:-1]
        display = "/".join([*(node.label for node in keyed_groups), leaf.label])
        roles.append(Role(leaf.key, labels, group_wordings, leaf.is_text, display, aggregate, saved, aggregate_groups))
    for node in groups_seen.values():
        known |= wordings(node.labels)
    return RoleSet(roles, keyed, known)


def split_year(path):
    """(path without year labels, year tag) — the tag is a year number, "本年" or "上年", or ""."""
    kept, tag = [], ""
    for position, label in enumerate(path):
        m = YEAR_LABEL.match(label)
        if not m:
            kept.append(label)
            continue
        tag = m.group(1) or ("上年" if m.group(2).startswith("上") else "本年")
        if position == len(path) - 1 and m.group(3):
            kept.append(m.group(3))  # "2025年预算数" as a leaf reads as 预算数 of 2025
    return kept, tag


def year_prefixes(tags):
    """tag -> key prefix: "" for the current year, "prior_" for the year before, "y2022_" for older ones."""
    numbers = sorted({int(t) for t in tags if t.isdigit()})
    prefixes = {"": "", "本年": "", "上年": "prior_"}
    if numbers:
        latest = numbers[-1]
        for year in numbers:
            prefixes[str(year)] = "" if year == latest else ("prior_" if year == latest - 1 else f"y{year}_")
    return prefixes


@dataclass
class Assignment:
    """The outcome of mapping one table's header: role key per column, and what went wrong."""

    keys: dict  # column index -> role key ("prior_total" for last year's)
    roles: dict  # column index -> Role
    years: dict  # column index -> "current" | "prior" | ""
    conflicts: list  # (role display, [column indexes]) for a role claimed by more columns than it has
    unclaimed: list  # column indexes with no role
    absent: list  # Role objects no column took


def assign(role_set: RoleSet, paths: dict) -> Assignment:
    """Give each header column (index -> normalised label path) at most one role, and each role one column."""
    tags = {c: split_year(path) for c, path in paths.items()}
    prefixes = year_prefixes({tag for _p, tag in tags.values()})
    taken = {}  # (prefix, role key) -> column
    keys, roles, years, unclaimed = {}, {}, {}, []
    claims = {}  # (prefix, signature) -> [columns]
    for c in sorted(paths):
        path, tag = tags[c]
        candidates = _candidates(role_set, path)
        if not candidates:
            unclaimed.append(c)
            continue
        prefix = prefixes.get(tag, "")
        # Roles of one signature (06表 prints 科目编码 twice under 公用经费) are filled in the sheet's order.
        free = [role for role in candidates if (prefix, role.key) not in taken]
        claims.setdefault((prefix, candidates[0].signature), []).append(c)
        if not free:
            continue
        role = free[0]
        taken[(prefix, role.key)] = c
        keys[c], roles[c] = prefix + role.key, role
        years[c] = ("prior" if prefix else "current") if tag else ""
    conflicts = []
    for (prefix, signature), columns in claims.items():
        capacity = sum(1 for role in role_set.roles if role.signature == signature)
        if len(columns) > capacity:
            display = next(role.display for role in role_set.roles if role.signature == signature)
            conflicts.append(((prefix and "上年/") + display, columns))
    absent = [role for role in role_set.roles if ("", role.key) not in taken]
    return Assignment(keys, roles, years, conflicts, unclaimed, absent)


def _candidates(role_set, path):
    """The roles a column's path can be: a leaf wording under the same keyed groups, else a group's 小计."""
    if not path:
        return []
    leaf, above = path[-1], [p for p in path[:-1] if p in role_set.keyed_labels]

    def groups_match(groups, above):
        return len(groups) == len(above) and all(a in g for a, g in zip(above, groups))

    def within(groups, above):
        # A saved wording may stand under fewer of the role's groups (单位资金合计 right under 本年收入).
        rest = iter(groups)
        return all(any(a in g for g in rest) for a in above)

    direct = [role for role in role_set.roles if leaf in role.labels and groups_match(role.groups, above)]
    if not direct:
        direct = [role for role in role_set.roles if leaf in role.saved and within(role.groups, above)]
    if direct:
        signature = direct[0].signature
        return [role for role in direct if role.signature == signature]
    return [
        role for role in role_set.roles
        if role.aggregate_of and leaf in role.aggregate_of and groups_match(role.aggregate_groups, above)
    ]
