"""Build the search index from published versions only.

`index_disclosure` replaces everything indexed for a disclosure with the content of its current
published version, so a correction (a newer published version) leaves no trace of the old one.
It runs when `version_published` is sent (after the publishing transaction commits) and from
`manage.py rebuild_search_index`.
"""

from django.core.cache import cache
from django.db import transaction

from disclosures.models import Department, Disclosure, TableRow
from disclosures.sections import blocks

from .cells import SEPARATOR, heading, row_texts
from .models import SearchEntry
from .text import facet_lexemes, normalize, tsvector_literal

# Table rows that name a project: 项目支出 (表9), 债务/政府采购/政府购买服务 (表13–15) project rows,
# and each block of the 项目绩效目标表 (表17).
PROJECT_ROW_KINDS = {"project", "block"}
# Tables whose coded rows are classification lines (功能分类 and 经济分类).
LINE_TABLE_ROWS = {"function", "economic"}


def _facets(department, published):
    region = department.region
    return facet_lexemes(
        region_ids=[r.pk for r in region.ancestors()], level=region.level, published=published, department_id=department.pk
    )


def _entry(group, department, *, facets, disclosure=None, version=None, title, text, **fields):
    region = department.region
    return SearchEntry(
        group=group,
        department=department,
        disclosure=disclosure,
        version=version,
        region=region,
        region_level=region.level,
        year=disclosure.year if disclosure else None,
        kind=disclosure.kind if disclosure else "",
        title=title[:500],
        text=text,
        normalized=normalize(text),
        tokens=f"{tsvector_literal(text)} {facets}",
        **fields,
    )


def _first_amount(row, definition):
    for key in definition.amount_keys() if definition else row.values:
        value = row.amount(key)
        if value is not None:
            return value
    return None


def entries_for_version(disclosure, version):
    """The entries of one published version: the disclosure, its paragraphs, projects, lines and text cells."""
    department = disclosure.department
    label = f"{disclosure.year} 年{disclosure.get_kind_display()}"
    definitions = {t.number: t for t in disclosure.format_definition.tables}
    facets = _facets(department, [(disclosure.year, disclosure.kind)])
    entries = [
        _entry(
            SearchEntry.Group.DISCLOSURE,
            department,
            facets=facets,
            disclosure=disclosure,
            version=version,
            title=f"{department.name} {label}",
            text=f"{department.name} {label}",
            context=department.region.path,
            position=0,
        )
    ]
    for number, section in enumerate(version.sections.all(), start=1):
        for index, (kind, content) in enumerate(blocks(section.body)):
            paragraphs = content if kind == "list" else [content]
            for paragraph in paragraphs:
                if not paragraph.strip():
                    continue
                entries.append(
                    _entry(
                        SearchEntry.Group.DISCLOSURE,
                        department,
                        facets=facets,
                        disclosure=disclosure,
                        version=version,
                        title=f"{department.name} {label} · {section.title}",
                        text=paragraph,
                        context=section.title,
                        anchor=f"section-{section.key}-{number}",
                        position=number * 1000 + index,
                    )
                )
    tables = {table.pk: table for table in version.tables.all()}
    seen_lines, seen_cells, block, part = set(), set(), {}, {}
    rows = TableRow.objects.filter(table__version=version).select_related("table").order_by("table__position", "position")
    for row in rows:
        table = tables[row.table_id]
        definition = definitions.get(table.number)
        where = f"表{table.number} {table.title}"
        anchor = f"table-{table.number}-row-{row.position + 1}"
        position = 100_000 + table.position * 10_000 + row.position
        if row.kind == "block":
            block[table.pk] = row.name  # the project a 表17 row belongs to
            part.pop(table.pk, None)
        part[table.pk] = heading(row) or part.get(table.pk, "")  # 绩效指标, 年度主要任务
        coded_lines = definition is not None and definition.rows in LINE_TABLE_ROWS
        form = definition.rows == "form" if definition is not None else not table.columns
        texts, columns = row_texts(table, row, form=form, coded_lines=coded_lines, under=part[table.pk])
        text = SEPARATOR.join(texts)
        # One entry per table and text and disclosure: 表17 repeats 产出指标 and 主管部门 for each project.
        if texts and (table.number, text) not in seen_cells:
            seen_cells.add((table.number, text))
            entries.append(
                _entry(
                    SearchEntry.Group.TEXT_CELL,
                    department,
                    facets=facets,
                    disclosure=disclosure,
                    version=version,
                    title=block.get(table.pk) or row.name or texts[0],
                    text=text,
                    context=SEPARATOR.join([where, *dict.fromkeys(c for c in columns if c)])[:300],
                    anchor=anchor,
                    position=position,
                )
            )
        if row.kind in PROJECT_ROW_KINDS and row.name:
            entries.append(
                _entry(
                    SearchEntry.Group.PROJECT,
                    department,
                    facets=facets,
                    disclosure=disclosure,
                    version=version,
                    title=row.name,
                    text=row.name,
                    context=where,
                    anchor=anchor,
                    amount=_first_amount(row, definition) if row.kind == "project" else row.amount("amount"),
                    position=position,
                )
            )
        elif row.code and coded_lines:
            # One entry per code and name and disclosure: 表3, 5, 10 repeat the same lines.
            if (row.code, row.name) in seen_lines:
                continue
            seen_lines.add((row.code, row.name))
            entries.append(
                _entry(
                    SearchEntry.Group.LINE,
                    department,
                    facets=facets,
                    disclosure=disclosure,
                    version=version,
                    title=row.name,
                    code=row.code,
                    text=f"{row.code} {row.name}",
                    context=where,
                    anchor=anchor,
                    amount=_first_amount(row, definition),
                    position=position,
                )
            )
    return entries


def entries_for_department(department):
    """The department and its units, findable by name, once it has published anything."""
    published = Disclosure.objects.published().filter(department=department).values_list("year", "kind").distinct()
    facets = _facets(department, list(published))
    entries = [
        _entry(
            SearchEntry.Group.DEPARTMENT,
            department,
            facets=facets,
            title=department.name,
            text=department.name,
            context=department.region.path,
        )
    ]
    for position, unit in enumerate(department.units.all(), start=1):
        if unit.name == department.name:
            continue
        entries.append(
            _entry(
                SearchEntry.Group.DEPARTMENT,
                department,
                facets=facets,
                title=unit.name,
                code=unit.code,
                text=f"{unit.code} {unit.name}".strip(),
                context=f"{department.name}所属单位",
                position=position,
            )
        )
    return entries


@transaction.atomic
def index_disclosure(disclosure):
    """Replace a disclosure's entries (and its department's) with its current published version."""
    disclosure = Disclosure.objects.select_related("department__region", "published_version").get(pk=disclosure.pk)
    SearchEntry.objects.filter(disclosure=disclosure).delete()
    if disclosure.published_version is not None:
        SearchEntry.objects.bulk_create(entries_for_version(disclosure, disclosure.published_version), batch_size=500)
    index_department(disclosure.department)


@transaction.atomic
def index_department(department):
    SearchEntry.objects.filter(department=department, disclosure__isnull=True).delete()
    if Disclosure.objects.published().filter(department=department).exists():
        SearchEntry.objects.bulk_create(entries_for_department(department), batch_size=500)


def rebuild():
    """Drop the whole index and build it again from every published disclosure. Returns the entry count."""
    with transaction.atomic():
        SearchEntry.objects.all().delete()
        published = Disclosure.objects.published().select_related("department__region", "published_version")
        for disclosure in published.iterator(chunk_size=200):
            SearchEntry.objects.bulk_create(
                entries_for_version(disclosure, disclosure.published_version), batch_size=1000
            )
        departments = Department.objects.filter(pk__in=published.values("department")).select_related("region")
        for department in departments.iterator(chunk_size=500):
            SearchEntry.objects.bulk_create(entries_for_department(department), batch_size=1000)
    return SearchEntry.objects.count()


def on_version_published(sender, version, **kwargs):
    from .filters import YEARS_CACHE_KEY

    index_disclosure(version.disclosure)
    cache.delete(YEARS_CACHE_KEY)  # a first publication may add a year to the search form
