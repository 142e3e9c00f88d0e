"""保密审查 on a version: scan its cells and paragraphs into flags, and record the reviewer's decisions.

条例第十五条 (personal privacy) and 第十四条 with the 保守国家秘密法 (secrets): the scan only points; the
reviewer decides each flag — 保留 with a reason, 删改 (the draft's text changes), or 误报 — and a version
with an undecided flag is never published, on any path (see `undecided` and its callers).
"""

from functools import lru_cache

from django.db import transaction
from django.utils import timezone

from disclosures.models import Membership, TableRow, Version
from disclosures.models.secrecy import SecrecyFlag, SecrecySettings
from disclosures.secrecy import KINDS, scan_text

EDITABLE = (Version.Status.DRAFT, Version.Status.UNDER_REVIEW, Version.Status.PASSED)
MASK = "×××"


def rules_for(department):
    """(terms, exceptions) of the department's region and every region above it."""
    terms, exceptions = [], []
    for settings in SecrecySettings.objects.filter(region__in=department.region.ancestors()):
        terms += SecrecySettings.lines(settings.terms)
        exceptions += SecrecySettings.lines(settings.exceptions)
    return terms, exceptions


def paragraphs(body):
    """A section body's paragraphs, as stored (separated by blank lines)."""
    return [part for part in body.split("\n\n")]


def _places(version):
    """Every text a reader will see: (where, context) for each table cell and each paragraph."""
    for table in version.tables.all():
        title = f"表{table.number} {table.title}"
        for row in table.rows.all():
            label = row.name or row.code or f"第 {row.position + 1} 行"
            cells = [(key, value) for key, value in row.cells.items() if isinstance(value, str)]
            # The name is often a cell too (项目名称): one text, one flag.
            texts = cells if any(value == row.name for _key, value in cells) else [("name", row.name)] + cells
            for column, text in texts:
                if text:
                    place = f"{title} · “{label[:30]}” · {_column_label(table, column)}"
                    yield {"table_number": table.number, "row_position": row.position, "column": column}, place, text
        if table.note:
            yield {"table_number": table.number, "column": "_note"}, f"{title} · 表注", table.note
    for section in version.sections.all():
        for index, text in enumerate(paragraphs(section.body)):
            if text.strip():
                yield {"section_key": section.key, "paragraph": index}, f"{section.title} · 第 {index + 1} 段", text


def _column_label(table, key):
    if key == "name":
        return "名称"
    for node in _leaves(table.columns or []):
        if node.get("key") == key:
            return node.get("label") or key
    return key


def _leaves(nodes):
    for node in nodes:
        if node.get("children"):
            yield from _leaves(node["children"])
        else:
            yield node


def _identity(where, kind, text):
    return (
        where.get("table_number", ""), where.get("row_position"), where.get("column", ""),
        where.get("section_key", ""), where.get("paragraph"), kind, text,
    )


def _flag_identity(flag):
    return (
        flag.table_number, flag.row_position, flag.column, flag.section_key, flag.paragraph, flag.kind, flag.text,
    )


@transaction.atomic
def scan_version(version):
    """Flag the version's texts again (at upload and after every edit of a draft).

    Decided flags stay as the record of the review; an undecided flag whose text is gone goes; a new
    flag takes the decision made on the same text in the version this one corrects."""
    terms, exceptions = rules_for(version.disclosure.department)
    found = {}
    for where, place, context in _places(version):
        for flag in _scan(context, tuple(terms), tuple(exceptions)):
            found[_identity(where, flag.kind, flag.text)] = (where, place, context, flag)
    existing = {_flag_identity(flag): flag for flag in version.secrecy_flags.all()}
    for key, flag in existing.items():
        if key not in found and flag.undecided:
            flag.delete()
    earlier = _earlier_decisions(version)
    created = []
    for key, (where, place, context, flag) in found.items():
        if key in existing:
            continue
        new = SecrecyFlag(
            version=version, kind=flag.kind, text=flag.text[:300], reason=flag.reason, place=place[:300],
            context=context, start=flag.start, end=flag.end,
            table_number=where.get("table_number", ""), row_position=where.get("row_position"),
            column=where.get("column", ""), section_key=where.get("section_key", ""),
            paragraph=where.get("paragraph"),
        )
        previous = earlier.get((flag.kind, flag.text, context))
        if previous is not None and previous.decision != SecrecyFlag.Decision.EDIT:
            new.decision = previous.decision
            new.decision_reason = previous.decision_reason
            new.decided_by = previous.decided_by
            new.decided_at = previous.decided_at
            new.carried_over_from = previous.version.number
        created.append(new)
    SecrecyFlag.objects.bulk_create(created)
    return list(version.secrecy_flags.all())


@lru_cache(maxsize=100_000)
def _scan(text, terms, exceptions):
    """scan_text, remembered: a correction, a re-upload or the next year repeats most of the text."""
    return tuple(scan_text(text, terms=terms, exceptions=exceptions))


def _earlier_decisions(version):
    """Decisions on the versions before this one of the same disclosure, newest first wins."""
    decided = (
        SecrecyFlag.objects.filter(version__disclosure=version.disclosure, version__number__lt=version.number)
        .exclude(decision="")
        .select_related("version", "decided_by")
        .order_by("version__number", "pk")
    )
    return {(flag.kind, flag.text, flag.context): flag for flag in decided}


def undecided(version):
    return version.secrecy_flags.filter(decision=SecrecyFlag.Decision.UNDECIDED)


def describe(flag):
    """One line for a list or the command line: where, what kind, the text."""
    return f"{flag.place}：{KINDS.get(flag.kind, flag.kind)}“{flag.text}”（{flag.reason}）"


def masked(text):
    """The flagged text as the audit trail keeps it: enough to recognise, not the personal data itself."""
    if len(text) <= 2:
        return text[:1] + "*"
    return text[:1] + "*" * (len(text) - 2) + text[-1:]


@transaction.atomic
def decide(flag, *, decision, actor, reason="", replacement=""):
    """The reviewer's (or, on a draft, the editor's) decision on one flag: checked, applied, recorded.

    保留 needs a reason; 删改 replaces the flagged text in the draft's cell or paragraph (with
    `replacement`, or ×××) and records the change; 误报 says the scan was wrong."""
    from disclosures import notifications
    from disclosures.services import DisclosureError, _locked, _require, clean_text, prepared_by, record

    flag = SecrecyFlag.objects.select_for_update().get(pk=flag.pk)
    version = _locked(flag.version)
    disclosure = version.disclosure
    roles = (Membership.Role.REVIEWER,) if version.status != Version.Status.DRAFT else (
        Membership.Role.EDITOR, Membership.Role.REVIEWER,
    )
    _require(actor, disclosure.department, *roles)
    if version.status not in EDITABLE:
        raise DisclosureError("已公开或已作废的版本不能再处理保密审查标记。")
    if version.status != Version.Status.DRAFT and prepared_by(version, actor):
        # Under review the decision is the reviewer's, a second pair of eyes (等保 2.0 职责分离), as in review().
        raise DisclosureError("上传或提交该版本的人不能处理其保密审查标记。")
    if decision not in (SecrecyFlag.Decision.KEEP, SecrecyFlag.Decision.EDIT, SecrecyFlag.Decision.FALSE_POSITIVE):
        raise DisclosureError("请选择：保留、删改或误报。")
    reason = clean_text(reason)
    replacement = clean_text(replacement)
    if decision == SecrecyFlag.Decision.KEEP and not reason:
        raise DisclosureError("保留须写明理由（如：已公开的领导姓名）。")
    if decision == SecrecyFlag.Decision.EDIT:
        replacement = replacement or MASK
        _replace(version, flag, replacement)
    flag.decision = decision
    flag.decision_reason = reason
    flag.replacement = replacement if decision == SecrecyFlag.Decision.EDIT else ""
    flag.decided_by = actor
    flag.decided_at = timezone.now()
    flag.save()
    record(
        "secrecy_decision", disclosure=disclosure, version=version, actor=actor, remarks=reason,
        place=flag.place, kind=flag.kind, text=masked(flag.text), decision=decision,
        replaced_by=replacement if decision == SecrecyFlag.Decision.EDIT else "",
    )
    if decision == SecrecyFlag.Decision.EDIT:
        scan_version(version)
        transaction.on_commit(lambda: notifications.secrecy_text_changed(version, flag))
    return flag


def _replace(version, flag, replacement):
    """Change the flagged text where it stands: one table cell or one paragraph."""
    from disclosures.services import DisclosureError

    if flag.section_key:
        section = version.sections.get(key=flag.section_key)
        parts = paragraphs(section.body)
        if flag.paragraph is None or flag.paragraph >= len(parts) or flag.text not in parts[flag.paragraph]:
            raise DisclosureError("这段文字已经改过，请刷新后重新处理。")
        parts[flag.paragraph] = parts[flag.paragraph].replace(flag.text, replacement)
        section.body = "\n\n".join(parts)
        section.save(update_fields=["body"])
        return
    table = version.tables.get(number=flag.table_number)
    if flag.column == "_note":
        if flag.text not in table.note:
            raise DisclosureError("表注已经改过，请刷新后重新处理。")
        table.note = table.note.replace(flag.text, replacement)
        table.save(update_fields=["note"])
        return
    row = TableRow.objects.select_for_update().get(table=table, position=flag.row_position)
    if flag.column == "name":
        if flag.text not in row.name:
            raise DisclosureError("这一格已经改过，请刷新后重新处理。")
        row.name = row.name.replace(flag.text, replacement)
        row.save(update_fields=["name"])
        return
    text = row.cells.get(flag.column, "")
    if not isinstance(text, str) or flag.text not in text:
        raise DisclosureError("这一格已经改过，请刷新后重新处理。")
    row.cells[flag.column] = text.replace(flag.text, replacement)
    if row.name == text:  # the cell is the row's name (项目名称): the name changes with it
        row.name = row.cells[flag.column]
    row.save(update_fields=["cells", "name"])


@transaction.atomic
def accept_all(version, *, reason, actor=None):
    """Keep every undecided flag of a document that was already public before it came here (back-filling).

    The command line's --accept-flags: recorded in the audit trail with the reason, flag by flag."""
    from disclosures.services import record

    flags = list(undecided(version))
    now = timezone.now()
    for flag in flags:
        flag.decision = SecrecyFlag.Decision.KEEP
        flag.decision_reason = reason
        flag.decided_by = actor if actor is not None and actor.is_authenticated else None
        flag.decided_at = now
        flag.save()
        record(
            "secrecy_decision", disclosure=version.disclosure, version=version, actor=actor, remarks=reason,
            place=flag.place, kind=flag.kind, text=masked(flag.text), decision=flag.decision, replaced_by="",
        )
    return flags

