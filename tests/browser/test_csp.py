"""The Content-Security-Policy in real Chromium: every page works under it, and nothing on it is refused.

Each page is watched for the browser's console reports ("Refused to … because it violates the following
Content Security Policy directive"), for `securitypolicyviolation` events, and for script errors.
"""

import datetime

import pytest
from django.urls import reverse

from disclosures.models import Department, Region, Version
from tests.conftest import FIXTURES, SEED004, save, upload_seed004
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]
PASSWORD = "correct-horse-battery"

# Playwright's init script runs outside the page's policy; it records what the policy refuses.
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__violations.push(event.violatedDirective + " " + (event.blockedURI || "inline"));
});
"""


class Watch:
    """Console messages, script errors and policy violations of one page."""

    def __init__(self, page):
        self.page = page
        self.console, self.errors = [], []
        page.add_init_script(RECORD_VIOLATIONS)
        page.on("console", lambda message: self.console.append(f"{message.type}: {message.text}"))
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def refused(self):
        """What was refused on the page now open, and any script error so far."""
        events = self.page.evaluate("window.__violations || []")
        reports = [m for m in self.console if "Content Security Policy" in m or "Content-Security-Policy" in m]
        return events + reports + self.errors

    def goto(self, url):
        response = self.page.goto(url, wait_until="load")
        assert response.status == 200, url
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        return response


def log_in(page, live_server, user):
    page.context.clear_cookies()
    page.goto(live_server.url + reverse("login"))
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("form.form button[type=submit]")
    page.wait_for_load_state()


def test_script_injected_into_a_page_does_not_run_and_is_reported(live_server, page):
    """What the policy is for: markup that slipped into a page (an event handler) is refused."""
    watch = Watch(page)
    watch.goto(live_server.url + reverse("home"))
    page.evaluate("""() => {
        document.body.insertAdjacentHTML("beforeend", '<img id="injected" src="data:," onerror="window.__ran = true">');
    }""")
    page.wait_for_function("() => window.__violations.length > 0")
    assert page.evaluate("window.__ran === undefined")
    assert any(v.startswith("script-src") for v in watch.refused())


def test_the_home_page_and_a_department_with_charts(live_server, page):
    save(FIXTURES / "seed004_budget_2024.xlsx", year=2024, approved_on=datetime.date(2024, 1, 26),
         published_on=datetime.date(2024, 2, 8))  # fmt: skip
    disclosure = save(SEED004, published_on=datetime.date(2025, 2, 26)).disclosure
    watch = Watch(page)

    watch.goto(live_server.url + reverse("home"))
    assert watch.refused() == []

    watch.goto(live_server.url + reverse("department", args=[disclosure.department.pk]))
    page.wait_for_function("() => document.querySelectorAll('.chart-slot[data-rendered=true]').length === 4")
    for key in ("totalsByYear", "threePublicTrend", "incomeSources", "functionTree"):
        # The chart is drawn: ECharts' SVG holds the shapes of the data.
        assert page.locator(f"#chart-{key} svg path").count() > 5, key
    # A tooltip is markup ECharts writes into the page: shown on hover, it must pass the policy too.
    trend = page.locator("#chart-threePublicTrend")
    trend.scroll_into_view_if_needed()
    box = trend.bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.45)
    page.wait_for_function("() => [...document.querySelectorAll('#chart-threePublicTrend div')].some("
                           "d => d.textContent.includes('万元'))")
    tooltip = page.locator("#chart-threePublicTrend div", has_text="万元").last.inner_text()
    assert "2024 年" in tooltip and "公务接待费（部门预算）：2.00 万元" in tooltip
    assert watch.refused() == []


def test_the_request_form_and_its_receipt_with_the_print_button(live_server, page):
    department = Department.objects.create(region=Region.get_or_create_path("辽宁省/抚顺市"), name="抚顺市工业和信息化局")
    watch = Watch(page)
    watch.goto(live_server.url + reverse("information_requests:apply") + f"?department={department.pk}")
    page.select_option("#id_applicant_type", "natural_person")
    page.fill("#id_name", "王小明")
    page.select_option("#id_id_type", "resident_id")
    page.fill("#id_id_number", "11010519491231002X")
    page.fill("#id_phone", "13912345678")
    page.fill("#id_information_title", "2025年度工业企业技术改造专项资金分配结果")
    page.fill("#id_description", "请提供2025年度本局工业企业技术改造专项资金的分配结果。")
    page.check("input[name=form_wanted][value=electronic]")
    page.check("input[name=delivery][value=online]")
    page.check("#id_consent")
    assert watch.refused() == []
    page.click("form.request-form button[type=submit]")
    page.wait_for_selector("#tracking-code")
    # The print button is shown by its script, and prints.
    button = page.get_by_role("button", name="打印或保存回执")
    assert button.is_visible()
    page.evaluate("() => { window.__printed = 0; window.print = () => { window.__printed += 1; }; }")
    button.click()
    assert page.evaluate("window.__printed") == 1
    assert watch.refused() == []


def test_a_staff_version_page_asks_before_discarding(live_server, page, staff):
    version = upload_seed004(staff)
    watch = Watch(page)
    log_in(page, live_server, staff.editor_a)
    watch.goto(live_server.url + reverse("staff_version", args=[version.pk]))
    discard = page.get_by_role("button", name="作废此草稿")

    # Dismissed: nothing is sent.
    asked = []
    page.once("dialog", lambda dialog: (asked.append((dialog.type, dialog.message)), dialog.dismiss()))
    discard.click()
    page.wait_for_timeout(300)
    assert asked == [("confirm", "作废后该草稿不能再提交（记录仍保留），确定吗？")]
    version.refresh_from_db()
    assert version.status == Version.Status.DRAFT
    assert page.url.endswith(reverse("staff_version", args=[version.pk]))

    # Accepted: the form is sent and the draft is discarded.
    page.once("dialog", lambda dialog: (asked.append((dialog.type, dialog.message)), dialog.accept()))
    with page.expect_navigation():
        discard.click()
    assert len(asked) == 2
    version.refresh_from_db()
    assert version.status == Version.Status.DISCARDED
    assert watch.refused() == []


def test_the_admin_works_under_the_policy(live_server, page):
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    watch = Watch(page)
    log_in(page, live_server, root)
    watch.goto(live_server.url + reverse("admin:index"))
    assert page.locator("#site-name").is_visible()
    assert watch.refused() == []
    # A change list (its actions script) and an add form (its widgets' scripts).
    watch.goto(live_server.url + reverse("admin:auth_user_changelist"))
    page.locator("#action-toggle").check()
    assert page.locator("input.action-select:checked").count() >= 1  # the select-all script ran
    watch.goto(live_server.url + reverse("admin:disclosures_region_add"))
    assert watch.refused() == []
