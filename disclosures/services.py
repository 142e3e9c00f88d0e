"""Every state change of a disclosure goes through one function here.

Each function checks, changes, records an audit event and (where someone must know) notifies,
inside one transaction. Views and commands only call these and show their errors.
"""

import datetime

from django.db import transaction
from django.db.models import Max

from disclosures.identities import check_identities
from disclosures.importer import ImportResult
from disclosures.models import (
    AuditEvent,
    Department,
    Disclosure,
    DisclosureTable,
    Region,
    Section,
    TableRow,
    Unit,
    Version,
)
from disclosures.text import normalize


class DisclosureError(Exception):
    """A state change that the rules do not allow; the message is shown to the user."""


def record(action, *, disclosure=None, version=None, actor=None, remarks="", **data):
    return AuditEvent.objects.create(
        disclosure=disclosure,
        version=version,
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_name=(actor.get_full_name() or actor.get_username()) if actor is not None else "系统（命令行）",
        action=action,
        remarks=remarks,
        data=data,
    )


def run_checks(result: ImportResult, sections=()):
    """Add the identity warnings to the result; return the per-identity outcomes."""
    narrative = "\n".join(s.body for s in sections if s.key == "explanation")
    outcomes = check_identities(result.tables, result.format, narrative)
    for outcome in outcomes:
        result.findings.extend(outcome.findings)
    return outcomes


def _json_findings(result, outcomes):
    return {
        "format": result.format.code,
        "tables": [
            {"number": t.definition.number, "title": t.title, "sheet": t.sheet, "rows": len(t.rows), "how": t.matched_by}
            for t in result.ordered_tables()
        ],
        "findings": [f.as_dict() for f in result.findings],
        "identities": [
            {"id": o.id, "text": o.text, "status": o.status, "reason": o.reason} for o in outcomes
        ],
    }


@transaction.atomic
def import_disclosure(
    result: ImportResult,
    *,
    region_path: str,
    department_name: str,
    year: int,
    kind: str,
    approved_on: datetime.date,
    published_on: datetime.date | None = None,
    sections=(),
    source_file: str = "",
    actor=None,
    outcomes=None,
) -> Version:
    """Save what the importer read as a new version. Errors save nothing at all.

    Without `published_on` the version is a draft. With it, this is a back-fill of a disclosure
    already published elsewhere on that date, and the version is published as of that date.
    """
    if result.errors:
        raise DisclosureError("导入有错误，未保存任何内容。")
    if published_on is not None and published_on < approved_on:
        raise DisclosureError("公开日期不能早于批复日期。")
    region = Region.get_or_create_path(region_path)
    department, _created = Department.objects.get_or_create(region=region, name=department_name)
    disclosure, created = Disclosure.objects.get_or_create(
        department=department,
        year=year,
        kind=kind,
        defaults={"format": result.format.code, "approved_on": approved_on},
    )
    if not created and disclosure.versions.filter(status__in=[Version.Status.DRAFT, Version.Status.UNDER_REVIEW]).exists():
        raise DisclosureError("该公开已有未完成的草稿或审查中的版本，请先处理该版本。")
    number = (disclosure.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = Version.objects.create(
        disclosure=disclosure,
        number=number,
        source_file=source_file,
        import_report=_json_findings(result, outcomes or []),
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    units = _save_units(result, department)
    _save_tables(result, version, units)
    for position, section in enumerate(sections):
        Section.objects.create(version=version, key=section.key, title=section.title, position=position, body=section.body)
    record(
        "import",
        disclosure=disclosure,
        version=version,
        actor=actor,
        source_file=source_file,
        tables=len(result.tables),
        warnings=len(result.warnings),
        missing=[f.message for f in result.missing],
    )
    if published_on is not None:
        version = publish_backfill(version, published_on=published_on, actor=actor)
    return version


def _save_units(result, department):
    """Units named in the tables: 表2/表9 unit rows, and the code-prefixed name in 表16."""
    found = {}
    for table in result.tables.values():
        for row in table.rows:
            if row.kind == "unit" and row.unit_name:
                found.setdefault(row.unit_name, row.unit_code)
            if row.kind == "field" and normalize(row.cells.get("label", "")) == normalize("部门（单位）名称"):
                value = row.cells.get("value", "")
                code, name = value[:6], value[6:].split("-")[0]
                if code.isdigit():
                    found[name] = code
    units = {}
    for name, code in found.items():
        unit, _created = Unit.objects.get_or_create(department=department, name=name, defaults={"code": code or ""})
        if code and not unit.code:
            unit.code = code
            unit.save(update_fields=["code"])
        units[normalize(name)] = unit
    return units


def _save_tables(result, version, units):
    rows = []
    for table in result.ordered_tables():
        definition = table.definition
        note = table.note or (definition.empty_note if table.is_empty else "")
        saved = DisclosureTable.objects.create(
            version=version,
            key=definition.key,
            number=definition.number,
            title=table.title or definition.title,
            position=definition.position,
            unit_label=table.unit_label,
            columns=table.columns,
            note=note,
            is_empty=table.is_empty,
            source_sheet=table.sheet,
        )
        for position, row in enumerate(table.rows):
            rows.append(
                TableRow(
                    table=saved,
                    position=position,
                    kind=row.kind,
                    code=row.code,
                    name=row.name[:500],
                    level=row.level,
                    unit=units.get(normalize(row.unit_name)) if row.unit_name else None,
                    is_total=row.is_total,
                    cells=row.cells,
                    values={key: f"{value:.2f}" for key, value in row.values.items()},
                )
            )
    TableRow.objects.bulk_create(rows, batch_size=500)


@transaction.atomic
def publish_backfill(version: Version, *, published_on: datetime.date, actor=None):
    """Record a version that was already published elsewhere on `published_on` (back-filling earlier years)."""
    version = Version.objects.select_for_update().get(pk=version.pk)
    disclosure = version.disclosure
    if version.status == Version.Status.PUBLISHED:
        raise DisclosureError("该版本已经公开。")
    if published_on < disclosure.approved_on:
        raise DisclosureError("公开日期不能早于批复日期。")
    version.status = Version.Status.PUBLISHED
    version.published_on = published_on
    version.save(update_fields=["status", "published_on"])
    disclosure.published_version = version
    if disclosure.published_on is None:
        disclosure.published_on = published_on
    disclosure.save(update_fields=["published_version", "published_on"])
    record(
        "publish",
        disclosure=disclosure,
        version=version,
        actor=actor,
        remarks="补录已在其他渠道公开的版本",
        published_on=published_on.isoformat(),
    )
    return version
