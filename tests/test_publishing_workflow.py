"""Upload → narrative → checklist → 保密审查 → publish → correct, through the service functions."""

import datetime
import io
from decimal import Decimal

import pytest
import time_machine
from django.core import mail

from disclosures import completeness, narrative
from disclosures.models import AuditEvent, Disclosure, Reminder, Review, Version
from disclosures.services import (
    DisclosureError,
    UploadRefused,
    acknowledge_warning,
    discard,
    publish,
    register_approval,
    review,
    save_section,
    send_reminders,
    start_correction,
    submit,
    unacknowledged,
)
from tests.conftest import FIXTURES, SEED004, decide_flags, ready_for_review, seed004_with_rounding_gap, upload_seed004

D = datetime.date
NOON = datetime.datetime(2025, 2, 20, 4, tzinfo=datetime.timezone.utc)  # 12:00 in Shanghai


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOON, tick=False):
        yield


def test_upload_creates_a_draft_with_its_report_and_a_drafted_explanation(staff):
    version = upload_seed004(staff)
    assert version.status == Version.Status.DRAFT
    assert version.disclosure.approved_on == D(2025, 2, 10)
    assert version.tables.count() == 18
    explanation = version.sections.get(key="explanation").body
    assert "2025 年收入预算 1,425.40 万元" in explanation
    assert "基本支出 1,207.28 万元，其中人员经费 1,106.69 万元、公用经费 100.59 万元；项目支出 218.12 万元" in explanation
    assert "财政拨款“三公”经费预算 5.80 万元" in explanation
    assert "公务用车运行费 5.80 万元" in explanation
    assert AuditEvent.objects.filter(version=version, action="upload").count() == 1


def test_a_workbook_with_errors_keeps_nothing_and_reports_why(staff):
    with pytest.raises(UploadRefused) as refused:
        upload_seed004(staff, path=FIXTURES / "README.md")
    assert "xlsx" in str(refused.value)
    with pytest.raises(UploadRefused) as refused:
        from disclosures.services import upload

        upload(io.BytesIO(b"PK\x03\x04 not really"), department=staff.department_a, year=2025, kind="budget",
               approved_on=D(2025, 2, 10), actor=staff.editor_a, file_name="a.xlsx")
    assert "文件已损坏或不是 Excel 工作簿（.xlsx），无法读取。" in str(refused.value)
    assert not Disclosure.objects.exists()
    assert not Version.objects.exists()


def test_a_formula_only_workbook_is_refused_with_the_cell(staff, tmp_path):
    from openpyxl import Workbook

    from disclosures.services import upload

    book = Workbook()
    book.active["A1"] = "收支预算总表"
    book.active["B2"] = "=SUM(1,2)"  # openpyxl writes the formula without a cached result
    path = tmp_path / "formulas.xlsx"
    book.save(path)
    with open(path, "rb") as handle, pytest.raises(UploadRefused) as refused:
        upload(handle, department=staff.department_a, year=2025, kind="budget", approved_on=D(2025, 2, 10),
               actor=staff.editor_a, file_name="formulas.xlsx")
    assert "公式没有计算结果（工作表“Sheet”的 B2）" in str(refused.value)
    assert not Version.objects.exists()


def test_only_the_departments_editor_may_upload(staff):
    from disclosures.services import upload

    for actor in (staff.reviewer_a, staff.editor_b, staff.admin):
        with open(SEED004, "rb") as handle, pytest.raises(DisclosureError):
            upload(handle, department=staff.department_a, year=2025, kind="budget", approved_on=D(2025, 2, 10),
                   actor=actor, file_name="seed004.xlsx")
    assert not Version.objects.exists()


def test_warnings_are_acknowledged_one_by_one_with_a_remark(staff, tmp_path):
    version = upload_seed004(staff, path=seed004_with_rounding_gap(tmp_path))
    pending = unacknowledged(version)
    assert any("相差 0.01（尾差）" in finding["message"] for _index, finding in pending)
    index, finding = pending[0]
    with pytest.raises(DisclosureError, match="请说明确认的理由"):
        acknowledge_warning(version, finding=index, remark="  ", actor=staff.editor_a)
    acknowledge_warning(version, finding=index, remark="原表如此", actor=staff.editor_a)
    assert len(unacknowledged(version)) == len(pending) - 1
    with pytest.raises(DisclosureError, match="已经确认过"):
        acknowledge_warning(version, finding=index, remark="again", actor=staff.editor_a)
    event = AuditEvent.objects.get(action="acknowledge")
    assert event.remarks == "原表如此" and event.data["message"] == finding["message"]


def test_submit_is_refused_until_warnings_and_checklist_are_done(staff, tmp_path):
    version = upload_seed004(staff, path=seed004_with_rounding_gap(tmp_path))
    with pytest.raises(DisclosureError, match="未确认的警告"):
        submit(version, actor=staff.editor_a)
    for index, _finding in unacknowledged(version):
        acknowledge_warning(version, finding=index, remark="ok", actor=staff.editor_a)
    with pytest.raises(DisclosureError, match="部门职责：尚未填写"):
        submit(version, actor=staff.editor_a)
    labels = {item.label for item in completeness.missing(version)}
    assert {"部门职责", "机构设置", "名词解释", "情况说明：待填写内容", "表13 债务支出预算表"} <= labels
    assert Version.objects.get(pk=version.pk).status == Version.Status.DRAFT


def test_the_narrative_check_warns_where_a_written_figure_differs_from_the_tables(staff):
    version = upload_seed004(staff)
    assert narrative.check_figures(version) == []  # the draft agrees with the tables
    body = version.sections.get(key="explanation").body.replace("收入预算 1,425.40 万元", "收入预算 1,452.40 万元")
    save_section(version, key="explanation", body=body, actor=staff.editor_a)
    messages = [f.message for f in narrative.check_figures(version)]
    assert any("左边 1,452.40，右边 1,425.40，相差 27.00" in m for m in messages)


def test_the_whole_flow_with_a_return_notifies_each_side(staff, django_capture_on_commit_callbacks):
    version = ready_for_review(staff)
    with django_capture_on_commit_callbacks(execute=True):
        submit(version, actor=staff.editor_a)
    assert [m.to for m in mail.outbox] == [["reviewer_a@example.cn"]]
    with pytest.raises(DisclosureError, match="须写明审查意见"):
        review(version, actor=staff.reviewer_a, outcome=Review.Outcome.RETURNED, remarks="")
    with django_capture_on_commit_callbacks(execute=True):
        review(version, actor=staff.reviewer_a, outcome=Review.Outcome.RETURNED, remarks="表9 项目名称含内部编号")
    assert Version.objects.get(pk=version.pk).status == Version.Status.DRAFT
    assert mail.outbox[-1].to == ["editor_a@example.cn"] and "表9 项目名称含内部编号" in mail.outbox[-1].body
    submit(version, actor=staff.editor_a)
    decide_flags(version, staff.reviewer_a)
    review(version, actor=staff.reviewer_a, outcome=Review.Outcome.PASSED, remarks="未发现涉密内容")
    publish(version, actor=staff.reviewer_a)
    disclosure = Disclosure.objects.get(pk=version.disclosure_id)
    assert disclosure.published_version_id == version.pk
    assert disclosure.published_on == D(2025, 2, 20)
    assert Disclosure.objects.published().count() == 1
    actions = list(AuditEvent.objects.filter(disclosure=disclosure).order_by("pk").values_list("action", flat=True))
    assert actions[0] == "upload" and actions[-6:] == [
        "review", "submit", "secrecy_decision", "secrecy_decision", "review", "publish",
    ]


def test_no_publish_without_a_passed_review(staff):
    version = ready_for_review(staff)
    with pytest.raises(DisclosureError, match="不能进行此操作"):
        publish(version, actor=staff.reviewer_a)
    submit(version, actor=staff.editor_a)
    with pytest.raises(DisclosureError, match="不能进行此操作"):
        publish(version, actor=staff.reviewer_a)
    assert not Disclosure.objects.published().exists()


def test_the_uploader_may_not_review_their_own_version(staff):
    from disclosures.models import Membership
    from tests.factories import MembershipFactory

    MembershipFactory(user=staff.editor_a, role=Membership.Role.REVIEWER, department=staff.department_a)
    version = ready_for_review(staff)
    submit(version, actor=staff.editor_a)
    with pytest.raises(DisclosureError, match="上传或提交该版本的人不能审查"):
        review(version, actor=staff.editor_a, outcome=Review.Outcome.PASSED)
    assert not Review.objects.exists()


def test_the_one_who_submitted_a_version_may_not_review_it(staff):
    """A second editor who is also a reviewer submits the first editor's upload: someone else reviews."""
    from disclosures.models import Membership
    from tests.factories import MembershipFactory, UserFactory

    submitter = UserFactory(username="editor_and_reviewer_a")
    MembershipFactory(user=submitter, role=Membership.Role.EDITOR, department=staff.department_a)
    MembershipFactory(user=submitter, role=Membership.Role.REVIEWER, department=staff.department_a)
    version = ready_for_review(staff)
    submit(version, actor=submitter)
    with pytest.raises(DisclosureError, match="上传或提交该版本的人不能审查"):
        review(version, actor=submitter, outcome=Review.Outcome.PASSED)
    assert not Review.objects.exists()
    decide_flags(version, staff.reviewer_a)
    assert review(version, actor=staff.reviewer_a, outcome=Review.Outcome.PASSED).outcome == Review.Outcome.PASSED


def test_only_reviewers_of_the_department_review_and_publish(staff):
    version = ready_for_review(staff)
    submit(version, actor=staff.editor_a)
    for actor in (staff.editor_b, staff.admin):
        with pytest.raises(DisclosureError, match="部门审核人"):
            review(version, actor=actor, outcome=Review.Outcome.PASSED)


def test_a_published_version_is_never_deleted_and_a_correction_is_a_new_version(staff):
    version = ready_for_review(staff)
    submit(version, actor=staff.editor_a)
    decide_flags(version, staff.reviewer_a)
    review(version, actor=staff.reviewer_a, outcome=Review.Outcome.PASSED)
    publish(version, actor=staff.reviewer_a)
    with pytest.raises(ValueError):
        Version.objects.get(pk=version.pk).delete()
    correction = start_correction(version.disclosure, actor=staff.editor_a)
    assert correction.number == 2 and correction.tables.count() == 18
    with pytest.raises(DisclosureError, match="更正说明"):
        submit(correction, actor=staff.editor_a)
    submit(correction, actor=staff.editor_a, change_note="更正表7 公务用车运行费")
    decide_flags(correction, staff.reviewer_a)
    review(correction, actor=staff.reviewer_a, outcome=Review.Outcome.PASSED)
    with time_machine.travel(datetime.datetime(2025, 3, 20, 4, tzinfo=datetime.timezone.utc), tick=False):
        publish(correction, actor=staff.reviewer_a)
    disclosure = Disclosure.objects.get(pk=version.disclosure_id)
    assert disclosure.published_version.number == 2
    assert disclosure.published_on == D(2025, 2, 20)  # the clock is judged on the first publication
    assert Version.objects.get(pk=version.pk).status == Version.Status.PUBLISHED


def test_a_draft_is_discarded_not_deleted(staff):
    version = upload_seed004(staff)
    discard(version, actor=staff.editor_a)
    assert Version.objects.get(pk=version.pk).status == Version.Status.DISCARDED
    again = upload_seed004(staff)
    assert again.number == 2


def test_reminders_go_once_at_5_days_1_day_and_overdue(staff, django_capture_on_commit_callbacks):
    disclosure = register_approval(
        department=staff.department_a, year=2025, kind="budget", approved_on=D(2025, 2, 10), actor=staff.admin
    )
    # Deadline 2025-03-02 is a Sunday → Monday 2025-03-03.
    assert disclosure.format == "liaoning-budget-18"
    with django_capture_on_commit_callbacks(execute=True):
        assert send_reminders(D(2025, 2, 25)) == []
        assert [r.kind for r in send_reminders(D(2025, 2, 26))] == [Reminder.Kind.FIVE_DAYS]
        assert send_reminders(D(2025, 2, 26)) == []
        assert send_reminders(D(2025, 2, 27)) == []
        assert [r.kind for r in send_reminders(D(2025, 3, 2))] == [Reminder.Kind.ONE_DAY]
        assert send_reminders(D(2025, 3, 3)) == []
        assert [r.kind for r in send_reminders(D(2025, 3, 4))] == [Reminder.Kind.OVERDUE]
        assert send_reminders(D(2025, 3, 5)) == []
    assert len(mail.outbox) == 3
    assert sorted(mail.outbox[0].to) == ["editor_a@example.cn", "reviewer_a@example.cn"]
    assert "截止日期 2025-03-03" in mail.outbox[0].body
    assert AuditEvent.objects.filter(action="reminder").count() == 3


def test_register_approval_is_for_the_regions_administrator(staff):
    with pytest.raises(DisclosureError, match="财政部门管理员"):
        register_approval(department=staff.department_a, year=2025, kind="budget", approved_on=D(2025, 2, 10),
                          actor=staff.editor_a)
    assert not Disclosure.objects.exists()


def test_amounts_in_the_draft_are_decimal_exact(staff):
    version = upload_seed004(staff)
    figures = narrative.summary_figures(version)
    assert figures["income_total"] == Decimal("1425.40")
    assert figures["performance_projects"] > 0


def test_the_draft_compares_with_last_years_published_disclosure(staff):
    from tests.conftest import save

    save(SEED004, department="抚顺市工业和信息化局", year=2024, approved_on=D(2024, 2, 1), published_on=D(2024, 2, 20))
    version = upload_seed004(staff)
    explanation = version.sections.get(key="explanation").body
    # Same workbook for both years: every total is unchanged.
    assert "2025 年收入预算 1,425.40 万元，与上年持平" in explanation
    assert "财政拨款“三公”经费预算 5.80 万元，与上年持平" in explanation


def test_uploading_a_new_workbook_to_a_published_disclosure_is_a_correction(staff):
    version = ready_for_review(staff)
    submit(version, actor=staff.editor_a)
    decide_flags(version, staff.reviewer_a)
    review(version, actor=staff.reviewer_a, outcome=Review.Outcome.PASSED)
    publish(version, actor=staff.reviewer_a)
    correction = upload_seed004(staff)
    assert correction.number == 2 and correction.status == Version.Status.DRAFT
    # The narrative carries over from the published version instead of a fresh draft.
    assert correction.sections.get(key="duties").body == version.sections.get(key="duties").body
    assert Disclosure.objects.get().published_version_id == version.pk
