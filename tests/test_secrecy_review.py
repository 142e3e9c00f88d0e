"""保密审查 on a version: the scan's flags, the reviewer's decision per flag, and publication held until
every flag is decided, on every path (条例第十四条、第十五条)."""

import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from disclosures.models import AuditEvent, Disclosure, Region, SecrecyFlag, SecrecySettings, Version
from disclosures.secrecy.review import decide, scan_version, undecided
from disclosures.services import DisclosureError, publish, review, start_correction, submit
from tests.conftest import SEED004, ready_for_review, upload_seed004

pytestmark = pytest.mark.django_db

NAMES = ["梁明辉", "佟春钰"]


def names_in_table9(version):
    return sorted(f.text for f in version.secrecy_flags.filter(table_number="9", kind="person_name"))


def test_the_upload_flags_the_two_persons_paid_in_table9_and_nothing_else(staff):
    version = upload_seed004(staff)
    assert names_in_table9(version) == sorted(NAMES)
    flag = version.secrecy_flags.get(text="梁明辉")
    assert flag.place == "表9 项目支出预算表 · “信访维稳经费” · 项目内容"
    assert flag.context[flag.start:flag.end] == "梁明辉" and flag.undecided
    assert flag.reason.startswith("疑似个人姓名")
    # The other 17 tables and the drafted text of seed 004 give no flag.
    assert version.secrecy_flags.count() == 2


def test_the_review_page_lists_each_flag_with_its_place_the_text_marked_and_a_decision(client, staff):
    version = ready_for_review(staff)
    submit(version, actor=staff.editor_a)
    client.force_login(staff.reviewer_a)
    page = client.get(reverse("staff_version", args=[version.pk])).content.decode()
    assert "尚有 2 处待决定，处理完之前不能通过审查或公开。" in page
    assert "表9 项目支出预算表 · “信访维稳经费” · 项目内容" in page
    assert "<mark>梁明辉</mark>69196.48元、<mark>佟春钰</mark>" not in page  # one flag, one mark
    assert "化解信访案件。<mark>梁明辉</mark>69196.48元、佟春钰7085.77元。" in page
    assert page.count('name="decision" value="keep"') == 2


def test_a_review_cannot_pass_and_nothing_is_published_while_a_flag_is_undecided(staff):
    version = ready_for_review(staff)
    submit(version, actor=staff.editor_a)
    with pytest.raises(DisclosureError, match="保密审查还有 2 处标记未处理"):
        review(version, actor=staff.reviewer_a, outcome="passed")
    flag = version.secrecy_flags.get(text="梁明辉")
    decide(flag, decision="false_positive", actor=staff.reviewer_a)
    with pytest.raises(DisclosureError, match="保密审查还有 1 处标记未处理"):
        review(version, actor=staff.reviewer_a, outcome="passed")
    # A return with remarks needs no decision: the editor is to change the text.
    decide(version.secrecy_flags.get(text="佟春钰"), decision="keep", reason="本人同意公开", actor=staff.reviewer_a)
    review(version, actor=staff.reviewer_a, outcome="passed")
    publish(version, actor=staff.reviewer_a)
    assert Version.objects.get(pk=version.pk).status == Version.Status.PUBLISHED


def test_keeping_a_flag_needs_a_reason_and_each_decision_is_in_the_audit_trail(staff):
    version = upload_seed004(staff)
    flag = version.secrecy_flags.get(text="梁明辉")
    with pytest.raises(DisclosureError, match="保留须写明理由"):
        decide(flag, decision="keep", actor=staff.editor_a)
    decide(flag, decision="keep", reason="信访处理结果已公告", actor=staff.editor_a)
    event = AuditEvent.objects.filter(version=version, action="secrecy_decision").get()
    assert event.remarks == "信访处理结果已公告" and event.actor == staff.editor_a
    assert event.data == {
        "place": "表9 项目支出预算表 · “信访维稳经费” · 项目内容", "kind": "person_name", "text": "梁*辉",
        "decision": "keep", "replaced_by": "",
    }


def test_edit_changes_the_cell_in_the_draft_and_the_public_page_shows_the_change(
    client, staff, django_capture_on_commit_callbacks
):
    version = ready_for_review(staff)
    submit(version, actor=staff.editor_a)
    with django_capture_on_commit_callbacks(execute=True):
        for name in NAMES:
            decide(version.secrecy_flags.get(text=name), decision="edit", replacement="某某", actor=staff.reviewer_a)
    row = version.tables.get(number="9").rows.get(name="信访维稳经费")
    [content] = [text for text in row.cells.values() if isinstance(text, str) and "信访案件" in text]
    assert content.endswith("化解信访案件。某某69196.48元、某某7085.77元。")
    # The edit is the decision's record; the changed text is scanned again and holds no name.
    assert undecided(version).count() == 0
    assert list(version.secrecy_flags.values_list("decision", flat=True)) == ["edit", "edit"]
    assert "改动了表9 项目支出预算表 · “信访维稳经费” · 项目内容的文字（改为“某某”）" in mail.outbox[-1].body
    review(version, actor=staff.reviewer_a, outcome="passed")
    publish(version, actor=staff.reviewer_a)
    page = client.get(reverse("disclosure", args=[version.disclosure_id])).content.decode()
    assert "某某69196.48元" in page and "梁明辉" not in page


def test_a_correction_carries_over_the_decisions_on_the_same_text(staff):
    version = ready_for_review(staff)
    submit(version, actor=staff.editor_a)
    for name in NAMES:
        decide(version.secrecy_flags.get(text=name), decision="keep", reason="已公开的处理结果", actor=staff.reviewer_a)
    review(version, actor=staff.reviewer_a, outcome="passed")
    publish(version, actor=staff.reviewer_a)
    correction = start_correction(version.disclosure, actor=staff.editor_a)
    flags = correction.secrecy_flags.order_by("text")
    assert [(f.text, f.decision, f.carried_over_from, f.decision_reason) for f in flags] == [
        ("佟春钰", "keep", 1, "已公开的处理结果"), ("梁明辉", "keep", 1, "已公开的处理结果"),
    ]


def test_the_administrators_terms_are_flagged_and_exceptions_are_not(staff):
    version = upload_seed004(staff)
    settings = SecrecySettings.objects.create(
        region=Region.objects.get(name="辽宁省"), terms="信访维稳", exceptions="梁明辉",
    )
    scan_version(version)
    flags = sorted((f.kind, f.text) for f in version.secrecy_flags.all())
    assert ("term", "信访维稳") in flags
    assert ("person_name", "梁明辉") not in flags and ("person_name", "佟春钰") in flags
    settings.delete()
    scan_version(version)
    assert sorted(f.text for f in version.secrecy_flags.all()) == sorted(NAMES)


def test_another_departments_editor_cannot_decide_and_a_published_version_cannot_be_changed(staff):
    version = upload_seed004(staff)
    flag = version.secrecy_flags.get(text="梁明辉")
    with pytest.raises(DisclosureError):
        decide(flag, decision="false_positive", actor=staff.editor_b)
    assert SecrecyFlag.objects.get(pk=flag.pk).undecided


def test_under_review_the_one_who_submitted_cannot_decide_a_flag_even_holding_the_reviewer_role(staff):
    from disclosures.models import Membership

    version = ready_for_review(staff)
    Membership.objects.create(user=staff.editor_a, role="reviewer", department=version.disclosure.department)
    submit(version, actor=staff.editor_a)
    flag = version.secrecy_flags.get(text="梁明辉")
    with pytest.raises(DisclosureError, match="上传或提交该版本的人不能处理其保密审查标记"):
        decide(flag, decision="false_positive", actor=staff.editor_a)
    assert SecrecyFlag.objects.get(pk=flag.pk).undecided
    decide(flag, decision="false_positive", actor=staff.reviewer_a)
    assert SecrecyFlag.objects.get(pk=flag.pk).decision == "false_positive"


def test_the_command_leaves_a_flagged_backfill_as_a_draft_and_prints_each_flag():
    out = io.StringIO()
    arguments = [str(SEED004), "--region", "辽宁省/抚顺市", "--department", "抚顺市工业和信息化局", "--year", "2025",
                 "--approved-on", "2025-02-10", "--published-on", "2025-02-26"]  # fmt: skip
    call_command("import_disclosure", *arguments, stdout=out)
    text = out.getvalue()
    assert "保密审查（待决定）：表9 项目支出预算表 · “信访维稳经费” · 项目内容：个人姓名“梁明辉”" in text
    assert "未公开：保密审查有 2 处标记待决定，已存为草稿。" in text
    version = Disclosure.objects.get().versions.get()
    assert version.status == Version.Status.DRAFT and not Disclosure.objects.published().exists()


def test_accept_flags_backfills_a_document_already_public_and_records_each_flag():
    out = io.StringIO()
    arguments = [str(SEED004), "--region", "辽宁省/抚顺市", "--department", "抚顺市工业和信息化局", "--year", "2025",
                 "--approved-on", "2025-02-10", "--published-on", "2025-02-26", "--accept-flags"]  # fmt: skip
    call_command("import_disclosure", *arguments, stdout=out)
    assert "保密审查（保留）：表9 项目支出预算表 · “信访维稳经费” · 项目内容：个人姓名“佟春钰”" in out.getvalue()
    version = Disclosure.objects.get().versions.get()
    assert version.status == Version.Status.PUBLISHED
    events = AuditEvent.objects.filter(version=version, action="secrecy_decision")
    assert sorted(e.data["text"] for e in events) == ["佟*钰", "梁*辉"]
    assert {e.remarks for e in events} == {"补录2025-02-26已公开的文件，按原样保留（--accept-flags）"}


def test_a_name_printed_as_its_rows_project_name_is_one_flag_and_its_edit_changes_both(staff):
    version = upload_seed004(staff)
    row = version.tables.get(number="9").rows.get(name="信访维稳经费")
    key = next(k for k, v in row.cells.items() if v == row.name)
    row.name = row.cells[key] = "内部资料：信访维稳经费"
    row.save()
    scan_version(version)
    [flag] = version.secrecy_flags.filter(kind="marker")
    assert flag.text == "内部资料" and flag.column == key
    decide(flag, decision="edit", replacement="", actor=staff.editor_a)
    row.refresh_from_db()
    assert row.name == row.cells[key] == "×××：信访维稳经费"
