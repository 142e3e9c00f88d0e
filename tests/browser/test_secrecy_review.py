"""保密审查 in real Chromium, as the reviewer sees it: the scan's flags listed with the text marked, one
decision per flag through the page's own form, the review refused while a flag is undecided, and the
decision carried through to the public page. Also: the flag list and its form on a phone and at 1366 px,
with no axe violation; screenshots of the list at both widths go to tests/screenshots/ (and /tmp/shots/).

Seed 004 gives exactly two flags: the names 梁明辉 and 佟春钰 in 表9's 项目内容 of the row 信访维稳经费.
"""

import shutil
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse

from disclosures.services import submit
from tests.browser.conftest import PHONE, _new_page
from tests.browser.test_accessibility import AXE_OPTIONS, violations
from tests.browser.test_publishing_flow import flash, log_in, workspace
from tests.conftest import ready_for_review

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

PLACE = "表9 项目支出预算表 · “信访维稳经费” · 项目内容"
REFUSAL = "保密审查还有 {count} 处标记未处理（保留、删改或误报），不能通过或公开。"
WIDE = {"width": 1366, "height": 900}
SHOTS = Path("/tmp/shots")


def submitted(staff):
    """Seed 004 uploaded by editor_a, ready and submitted: the reviewer's turn."""
    version = ready_for_review(staff)
    submit(version, actor=staff.editor_a)
    return version


def flag_item(page, name):
    """The flag whose highlighted text is `name` (both names stand in each flag's context)."""
    return page.locator("#secrecy-flags li.flag").filter(has=page.locator(f"mark:text-is('{name}')"))


def decide(page, version, name, decision, *, reason="", replacement=""):
    """Decide one flag with the page's own controls: the radio, the text fields, "记录决定"."""
    item = flag_item(page, name)
    item.get_by_label(decision, exact=True).click()
    if reason:
        item.get_by_label("理由").fill(reason)
    if replacement:
        item.get_by_label("删改为").fill(replacement)
    item.get_by_role("button", name="记录决定").click()
    page.wait_for_url(f"**{reverse('staff_version', args=[version.pk])}")
    page.wait_for_load_state()


def review_and_publish(page, version):
    page.get_by_label("通过", exact=True).check()
    page.get_by_role("button", name="记录审查结果").click()
    page.wait_for_load_state()
    assert "审查通过，可以公开。" in flash(page)
    page.get_by_role("button", name="公开此版本").click()
    page.wait_for_load_state()
    assert "已公开。" in flash(page)


def public_table9(page, live_server, version):
    """The public disclosure page, signed out, and the text the reader sees there."""
    page.context.clear_cookies()
    response = page.goto(live_server.url + reverse("disclosure", args=[version.disclosure_id]))
    assert response.status == 200
    return page.locator("main").inner_text()


def test_the_reviewer_decides_each_flag_then_passes_and_publishes(live_server, page, staff):
    version = submitted(staff)
    log_in(page, live_server, staff.reviewer_a)
    workspace(page, live_server, version)

    flags = page.locator("#secrecy-flags")
    assert "尚有 2 处待决定，处理完之前不能通过审查或公开。" in flags.inner_text()
    assert flags.locator("li.flag").count() == 2
    assert flags.locator("mark").all_inner_texts() == ["梁明辉", "佟春钰"]
    for name in ("梁明辉", "佟春钰"):
        item = flag_item(page, name)
        assert PLACE in item.locator(".flag-where").inner_text()
        assert item.locator("mark").is_visible()
        assert item.get_by_role("button", name="记录决定").is_visible()

    # 通过 is refused while both flags are undecided; nothing changes on the page.
    page.get_by_label("通过", exact=True).check()
    page.get_by_role("button", name="记录审查结果").click()
    page.wait_for_load_state()
    assert REFUSAL.format(count=2) in flash(page)
    assert page.get_by_role("button", name="公开此版本").count() == 0
    assert "尚有 2 处待决定" in flags.inner_text()

    # 梁明辉: 误报. One flag left.
    decide(page, version, "梁明辉", "误报")
    assert "已记录：误报。还有 1 处标记待决定。" in flash(page)
    assert "决定：误报" in flag_item(page, "梁明辉").inner_text()
    assert flag_item(page, "梁明辉").get_by_role("button", name="记录决定").count() == 0
    assert "尚有 1 处待决定" in flags.inner_text()

    # 保留 without a reason: the browser itself does not stop it (the reason is only required for 保留),
    # the service refuses with its message and the flag stays open.
    decide(page, version, "佟春钰", "保留")
    assert "保留须写明理由（如：已公开的领导姓名）。" in flash(page)
    assert flag_item(page, "佟春钰").get_by_role("button", name="记录决定").is_visible()

    # 佟春钰: 保留 with a reason. All decided.
    decide(page, version, "佟春钰", "保留", reason="本人同意公开")
    assert "已记录：保留。保密审查标记已全部处理。" in flash(page)
    decided = flag_item(page, "佟春钰").locator(".flag-decision").inner_text()
    assert "决定：保留" in decided and "本人同意公开" in decided
    assert "已全部处理。" in flags.inner_text() and "待决定" not in flags.inner_text()
    assert page.get_by_role("button", name="记录决定").count() == 0

    review_and_publish(page, version)
    text = public_table9(page, live_server, version)
    assert page.locator("h1").inner_text().startswith("抚顺市工业和信息化局")
    assert "佟春钰7085.77元" in text  # 保留 and 误报 leave the text as it was


def test_an_edit_changes_the_text_and_the_public_page_shows_the_replacement(live_server, page, staff):
    version = submitted(staff)
    log_in(page, live_server, staff.reviewer_a)
    workspace(page, live_server, version)
    assert flag_item(page, "梁明辉").get_by_label("删改为").get_attribute("placeholder") == "×××"

    decide(page, version, "梁明辉", "删改", replacement="某某")
    assert "已记录：删改。还有 1 处标记待决定。" in flash(page)
    assert "决定：删改（改为“某某”）" in flag_item(page, "梁明辉").locator(".flag-decision").inner_text()

    decide(page, version, "佟春钰", "保留", reason="本人同意公开")
    assert "已记录：保留。保密审查标记已全部处理。" in flash(page)

    review_and_publish(page, version)
    text = public_table9(page, live_server, version)
    assert "某某69196.48元" in text
    assert page.get_by_text("某某69196.48元").first.is_visible()
    assert "梁明辉" not in text and "梁明辉" not in page.content()


def middle(box):
    return box["y"] + box["height"] / 2


def _check_flag_list(page, live_server, staff, version, width, screenshot, screenshots_dir):
    log_in(page, live_server, staff.reviewer_a)
    workspace(page, live_server, version)
    flags = page.locator("#secrecy-flags")
    assert flags.locator("form.flag-form").count() == 2
    assert "尚有 2 处待决定" in flags.inner_text()
    sizes = page.evaluate("() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})")
    assert sizes["scroll"] <= width, sizes
    # Every control of both flag forms is on screen, inside the viewport's width.
    controls = flags.locator("form.flag-form").locator("input:not([type=hidden]), button, label")
    for index in range(controls.count()):
        box = controls.nth(index).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5, (index, box)
    # Each text field stays beside its label ("理由", "删改为"): same line, label first.
    for form in flags.locator("form.flag-form").all():
        for label in ("理由", "删改为"):
            label_box = form.locator("label", has_text=label).bounding_box()
            field_box = form.get_by_label(label).bounding_box()
            assert abs(middle(label_box) - middle(field_box)) < 8, (label, label_box, field_box)
            assert label_box["x"] + label_box["width"] <= field_box["x"], (label, label_box, field_box)
    assert violations(Axe().run(page, options=AXE_OPTIONS)) == []
    flags.scroll_into_view_if_needed()
    flags.screenshot(path=str(screenshots_dir / screenshot))
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(screenshots_dir / screenshot, SHOTS / screenshot)


def test_the_flag_list_fits_a_phone_and_has_no_axe_violation(live_server, phone, staff, screenshots_dir):
    version = submitted(staff)
    _check_flag_list(phone, live_server, staff, version, PHONE["width"], "secrecy-review-390.png", screenshots_dir)


def test_the_flag_list_at_1366_px_has_no_axe_violation(live_server, browser, staff, screenshots_dir):
    version = submitted(staff)
    context, page = _new_page(browser, viewport=WIDE)
    try:
        _check_flag_list(page, live_server, staff, version, WIDE["width"], "secrecy-review-1366.png", screenshots_dir)
    finally:
        context.close()
