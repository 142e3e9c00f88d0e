"""Every state change of a disclosure goes through one function here.

Each function checks, changes, records an audit event and (where someone must know) notifies,
inside one transaction. Views and commands only call these and show their errors.
"""

import datetime
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from disclosures import completeness, notifications
from disclosures.clock import clock
from disclosures.ingest import ImportResult, guard
from disclosures.ingest.detect import choose
from disclosures.ingest.identities import check_identities
from disclosures.models import (
    AuditEvent,
    Department,
    Disclosure,
    DisclosureTable,
    Membership,
    Region,
    Reminder,
    Review,
    Section,
    TableRow,
    Unit,
    Version,
    WarningAcknowledgement,
    format_for,
    saved_layouts,
    roles_in_department,
)
from disclosures.narrative import draft_explanation, figure_warnings, narrative_identity_ids
from disclosures.sections import SectionText
from disclosures.signals import version_published
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


def _json_findings(result, outcomes, format_reason=""):
    return {
        "format": result.format.code,
        **({"format_reason": format_reason} if format_reason else {}),
        **({"source_kind": "pdf"} if result.source_kind == "pdf" else {}),
        "tables": [
            {
                "number": t.definition.number, "title": t.title, "sheet": t.sheet, "rows": len(t.rows), "how": t.matched_by,
                "unit": t.unit_label, "sheets": t.sheets or [t.sheet], "pages": t.pages,
                # The workbook's header next to the role each column got, and the roles it lacks.
                "columns": [reading.as_dict() for reading in t.readings],
                "absent": t.absent_roles,
            }
            for t in result.ordered_tables()
        ],
        "identities_checked": sum(1 for o in outcomes if o.status != "not_checked"),
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
    accept_flags: bool = False,
) -> Version:
    """Save what the importer read as a new version (the operator's command). Errors save nothing.

    Without `published_on` the version is a draft. With it, this is a back-fill of a disclosure
    already published elsewhere on that date, and the version is published as of that date — unless
    the 保密审查 scan flags something: then it stays a draft for a reviewer, or, with `accept_flags`
    (a document that was already public), every flag is kept with that reason in the audit trail.
    """
    if result.errors:
        raise DisclosureError("导入有错误，未保存任何内容。")
    if published_on is not None and published_on < approved_on:
        raise DisclosureError("公开日期不能早于批复日期。")
    region = Region.get_or_create_path(region_path)
    department, _created = Department.objects.get_or_create(region=region, name=department_name)
    disclosure, _created = Disclosure.objects.get_or_create(
        department=department,
        year=year,
        kind=kind,
        defaults={"format": result.format.code, "approved_on": approved_on},
    )
    version = _new_version(disclosure, result, sections=sections, source_file=source_file, actor=actor, outcomes=outcomes)
    if published_on is not None:
        if accept_flags:
            from disclosures.secrecy.review import accept_all

            accept_all(version, reason=f"补录{published_on:%Y-%m-%d}已公开的文件，按原样保留（--accept-flags）", actor=actor)
        if _undecided_flags(version):
            return version  # a draft: a reviewer decides each flag before it is published
        version = publish_backfill(version, published_on=published_on, actor=actor)
    return version


def _new_version(
    disclosure, result, *, sections=(), source_file="", actor=None, outcomes=None, workbook=None, action="import",
    format_reason="", scan=True,
):
    """A new draft version of `disclosure` holding what the importer read, and its audit event."""
    if disclosure.versions.filter(status__in=Version.OPEN_STATUSES).exists():
        raise DisclosureError("该公开已有未完成的草稿或审查中的版本，请先处理该版本。")
    number = (disclosure.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    units = _save_units(result, disclosure.department)  # before the report: it says which units it matched
    version = Version.objects.create(
        disclosure=disclosure,
        number=number,
        source_file=source_file,
        import_report=_json_findings(result, outcomes or [], format_reason),
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    if workbook is not None:
        version.workbook.save(Path(source_file).name or "workbook.xlsx", workbook, save=True)
    _save_tables(result, version, units)
    for position, section in enumerate(sections):
        Section.objects.create(version=version, key=section.key, title=section.title, position=position, body=section.body)
    record(
        action,
        disclosure=disclosure,
        version=version,
        actor=actor,
        source_file=source_file,
        tables=len(result.tables),
        warnings=len(result.warnings),
        missing=[f.message for f in result.missing],
    )
    carry_over_acknowledgements(version)
    if scan:
        _rescan(version)
    return version


def _save_units(result, department):
    """The department's units named in the tables, matched to its registered units by code, then by name.

    Units are named by 表2/表9 unit rows ("560001 沈阳市大数据管理局本级" or the name alone), coded rows of
    the classification tables, and the code-prefixed name in 表16. A department with no unit registered yet
    gets the workbook's units, and the report lists them for the administrator to check; a department whose
    units are registered gets no new one: an unknown unit is reported for the administrator to confirm.
    Returns {("code", code) or ("name", normalised name): Unit}.
    """
    found = {}
    for table in result.tables.values():
        for row in table.rows:
            if row.kind == "unit" and row.unit_name:
                found.setdefault((row.unit_code, row.unit_name), table.definition.label)
            if row.kind == "field" and normalize(row.cells.get("label", "")) == normalize("部门（单位）名称"):
                value = row.cells.get("value", "")
                code, name = value[:6], value[6:].split("-")[0]
                if code.isdigit():
                    found.setdefault((code, name), table.definition.label)
    registered = list(department.units.all())
    by_code = {unit.code: unit for unit in registered if unit.code}
    by_name = {normalize(unit.name): unit for unit in registered}
    units, new, unknown = {}, [], []
    for (code, name), where in found.items():
        unit = by_code.get(code) if code else None
        unit = unit or by_name.get(normalize(name))
        if unit is None and not registered:
            unit = by_name.get(normalize(name)) or Unit.objects.create(department=department, name=name, code=code or "")
            by_name[normalize(name)] = unit
            if code:
                by_code[code] = unit
            new.append(f"{code} {name}".strip())
        elif unit is None:
            unknown.append(f"{code} {name}（{where}）".strip())
            continue
        elif code and not unit.code:
            unit.code = code
            unit.save(update_fields=["code"])
        units[("name", normalize(name))] = unit
        if unit.code:
            units[("code", unit.code)] = unit
    if new:
        result.add("info", f"按工作簿登记了本部门的单位：{'、'.join(new)}。请财政部门管理员核对。")
    if unknown:
        result.add("info", f"工作簿中的单位未在本部门登记：{'、'.join(unknown)}。未新建单位；如确属本部门，请财政部门管理员在后台登记后重新上传。")
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
                    unit=units.get(("code", row.unit_code)) or units.get(("name", normalize(row.unit_name))),
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
    _refuse_undecided_flags(version)
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
        remarks="补录已在其他渠道公开的版本" + ("（由原公开的 PDF 读取）" if version.import_report.get("source_kind") == "pdf" else ""),
        published_on=published_on.isoformat(),
    )
    _announce_publication(version)
    return version


def _refuse_undecided_flags(version):
    """条例第十四条、第十五条: nothing is published while a 保密审查 flag (personal data, a secrecy
    marker) is undecided, on any path: the review, the publication, the back-fill."""
    count = _undecided_flags(version)
    if count:
        raise DisclosureError(f"保密审查还有 {count} 处标记未处理（保留、删改或误报），不能通过或公开。")


def _announce_publication(version):
    transaction.on_commit(lambda: version_published.send(sender=Version, version=version))


# ---------------------------------------------------------------------------------------------
# The publishing workflow (RULES A): upload → narrative → checklist → 保密审查 → publish → correct.
# Roles: the department editor uploads and writes; the department reviewer reviews and publishes;
# the finance-bureau administrator registers approvals. Every function: guard, change, record, notify.
# ---------------------------------------------------------------------------------------------


class UploadRefused(DisclosureError):
    """The workbook could not be taken; `result` holds the importer's findings for the report page."""

    def __init__(self, message, result=None, comparison=None):
        super().__init__(message)
        self.result = result
        self.comparison = comparison or []  # tied readings side by side (ingest.detect)


def _require(actor, department, *roles):
    held = roles_in_department(actor, department)
    if not held & set(roles):
        names = "、".join(str(Membership.Role(role).label) for role in roles)
        raise DisclosureError(f"只有本部门的{names}可以进行此操作。")


def _require_status(version, *statuses):
    if version.status not in statuses:
        raise DisclosureError(f"该版本当前状态为“{version.get_status_display()}”，不能进行此操作。")


def _locked(version):
    return Version.objects.select_for_update().select_related("disclosure__department__region").get(pk=version.pk)


def _display(user):
    return user.get_full_name() or user.get_username()


@transaction.atomic
def register_approval(*, department, year, kind, approved_on, actor) -> Disclosure:
    """The finance bureau records a department's approval (批复); the 20-day clock starts (预算法第十四条)."""
    _require(actor, department, Membership.Role.ADMIN)
    if approved_on > timezone.localdate():
        raise DisclosureError("批复日期不能晚于今天。")
    disclosure, created = Disclosure.objects.get_or_create(
        department=department,
        year=year,
        kind=kind,
        defaults={"approved_on": approved_on, "format": format_for(department.region, year, kind)},
    )
    if not created:
        raise DisclosureError(f"{disclosure} 已经登记，批复日期 {disclosure.approved_on:%Y-%m-%d}。")
    record("register_approval", disclosure=disclosure, actor=actor, approved_on=approved_on.isoformat())
    return disclosure


def _starting_sections(disclosure, fmt):
    """A correction starts from the published text; a first version from the format's empty sections."""
    if disclosure.published_version_id:
        return [SectionText(s.key, s.title, s.body) for s in disclosure.published_version.sections.all()]
    return [SectionText(d.key, d.title, "") for d in fmt.sections]


@transaction.atomic
def upload(workbook, *, department, year, kind, approved_on, actor, file_name="") -> Version:
    """The editor uploads the approved workbook; it becomes a new draft version. Errors keep nothing.

    The 情况说明 of a first version starts as a draft written from the tables (narrative.py).
    """
    _require(actor, department, Membership.Role.EDITOR)
    size = getattr(workbook, "size", None)
    if size is not None and size > settings.MAX_WORKBOOK_BYTES:
        raise UploadRefused(f"文件过大（{size / 1024 / 1024:.1f} MB），上限为 {settings.MAX_WORKBOOK_BYTES // 1024 // 1024} MB。")
    if not file_name.lower().endswith((".xlsx", ".pdf")):
        raise UploadRefused("只接受 Excel 工作簿（.xlsx）或 PDF 文件。")
    disclosure = Disclosure.objects.select_for_update().filter(department=department, year=year, kind=kind).first()
    if disclosure is not None and approved_on and disclosure.approved_on != approved_on:
        raise UploadRefused(
            f"批复日期与已登记的不一致：已登记为 {disclosure.approved_on:%Y-%m-%d}。如登记有误，请联系财政部门。"
        )
    if approved_on is None and disclosure is None:
        raise UploadRefused("请填写批复日期。")
    if approved_on and approved_on > timezone.localdate():
        raise UploadRefused("批复日期不能晚于今天。")
    refusal = guard.refusal(workbook)
    if refusal:
        raise UploadRefused(refusal)
    fmt, chosen_because, result = _read_upload(workbook, disclosure, department=department, year=year, kind=kind)
    if result.errors:
        raise UploadRefused("工作簿有错误，未保存任何内容。请改正后重新上传。", result)
    if disclosure is None:
        disclosure = Disclosure.objects.create(
            department=department, year=year, kind=kind, approved_on=approved_on, format=fmt.code
        )
    elif disclosure.format != fmt.code:
        # Registered with the default format, nothing published yet: the workbook's tables decide.
        disclosure.format = fmt.code
        disclosure.save(update_fields=["format"])
    sections = _starting_sections(disclosure, fmt)
    outcomes = run_checks(result, sections)
    workbook.seek(0)
    version = _new_version(
        disclosure, result, sections=sections, source_file=file_name, actor=actor, outcomes=outcomes,
        workbook=File(workbook), action="upload",
        format_reason=f"{fmt.name}（{fmt.code}）：{chosen_because}" if chosen_because else "",
        scan=False,  # scanned below, once the drafted 情况说明 is written
    )
    if not disclosure.published_version_id:
        _write_draft_explanation(version)
    _rescan(version)
    return version


def _rescan(version):
    """保密审查 scan of every cell and paragraph, after anything that changes a draft's text."""
    from disclosures.secrecy.review import scan_version

    scan_version(version)


def _undecided_flags(version):
    from disclosures.secrecy.review import undecided

    return undecided(version).count()


def _read_upload(workbook, disclosure, *, department, year, kind):
    """(format, why, reading) for an uploaded workbook, chosen as `import_disclosure` chooses it.

    A correction keeps the published format. Otherwise the workbook's tables decide (ingest.detect.choose),
    checked against the format the administrator assigned to the region (or a region above it) for the
    year; a workbook that contradicts the assignment, or that two formats read with different figures, is
    refused with the reason (and, for the latter, both readings side by side)."""
    if disclosure is not None and disclosure.published_version_id:
        choice = choose(workbook, kind=kind, region_path=department.region.path, year=year,
                        explicit=disclosure.format, advice="web", layouts=saved_layouts(department.region, year, kind))
        return choice.format, "", choice.result
    choice = choose(workbook, kind=kind, region_path=department.region.path, year=year, advice="web",
                    layouts=saved_layouts(department.region, year, kind))
    workbook.seek(0)
    if choice.format is None:
        raise UploadRefused(f"{choice.refusal}未保存任何内容。", comparison=choice.comparison)
    return choice.format, choice.reason, choice.result


def _write_draft_explanation(version):
    section = version.sections.filter(key="explanation").first()
    if section is not None:
        section.body = draft_explanation(version)
        section.save(update_fields=["body"])


@transaction.atomic
def redraft_explanation(version, *, actor) -> Section:
    """Replace the 情况说明 with a fresh draft from the tables (the editor asks for it)."""
    version = _locked(version)
    _require(actor, version.disclosure.department, Membership.Role.EDITOR)
    _require_status(version, Version.Status.DRAFT)
    _write_draft_explanation(version)
    added, resolved = _refresh_narrative_warnings(version)
    record("redraft", disclosure=version.disclosure, version=version, actor=actor, **_narrative_changes(added, resolved))
    _rescan(version)
    return version.sections.get(key="explanation")


def clean_text(text: str) -> str:
    """Plain text only: control characters out, line ends normalised. It is always rendered escaped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(ch for ch in text if ch in "\n\t" or ord(ch) >= 32).strip()


def _write_body(section, body):
    """Store a section's text as plain paragraphs (no HTML), within the length limit."""
    section.body = clean_text(body)
    if len(section.body) > 50000:
        raise DisclosureError(f"“{section.title}”内容过长（上限 50000 字）。")
    section.save(update_fields=["body"])


@transaction.atomic
def save_section(version, *, key, body, actor) -> Section:
    version = _locked(version)
    _require(actor, version.disclosure.department, Membership.Role.EDITOR)
    _require_status(version, Version.Status.DRAFT)
    section = version.sections.filter(key=key).first()
    if section is None:
        raise DisclosureError("没有这个栏目。")
    before = section.body
    _write_body(section, body)
    # Every save re-checks the figures the text states: the text changes after upload, so the
    # warnings found at upload are not enough.
    added, resolved = _refresh_narrative_warnings(version)
    record(
        "edit", disclosure=version.disclosure, version=version, actor=actor, section=key,
        before_chars=len(before), after_chars=len(section.body), **_narrative_changes(added, resolved),
    )
    _rescan(version)
    return section


@transaction.atomic
def import_sections(version, *, bodies, source_file, actor):
    """Replace the named sections' text with what staff confirmed from their Word document.

    `bodies`: {section key: body}; sections not named keep their text. One audit event names the file
    and every section it filled.
    """
    version = _locked(version)
    _require(actor, version.disclosure.department, Membership.Role.EDITOR)
    _require_status(version, Version.Status.DRAFT)
    sections = {section.key: section for section in version.sections.all()}
    unknown = set(bodies) - set(sections)
    if unknown or not bodies:
        raise DisclosureError("没有可导入的栏目。")
    filled = {}
    for key, body in bodies.items():
        section = sections[key]
        _write_body(section, body)
        filled[key] = len(section.body)
    record(
        "import_sections", disclosure=version.disclosure, version=version, actor=actor,
        source_file=source_file, sections=filled,
    )
    _rescan(version)
    return [sections[key] for key in bodies]


def suggested_empty_note(table) -> str:
    """A note for an empty table that the format gives none for (RULES A.4: say why it is empty)."""
    subject = table.title.removesuffix("表").removesuffix("预算")
    return f"注：本部门无{subject}预算安排，此表为空表。"


@transaction.atomic
def save_table_note(version, *, number, note, actor):
    """The note under a table; an empty table must say why it is empty (RULES A.4)."""
    version = _locked(version)
    _require(actor, version.disclosure.department, Membership.Role.EDITOR)
    _require_status(version, Version.Status.DRAFT)
    table = version.tables.filter(number=number).first()
    if table is None:
        raise DisclosureError("没有这张表。")
    before, table.note = table.note, clean_text(note)[:2000]
    table.save(update_fields=["note"])
    record("edit", disclosure=version.disclosure, version=version, actor=actor, table=number, before=before, after=table.note)
    _rescan(version)
    return table


def warnings_of(version):
    """(index, finding) for every current warning in the report; indices are stable.

    The report's findings are only ever appended to or marked `superseded` (a narrative figure since
    corrected), never removed or reordered, because an acknowledgement points at a finding by index.
    """
    return [
        (i, f)
        for i, f in enumerate(version.import_report.get("findings", []))
        if f.get("level") == "warning" and not f.get("superseded")
    ]


def unacknowledged(version):
    done = set(version.acknowledgements.values_list("finding", flat=True))
    return [(i, f) for i, f in warnings_of(version) if i not in done]


def _refresh_narrative_warnings(version) -> tuple[list, list]:
    """Bring the report's narrative warnings up to date with the text; (added, resolved) messages.

    Each figure the narrative states about a table (totals, 基本/项目支出, 三公 and its parts,
    机关运行经费, 政府采购…) is checked against the saved tables (narrative.figure_warnings). A
    mismatch that is new is appended; one the text no longer shows is marked superseded; one that
    comes back word for word (same sentence, same figures) is current again, with its acknowledgement.
    The narrative warnings found at upload, checked whole against the text as it was then, give way
    to these. The caller holds the version (a locked row, or one it has just created).
    """
    report = dict(version.import_report or {})
    findings = [dict(f) for f in report.get("findings", [])]
    live = figure_warnings(version)
    live_messages = {w["message"] for w in live}
    from_upload = narrative_identity_ids(version.disclosure.format_definition)
    was_current = {f["message"] for f in findings if f.get("narrative") and not f.get("superseded")}
    kept = set()
    for finding in findings:
        if finding.get("level") != "warning":
            continue
        if finding.get("narrative") and finding["message"] in live_messages and finding["message"] not in kept:
            finding.pop("superseded", None)
            kept.add(finding["message"])
        elif finding.get("narrative") or finding.get("identity") in from_upload:
            finding["superseded"] = True
    findings += [w for w in live if w["message"] not in kept]
    report["findings"] = findings
    if report != version.import_report:
        version.import_report = report
        version.save(update_fields=["import_report"])
    return sorted(live_messages - was_current), sorted(was_current - live_messages)


@transaction.atomic
def recheck_narrative(version, *, actor) -> tuple[list, list]:
    """Re-check the narrative figures after a change that did not (the Word import); (added, resolved).

    No audit event of its own: the warnings follow from the text, and the change of text is audited.
    """
    version = _locked(version)
    _require(actor, version.disclosure.department, Membership.Role.EDITOR)
    _require_status(version, Version.Status.DRAFT)
    return _refresh_narrative_warnings(version)


def _narrative_changes(added, resolved):
    """Audit data for a text change: which figure warnings it raised and which it cleared."""
    return {
        **({"narrative_warnings": added} if added else {}),
        **({"narrative_resolved": resolved} if resolved else {}),
    }


def _acknowledge(version, warnings, *, remark, by, actor, **data):
    """One acknowledgement and one audit event per warning: (index, finding) pairs, all one remark."""
    acks = WarningAcknowledgement.objects.bulk_create(
        WarningAcknowledgement(version=version, finding=index, message=finding["message"], remark=remark, by=by)
        for index, finding in warnings
    )
    for index, finding in warnings:
        record(
            "acknowledge", disclosure=version.disclosure, version=version, actor=actor, remarks=remark,
            finding=index, message=finding["message"], **data,
        )
    return acks


@transaction.atomic
def acknowledge_warnings(version, *, findings, remark, actor) -> list[WarningAcknowledgement]:
    """The editor has read these warnings and says, in one remark, why the figures stand.

    A workbook with a systematic quirk can raise hundreds of identical-looking warnings; they are
    confirmed together, but each still gets its own acknowledgement and audit event, so the record
    reads the same as if they had been confirmed one by one. All or none: a stale selection (a
    warning already confirmed or no longer current) confirms nothing.
    """
    version = _locked(version)
    _require(actor, version.disclosure.department, Membership.Role.EDITOR)
    _require_status(version, Version.Status.DRAFT)
    findings = sorted(set(findings))
    if not findings:
        raise DisclosureError("请选择要确认的警告。")
    warnings = dict(warnings_of(version))
    unknown = [index for index in findings if index not in warnings]
    if unknown:
        raise DisclosureError(
            "没有这条警告。" if len(findings) == 1 else f"所选警告中有 {len(unknown)} 条已不在检查报告中，请刷新页面后重新选择。"
        )
    remark = clean_text(remark)
    if not remark:
        raise DisclosureError("请说明确认的理由。")
    done = version.acknowledgements.filter(finding__in=findings).count()
    if done:
        raise DisclosureError(
            "这条警告已经确认过。" if len(findings) == 1 else f"所选警告中有 {done} 条已经确认过，请刷新页面后重新选择。"
        )
    data = {"batch": len(findings)} if len(findings) > 1 else {}
    return _acknowledge(version, [(i, warnings[i]) for i in findings], remark=remark, by=actor, actor=actor, **data)


def acknowledge_warning(version, *, finding, remark, actor) -> WarningAcknowledgement:
    """The editor has read one warning and says why the figures stand (with a remark)."""
    return acknowledge_warnings(version, findings=[finding], remark=remark, actor=actor)[0]


CARRIED_OVER = "沿用第{number}版的确认："


def _first_remark(remark):
    """The remark as first written, without the marks of earlier carry-overs."""
    head, found, rest = remark.partition("版的确认：")
    return rest if found and head.startswith("沿用第") and head[3:].isdigit() else remark


@transaction.atomic
def carry_over_acknowledgements(version) -> list[WarningAcknowledgement]:
    """In a new version of a disclosure, acknowledge again each warning the previous version acknowledged.

    A correction usually changes a few figures; the 尾差 and known quirks of the rest recur word for
    word, and were already explained. A warning is carried over only when its message is identical
    (same identity, same place, same figures), so anything that changed must be looked at again.
    "Previous" is the latest earlier version of the disclosure that has acknowledgements (a discarded
    draft's count too). The remark is the earlier one, marked "沿用第N版的确认：" so the record shows
    it was not re-examined; the acknowledgement is in the name of whoever first gave it, the audit
    event in the name of whoever created the version. The version's narrative warnings are brought
    up to date first, so a recurring narrative mismatch is carried over too.
    """
    _refresh_narrative_warnings(version)
    previous = (
        Version.objects.filter(disclosure_id=version.disclosure_id, number__lt=version.number, acknowledgements__isnull=False)
        .order_by("-number")
        .first()
    )
    if previous is None:
        return []
    earlier = {}
    for ack in previous.acknowledgements.select_related("by").order_by("pk"):
        earlier.setdefault(ack.message, ack)
    prefix = CARRIED_OVER.format(number=previous.number)
    carried = []
    for index, finding in unacknowledged(version):
        ack = earlier.get(finding["message"])
        if ack is not None:
            carried += _acknowledge(
                version, [(index, finding)], remark=prefix + _first_remark(ack.remark), by=ack.by,
                actor=version.created_by, carried_over_from=previous.number,
            )
    return carried


def blockers(version) -> list[str]:
    """Why this version cannot go to review yet (empty when it can)."""
    reasons = [
        f"说明栏目中的数字与表格不一致，未确认：{f['message']}" if f.get("narrative") else f"未确认的警告：{f['message']}"
        for _i, f in unacknowledged(version)
    ]
    reasons += [f"{item.label}：{item.detail}" for item in completeness.missing(version)]
    return reasons


@transaction.atomic
def submit(version, *, actor, change_note="") -> Version:
    """The editor sends the version to 保密审查 (RULES A.2). A correction must say what changed (A.5)."""
    version = _locked(version)
    disclosure = version.disclosure
    _require(actor, disclosure.department, Membership.Role.EDITOR)
    _require_status(version, Version.Status.DRAFT)
    # The text may have changed by a path that does not re-check it (a Word import): judge it as it is.
    _refresh_narrative_warnings(version)
    reasons = blockers(version)
    if reasons:
        raise DisclosureError("还不能提交审查：" + "；".join(reasons[:5]) + ("……" if len(reasons) > 5 else ""))
    change_note = clean_text(change_note)
    if disclosure.published_version_id and not change_note:
        raise DisclosureError("更正版本须填写公开的更正说明（改了什么、为什么改）。")
    version.status = Version.Status.UNDER_REVIEW
    version.submitted_at = timezone.now()
    version.submitted_by = actor
    if change_note:
        version.change_note = change_note
    version.save(update_fields=["status", "submitted_at", "submitted_by", "change_note"])
    record("submit", disclosure=disclosure, version=version, actor=actor, remarks=change_note)
    notifications.version_submitted(version)
    return version


def prepared_by(version, user) -> bool:
    """Whether the user uploaded (created) or submitted the version, and so may not review it."""
    return user.pk is not None and user.pk in (version.created_by_id, version.submitted_by_id)


@transaction.atomic
def review(version, *, actor, outcome, reviewed_on=None, remarks="") -> Review:
    """保密审查 (条例第十七条; RULES A.2): passed, or returned to the editor with remarks.

    The reviewer must be neither the person who uploaded the version nor the one who submitted it:
    the review is a second pair of eyes (等保 2.0 安全管理: 职责分离).
    """
    version = _locked(version)
    disclosure = version.disclosure
    _require(actor, disclosure.department, Membership.Role.REVIEWER)
    _require_status(version, Version.Status.UNDER_REVIEW)
    if prepared_by(version, actor):
        raise DisclosureError("上传或提交该版本的人不能审查该版本。")
    if outcome not in Review.Outcome.values:
        raise DisclosureError("请选择审查结果。")
    remarks = clean_text(remarks)
    if outcome == Review.Outcome.RETURNED and not remarks:
        raise DisclosureError("退回时须写明审查意见。")
    if outcome == Review.Outcome.PASSED:
        _refuse_undecided_flags(version)
    reviewed_on = reviewed_on or timezone.localdate()
    if reviewed_on > timezone.localdate():
        raise DisclosureError("审查日期不能晚于今天。")
    result = Review.objects.create(
        version=version, reviewer=actor, reviewer_name=_display(actor), outcome=outcome,
        reviewed_on=reviewed_on, remarks=remarks,
    )
    version.status = Version.Status.PASSED if outcome == Review.Outcome.PASSED else Version.Status.DRAFT
    version.save(update_fields=["status"])
    record(
        "review", disclosure=disclosure, version=version, actor=actor, remarks=remarks,
        outcome=outcome, reviewed_on=reviewed_on.isoformat(),
    )
    if outcome == Review.Outcome.RETURNED:
        notifications.version_returned(version, result)
    return result


@transaction.atomic
def publish(version, *, actor) -> Version:
    """Publish a version that passed 保密审查. It is frozen from now on (RULES A.5)."""
    version = _locked(version)
    disclosure = Disclosure.objects.select_for_update().get(pk=version.disclosure_id)
    _require(actor, disclosure.department, Membership.Role.REVIEWER)
    _require_status(version, Version.Status.PASSED)
    last = version.reviews.first()
    if last is None or last.outcome != Review.Outcome.PASSED:
        raise DisclosureError("只有通过保密审查的版本才能公开。")
    _refuse_undecided_flags(version)
    today = timezone.localdate()
    version.status = Version.Status.PUBLISHED
    version.published_on = today
    version.save(update_fields=["status", "published_on"])
    disclosure.published_version = version
    if disclosure.published_on is None:
        disclosure.published_on = today  # the 20-day clock is judged on the first publication
    disclosure.save(update_fields=["published_version", "published_on"])
    state = clock(disclosure, today)
    record(
        "publish", disclosure=disclosure, version=version, actor=actor, remarks=version.change_note,
        published_on=today.isoformat(), deadline=state.deadline.isoformat(), clock=state.label,
    )
    _announce_publication(version)
    return version


@transaction.atomic
def start_correction(disclosure, *, actor) -> Version:
    """A correction by editing: a new draft copying the current published version's tables and text."""
    disclosure = Disclosure.objects.select_for_update().get(pk=disclosure.pk)
    _require(actor, disclosure.department, Membership.Role.EDITOR)
    current = disclosure.published_version
    if current is None:
        raise DisclosureError("尚未公开，无需更正。")
    if disclosure.versions.filter(status__in=Version.OPEN_STATUSES).exists():
        raise DisclosureError("已有未完成的版本，请先处理该版本。")
    number = (disclosure.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    # The copy has the same tables, so the same findings: the report is copied whole (each finding
    # a copy, so the source's report is never changed through it), and carry-over applies below.
    report = dict(current.import_report or {})
    report["findings"] = [dict(finding) for finding in report.get("findings", [])]
    version = Version.objects.create(
        disclosure=disclosure, number=number, source_file=current.source_file, import_report=report, created_by=actor,
    )
    for section in current.sections.all():
        Section.objects.create(version=version, key=section.key, title=section.title, position=section.position, body=section.body)
    for table in current.tables.prefetch_related("rows"):
        rows = list(table.rows.all())
        table.pk, table.version = None, version
        table.save()
        for row in rows:
            row.pk, row.table = None, table
        TableRow.objects.bulk_create(rows, batch_size=500)
    record("correct", disclosure=disclosure, version=version, actor=actor, from_version=current.number)
    carry_over_acknowledgements(version)
    _rescan(version)  # decisions on text the published version already had carry over
    return version


@transaction.atomic
def discard(version, *, actor) -> Version:
    """Set aside a draft that will not be published. It is kept, marked 已作废, never deleted."""
    version = _locked(version)
    _require(actor, version.disclosure.department, Membership.Role.EDITOR)
    _require_status(version, Version.Status.DRAFT)
    version.status = Version.Status.DISCARDED
    version.save(update_fields=["status"])
    record("discard", disclosure=version.disclosure, version=version, actor=actor)
    return version


REMINDER_DAYS = {Reminder.Kind.FIVE_DAYS: 5, Reminder.Kind.ONE_DAY: 1}


def _due_reminder(state):
    if state.state == "overdue":
        return Reminder.Kind.OVERDUE
    if state.state in ("due", "due_today"):
        if state.days <= 1:
            return Reminder.Kind.ONE_DAY
        if state.days <= 5:
            return Reminder.Kind.FIVE_DAYS
    return None


def send_reminders(today=None) -> list[Reminder]:
    """Remind editors and reviewers 5 days and 1 day before the deadline, and when it has passed.

    Safe to run repeatedly: each (disclosure, kind) is sent once (the Reminder unique constraint).
    """
    today = today or timezone.localdate()
    sent = []
    for disclosure in Disclosure.objects.filter(published_version__isnull=True).select_related("department__region"):
        state = clock(disclosure, today)
        kind = _due_reminder(state)
        if kind is None:
            continue
        with transaction.atomic():
            locked = Disclosure.objects.select_for_update().get(pk=disclosure.pk)
            if Reminder.objects.filter(disclosure=locked, kind=kind).exists():
                continue
            recipients = notifications.department_staff(disclosure.department)
            reminder = Reminder.objects.create(
                disclosure=locked, kind=kind, deadline=state.deadline, recipients=[u.email for u in recipients if u.email]
            )
            record(
                "reminder", disclosure=locked, remarks=reminder.get_kind_display(),
                kind=kind, deadline=state.deadline.isoformat(), recipients=reminder.recipients,
            )
            notifications.deadline_reminder(locked, state, recipients)
        sent.append(reminder)
    return sent
