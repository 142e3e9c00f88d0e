"""The department page summarises every year it has published, from the published tables only."""

import json
import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def table_rows(html, table_id):
    """The rows of a summary table as the user reads them: [[cell text, …], …]."""
    body = html.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0].split("<tbody>", 1)[1]
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        rows.append([re.sub(r"<[^>]+>", "", c).strip() for c in cells])
    return rows


def header_rows(html, table_id):
    head = html.split(f'id="{table_id}"', 1)[1].split("</thead>", 1)[0].split("<thead>", 1)[1]
    return [
        [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<th[^>]*>(.*?)</th>", row, re.S)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", head, re.S)
    ]


def department_page(client, department):
    response = client.get(reverse("department", args=[department.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_it_summarises_totals_basic_and_project_spending_per_year(client, two_years):
    html = department_page(client, two_years[0].department)
    # One row per year; only budgets are published, so each measure has one column, headed 部门预算.
    assert table_rows(html, "totals-table") == [
        ["2024 年", "1,367.20", "1,367.20", "1,167.20", "200.00"],
        ["2025 年", "1,425.40", "1,425.40", "1,207.28", "218.12"],
    ]
    assert header_rows(html, "totals-table") == [
        ["年度", "收入总计", "支出总计", "基本支出", "项目支出"],
        ["部门预算", "部门预算", "部门预算", "部门预算"],
    ]
    assert "部门预算：收入总计、支出总计及收入来源取自表1 收支预算总表；基本支出、项目支出取自表3 支出预算总表（全部资金）" in html


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
    assert data["threePublicTrend"]["years"] == ["2024 年", "2025 年"]
    assert trend["“三公”经费合计（部门预算）"] == ["8.20", "5.80"]
    assert trend["公务接待费（部门预算）"] == ["2.00", "0.00"]
    assert data["totalsByYear"]["series"] == [{"name": "部门预算支出总计", "kind": "budget", "data": ["1367.20", "1425.40"]}]
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


@pytest.fixture
def budget_and_final_accounts(db):
    """辽宁省数据局 2024: the budget constructed for seed 002 (表5 and 表7 only) and seed 002's final accounts."""
    from tests.test_budget_vs_actual import pair as _pair

    return _pair.__wrapped__(db)


def test_a_year_shows_its_budget_and_its_final_accounts_side_by_side(client, budget_and_final_accounts):
    budget, final = budget_and_final_accounts
    html = department_page(client, final.department)
    assert header_rows(html, "totals-table") == [
        ["年度", "收入总计", "支出总计", "基本支出", "项目支出"],
        ["部门预算", "部门决算"] * 4,
    ]
    # 公开01表 总计 5,743.67 on both sides; 公开03表 basic and project. The budget prints neither 表1 nor 表3:
    # dashes, not its 表5 (一般公共预算 only) in place of all funds.
    assert table_rows(html, "totals-table") == [
        ["2024 年", "—", "5,743.67", "—", "5,743.67", "—", "2,685.87", "—", "2,831.03"]
    ]
    assert (
        "部门决算：收入总计、支出总计及收入来源取自公开01表 收入支出决算总表；"
        "基本支出、项目支出取自公开03表 支出决算表（全部资金）"
    ) in html


def test_function_classes_of_budget_and_final_accounts_come_from_one_kind_of_table(client, budget_and_final_accounts):
    """The budget prints only 表5 (一般公共预算): the final accounts' column is their 公开05表, not the 03表 of all funds."""
    _budget, final = budget_and_final_accounts
    html = department_page(client, final.department)
    assert header_rows(html, "classes-table") == [
        ["科目", "2024 年部门预算表5 一般公共预算支出表", "2024 年部门决算公开05表 一般公共预算财政拨款支出决算表"]
    ]
    classes = table_rows(html, "classes-table")
    assert classes[0] == ["201 一般公共服务支出", "4,213.77", "4,669.91"]  # 公开05表; its 01表 (all funds) prints 4,669.97


def test_charts_set_budget_and_final_accounts_as_two_series_over_the_years(client, budget_and_final_accounts):
    _budget, final = budget_and_final_accounts
    html = department_page(client, final.department)
    data = json.loads(html.split('<script id="chart-data" type="application/json">', 1)[1].split("</script>", 1)[0])
    assert data["totalsByYear"]["years"] == ["2024 年"]
    assert data["totalsByYear"]["series"] == [
        {"name": "部门预算支出总计", "kind": "budget", "data": [None]},
        {"name": "部门决算支出总计", "kind": "final_accounts", "data": ["5743.67"]},
    ]
    trend = data["threePublicTrend"]
    assert trend["years"] == ["2024 年"]
    totals = {s["name"]: s["data"] for s in trend["series"]}
    assert totals["“三公”经费合计（部门预算）"] == ["12.00"]
    assert totals["“三公”经费合计（部门决算）"] == ["11.96"]  # 公开09表 决算数 (预算数 12.00)
    assert [row[:2] for row in table_rows(html, "three-public-table")] == [["2024 年部门预算", "12.00"], ["2024 年部门决算", "11.96"]]
    assert [s["kind"] for s in trend["series"]] == ["budget", "final_accounts"] * 4
