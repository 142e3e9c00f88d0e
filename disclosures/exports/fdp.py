"""Fiscal Data Package (frictionlessdata, 0.3 model) of a version: datapackage.json + one CSV per table, zipped.

Each table is a resource with a Table Schema. The amount columns are measures (CNY, factor from
the table's unit: 万元 = 10000) with a direction (the income side of 表1/表4 and 表2 are revenue,
everything else expenditure) and a phase (a budget is "approved", final accounts "executed").
Classification tables get their codes split into levels — 功能分类 类/款/项 (3/5/7 digits),
经济分类 类/款 (3/5 digits) — mapped to `functional-classification` / `economic-classification`
dimensions whose levels point to their parent. A table printed as side-by-side panels (决算
公开06表) has one CSV row per stored row with the panel's columns once (disclosures.exports.csv), so
each of its figures is one value of one measure. A performance form (绩效目标表, 绩效自评表) has a number
column per figure printed in its text (disclosures.performance), with its `unit`; those that are amounts of
money (预算资金情况, 项目预算金额, 全年执行数 …) are measures, in that unit, phased by their label.

The descriptor validates offline (`frictionless validate`): its profile is "tabular-data-package", which
validators check with the schemas they carry, rather than "fiscal-data-package", which makes them fetch a
remote schema; the Fiscal Data Package part is the `model`. `created` is an RFC 3339 date-time (the day of
publication, at midnight in the portal's time zone), `licenses` the licence of the settings
(OPEN_DATA_LICENSE_*).
"""

import csv
import hashlib
import io
import json
import zipfile
from datetime import datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings

from disclosures.api.open_data import licence
from disclosures.exports.csv import is_form, row_values, table_columns
from disclosures.exports.pdf import document_title
from disclosures.models import Disclosure

UNIT_FACTORS = {"亿元": 100000000, "万元": 10000, "千元": 1000, "元": 1}
PHASES = {Disclosure.Kind.BUDGET: "approved", Disclosure.Kind.FINAL_ACCOUNTS: "executed"}
# Code length of each level (TABLES.md §5: 功能分类 类 3, 款 5, 项 7; 经济分类 类 3, 款 5).
LEVEL_LENGTHS = {"function": (3, 5, 7), "economic": (3, 5)}
CLASSIFICATION_TYPES = {"function": "functional", "economic": "economic"}
# Raised whenever the descriptor's shape changes, so that a zip built by earlier code is not served.
DESCRIPTOR_REVISION = 3


def cache_tag() -> str:
    """What a stored zip depends on besides the version: the descriptor's revision and the licence."""
    state = repr((DESCRIPTOR_REVISION, sorted(licence().items())))
    return hashlib.sha256(state.encode()).hexdigest()[:12]


def created(day) -> str | None:
    """A day as an RFC 3339 date-time: its midnight in the portal's time zone."""
    if day is None:
        return None
    return datetime.combine(day, time(), tzinfo=ZoneInfo(settings.TIME_ZONE)).isoformat()


def resource_name(table):
    return f"table-{table.number}"


def _direction(table, column):
    if table.key == "income" or column.key.startswith("income_") or (column.is_amount and "收入" in column.key):
        return "revenue"
    return "expenditure"


def _phase(version, column):
    """The disclosure's phase; a form's amount says its own where its label does (全年执行数, 项目预算金额)."""
    if column.is_amount and "执行" in column.key:
        return "executed"
    if column.is_amount and ("预算" in column.key or "下达" in column.key):
        return "approved"
    return PHASES.get(version.disclosure.kind, "approved")


def _definition(fmt, table):
    try:
        return fmt.table(table.number)
    except KeyError:
        return None


def _levels(code, lengths):
    """Level codes of a classification code: 2080505 -> [208, 20805, 2080505]; blank above its depth."""
    if not code.isdigit() or len(code) not in lengths:
        return ["" for _ in lengths]
    return [code[:n] if len(code) >= n else "" for n in lengths]


def table_resource(version, table, rows, fmt):
    """(resource descriptor, CSV bytes, measures, dimensions) of one table."""
    definition = _definition(fmt, table)
    scheme = definition.rows if definition is not None else ""
    lengths = LEVEL_LENGTHS.get(scheme, ())
    columns = table_columns(table, rows, definition)
    fields = [
        {"name": "code", "title": "编码", "type": "string"},
        {"name": "name", "title": "名称", "type": "string"},
        {"name": "level", "title": "级次", "type": "integer"},
        {"name": "unit_code", "title": "单位编码", "type": "string"},
    ]
    level_titles = ["类", "款", "项"]
    for depth in range(len(lengths)):
        fields.append({"name": f"level{depth + 1}_code", "title": f"{level_titles[depth]}级科目编码", "type": "string"})
    for column in columns:
        field = {"name": column.key, "title": column.header, "type": "string" if column.is_text else "number"}
        if column.unit:
            field["unit"] = column.unit
        if not column.is_text:
            field["decimalChar"] = "."
        fields.append(field)

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([f["name"] for f in fields])
    for row in rows:
        values = row_values(table, row, columns)
        levels = _levels(row.code, lengths) if lengths and row.kind == "code" else ["" for _ in lengths]
        writer.writerow([*values[:4], *levels, *values[4:]])

    name = resource_name(table)
    resource = {
        "name": name,
        "title": f"表{table.number} {table.title}",
        "path": f"{name}.csv",
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "schema": {"fields": fields},
    }
    if table.note:
        resource["description"] = table.note
    measures = {}
    for column in columns:
        # A form's scores and rates are not amounts of money; its amounts (预算资金情况, 项目预算金额 …) are.
        if column.is_text or (is_form(rows) and not column.is_amount):
            continue
        measures[f"{name}-{column.key}"] = {
            "source": column.key,
            "resource": name,
            "title": f"表{table.number} {column.header}",
            "currency": "CNY",
            "factor": UNIT_FACTORS.get(column.unit or table.unit_label, 1),
            "direction": _direction(table, column),
            "phase": _phase(version, column),
        }
    dimensions = {}
    if lengths:
        classification = CLASSIFICATION_TYPES[scheme]
        attributes = {
            "code": {"source": "code", "resource": name},
            "label": {"source": "name", "resource": name, "labelfor": "code"},
        }
        for depth in range(len(lengths)):
            attribute = {"source": f"level{depth + 1}_code", "resource": name}
            if depth:
                attribute["parent"] = f"level{depth}"
            attributes[f"level{depth + 1}"] = attribute
        dimensions[f"{classification}-classification-{name}"] = {
            "title": f"表{table.number} {'支出功能分类科目' if scheme == 'function' else '支出经济分类科目'}",
            "dimensionType": "classification",
            "classificationType": classification,
            "attributes": attributes,
            "primaryKey": ["code"],
        }
    return resource, buffer.getvalue().encode("utf-8"), measures, dimensions


def package(version):
    """(datapackage dict, {path: CSV bytes})."""
    from disclosures.exports.xlsx import rows_by_table

    disclosure = version.disclosure
    fmt = disclosure.format_definition
    tables = list(version.tables.all())
    rows = rows_by_table(tables)
    resources, files, measures, dimensions = [], {}, {}, {}
    for table in tables:
        resource, content, table_measures, table_dimensions = table_resource(version, table, rows[table.pk], fmt)
        resources.append(resource)
        files[resource["path"]] = content
        measures.update(table_measures)
        dimensions.update(table_dimensions)
    dimensions["department"] = {
        "title": "部门",
        "dimensionType": "entity",
        "attributes": {
            "department": {"constant": disclosure.department.name},
            "region": {"constant": disclosure.department.region.path},
        },
        "primaryKey": ["department"],
    }
    descriptor = {
        "profile": "tabular-data-package",
        "name": f"disclosure-{disclosure.pk}-v{version.number}",
        "title": f"{document_title(version)}（第 {version.number} 版）",
        "description": f"{disclosure.department.region.path} {disclosure} 公开表，{fmt.name}。",
        "version": str(version.number),
        "countryCode": "CN",
        "granularity": "aggregated",
        "fiscalPeriod": {"start": f"{disclosure.year}-01-01", "end": f"{disclosure.year}-12-31"},
        "created": created(version.published_on),
        "licenses": [licence()],
        "resources": resources,
        "model": {"measures": measures, "dimensions": dimensions},
    }
    if descriptor["created"] is None:
        del descriptor["created"]
    return descriptor, files


def package_zip(version) -> bytes:
    descriptor, files = package(version)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("datapackage.json", json.dumps(descriptor, ensure_ascii=False, indent=2))
        for path, content in files.items():
            archive.writestr(path, content)
    return buffer.getvalue()
