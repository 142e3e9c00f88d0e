"""Comparing two years of one department, line by line by 功能分类 code (表3 合计 column).

2024 is a constructed year (tests/fixtures/seed004_2024.py), 2025 is seed 004 as published.
Every expected difference below was computed by hand from the two workbooks.
"""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.conftest import FIXTURES

pytestmark = pytest.mark.django_db


def compare_page(client, department, before, after):
    response = client.get(reverse("department_compare", args=[department.pk]), {"from": before.pk, "to": after.pk})
    assert response.status_code == 200
    return response


def lines_by_code(response):
    return {line.code: line for line in response.context["lines"]}


def test_it_reproduces_the_hand_computed_differences(client, two_years):
    before, after = two_years
    lines = lines_by_code(compare_page(client, before.department, before, after))

    total = lines[""]
    assert (total.before, total.after, total.change, total.percent) == (
        Decimal("1367.20"), Decimal("1425.40"), Decimal("58.20"), Decimal("4.26"),  # 58.20 / 1367.20 = 4.257 %
    )  # fmt: skip
    expected = {
        # code: (2024, 2025, change, % change)
        "208": ("421.50", "435.73", "14.23", "3.38"),
        "2080501": ("325.10", "336.42", "11.32", "3.48"),
        "2080505": ("82.40", "84.73", "2.33", "2.83"),
        "2080506": ("14.00", "14.47", "0.47", "3.36"),
        "2101101": ("45.20", "47.43", "2.23", "4.93"),
        "215": ("830.30", "868.43", "38.13", "4.59"),
        "2150101": ("150.00", "154.45", "4.45", "2.97"),
        "21505": ("530.30", "516.48", "-13.82", "-2.61"),
        "2150501": ("480.30", "495.86", "15.56", "3.24"),
        "2150502": ("18.00", "20.62", "2.62", "14.56"),
        "2159999": ("150.00", "197.50", "47.50", "31.67"),
        "2210201": ("70.20", "73.81", "3.61", "5.14"),
    }
    for code, (a, b, change, percent) in expected.items():
        line = lines[code]
        assert (line.before, line.after, line.change, line.percent) == (
            Decimal(a), Decimal(b), Decimal(change), Decimal(percent)
        ), code


def test_without_a_choice_the_latest_year_is_compared_with_the_year_before(client, two_years):
    before, after = two_years
    response = client.get(reverse("department_compare", args=[before.department.pk]))
    assert response.status_code == 200
    assert "<h1>抚顺市工业和信息化局：2024 年部门预算与2025 年部门预算</h1>" in response.content.decode()
    assert lines_by_code(response) == lines_by_code(compare_page(client, before.department, before, after))
    # A choice that is not one of the department's published disclosures is still refused.
    assert client.get(reverse("department_compare", args=[before.department.pk]), {"from": "x"}).status_code == 404


def test_codes_in_only_one_year_are_shown_as_such(client, two_years):
    before, after = two_years
    response = compare_page(client, before.department, before, after)
    lines = lines_by_code(response)
    assert lines["2150599"].only_before and lines["2150599"].before == Decimal("32.00")
    assert lines["2150599"].change is None and lines["2150599"].percent is None
    assert lines["20808"].only_after and lines["2080802"].after == Decimal("0.11")
    html = response.content.decode()
    row = html.split('id="line-2150599"', 1)[1].split("</tr>", 1)[0]
    assert "32.00" in row and "仅前一年有此科目" in row
    row = html.split('id="line-2080802"', 1)[1].split("</tr>", 1)[0]
    assert "0.11" in row and "仅后一年有此科目" in row


def test_a_renamed_line_is_matched_by_its_code(client, two_years):
    before, after = two_years
    response = compare_page(client, before.department, before, after)
    line = lines_by_code(response)["2080505"]
    assert line.name == "机关事业单位基本养老保险缴费支出"
    assert line.former_name == "机关事业单位基本养老保险缴费"
    assert [l.code for l in response.context["lines"]].count("2080505") == 1
    row = response.content.decode().split('id="line-2080505"', 1)[1].split("</tr>", 1)[0]
    assert "82.40" in row and "84.73" in row and "+2.33" in row and "+2.83%" in row
    assert "原名" in row


def test_the_page_shows_changes_with_signs_and_thousands_separators(client, two_years):
    before, after = two_years
    html = compare_page(client, before.department, before, after).content.decode()
    total = html.split('id="line-total"', 1)[1].split("</tr>", 1)[0]
    assert "1,367.20" in total and "1,425.40" in total and "+58.20" in total and "+4.26%" in total
    row = html.split('id="line-21505"', 1)[1].split("</tr>", 1)[0]
    assert "−13.82" in row and "−2.61%" in row


def test_the_comparison_can_run_backwards_and_refuses_unpublished(client, two_years, draft_seed004):
    before, after = two_years
    lines = lines_by_code(compare_page(client, before.department, after, before))
    assert lines[""].change == Decimal("-58.20") and lines[""].percent == Decimal("-4.08")  # 58.20 / 1425.40 = 4.083 %
    assert lines["2150599"].only_after
    # A draft of another department cannot be brought into the comparison.
    response = client.get(
        reverse("department_compare", args=[before.department.pk]), {"from": before.pk, "to": draft_seed004.pk}
    )
    assert response.status_code == 404
    # Nor can a department with fewer than two published disclosures be compared.
    assert client.get(reverse("department_compare", args=[draft_seed004.department.pk])).status_code == 404


def test_budget_and_final_accounts_of_the_same_year_compare_like_with_like(client, db):
    """Seed 002's 2024 final accounts against the 2024 budget derived from them (fixtures/seed002_budget.py).

    The budget prints only 表5 (一般公共预算), so the final accounts' 表5 is the one compared. 行政运行
    2010301: budget 1,328.36, final 1,744.54 — the narrative's "完成年初预算的 131.33%".
    """
    from disclosures.ingest.formats import get_format
    from disclosures.services import import_disclosure
    from tests.conftest import read

    def save_kind(path, fmt, kind, published_on):
        result, outcomes, _sections = read(path, fmt=get_format(fmt))
        return import_disclosure(
            result, region_path="辽宁省", department_name="辽宁省数据局", year=2024, kind=kind,
            approved_on=datetime.date(2024, 1, 20), published_on=published_on, source_file=path.name, outcomes=outcomes,
        ).disclosure  # fmt: skip

    budget = save_kind(FIXTURES / "seed002_budget_2024.xlsx", "liaoning-budget-18", "budget", datetime.date(2024, 2, 5))
    final = save_kind(
        FIXTURES / "seed002_final_accounts_2024.xlsx", "liaoning-final-accounts-9", "final_accounts",
        datetime.date(2025, 9, 10),
    )  # fmt: skip
    response = compare_page(client, budget.department, budget, final)
    lines = lines_by_code(response)
    line = lines["2010301"]
    assert (line.before, line.after, line.change, line.percent) == (
        Decimal("1328.36"), Decimal("1744.54"), Decimal("416.18"), Decimal("31.33"),
    )  # fmt: skip
    assert lines[""].before == Decimal("5063.58")  # the budget's 表5 合计
    html = response.content.decode()
    assert "2024 年部门预算" in html and "2024 年部门决算" in html
    assert "表5" in html.split("compare-caption", 1)[1].split("</caption>", 1)[0]
