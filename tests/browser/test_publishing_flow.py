"""The whole publishing flow in real Chromium, as department staff and the public see it.

editor uploads seed 004 → sees the report, acknowledges warnings → edits the drafted 情况说明 →
submits → reviewer returns it → editor resubmits → reviewer passes and publishes → the public page
shows it → a correction becomes version 2 with its note and a figure-by-figure diff.
Screenshots of the report, preview, compliance view and history go to tests/screenshots/.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from disclosures.models import Disclosure, Version
from tests.conftest import seed004_with_rounding_gap

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]
PASSWORD = "correct-horse-battery"


def log_in(page, live_server, user):
    page.context.clear_cookies()
    page.goto(live_server.url + reverse("login"))
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("form.form button[type=submit]")
    page.wait_for_url("**/staff/")


def workspace(page, live_server, version):
    page.goto(live_server.url + reverse("staff_version", args=[version.pk]))


def flash(page):
    return page.locator("ul.messages").inner_text()


def test_upload_review_publish_and_correct(live_server, page, staff, tmp_path, screenshots_dir):
    approved = timezone.localdate() - datetime.timedelta(days=3)

    # 1. The editor uploads seed 004's workbook (one figure a cent off, as exports often are).
    log_in(page, live_server, staff.editor_a)
    page.get_by_role("link", name="抚顺市工业和信息化局：上传").click()
    page.fill("#id_year", str(approved.year))
    page.fill("#id_approved_on", approved.isoformat())
    page.set_input_files("#id_workbook", str(seed004_with_rounding_gap(tmp_path)))
    page.get_by_role("button", name="上传并检查").click()
    page.wait_for_url("**/staff/versions/*/")
    version = Version.objects.get()
    assert "已读取工作簿，生成第 1 版草稿" in flash(page)

    # 2. The report lists each warning; the editor acknowledges them one by one, with a remark.
    warnings = page.locator("li.finding-warning")
    assert warnings.count() == 3
    assert "相差 0.01（尾差）" in warnings.first.inner_text()
    assert "距截止还有 17 天" in page.locator(".status-line").inner_text()
    page.screenshot(path=str(screenshots_dir / "publishing-1-report.png"), full_page=True)
    for _ in range(3):
        form = page.locator("form.inline-form:has(input[name=remark])").first
        form.locator("input[name=remark]").fill("与批复表核对一致，为四舍五入尾差")
        form.get_by_role("button", name="确认").click()
        page.wait_for_load_state()
    assert page.locator("p.ack").count() == 3

    # Empty tables get the note the rules require (the suggestion is prefilled).
    note_forms = page.locator("form.inline-form:has(input[name=note])")
    for index in range(note_forms.count()):
        note_forms.nth(index).get_by_role("button", name="保存").click()
        page.wait_for_load_state()
    table13 = page.locator(".checklist li", has_text="表13 债务支出预算表")
    assert "ok" in table13.get_attribute("class") and "空表，附说明公开" in table13.inner_text()

    # 3. The editor writes the sections and completes the drafted 情况说明, then submits.
    for key, text in [("duties", "负责全市工业和信息化发展规划。"), ("organisation", "本部门预算仅含本级。"), ("glossary", "基本支出：保障机构正常运转的支出。")]:
        page.goto(live_server.url + reverse("staff_section", args=[version.pk, key]))
        page.fill("#id_body", text)
        page.get_by_role("button", name="保存").click()
    page.goto(live_server.url + reverse("staff_section", args=[version.pk, "explanation"]))
    drafted = page.input_value("#id_body")
    assert "2025 年收入预算" not in drafted and "收入预算 1,425.40 万元" in drafted
    completed = (
        drafted.replace("【请填写：与上年相比的增减及原因】", "与上年持平")
        .replace("【请填写：增减原因】", "无变化")
        .replace("【请填写：金额及与上年相比的增减】", " 100.59 ")
        .replace("【请填写：金额】", " 0.00 ")
        .replace("【请填写：比例】", "0%")
        .replace("【请填写：数量】", " 0 ")
    )
    page.fill("#id_body", completed)
    page.get_by_role("button", name="保存").click()
    assert "数字核对：情况说明中写到的收支" in page.content()
    workspace(page, live_server, version)
    assert page.locator(".checklist li.missing").count() == 0
    page.get_by_role("button", name="提交审查").click()
    assert "已提交保密审查" in flash(page)

    # 4. The reviewer returns it with remarks; the editor resubmits.
    log_in(page, live_server, staff.reviewer_a)
    workspace(page, live_server, version)
    page.get_by_label("退回").check()
    page.fill("#id_remarks", "机构设置请写明下属单位")
    page.get_by_role("button", name="记录审查结果").click()
    assert "已退回编辑" in flash(page)
    log_in(page, live_server, staff.editor_a)
    workspace(page, live_server, version)
    assert "退回" in page.locator("ol.reviews").inner_text() and "机构设置请写明下属单位" in page.content()
    page.goto(live_server.url + reverse("staff_section", args=[version.pk, "organisation"]))
    page.fill("#id_body", "本部门预算仅含本级，无下属单位。")
    page.get_by_role("button", name="保存").click()
    workspace(page, live_server, version)
    page.get_by_role("button", name="提交审查").click()

    # 5. The reviewer previews, passes and publishes.
    log_in(page, live_server, staff.reviewer_a)
    page.goto(live_server.url + reverse("staff_preview", args=[version.pk]))
    assert "预览：这是公开后公众将看到的页面，目前尚未公开。" in page.content()
    page.screenshot(path=str(screenshots_dir / "publishing-2-preview.png"))
    workspace(page, live_server, version)
    # 保密审查: seed 004's 表9 names two persons paid; the reviewer keeps both, with a reason.
    for _flag in range(2):
        form = page.locator("form.flag-form").first
        form.get_by_role("radio", name="保留").check()
        form.locator("input[name=reason]").fill("信访处理结果已按规定公开")
        form.get_by_role("button", name="记录决定").click()
    assert "保密审查标记已全部处理。" in flash(page)
    page.get_by_label("通过").check()
    page.get_by_role("button", name="记录审查结果").click()
    page.get_by_role("button", name="公开此版本").click()
    assert "已公开" in flash(page)

    # 6. The public page shows it.
    page.context.clear_cookies()
    disclosure = Disclosure.objects.get()
    page.goto(live_server.url + reverse("disclosure", args=[disclosure.pk]))
    assert page.locator("h1").inner_text().startswith("抚顺市工业和信息化局")
    assert "无下属单位" in page.content()

    # 7. A correction: version 2 with its note and a figure-by-figure diff.
    log_in(page, live_server, staff.editor_a)
    workspace(page, live_server, version)
    page.get_by_role("button", name="更正：生成新版本").click()
    correction = Version.objects.get(number=2)
    page.goto(live_server.url + reverse("staff_section", args=[correction.pk, "duties"]))
    page.fill("#id_body", "负责全市工业和信息化发展规划，推进信息化建设。")
    page.get_by_role("button", name="保存").click()
    workspace(page, live_server, correction)
    page.fill("#id_change_note", "补充部门职责")
    page.get_by_role("button", name="提交审查").click()
    log_in(page, live_server, staff.reviewer_a)
    workspace(page, live_server, correction)
    page.get_by_label("通过").check()
    page.get_by_role("button", name="记录审查结果").click()
    page.get_by_role("button", name="公开此版本").click()
    page.context.clear_cookies()
    page.goto(live_server.url + reverse("disclosure", args=[disclosure.pk]))
    history = page.locator("section.history").inner_text()
    assert "第 2 版" in history and "补充部门职责" in history and "第 1 版" in history
    page.locator("section.history").screenshot(path=str(screenshots_dir / "publishing-3-history.png"))
    page.get_by_role("link", name="更正明细").click()
    assert "推进信息化建设" in page.content()
    page.screenshot(path=str(screenshots_dir / "publishing-4-changes.png"), full_page=True)

    # The administrator's compliance view shows it published on time.
    log_in(page, live_server, staff.admin)
    page.goto(live_server.url + reverse("staff_compliance") + f"?region={staff.city.pk}&year={approved.year}&kind=budget")
    row = page.locator("table.compliance tr", has_text="抚顺市工业和信息化局")
    assert "按时公开" in row.inner_text()
    page.screenshot(path=str(screenshots_dir / "publishing-5-compliance.png"), full_page=True)
