"""A figure the 情况说明 states about a table must agree with it, or carry an acknowledged remark, before review.

The text changes after upload, so every save re-checks it: totals (收入/支出预算), 基本/项目支出, the “三公”
经费 and each part, 机关运行经费 and 政府采购 (B46–B50; H8, H10–H12 for Hebei). A mismatch is a warning of
the version's report, shown on the report and on the section editor, and listed among what stops submission.
"""

import datetime
import io

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from docx import Document

from disclosures.models import AuditEvent, Disclosure, Membership, Version
from disclosures.services import (
    DisclosureError,
    acknowledge_warnings,
    blockers,
    import_sections,
    publish,
    redraft_explanation,
    review,
    save_section,
    start_correction,
    submit,
    unacknowledged,
    upload,
)
from tests.conftest import FIXTURES, SEED004, decide_flags, ready_for_review
from tests.factories import MembershipFactory

NOON = datetime.datetime(2025, 2, 20, 4, tzinfo=datetime.timezone.utc)  # 12:00 in Shanghai


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOON, tick=False):
        yield


def explanation(version):
    return version.sections.get(key="explanation").body


def rewrite(version, staff, old, new):
    """The editor changes one figure of the 情况说明 and saves it; `version` is read again, report included."""
    body = explanation(version)
    assert old in body
    save_section(version, key="explanation", body=body.replace(old, new, 1), actor=staff.editor_a)
    version.refresh_from_db()


def narrative_pending(version):
    """The narrative warnings not yet acknowledged, as the report now holds them."""
    version.refresh_from_db()
    return [f["message"] for _i, f in unacknowledged(version) if f.get("narrative")]


def test_a_basic_spending_figure_that_disagrees_with_the_tables_stops_submission(staff):
    version = ready_for_review(staff)
    rewrite(version, staff, "基本支出 1,207.28 万元", "基本支出 1,270.28 万元")  # digits transposed

    (message,) = narrative_pending(version)
    assert message == (
        "B47 情况说明中的收支数 = 表中数（情况说明：“基本支出 1,270.28 万元”）："
        "左边 1,270.28，右边 1,207.28，相差 63.00（不一致）"
    )
    with pytest.raises(DisclosureError, match="还不能提交审查：说明栏目中的数字与表格不一致，未确认：B47"):
        submit(version, actor=staff.editor_a)
    assert Version.objects.get(pk=version.pk).status == Version.Status.DRAFT

    (index,) = [i for i, f in unacknowledged(version)]
    acknowledge_warnings(version, findings=[index], remark="批复文件即为 1,270.28 万元，表3 待财政更正", actor=staff.editor_a)
    submit(version, actor=staff.editor_a)
    assert Version.objects.get(pk=version.pk).status == Version.Status.UNDER_REVIEW


def test_a_corrected_figure_clears_its_warning_and_the_save_is_audited_with_it(staff):
    version = ready_for_review(staff)
    rewrite(version, staff, "项目支出 218.12 万元", "项目支出 281.12 万元")
    assert len(narrative_pending(version)) == 1
    wrong = AuditEvent.objects.filter(version=version, action="edit", data__section="explanation").first()
    assert wrong.data["narrative_warnings"] == narrative_pending(version)

    rewrite(version, staff, "项目支出 281.12 万元", "项目支出 218.12 万元")

    assert narrative_pending(version) == [] and blockers(version) == []
    fixed = AuditEvent.objects.filter(version=version, action="edit", data__section="explanation").first()
    assert fixed.data["narrative_resolved"] == wrong.data["narrative_warnings"]
    submit(version, actor=staff.editor_a)
    assert Version.objects.get(pk=version.pk).status == Version.Status.UNDER_REVIEW


def test_a_correction_whose_text_keeps_the_old_three_public_figures_cannot_be_submitted(staff):
    """The published case: 表7 was corrected to 11.30 (接待费 0.30), the text still said 11.20 and 0.20."""
    version = ready_for_review(staff)
    submit(version, actor=staff.editor_a)
    decide_flags(version, staff.reviewer_a)
    review(version, actor=staff.reviewer_a, outcome="passed")
    publish(version, actor=staff.reviewer_a)
    correction = start_correction(version.disclosure, actor=staff.editor_a)
    row = correction.tables.get(number="7").rows.get()
    row.values = {**row.values, "total": "11.30", "vehicles_subtotal": "11.00", "vehicles_running": "11.00", "reception": "0.30"}
    row.save()
    body = (
        explanation(correction)
        .replace("“三公”经费预算 5.80 万元", "“三公”经费预算 11.20 万元")
        .replace("公务用车购置及运行费 5.80 万元", "公务用车购置及运行费 11.00 万元")
        .replace("公务用车运行费 5.80 万元", "公务用车运行费 11.00 万元")
        .replace("公务接待费 0.00 万元", "公务接待费 0.20 万元")
    )
    save_section(correction, key="explanation", body=body, actor=staff.editor_a)

    assert sorted(narrative_pending(correction)) == sorted([
        "B48 情况说明中的“三公”经费及各项 = 表7（情况说明：“公务接待费 0.20 万元”）：左边 0.20，右边 0.30，相差 -0.10（不一致）",
        "B48 情况说明中的“三公”经费及各项 = 表7（情况说明：““三公”经费预算 11.20 万元”）：左边 11.20，右边 11.30，相差 -0.10（不一致）",
    ])
    with pytest.raises(DisclosureError, match="说明栏目中的数字与表格不一致，未确认：B48"):
        submit(correction, actor=staff.editor_a, change_note="更正表7")
    assert Version.objects.get(pk=correction.pk).status == Version.Status.DRAFT

    save_section(
        correction, key="explanation",
        body=body.replace("预算 11.20 万元", "预算 11.30 万元").replace("公务接待费 0.20 万元", "公务接待费 0.30 万元"),
        actor=staff.editor_a,
    )
    submit(correction, actor=staff.editor_a, change_note="更正表7")
    assert Version.objects.get(pk=correction.pk).status == Version.Status.UNDER_REVIEW


@pytest.mark.parametrize(
    ("old", "new", "identity", "shows"),
    [
        ("因公出国（境）费 0.00 万元", "因公出国（境）费 1.00 万元", "B48", "左边 1.00，右边 0.00，相差 1.00"),
        ("公务用车购置费 0.00 万元", "公务用车购置费 2.00 万元", "B48", "左边 2.00，右边 0.00，相差 2.00"),
        ("机关运行经费预算 100.59 万元", "机关运行经费预算 110.59 万元", "B49", "左边 110.59，右边 100.59，相差 10.00"),
        ("收入预算 1,425.40 万元", "收入预算 1,452.40 万元", "B47", "左边 1,452.40，右边 1,425.40，相差 27.00"),
        ("政府采购支出 0.00 万元", "政府采购支出 3.00 万元", "B46", "左边 0.00，右边 3.00，相差 -3.00"),
    ],
    ids=["abroad", "vehicle-purchase", "admin-running-costs", "income", "procurement"],
)
def test_each_figure_the_text_states_about_a_table_binds(staff, old, new, identity, shows):
    version = ready_for_review(staff)
    rewrite(version, staff, old, new)
    (message,) = narrative_pending(version)
    assert message.startswith(f"{identity} ") and shows in message and "（不一致）" in message
    assert any(reason.startswith("说明栏目中的数字与表格不一致，未确认：" + identity) for reason in blockers(version))


def test_the_procurement_paragraphs_total_is_checked_against_table_14(staff):
    version = ready_for_review(staff)
    save_section(
        version, key="explanation", body=explanation(version) + "\n\n本年度安排政府采购预算 12.00 万元，均为服务。",
        actor=staff.editor_a,
    )
    (message,) = narrative_pending(version)
    assert message.startswith("B50 情况说明中的政府采购预算 = 表14 合计（情况说明：“政府采购预算 12.00 万元”）")
    assert "左边 12.00，右边 0.00，相差 12.00（不一致）" in message


def test_a_public_institution_says_it_has_no_admin_running_costs(published_seed000):
    """Seed 000 (a 事业单位, no 501/502) writes 「机关运行经费预算为 0 万元」: that agrees; another figure would not."""
    from disclosures.narrative import figure_warnings

    version = published_seed000.published_version
    assert "机关运行经费预算为 0 万元" in explanation(version)
    assert figure_warnings(version) == []
    section = version.sections.get(key="explanation")
    section.body = section.body.replace("机关运行经费预算为 0 万元", "机关运行经费预算为 36.38 万元")
    section.save()
    (warning,) = figure_warnings(version)
    assert warning["identity"] == "B49" and "左边 36.38，右边 0.00，相差 36.38（不一致）" in warning["message"]


def test_the_section_editor_shows_the_mismatch_after_saving_and_the_report_lists_it(client, staff):
    version = ready_for_review(staff)
    client.force_login(staff.editor_a)
    url = reverse("staff_section", args=[version.pk, "explanation"])
    page = client.get(url).content.decode()
    assert "数字核对：情况说明中写到的收支、基本支出、项目支出、“三公”经费、机关运行经费、政府采购等数字与表格一致。" in page

    body = explanation(version).replace("公务接待费 0.00 万元", "公务接待费 0.50 万元")
    page = client.post(url, {"body": body}, follow=True).content.decode()

    assert "已保存“情况说明”。" in page
    assert "说明栏目中有 1 处数字与表格不一致：请改正，或在检查报告中确认并说明理由，否则不能提交审查。" in page
    assert "数字核对：与表格不一致" in page
    assert "“公务接待费 0.50 万元”）：左边 0.50，右边 0.00，相差 0.50（不一致）" in page
    assert "未确认：到检查报告中确认" in page
    report = client.get(reverse("staff_version", args=[version.pk])).content.decode()
    assert "说明栏目中的数字与表格不一致（须改正或确认）" in report
    assert "说明栏目中的数字与表格不一致，未确认：B48" in report  # among what stops submission
    assert "尚有 1 条警告未确认。" in report

    version.refresh_from_db()
    (index,) = [i for i, _f in unacknowledged(version)]
    client.post(reverse("staff_action", args=[version.pk, "acknowledge_many"]), {"findings": [index], "remark": "含上年结转的接待费"})
    page = client.get(url).content.decode()
    assert "✓ 已确认：含上年结转的接待费" in page
    response = client.post(reverse("staff_action", args=[version.pk, "submit"]), follow=True)
    assert "已提交保密审查" in response.content.decode()


def test_the_same_mismatch_written_again_keeps_its_acknowledgement_a_new_one_does_not(staff):
    version = ready_for_review(staff)
    rewrite(version, staff, "公务接待费 0.00 万元", "公务接待费 0.50 万元")
    (index,) = [i for i, _f in unacknowledged(version)]
    acknowledge_warnings(version, findings=[index], remark="含上年结转", actor=staff.editor_a)

    rewrite(version, staff, "公务接待费 0.50 万元", "公务接待费 0.00 万元")
    rewrite(version, staff, "公务接待费 0.00 万元", "公务接待费 0.50 万元")
    assert blockers(version) == []

    rewrite(version, staff, "公务接待费 0.50 万元", "公务接待费 0.60 万元")
    assert [m for m in narrative_pending(version)] == [
        "B48 情况说明中的“三公”经费及各项 = 表7（情况说明：“公务接待费 0.60 万元”）：左边 0.60，右边 0.00，相差 0.60（不一致）"
    ]


def test_a_fresh_draft_from_the_tables_clears_the_mismatches(staff):
    version = ready_for_review(staff)
    rewrite(version, staff, "基本支出 1,207.28 万元", "基本支出 1,270.28 万元")
    assert len(narrative_pending(version)) == 1
    redraft_explanation(version, actor=staff.editor_a)
    assert narrative_pending(version) == []
    event = AuditEvent.objects.filter(version=version, action="redraft").get()
    assert len(event.data["narrative_resolved"]) == 1


def word_file(explanation_text):
    document = Document()
    document.add_heading("三、部门预算情况说明", level=1)
    document.add_paragraph(explanation_text)
    out = io.BytesIO()
    document.save(out)
    return SimpleUploadedFile("说明.docx", out.getvalue(), content_type="application/octet-stream")


def test_a_word_import_is_checked_like_a_save(client, staff):
    version = ready_for_review(staff)
    client.force_login(staff.editor_a)
    url = reverse("staff_sections_from_word", args=[version.pk])
    text = explanation(version).replace("\n", "").replace("基本支出 1,207.28 万元", "基本支出 1,207.82 万元")
    client.post(url, {"document": word_file(text)})
    page = client.post(url, {"confirm": "1"}, follow=True).content.decode()

    assert "已从 说明.docx 导入：情况说明。" in page
    assert "说明栏目中有 1 处数字与表格不一致" in page
    assert "“基本支出 1,207.82 万元”）：左边 1,207.82，右边 1,207.28，相差 0.54（不一致）" in page
    assert [m[:3] for m in narrative_pending(version)] == ["B47"]


def test_submission_judges_the_text_as_it_is_whatever_path_changed_it(staff):
    version = ready_for_review(staff)
    # The service of the Word import does not re-check by itself; submit does.
    wrong = explanation(version).replace("项目支出 218.12 万元", "项目支出 228.12 万元")
    import_sections(version, bodies={"explanation": wrong}, source_file="说明.docx", actor=staff.editor_a)
    with pytest.raises(DisclosureError, match="未确认：B47"):
        submit(version, actor=staff.editor_a)
    assert Version.objects.get(pk=version.pk).status == Version.Status.DRAFT


def test_a_correction_upload_keeps_the_published_text_and_its_acknowledged_mismatch(staff):
    version = ready_for_review(staff)
    rewrite(version, staff, "公务接待费 0.00 万元", "公务接待费 0.50 万元")
    (index,) = [i for i, _f in unacknowledged(version)]
    acknowledge_warnings(version, findings=[index], remark="含上年结转", actor=staff.editor_a)
    submit(version, actor=staff.editor_a)
    decide_flags(version, staff.reviewer_a)
    review(version, actor=staff.reviewer_a, outcome="passed")
    publish(version, actor=staff.reviewer_a)

    with open(SEED004, "rb") as handle:
        correction = upload(
            handle, department=staff.department_a, year=2025, kind="budget", approved_on=datetime.date(2025, 2, 10),
            actor=staff.editor_a, file_name="seed004.xlsx",
        )

    assert "公务接待费 0.50 万元" in explanation(correction)
    assert narrative_pending(correction) == []
    (ack,) = correction.acknowledgements.all()
    assert ack.remark == "沿用第1版的确认：含上年结转" and ack.message.startswith("B48 ")


def test_hebei_states_the_three_public_figures_in_a_part_of_their_own_and_they_are_checked(staff):
    """Seed 003's 三公 part: 「“三公”经费预算安排2.4万元」 against 表9; 机关运行经费 24.79 against 表6 302."""
    from disclosures.narrative import figure_warnings

    call_command(
        "import_disclosure", str(FIXTURES / "seed003_budget_2024.xlsx"), region="河北省/石家庄市/栾城区",
        department="224网信办", year=2024, kind="budget", approved_on="2024-02-01",
        sections=str(FIXTURES / "seed003_sections.txt"), stdout=io.StringIO(),
    )
    version = Disclosure.objects.get(department__name="224网信办").versions.get()
    assert figure_warnings(version) == []
    MembershipFactory(user=staff.editor_a, role=Membership.Role.EDITOR, department=version.disclosure.department)
    part = version.sections.get(key="three_public_expenses")
    save_section(
        version, key="three_public_expenses", body=part.body.replace("预算安排2.4万元", "预算安排2.6万元"), actor=staff.editor_a
    )
    running = version.sections.get(key="admin_running_costs")
    save_section(
        version, key="admin_running_costs", body=running.body.replace("共计安排24.79万元", "共计安排25.79万元"),
        actor=staff.editor_a,
    )

    pending = sorted(narrative_pending(version))
    assert len(pending) == 2
    assert pending[0].startswith("H10 说明中的“三公”经费及各项 = 表9（")
    assert "财政拨款“三公”经费预算情况及增减变化原因：““三公”经费预算安排2.6万元”）：左边 2.60，右边 2.40，相差 0.20（不一致）" in pending[0]
    assert pending[1].startswith("H11 说明中的机关运行经费 = 表6 302")
    assert "左边 25.79，右边 24.79，相差 1.00（不一致）" in pending[1]
