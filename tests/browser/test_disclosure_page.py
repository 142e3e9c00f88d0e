"""The public disclosure page in real Chromium: figures, headings, contents, notes, phone layout.

Run with `python -m pytest -q tests/browser` (or `-m browser`). Screenshots are written to
tests/screenshots/ for a person to look at; they are not compared.
"""

import pytest
from django.urls import reverse

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

SEED000_DEPARTMENT = "辽宁省互联网技术支撑中心"
TABLE8_NOTE = "备注：如此表为空表，则表示部门无政府性基金预算安排的支出。"


def disclosure_url(live_server, disclosure):
    return live_server.url + reverse("disclosure", args=[disclosure.pk])


def open_page(page, url):
    response = page.goto(url, wait_until="load")
    assert response is not None and response.status == 200, response and response.status
    return response


def total_amounts(page, table_number):
    """The amount cells of a table's first 合计 row, as displayed."""
    row = page.locator(f"#table-{table_number} table.data-table tbody tr.total").first
    assert row.locator("th").first.inner_text().replace(" ", "") == "合计"
    return [text.strip() for text in row.locator("td.amount").all_inner_texts()]


def test_seed000_desktop(live_server, page, published_seed000, screenshots_dir):
    open_page(page, disclosure_url(live_server, published_seed000))

    # The stylesheet is served and applied (otherwise the layout checks below mean nothing).
    assert page.evaluate("getComputedStyle(document.querySelector('.table-scroll')).overflowX") == "auto"

    # 表3 支出预算总表: the 合计 row, in printed order.
    assert total_amounts(page, 3) == ["881.55", "482.74", "446.36", "36.38", "398.81"]
    first_amount = page.locator("#table-3 tr.total td.amount").first
    assert first_amount.inner_text() == "881.55"
    assert first_amount.evaluate("el => getComputedStyle(el).textAlign") == "right"

    # Exactly one <h1>, naming the department.
    h1 = page.locator("h1")
    assert h1.count() == 1
    assert SEED000_DEPARTMENT in h1.inner_text()

    # The table of contents links to 表3, and following the link brings the table to the top.
    toc_link = page.locator('nav.toc a[href="#table-3"]')
    assert toc_link.count() == 1
    assert "支出预算总表" in toc_link.inner_text()
    assert page.evaluate("window.scrollY") == 0
    toc_link.click()
    page.wait_for_url("**#table-3")
    page.wait_for_function(
        "() => Math.abs(document.getElementById('table-3').getBoundingClientRect().top) < 2"
    )
    assert page.evaluate("window.scrollY") > 0
    assert page.locator("#table-3 table.data-table").is_visible()

    # 表8 is empty in S000; its printed note says what an empty table means.
    note = page.locator("#table-8 .table-note")
    assert note.inner_text().strip() == TABLE8_NOTE
    note.scroll_into_view_if_needed()
    assert note.is_visible()

    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(screenshots_dir / "seed000-disclosure.png"), full_page=True)


def test_seed000_phone_scrolls_tables_not_the_page(live_server, phone, published_seed000, screenshots_dir):
    open_page(phone, disclosure_url(live_server, published_seed000))
    assert phone.evaluate("window.innerWidth") == 390

    # The document itself never scrolls sideways...
    overflow = phone.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})"
    )
    assert overflow["scroll"] <= overflow["inner"], overflow

    # ...a wide table scrolls inside its own container instead (表10 has 15 columns).
    scroller = phone.locator("#table-10 .table-scroll")
    sizes = scroller.evaluate("el => ({scroll: el.scrollWidth, client: el.clientWidth})")
    assert sizes["scroll"] > sizes["client"], sizes
    assert sizes["client"] <= 390, sizes

    scroller.scroll_into_view_if_needed()
    phone.locator("#table-10").evaluate("el => el.scrollIntoView({block: 'start'})")
    phone.screenshot(path=str(screenshots_dir / "seed000-phone-table10.png"))

    # The container really scrolls: moving it sideways changes what is shown.
    assert scroller.evaluate("el => { el.scrollLeft = 200; return el.scrollLeft; }") > 0


def test_draft_is_not_public(live_server, page, draft_seed004):
    response = page.goto(disclosure_url(live_server, draft_seed004))
    assert response is not None
    assert response.status == 404
    assert "抚顺市发展和改革委员会" not in page.content()


def test_seed004_total_and_extra_column(live_server, page, published_seed004):
    open_page(page, disclosure_url(live_server, published_seed004))

    assert total_amounts(page, 3)[0] == "1,425.40"

    # 表9 as seed 004 published it: an extra 项目内容 column after 项目名称.
    headers = [text.strip() for text in page.locator("#table-9 table.data-table thead th").all_inner_texts()]
    assert "项目内容" in headers
    assert headers.index("项目内容") == headers.index("项目名称") + 1
