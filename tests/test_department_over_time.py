"""The department page summarises every year it has published, from the published tables only."""

import datetime
import json
import re

import pytest
from django.urls import reverse

from tests.conftest import FIXTURES, SEED004, save

pytestmark = pytest.mark.django_db

SEED004_2024 = FIXTURES / "seed004_budget_2024.xlsx"


@pytest.fixture
def two_years(db):
    before = save(
        SEED004_2024, year=2024, approved_on=datetime.date(2024, 1, 26), published_on=datetime.date(2024, 2, 8)
    ).disclosure
    after = save(SEED004, published_on=datetime.date(2025, 2, 26)).disclosure
    return before, after


def table_rows(html, table_id):
    """The rows of a summary table as the user reads them: [[cell text, …], …]."""
    body = html.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0].split("<tbody>", 1)[1]
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        rows.append([re.sub(r"<[^>]+>", "", c).strip() for c in cells])
    return rows


def department_page(client, department):
    response = client.get(reverse("department", args=[department.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_it_summarises_totals_basic_and_project_spending_per_year(client, two_years):
    html = department_page(client, two_years[0].department)
    assert table_rows(html, "totals-table") == [
        ["2024 年部门预算", "1,367.20", "1,367.20", "1,167.20", "200.00"],
        ["2025 年部门预算", "1,425.40", "1,425.40", "1,207.28", "218.12"],
    ]


def test_it_shows_the_three_public_expenses_and_their_parts(client, two_years):
    html = department_page(client, two_years[0].department)
    # 合计 | 出国 | 用车小计 | 购置 | 运行 | 接待
    assert table_rows(html, "three-public-table") == [
        ["2024 年部门预算", "8.20", "0.00", "6.20", "0.00", "6.20", "2.00"],
        ["2025 年部门预算", "5.80", "0.00", "5.80", "0.00", "5.80", "0.00"],
    ]


def test_it_shows_spending_by_function_class_and_income_by_source(client, two_years):
    html = department_page(client, two_years[0].department)
    assert table_rows(html, "classes-table") == [
        ["208 社会保障和就业支出", "421.50", "435.73"],
        ["210 卫生健康支出", "45.20", "47.43"],
        ["215 资源勘探工业信息等支出", "830.30", "868.43"],
        ["221 住房保障支出", "70.20", "73.81"],
    ]
    income = table_rows(html, "income-table")
    assert income[0] == ["一般公共预算拨款收入", "1,367.20", "1,425.40"]
    assert ["上年结转结余", "0.00", "0.00"] in income
    # The latest year's 类/款/项, linking to the rows of 表3.
    tree = table_rows(html, "tree-table")
    assert tree[0] == ["208", "社会保障和就业支出", "435.73"]
    assert ["2080802", "伤残抚恤", "0.11"] in tree
    assert f'href="{reverse("disclosure", args=[two_years[1].pk])}#table-3-row-2"' in html


def test_seed000_income_sources_include_unit_funds_and_carryover(client, published_seed000):
    html = department_page(client, published_seed000.department)
    income = dict((row[0], row[1]) for row in table_rows(html, "income-table"))
    assert income["一般公共预算拨款收入"] == "506.36"
    assert income["单位资金收入"] == "306.11"
    assert income["上年结转结余"] == "69.08"


def test_chart_data_matches_the_tables_and_scripts_are_local(client, two_years):
    html = department_page(client, two_years[0].department)
    data = json.loads(html.split('<script id="chart-data" type="application/json">', 1)[1].split("</script>", 1)[0])
    trend = {s["name"]: s["data"] for s in data["threePublicTrend"]["series"]}
    assert data["threePublicTrend"]["years"] == ["2024 年部门预算", "2025 年部门预算"]
    assert trend["“三公”经费合计"] == ["8.20", "5.80"]
    assert trend["公务接待费"] == ["2.00", "0.00"]
    tree = data["functionTree"]["data"]
    assert [node["name"] for node in tree] == ["208 社会保障和就业支出", "210 卫生健康支出", "215 资源勘探工业信息等支出", "221 住房保障支出"]
    assert tree[2]["children"][1] == {
        "name": "21505 工业和信息产业",
        "value": "516.48",
        "children": [
            {"name": "2150501 行政运行", "value": "495.86", "children": []},
            {"name": "2150502 一般行政管理事务", "value": "20.62", "children": []},
        ],
    }
    assert {"name": "一般公共预算拨款收入", "value": "1425.40"} in data["incomeSources"]["data"]
    assert '<script src="/static/vendor/echarts/echarts.min.js" defer></script>' in html
    main = html.split("<main", 1)[1].split("</main>", 1)[0]  # the footer links out to the data licence
    assert "http://" not in main and "https://" not in main


def test_the_compare_form_offers_every_published_year(client, two_years, draft_seed004):
    before, after = two_years
    html = department_page(client, before.department)
    form = html.split('class="compare-form"', 1)[1].split("</form>", 1)[0]
    assert f'<option value="{before.pk}" selected>2024 年部门预算</option>' in form
    assert f'<option value="{after.pk}" selected>2025 年部门预算</option>' in form
    assert str(draft_seed004.pk) not in re.findall(r'value="(\d+)"', form)


def test_a_department_with_nothing_published_shows_no_figures(client, draft_seed004):
    html = department_page(client, draft_seed004.department)
    assert "该部门尚无已公开的预决算。" in html
    assert "totals-table" not in html and "chart-data" not in html
