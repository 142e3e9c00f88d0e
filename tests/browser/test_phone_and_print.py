"""The public pages on a phone (390 px), on a laptop (1366 px) and on paper, in real Chromium.

A citizen reading a wide table must always see what a figure is: the header row and the row's name stay in
view while the table scrolls inside its box; the page says the table scrolls only when it does; a link to a
row lands with the column headers in sight; and the printed page keeps every column.

Screenshots go to tests/screenshots/ for a person to look at (phone-compare.png, print-wide-table.png, …).
"""

import datetime
import logging
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pdfplumber
import pytest
from django.urls import reverse

from disclosures.ingest import read_workbook
from disclosures.ingest.formats import get_format
from disclosures.services import import_disclosure, run_checks
from tests.conftest import FIXTURES

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

LAPTOP = {"width": 1366, "height": 768}
HINT = "表格较宽，可左右滑动查看。"


@pytest.fixture
def laptop(browser):
    context = browser.new_context(locale="zh-CN", viewport=LAPTOP)
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def _import(path, fmt, kind, approved_on, published_on):
    with open(path, "rb") as handle:
        result = read_workbook(handle, get_format(fmt))
    return import_disclosure(
        result, region_path="辽宁省", department_name="辽宁省数据局", year=2024, kind=kind,
        approved_on=approved_on, published_on=published_on, outcomes=run_checks(result),
    ).disclosure  # fmt: skip


@pytest.fixture
def budget_and_final(db):
    """辽宁省数据局 2024: the budget constructed from seed 002 and the final accounts of seed 002."""
    budget = _import(
        FIXTURES / "seed002_budget_2024.xlsx", "liaoning-budget-18", "budget",
        datetime.date(2024, 1, 20), datetime.date(2024, 2, 5),
    )  # fmt: skip
    _import(
        FIXTURES / "seed002_final_accounts_2024.xlsx", "liaoning-final-accounts-9", "final_accounts",
        datetime.date(2025, 8, 25), datetime.date(2025, 9, 10),
    )  # fmt: skip
    return budget


def open_page(page, url):
    response = page.goto(url, wait_until="load")
    assert response is not None and response.status == 200, response and response.status
    return response


def compare_url(live_server, two_years):
    before, after = two_years
    path = reverse("department_compare", args=[after.department.pk])
    return f"{live_server.url}{path}?from={before.pk}&to={after.pk}"


# How many lines each row's name takes, and how wide the name column is in em of its own font.
NAME_LAYOUT = """table => {
    const lines = cell => {
        const range = document.createRange();
        range.selectNodeContents(cell.firstChild);  // the name, without a （原名：…） note after it
        return new Set([...range.getClientRects()].map(rect => Math.round(rect.top))).size;
    };
    const cells = [...table.querySelectorAll('tbody th[scope=row]')];
    const em = parseFloat(getComputedStyle(cells[0]).fontSize);
    return {
        names: Object.fromEntries(cells.map(cell => [cell.firstChild.textContent.trim(), lines(cell)])),
        widthEm: Math.min(...cells.map(cell => cell.getBoundingClientRect().width)) / em,
    };
}"""

# Where the header row and a row's name are, relative to the box the table scrolls in.
STICKY_LAYOUT = """(box, rowId) => {
    const head = box.querySelector('thead').getBoundingClientRect();
    const name = box.querySelector('thead .name-col').getBoundingClientRect();
    const row = document.getElementById(rowId).querySelector('th[scope=row]').getBoundingClientRect();
    const frame = box.getBoundingClientRect();
    return {
        headTop: head.top - frame.top - box.clientTop, nameHeaderLeft: name.left - frame.left - box.clientLeft,
        rowNameLeft: row.left - frame.left - box.clientLeft, scrollLeft: box.scrollLeft, scrollTop: box.scrollTop,
    };
}"""


def scroll_box(box, left, top):
    box.evaluate("(el, [left, top]) => { el.scrollLeft = left; el.scrollTop = top; }", [left, top])
    box.page.wait_for_timeout(100)  # one frame for sticky positions to settle


def assert_labels_stay_in_view(box, row_id):
    """After scrolling right and down inside the box, the header row is at its top, the names at its left."""
    scroll_box(box, 400, 200)
    layout = box.evaluate(STICKY_LAYOUT, row_id)
    assert layout["scrollLeft"] > 0 and layout["scrollTop"] > 0, layout
    assert abs(layout["headTop"]) < 1.5, layout
    assert abs(layout["nameHeaderLeft"]) < 1.5, layout
    assert abs(layout["rowNameLeft"]) < 1.5, layout


def test_phone_compare_keeps_names_readable_beside_the_figures(live_server, phone, two_years, screenshots_dir):
    open_page(phone, compare_url(live_server, two_years))

    table = phone.locator("#compare-table")
    layout = table.evaluate(NAME_LAYOUT)
    # Once squeezed to 80 px, one character a line (行/政/单/位…): now at least 8em, every name in two lines at most.
    assert layout["widthEm"] >= 8, layout
    assert layout["names"]["行政单位医疗"] == 1
    assert max(layout["names"].values()) <= 2, layout["names"]
    # The page no longer runs to 4,557 px; the document never scrolls sideways.
    size = phone.evaluate("({height: document.documentElement.scrollHeight, width: document.documentElement.scrollWidth})")
    assert size["height"] < 2500 and size["width"] <= 390, size
    phone.screenshot(path=str(screenshots_dir / "phone-compare.png"), full_page=True)

    box = phone.locator("#compare-table").locator("xpath=..")
    box.scroll_into_view_if_needed()
    assert_labels_stay_in_view(box, "line-2080505")
    phone.locator("#compare-table").evaluate("el => el.parentElement.scrollIntoView({block: 'start'})")
    phone.screenshot(path=str(screenshots_dir / "phone-compare-scrolled.png"))


def test_phone_budget_vs_actual_keeps_names_readable(live_server, phone, budget_and_final, screenshots_dir):
    open_page(phone, live_server.url + reverse("budget_vs_actual", args=[budget_and_final.pk]))

    for table_id in ("#function-table", "#three-public-table"):
        layout = phone.locator(table_id).evaluate(NAME_LAYOUT)
        assert layout["widthEm"] >= 8, (table_id, layout)
        assert max(layout["names"].values()) <= 2, (table_id, layout["names"])
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.screenshot(path=str(screenshots_dir / "phone-budget-vs-actual.png"))

    box = phone.locator("#function-table").locator("xpath=..")
    box.scroll_into_view_if_needed()
    assert_labels_stay_in_view(box, "line-2010302")
    assert box.locator("#line-2010302 th").inner_text() == "一般行政管理事务"


def test_phone_wide_disclosure_table_keeps_header_row_and_names_in_view(live_server, phone, published_seed004, screenshots_dir):
    open_page(phone, live_server.url + reverse("disclosure", args=[published_seed004.pk]))

    # 表10 支出功能分类预算表: 15 columns; the name column is 科目名称, after the code.
    box = phone.locator("#table-10 .table-scroll")
    assert box.locator("thead .name-col").inner_text() == "科目名称"
    phone.locator("#table-10").evaluate("el => el.scrollIntoView({block: 'start'})")
    assert_labels_stay_in_view(box, "table-10-row-12")
    phone.screenshot(path=str(screenshots_dir / "phone-wide-table.png"))

    # 表9 项目支出预算表: most rows are named by their project, so 项目名称 is the column that stays.
    assert phone.locator("#table-9 thead .name-col").inner_text() == "项目名称"
    box = phone.locator("#table-9 .table-scroll")
    box.scroll_into_view_if_needed()
    assert_labels_stay_in_view(box, "table-9-row-3")
    assert box.locator("#table-9-row-3 th").inner_text() == "老干部服务工作经费"


HINTS = """() => [...document.querySelectorAll('.table-section')].map(section => {
    const box = section.querySelector('.table-scroll'), hint = section.querySelector('.scroll-hint');
    return {
        table: section.id, overflows: box.scrollWidth > box.clientWidth, shown: hint.checkVisibility(),
        describedBy: box.getAttribute('aria-describedby'), hintId: hint.id, hidden: hint.getAttribute('aria-hidden'),
        text: hint.textContent,
    };
})"""


@pytest.mark.parametrize("viewport", ["phone", "laptop"])
def test_scroll_hint_is_shown_only_where_the_table_overflows(live_server, request, viewport, published_seed004, screenshots_dir):
    page = request.getfixturevalue(viewport)
    open_page(page, live_server.url + reverse("disclosure", args=[published_seed004.pk]))
    page.wait_for_function("document.querySelectorAll('.scroll-hint[data-overflow]').length === 18")

    hints = page.evaluate(HINTS)
    assert len(hints) == 18
    for hint in hints:
        # Shown exactly when the table is wider than its box, and then the region's description too.
        assert hint["shown"] == hint["overflows"], hint
        assert hint["describedBy"] == (hint["hintId"] if hint["overflows"] else None), hint
        assert hint["hidden"] is None and hint["text"] == HINT, hint
    overflowing = {hint["table"] for hint in hints if hint["overflows"]}
    if viewport == "phone":
        assert overflowing == {hint["table"] for hint in hints}  # at 390 px every table is wider than its box
    else:
        # At 1366 px the 15- to 19-column tables scroll, the narrow ones fit and say nothing.
        assert {"table-2", "table-9", "table-10", "table-15"} <= overflowing
        assert not {"table-1", "table-3", "table-6", "table-18"} & overflowing
        page.locator("#table-2").evaluate("el => el.scrollIntoView({block: 'start'})")
        page.screenshot(path=str(screenshots_dir / "laptop-wide-table-hint.png"))


ANCHORED = """id => {
    const row = document.getElementById(id);
    const head = row.closest('table').querySelector('thead').getBoundingClientRect();
    const rect = row.getBoundingClientRect();
    return {headTop: head.top, headBottom: head.bottom, rowTop: rect.top, rowBottom: rect.bottom, height: innerHeight};
}"""


@pytest.mark.parametrize("viewport", ["phone", "laptop"])
def test_a_linked_row_lands_below_its_column_headers(live_server, request, viewport, published_seed004, screenshots_dir):
    """Search results link to a row (#table-12-row-25); the reader must see which column is which."""
    page = request.getfixturevalue(viewport)
    url = live_server.url + reverse("disclosure", args=[published_seed004.pk])
    for row_id in ("table-12-row-25", "table-3-row-20", "table-9-row-8"):
        page.goto("about:blank")  # arrive from elsewhere, as from the search results
        open_page(page, f"{url}#{row_id}")
        page.wait_for_function(f"() => document.getElementById('{row_id}').getBoundingClientRect().top > 0")
        page.wait_for_timeout(150)
        where = page.evaluate(ANCHORED, row_id)
        assert 0 <= where["headTop"] and where["headBottom"] <= where["rowTop"], (row_id, where)
        assert where["rowBottom"] <= where["height"], (row_id, where)
    page.screenshot(path=str(screenshots_dir / f"{viewport}-linked-row.png"))

    # Following a link on the page itself (hashchange) does the same.
    page.evaluate("location.hash = '#table-11-row-10'")
    page.wait_for_timeout(300)
    where = page.evaluate(ANCHORED, "table-11-row-10")
    assert 0 <= where["headTop"] and where["headBottom"] <= where["rowTop"] and where["rowBottom"] <= where["height"], where


def _page_texts(pdf_path):
    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    with pdfplumber.open(pdf_path) as pdf:
        pages = []
        for page in pdf.pages:
            # Chromium's PDF maps some ideographs to Kangxi radicals (⼯ for 工): NFKC folds them back.
            text = unicodedata.normalize("NFKC", page.extract_text() or "")
            rows = [
                [unicodedata.normalize("NFKC", cell or "").replace("\n", "") for cell in row]
                for table in page.find_tables() for row in table.extract()
            ]  # fmt: skip
            pages.append({"text": text, "rows": rows, "landscape": page.width > page.height})
        return pages


def test_printing_a_disclosure_keeps_every_column(live_server, laptop, published_seed004, screenshots_dir, tmp_path):
    open_page(laptop, live_server.url + reverse("disclosure", args=[published_seed004.pk]))
    columns = laptop.evaluate(
        "() => Object.fromEntries([...document.querySelectorAll('.table-section')].map(s => "
        "[s.id, s.querySelector('tbody tr').cells.length]))"
    )
    assert columns["table-2"] == 19 and columns["table-9"] == 16

    pdf_path = tmp_path / "disclosure.pdf"
    laptop.pdf(path=str(pdf_path), prefer_css_page_size=True)  # as the browser prints: @page sizes honoured
    pages = _page_texts(pdf_path)

    def table_page(number):
        (found,) = [p for p in pages if p["text"].splitlines()[0] == f"表{number}"]
        return found

    for number, last_headers in ((2, ["其他收入", "上年结转结余"]), (9, ["项目内容", "上年结转结余"])):
        page = table_page(number)
        assert page["landscape"], number
        # Every column is on the page: the ruled grid has as many columns as the table on screen…
        widths = {len(row) for row in page["rows"] if any(row)}
        assert columns[f"table-{number}"] in widths, (number, widths)
        # …and the headers of the last columns, cut off before ("附属单位…"), are printed.
        cells = {cell for row in page["rows"] for cell in row}
        for header in last_headers:
            assert header in cells, (number, header)
        header_row = next(row for row in page["rows"] if "一般公共预算" in row)
        assert header_row[-1] == "单位资金", header_row
    assert not table_page(3)["landscape"]  # seven columns fit an upright page

    # A table running over two pages repeats its header rows (表12 has 31 rows).
    after_12 = pages[pages.index(table_page(12)) + 1]
    assert not after_12["text"].startswith("表"), after_12["text"][:40]
    assert "科目编码" in after_12["text"].splitlines()[1] + after_12["text"].splitlines()[2]

    # No screen furniture on paper.
    everything = "".join(p["text"] for p in pages)
    assert "下载本表" not in everything
    assert "可左右滑动" not in everything
    assert "CSV" not in everything

    if shutil.which("pdftoppm"):
        first = pages.index(table_page(2)) + 1
        prefix = tmp_path / "page"
        subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", str(first), "-l", str(first), "-singlefile", str(pdf_path), str(prefix)], check=True)  # fmt: skip
        shutil.copy(Path(f"{prefix}.png"), screenshots_dir / "print-wide-table.png")
        first = pages.index(table_page(9)) + 1
        subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", str(first), "-l", str(first), "-singlefile", str(pdf_path), str(prefix)], check=True)  # fmt: skip
        shutil.copy(Path(f"{prefix}.png"), screenshots_dir / "print-table9.png")


def test_printing_the_comparison_leaves_out_the_form(live_server, laptop, two_years, tmp_path):
    open_page(laptop, compare_url(live_server, two_years))
    pdf_path = tmp_path / "compare.pdf"
    laptop.pdf(path=str(pdf_path), prefer_css_page_size=True)
    pages = _page_texts(pdf_path)
    text = "".join(p["text"] for p in pages)
    assert "行政单位医疗" in text
    assert "可左右滑动" not in text and "从 2024" not in text  # neither the hint nor the form to choose years
    # All six columns on an upright page.
    assert not pages[0]["landscape"]
    widths = {len(row) for p in pages for row in p["rows"] if any(row)}
    assert 6 in widths, widths
