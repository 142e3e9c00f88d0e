"""预算与决算对照 on a constructed pair: 辽宁省数据局's 2024 final accounts (seed 002) and the 2024 budget
derived from that disclosure's own 完成率 figures (tests/fixtures/seed002_budget.py)."""

import datetime
import re
from pathlib import Path

import pytest

from disclosures.ingest.formats import get_format
from disclosures.ingest import read_workbook
from disclosures.services import import_disclosure, run_checks

FIXTURES = Path(__file__).parent / "fixtures"


def save(
    path,
    fmt,
    kind,
    department="辽宁省数据局",
    year=2024,
    published_on=datetime.date(2025, 9, 10),
):
    fmt = get_format(fmt)
    with open(path, "rb") as handle:
        result = read_workbook(handle, fmt)
    return import_disclosure(
        result, region_path="辽宁省", department_name=department, year=year, kind=kind,
        approved_on=datetime.date(2024, 1, 20) if kind == "budget" else datetime.date(2025, 8, 25),
        published_on=published_on, outcomes=run_checks(result),
    ).disclosure  # fmt: skip


@pytest.fixture
def pair(db):
    budget = save(
        FIXTURES / "seed002_budget_2024.xlsx",
        "liaoning-budget-18",
        "budget",
        published_on=datetime.date(2024, 2, 5),
    )
    final = save(
        FIXTURES / "seed002_final_accounts_2024.xlsx",
        "liaoning-final-accounts-9",
        "final_accounts",
    )
    return budget, final


def cells(page, row_id):
    row = page[page.index(f'id="{row_id}"') :]
    row = row[: row.index("</tr>")]
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.DOTALL)]


def test_each_function_line_shows_year_start_budget_actual_and_completion_rate(client, pair):
    budget, _final = pair
    response = client.get(f"/disclosures/{budget.pk}/budget-vs-actual/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>辽宁省数据局 2024 年预算与决算对照</h1>" in page
    # The rates are the ones the 决算 情况说明 prints (seed 002 第二部分 二).
    assert cells(page, "line-total") == ["", "合计", "5,063.58", "5,516.84", "108.95%"]
    assert cells(page, "line-2010301") == [
        "2010301",
        "行政运行",
        "1,328.36",
        "1,744.54",
        "131.33%",
    ]
    assert cells(page, "line-2010302") == [
        "2010302",
        "一般行政管理事务",
        "2,809.22",
        "2,654.99",
        "94.51%",
    ]
    assert cells(page, "line-2080506") == [
        "2080506",
        "机关事业单位职业年金缴费支出",
        "8.00",
        "9.95",
        "124.38%",
    ]
    assert cells(page, "line-2101102") == [
        "2101102",
        "事业单位医疗",
        "5.25",
        "5.25",
        "100.00%",
    ]
    assert cells(page, "line-221") == [
        "221",
        "住房保障支出",
        "166.07",
        "184.75",
        "111.25%",
    ]
    # Spending added during the year has no year-start budget: no rate, and the page says why.
    assert cells(page, "line-2010399") == [
        "2010399",
        "其他政府办公厅（室）及相关机构事务支出",
        "",
        "168.46",
        "无年初预算",
    ]
    assert (
        page.index('id="line-201"')
        < page.index('id="line-20103"')
        < page.index('id="line-2010301"')
        < page.index('id="line-208"')
    )


def test_the_three_public_expenses_budget_vs_actual(client, pair):
    _budget, final = pair
    page = client.get(f"/disclosures/{final.pk}/budget-vs-actual/").content.decode()
    table = page[page.index('id="three-public-table"') :]
    rows = [cells(r, "x") for r in ['id="x"' + r for r in table.split("<tr")[2:]]]
    assert rows[0] == ["“三公”经费合计", "12.00", "12.00", "11.96", "99.67%"]
    assert rows[2] == ["公务用车购置及运行费", "12.00", "12.00", "11.96", "99.67%"]
    assert rows[4] == [
        "其中：公务用车运行（维护）费",
        "12.00",
        "12.00",
        "11.96",
        "99.67%",
    ]
    assert rows[1] == ["因公出国（境）费", "0.00", "0.00", "0.00", "无年初预算"]


def test_both_disclosures_link_to_the_comparison(client, pair):
    budget, final = pair
    for disclosure in (budget, final):
        page = client.get(f"/disclosures/{disclosure.pk}/").content.decode()
        assert f'<a href="/disclosures/{disclosure.pk}/budget-vs-actual/">查看 2024 年预算与决算对照' in page


@pytest.mark.django_db
def test_there_is_no_comparison_without_a_published_counterpart(client):
    final = save(
        FIXTURES / "seed002_final_accounts_2024.xlsx",
        "liaoning-final-accounts-9",
        "final_accounts",
    )
    assert client.get(f"/disclosures/{final.pk}/budget-vs-actual/").status_code == 404
    assert "预算与决算对照" not in client.get(f"/disclosures/{final.pk}/").content.decode()
    # A draft budget is no counterpart: nothing unpublished shows through the comparison.
    save(
        FIXTURES / "seed002_budget_2024.xlsx",
        "liaoning-budget-18",
        "budget",
        published_on=None,
    )
    assert client.get(f"/disclosures/{final.pk}/budget-vs-actual/").status_code == 404


@pytest.mark.django_db
def test_a_budget_of_another_year_is_no_counterpart(client):
    save(
        FIXTURES / "seed002_budget_2024.xlsx",
        "liaoning-budget-18",
        "budget",
        year=2023,
        published_on=datetime.date(2024, 2, 5),
    )
    final = save(
        FIXTURES / "seed002_final_accounts_2024.xlsx",
        "liaoning-final-accounts-9",
        "final_accounts",
    )
    assert client.get(f"/disclosures/{final.pk}/budget-vs-actual/").status_code == 404
