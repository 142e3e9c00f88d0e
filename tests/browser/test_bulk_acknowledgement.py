"""In real Chromium: "全选" ticks every warning of the check report, and one remark confirms them all."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse

from disclosures.models import WarningAcknowledgement
from disclosures.services import save_section
from tests.browser.test_accessibility import AXE_OPTIONS, violations
from tests.browser.test_publishing_flow import flash, log_in, workspace
from tests.conftest import seed004_with_rounding_gap, upload_seed004

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


def test_select_all_confirms_every_warning_with_one_remark(live_server, page, staff, tmp_path):
    version = upload_seed004(staff, path=seed004_with_rounding_gap(tmp_path))
    log_in(page, live_server, staff.editor_a)
    workspace(page, live_server, version)
    boxes = page.locator('input[type=checkbox][name=findings][form="ack-bulk"]')
    assert boxes.count() == 3
    assert "尚有 3 条警告未确认" in page.locator("form#ack-bulk").inner_text()

    select_all = page.get_by_label("全选")
    select_all.check()
    assert [boxes.nth(i).is_checked() for i in range(3)] == [True, True, True]
    boxes.nth(1).uncheck()
    assert not select_all.is_checked()  # "全选" says whether every box is ticked
    select_all.check()
    page.fill("#bulk-remark", "与批复表核对一致，为四舍五入尾差")
    page.get_by_role("button", name="确认所选警告").click()
    page.wait_for_url(f"**{reverse('staff_version', args=[version.pk])}")

    assert "已确认 3 条警告。" in flash(page)
    assert page.locator("p.ack").count() == 3
    assert page.locator("form#ack-bulk").count() == 0
    assert set(WarningAcknowledgement.objects.values_list("remark", flat=True)) == {"与批复表核对一致，为四舍五入尾差"}


def test_the_report_with_boxes_to_tick_and_narrative_warnings_has_no_axe_violation(live_server, page, staff, tmp_path):
    version = upload_seed004(staff, path=seed004_with_rounding_gap(tmp_path))
    body = version.sections.get(key="explanation").body.replace("基本支出 1,207.28 万元", "基本支出 1,270.28 万元")
    save_section(version, key="explanation", body=body, actor=staff.editor_a)
    log_in(page, live_server, staff.editor_a)
    workspace(page, live_server, version)
    assert "说明栏目中的数字与表格不一致（须改正或确认）" in page.content()
    assert violations(Axe().run(page, options=AXE_OPTIONS)) == []
    page.goto(live_server.url + reverse("staff_section", args=[version.pk, "explanation"]))
    assert "数字核对：与表格不一致" in page.content()
    assert violations(Axe().run(page, options=AXE_OPTIONS)) == []
