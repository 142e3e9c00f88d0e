"""Warnings are acknowledged several at a time, and a correction carries over what was acknowledged before.

Each acknowledgement is still one WarningAcknowledgement and one audit event per warning, whether it was
given with a checkbox among many or one by one; a new version of a disclosure (a re-uploaded workbook, or
the 更正 copy) takes over the earlier remark for every warning that recurs word for word.
"""

import datetime
from pathlib import Path

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from disclosures.models import AuditEvent, Version, WarningAcknowledgement
from disclosures.services import (
    DisclosureError,
    acknowledge_warning,
    acknowledge_warnings,
    blockers,
    discard,
    publish,
    review,
    start_correction,
    submit,
    unacknowledged,
    warnings_of,
)
from tests.conftest import SEED004, decide_flags, upload_seed004

NOON = datetime.datetime(2025, 2, 20, 4, tzinfo=datetime.timezone.utc)  # 12:00 in Shanghai

# Figures of seed 004 as its sheets print them, and what a workbook with an error prints instead.
ROUNDING_IN_TABLE_3 = ("3", "336.42", "336.43")  # 表3 2080501 a cent off: B13, B15, B18 warn (尾差)
TWO_CENTS_IN_TABLE_3 = ("3", "336.42", "336.44")  # the same row two cents off: the same three, other figures
CENT_IN_TABLE_16 = ("表16整体绩效", "87.46", "87.47")  # 表16 公用经费 line a cent off: B43 warns twice


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOON, tick=False):
        yield


def workbook(folder, *changes):
    """Seed 004 with figures changed: (sheet, printed value, new value), the first such cell of the sheet."""
    book = load_workbook(SEED004)
    for sheet, old, new in changes:
        cell = next(c for row in book[sheet].iter_rows() for c in row if c.value is not None and str(c.value) == old)
        cell.value = float(new) if isinstance(cell.value, float) else new
    path = Path(folder) / f"seed004_{len(list(Path(folder).glob('*.xlsx')))}.xlsx"
    book.save(path)
    return path


def messages(pairs):
    return sorted(finding["message"] for _index, finding in pairs)


# --- several at once --------------------------------------------------------------------------------


def test_several_warnings_are_acknowledged_with_one_remark_and_each_is_recorded(staff, tmp_path):
    version = upload_seed004(staff, path=workbook(tmp_path, ROUNDING_IN_TABLE_3, CENT_IN_TABLE_16))
    pending = unacknowledged(version)
    assert len(pending) == 5

    acks = acknowledge_warnings(
        version, findings=[index for index, _f in pending], remark="与批复表核对一致，为四舍五入尾差", actor=staff.editor_a
    )

    assert len(acks) == 5 and unacknowledged(version) == []
    saved = WarningAcknowledgement.objects.filter(version=version).order_by("finding")
    assert [(a.finding, a.message) for a in saved] == [(i, f["message"]) for i, f in pending]
    assert {(a.remark, a.by) for a in saved} == {("与批复表核对一致，为四舍五入尾差", staff.editor_a)}
    events = AuditEvent.objects.filter(version=version, action="acknowledge").order_by("pk")
    assert [(e.data["finding"], e.data["message"], e.data["batch"]) for e in events] == [
        (i, f["message"], 5) for i, f in pending
    ]
    assert {(e.actor, e.remarks) for e in events} == {(staff.editor_a, "与批复表核对一致，为四舍五入尾差")}
    assert not any(reason.startswith("未确认的警告") for reason in blockers(version))


def test_a_bulk_acknowledgement_is_all_or_nothing(staff, tmp_path):
    version = upload_seed004(staff, path=workbook(tmp_path, ROUNDING_IN_TABLE_3))
    (first, _), (second, _), (third, _) = unacknowledged(version)
    acknowledge_warning(version, finding=first, remark="原表如此", actor=staff.editor_a)

    with pytest.raises(DisclosureError, match="所选警告中有 1 条已经确认过，请刷新页面后重新选择。"):
        acknowledge_warnings(version, findings=[first, second, third], remark="尾差", actor=staff.editor_a)
    with pytest.raises(DisclosureError, match="所选警告中有 1 条已不在检查报告中"):
        acknowledge_warnings(version, findings=[second, 9999], remark="尾差", actor=staff.editor_a)
    with pytest.raises(DisclosureError, match="请选择要确认的警告。"):
        acknowledge_warnings(version, findings=[], remark="尾差", actor=staff.editor_a)
    with pytest.raises(DisclosureError, match="请说明确认的理由。"):
        acknowledge_warnings(version, findings=[second, third], remark=" \n ", actor=staff.editor_a)

    assert [i for i, _f in unacknowledged(version)] == [second, third]
    assert AuditEvent.objects.filter(version=version, action="acknowledge").count() == 1


def test_only_the_departments_editor_acknowledges_and_only_a_draft(staff, tmp_path):
    version = upload_seed004(staff, path=workbook(tmp_path, ROUNDING_IN_TABLE_3))
    indices = [i for i, _f in unacknowledged(version)]
    for actor in (staff.reviewer_a, staff.editor_b, staff.admin):
        with pytest.raises(DisclosureError, match="部门编辑"):
            acknowledge_warnings(version, findings=indices, remark="尾差", actor=actor)
    assert not WarningAcknowledgement.objects.exists()

    acknowledge_warnings(version, findings=indices[:2], remark="尾差", actor=staff.editor_a)
    version.status = Version.Status.UNDER_REVIEW
    version.save(update_fields=["status"])
    with pytest.raises(DisclosureError, match="不能进行此操作"):
        acknowledge_warnings(version, findings=indices[2:], remark="尾差", actor=staff.editor_a)
    assert WarningAcknowledgement.objects.count() == 2


def test_the_report_page_confirms_ticked_warnings_with_one_remark(client, staff, tmp_path):
    version = upload_seed004(staff, path=workbook(tmp_path, ROUNDING_IN_TABLE_3, CENT_IN_TABLE_16))
    client.force_login(staff.editor_a)
    url = reverse("staff_version", args=[version.pk])
    page = client.get(url).content.decode()
    assert "尚有 5 条警告未确认。可勾选下列警告（或全选），写一条确认说明，一次确认；每条警告仍分别记录。" in page
    assert "全选" in page and "确认所选警告" in page
    pending = [i for i, _f in unacknowledged(version)]
    for index in pending:
        assert f'name="findings" value="{index}" form="ack-bulk"' in page

    action = reverse("staff_action", args=[version.pk, "acknowledge_many"])
    page = client.post(action, {"remark": "尾差"}, follow=True).content.decode()
    assert "请选择要确认的警告。" in page
    page = client.post(action, {"findings": pending[:3], "remark": ""}, follow=True).content.decode()
    assert "请填写确认说明。" in page
    assert WarningAcknowledgement.objects.count() == 0

    page = client.post(action, {"findings": pending[:3], "remark": "与批复表核对一致"}, follow=True).content.decode()
    assert "已确认 3 条警告。" in page
    assert page.count("✓ 已确认：与批复表核对一致") == 3
    assert "尚有 2 条警告未确认。" in page
    page = client.post(action, {"findings": pending[3:], "remark": "表16 按批复表公开"}, follow=True).content.decode()
    assert page.count("✓ 已确认：表16 按批复表公开") == 2
    assert "条警告未确认" not in page and 'form="ack-bulk"' not in page


def test_the_reviewer_sees_the_warnings_but_no_boxes_to_tick(client, staff, tmp_path):
    version = upload_seed004(staff, path=workbook(tmp_path, ROUNDING_IN_TABLE_3))
    client.force_login(staff.reviewer_a)
    page = client.get(reverse("staff_version", args=[version.pk])).content.decode()
    assert "相差 0.01（尾差）" in page and "未确认" in page
    assert 'id="ack-bulk"' not in page and 'name="findings"' not in page
    response = client.post(
        reverse("staff_action", args=[version.pk, "acknowledge_many"]),
        {"findings": [i for i, _f in unacknowledged(version)], "remark": "尾差"}, follow=True,
    )
    assert "只有本部门的部门编辑可以进行此操作。" in response.content.decode()
    assert not WarningAcknowledgement.objects.exists()


def test_a_report_of_over_a_hundred_warnings_is_confirmed_in_one_request(client, staff, tmp_path):
    """Six tables whose every detail row is a few cents off, as a faulty export makes them: one remark for all."""
    book = load_workbook(SEED004)
    for sheet, cents in (("3", 1), ("表5", 2), ("表10", 3), ("12", 1), ("表6 基本支出", 1), ("表11政府预算", 1)):
        for row in book[sheet].iter_rows(min_row=5):
            code = str(row[0].value or "").strip()
            if code.isdigit() and len(code) in (5, 7):  # 款 and 项 rows, every figure of them
                for cell in row[2:]:
                    if cell.value not in (None, ""):
                        cell.value = f"{float(str(cell.value).replace(',', '')) + cents / 100:.2f}"
    path = tmp_path / "faulty_export.xlsx"
    book.save(path)
    version = upload_seed004(staff, path=path)
    pending = [i for i, _f in unacknowledged(version)]
    assert len(pending) > 100

    client.force_login(staff.editor_a)
    page = client.post(
        reverse("staff_action", args=[version.pk, "acknowledge_many"]),
        {"findings": pending, "remark": "财政系统导出时的四舍五入尾差"}, follow=True,
    ).content.decode()

    assert f"已确认 {len(pending)} 条警告。" in page
    assert unacknowledged(version) == []
    assert WarningAcknowledgement.objects.filter(version=version).count() == len(pending)
    assert AuditEvent.objects.filter(version=version, action="acknowledge").count() == len(pending)


# --- carried over to a new version ------------------------------------------------------------------


def complete_and_publish(staff, version, change_note=""):
    """Fill every section and gap (as ready_for_review does), then submit, pass and publish."""
    from disclosures.services import save_section, save_table_note, suggested_empty_note

    for table in version.tables.filter(is_empty=True, note=""):
        save_table_note(version, number=table.number, note=suggested_empty_note(table), actor=staff.editor_a)
    for section in version.sections.all():
        body = section.body.replace("【请填写", "").replace("】", "") if section.body else f"{section.title}的内容。"
        if section.key == "explanation" and "机关运行经费预算 100.59" not in body:
            body += "\n\n机关运行经费预算 100.59 万元。国有资产：车辆 2 辆。"
        save_section(version, key=section.key, body=body, actor=staff.editor_a)
    submit(version, actor=staff.editor_a, change_note=change_note)
    decide_flags(version, staff.reviewer_a)
    review(version, actor=staff.reviewer_a, outcome="passed")
    return publish(version, actor=staff.reviewer_a)


def test_a_reuploaded_correction_takes_over_the_acknowledgements_of_recurring_warnings(client, staff, tmp_path):
    first = upload_seed004(staff, path=workbook(tmp_path, ROUNDING_IN_TABLE_3))
    acknowledge_warnings(
        first, findings=[i for i, _f in unacknowledged(first)], remark="与批复表一致，为尾差", actor=staff.editor_a
    )
    complete_and_publish(staff, first)

    correction = upload_seed004(staff, path=workbook(tmp_path, ROUNDING_IN_TABLE_3))

    assert correction.number == 2
    assert messages(warnings_of(correction)) == messages(warnings_of(first))
    assert unacknowledged(correction) == []
    carried = WarningAcknowledgement.objects.filter(version=correction)
    assert {(a.remark, a.by) for a in carried} == {("沿用第1版的确认：与批复表一致，为尾差", staff.editor_a)}
    events = AuditEvent.objects.filter(version=correction, action="acknowledge")
    assert events.count() == 3
    assert {(e.actor, e.remarks, e.data["carried_over_from"]) for e in events} == {
        (staff.editor_a, "沿用第1版的确认：与批复表一致，为尾差", 1)
    }
    client.force_login(staff.reviewer_a)
    page = client.get(reverse("staff_version", args=[correction.pk])).content.decode()
    assert page.count("✓ 已确认：沿用第1版的确认：与批复表一致，为尾差") == 3


def test_only_warnings_that_recur_word_for_word_are_carried_over(staff, tmp_path):
    first = upload_seed004(staff, path=workbook(tmp_path, ROUNDING_IN_TABLE_3, CENT_IN_TABLE_16))
    acknowledge_warnings(first, findings=[i for i, _f in unacknowledged(first)], remark="原表如此", actor=staff.editor_a)
    discard(first, actor=staff.editor_a)

    # 表16 unchanged; 表3 now two cents off: the same identities, other figures.
    second = upload_seed004(staff, path=workbook(tmp_path, TWO_CENTS_IN_TABLE_3, CENT_IN_TABLE_16))

    carried = {a.message: a.remark for a in second.acknowledgements.all()}
    assert sorted(carried) == sorted(m for m in messages(warnings_of(second)) if m.startswith("B43"))
    assert set(carried.values()) == {"沿用第1版的确认：原表如此"}
    left = messages(unacknowledged(second))
    assert len(left) == 3 and all("相差 0.02" in m or "相差 -0.02" in m for m in left)
    assert [r for r in blockers(second) if r.startswith("未确认的警告")] == [f"未确认的警告：{m}" for m in left]


def test_the_latest_earlier_version_with_acknowledgements_is_the_one_carried_over(staff, tmp_path):
    path = workbook(tmp_path, ROUNDING_IN_TABLE_3)
    first = upload_seed004(staff, path=path)
    acknowledge_warnings(first, findings=[i for i, _f in unacknowledged(first)], remark="尾差，原表如此", actor=staff.editor_a)
    discard(first, actor=staff.editor_a)
    second = upload_seed004(staff, path=path)
    assert unacknowledged(second) == []  # all three carried over from version 1
    # The remark keeps its first wording: a chain of carry-overs names only the version it came from.
    second_acks = second.acknowledgements.order_by("finding")
    assert {a.remark for a in second_acks} == {"沿用第1版的确认：尾差，原表如此"}
    discard(second, actor=staff.editor_a)
    third_without = upload_seed004(staff)  # the workbook as approved: no warning, nothing to carry
    assert warnings_of(third_without) == [] and not third_without.acknowledgements.exists()
    discard(third_without, actor=staff.editor_a)

    fourth = upload_seed004(staff, path=path)

    assert fourth.number == 4
    assert {a.remark for a in fourth.acknowledgements.all()} == {"沿用第2版的确认：尾差，原表如此"}
    assert unacknowledged(fourth) == []


def test_the_correction_copy_shows_its_sources_warnings_already_acknowledged(client, staff, tmp_path):
    first = upload_seed004(staff, path=workbook(tmp_path, ROUNDING_IN_TABLE_3))
    acknowledge_warnings(first, findings=[i for i, _f in unacknowledged(first)], remark="与批复表一致", actor=staff.editor_a)
    complete_and_publish(staff, first)

    copy = start_correction(first.disclosure, actor=staff.editor_a)

    assert messages(warnings_of(copy)) == messages(warnings_of(first))
    assert unacknowledged(copy) == []
    assert {a.remark for a in copy.acknowledgements.all()} == {"沿用第1版的确认：与批复表一致"}
    client.force_login(staff.editor_a)
    page = client.get(reverse("staff_version", args=[copy.pk])).content.decode()
    assert "全部相符，没有警告" not in page
    assert "相差 0.01（尾差）" in page
    assert page.count("✓ 已确认：沿用第1版的确认：与批复表一致") == 3
    # Its source's report is not changed through the copy.
    assert Version.objects.get(pk=first.pk).import_report == first.import_report
