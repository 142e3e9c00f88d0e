"""The department page in Chromium: tables first, ECharts charts added by the script; screenshots.

Screenshots (tests/screenshots/) are for a person to look at: search results, a department over
time, and a chart on a phone.
"""

import pytest
from django.urls import reverse

from disclosures.search.indexer import rebuild

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


def department_url(live_server, disclosure):
    return live_server.url + reverse("department", args=[disclosure.department.pk])


def test_the_script_adds_four_charts_above_their_tables(live_server, page, two_years, screenshots_dir):
    page.goto(department_url(live_server, two_years[1]), wait_until="load")
    page.wait_for_function("() => document.querySelectorAll('.chart-slot[data-rendered=true]').length === 4")

    for key, table in (
        ("totalsByYear", "totals-table"), ("threePublicTrend", "three-public-table"), ("incomeSources", "income-table"),
        ("functionTree", "tree-table"),
    ):  # fmt: skip
        chart = page.locator(f"#chart-{key}")
        assert chart.get_attribute("role") == "img"
        assert "数据见下表" in chart.get_attribute("aria-label")
        assert chart.locator("svg").count() == 1
        box = chart.bounding_box()
        assert box["width"] > 300 and box["height"] > 200
        # The data table is right below the chart and visible.
        assert page.locator(f"#{table}").is_visible()
        assert page.locator(f"#{table}").bounding_box()["y"] > box["y"] + box["height"] - 1

    # The 三公 line chart draws one line per part, over the two years of the table.
    trend = page.locator("#chart-threePublicTrend")
    trend.scroll_into_view_if_needed()
    assert "2024 年" in trend.inner_text() and "2025 年" in trend.inner_text()
    assert "公务接待费（部门预算）" in trend.inner_text()  # the legend

    # The treemap drills down: clicking 215 shows its 款 (21505 工业和信息产业).
    tree = page.locator("#chart-functionTree")
    tree.scroll_into_view_if_needed()
    assert "21505" not in tree.inner_text()
    tree.locator("text", has_text="215 资源勘探工业信息等支出").first.click()
    page.wait_for_function("() => document.querySelector('#chart-functionTree').textContent.includes('21505')")

    page.locator("#over-time").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots_dir / "department-over-time.png"), full_page=True)


def test_without_javascript_the_page_is_complete(live_server, browser, two_years):
    context = browser.new_context(locale="zh-CN", java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(department_url(live_server, two_years[1]), wait_until="load")
        assert page.locator(".chart").count() == 0
        rows = page.locator("#totals-table tbody tr")
        assert rows.count() == 2
        assert rows.nth(1).locator("td").all_inner_texts() == ["1,425.40", "1,425.40", "1,207.28", "218.12"]
        assert page.locator("#three-public-table tbody tr").nth(0).locator("td").first.inner_text() == "8.20"
        assert page.locator("#tree-table").is_visible()
    finally:
        context.close()


def test_a_chart_on_a_phone(live_server, phone, two_years, screenshots_dir):
    phone.goto(department_url(live_server, two_years[1]), wait_until="load")
    phone.wait_for_function("() => document.querySelectorAll('.chart-slot[data-rendered=true]').length === 4")
    sizes = phone.evaluate("() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})")
    assert sizes["scroll"] <= sizes["inner"], sizes
    chart = phone.locator("#chart-threePublicTrend")
    box = chart.bounding_box()
    assert box["width"] <= 390 and box["width"] > 300
    phone.locator("#three-public").evaluate("el => el.scrollIntoView({block: 'start'})")
    phone.screenshot(path=str(screenshots_dir / "department-chart-phone.png"))
    phone.locator("#function-tree").evaluate("el => el.scrollIntoView({block: 'start'})")
    phone.screenshot(path=str(screenshots_dir / "department-treemap-phone.png"))


def test_budget_and_final_accounts_of_one_year_are_two_series_not_two_points_in_time(live_server, page, screenshots_dir):
    """辽宁省数据局 2024: the budget constructed for seed 002 and seed 002's final accounts."""
    from tests.test_budget_vs_actual import pair

    _budget, final = pair.__wrapped__(None)
    page.goto(department_url(live_server, final), wait_until="load")
    page.wait_for_function("() => document.querySelectorAll('.chart-slot[data-rendered=true]').length === 4")
    for key in ("totalsByYear", "threePublicTrend"):
        chart = page.locator(f"#chart-{key}")
        chart.scroll_into_view_if_needed()
        text = chart.inner_text()
        assert text.count("2024 年") == 1, text  # one year on the axis, not "2024 年部门预算" and "2024 年部门决算"
        assert "部门预算" in text and "部门决算" in text, text  # the legend names both series
    trend = page.locator("#chart-threePublicTrend").inner_text()
    assert "“三公”经费合计（部门预算）" in trend and "“三公”经费合计（部门决算）" in trend
    # The budget's lines are dashed, the final accounts' solid.
    assert page.locator("#chart-threePublicTrend svg path[stroke-dasharray]").count() >= 1
    totals = page.locator("#chart-totalsByYear").inner_text()
    assert "部门预算支出总计" in totals and "部门决算支出总计" in totals
    assert page.locator("#totals-table tbody tr").first.locator("td").all_inner_texts()[2:4] == ["—", "5,743.67"]
    page.locator("#over-time").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots_dir / "department-budget-and-final-accounts.png"), full_page=True)


def test_search_results_screenshot(live_server, page, phone, two_years, published_seed000, screenshots_dir):
    rebuild()
    page.goto(live_server.url + reverse("search:search") + "?q=%E7%9B%B4%E8%81%94%E7%82%B9", wait_until="load")  # 直联点
    marks = page.locator("ol.results mark").all_inner_texts()
    assert marks and set(marks) == {"直联点"}
    link = page.locator("#group-project + ol a").first
    assert link.inner_text() == "骨干直联点监测系统链路改造及机房维护"
    page.screenshot(path=str(screenshots_dir / "search-results.png"), full_page=True)
    link.click()
    page.wait_for_url("**#table-9-row-3")
    row = page.locator("#table-9-row-3")
    assert "骨干直联点监测系统链路改造及机房维护" in row.inner_text()
    assert row.is_visible()

    phone.goto(live_server.url + reverse("search:search") + "?q=2080505", wait_until="load")
    assert phone.locator("#group-line").is_visible()
    phone.screenshot(path=str(screenshots_dir / "search-results-phone.png"), full_page=True)
