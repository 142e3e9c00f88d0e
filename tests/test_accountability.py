"""The public accountability page (公开情况) and the region's 三公经费 league table."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from disclosures import accountability
from disclosures.models import Department, Region
from tests.conftest import SEED000, SEED004, save

# 2025-03-10 in Shenyang: seed 004's 2025 budget, approved 2025-01-24, was due 2025-02-13.
FROZEN = datetime.datetime(2025, 3, 10, 2, tzinfo=datetime.timezone.utc)


@pytest.fixture
def city(db):
    """抚顺市 and a county below it:

    - 工业和信息化局: 2025 budget (seed 004, 三公 5.80) published 13 days late; 2024 (seed 000, 三公 0.35) published;
    - 发展和改革委员会: a 2025 draft only (overdue, and nothing of the draft may show);
    - 财政局: nothing at all;
    - 新抚区教育局: 2025 (seed 000, 0.35) published on time; 2024 (seed 004, 5.80) published.
    """
    save(SEED004, published_on=datetime.date(2025, 2, 26))
    save(SEED000, year=2024, published_on=datetime.date(2024, 2, 1), approved_on=datetime.date(2024, 1, 20))
    save(SEED004, department="抚顺市发展和改革委员会")
    region = Region.objects.get(name="抚顺市")
    Department.objects.create(region=region, name="抚顺市财政局")
    county = "辽宁省/抚顺市/新抚区"
    save(SEED000, department="新抚区教育局", region=county, published_on=datetime.date(2025, 2, 5))
    save(SEED004, department="新抚区教育局", region=county, year=2024, published_on=datetime.date(2024, 2, 1),
         approved_on=datetime.date(2024, 1, 20))  # fmt: skip
    return region


def _row(table, name):
    return next(row for row in table if row.department == name)


@time_machine.travel(FROZEN)
def test_accountability_rows_late_overdue_and_missing(city):
    table = accountability.rows(city, 2025)
    assert [r.department for r in table] == ["抚顺市发展和改革委员会", "抚顺市工业和信息化局", "抚顺市财政局", "新抚区教育局"]

    late = _row(table, "抚顺市工业和信息化局")
    assert (late.status, late.deadline, late.published_on, late.days_late) == (
        "已公开", datetime.date(2025, 2, 13), datetime.date(2025, 2, 26), 13,
    )  # fmt: skip
    assert late.clock == "逾期 13 天公开"
    # Read from the published version: seed 004 leaves out four mandatory tables.
    assert "表13 债务支出预算表" in late.missing and "表18 部门管理专项资金预算表" in late.missing

    overdue = _row(table, "抚顺市发展和改革委员会")
    assert (overdue.status, overdue.days_late, overdue.published_on) == ("逾期未公开", 25, None)
    assert overdue.clock == "截止 2025-02-13，已逾期 25 天"
    assert overdue.missing == [] and overdue.disclosure_url == ""

    nothing = _row(table, "抚顺市财政局")
    assert (nothing.status, nothing.deadline, nothing.days_late) == ("未公开", None, 0)

    on_time = _row(table, "新抚区教育局")
    assert (on_time.status, on_time.days_late, on_time.clock) == ("已公开", 0, "按时公开")
    assert accountability.totals(table) == {"all": 4, "on_time": 1, "late": 1, "overdue": 1, "unpublished": 2}


@time_machine.travel(FROZEN)
def test_accountability_page_and_csv(client, city):
    url = reverse("accountability", args=[city.pk, 2025])
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "<title>抚顺市 2025 年部门预算公开情况" in page
    assert "逾期 13 天公开" in page and "逾期未公开" in page and "截止 2025-02-13，已逾期 25 天" in page
    assert "表13 债务支出预算表" in page
    # A draft is not public information.
    for word in ("草稿", "待保密审查", "尚未上传", "未登记批复"):
        assert word not in page
    assert 'class="table-scroll"' in page and "可左右滑动查看" in page
    assert reverse("sangong", args=[city.pk, 2025]) in page

    download = client.get(url, {"export": "csv"})
    assert download["Content-Type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(download.content.decode().lstrip("\ufeff"))))
    assert lines[0] == accountability.HEADERS
    by_name = {line[1]: line for line in lines[1:]}
    assert by_name["抚顺市工业和信息化局"][2:6] == ["已公开", "2025-02-13", "2025-02-26", "13"]
    assert by_name["抚顺市发展和改革委员会"][2:6] == ["逾期未公开", "2025-02-13", "", "25"]
    assert "表14 政府采购支出预算表" in by_name["抚顺市工业和信息化局"][7]

    # The final accounts of 2025: nobody has any, nobody is late.
    finals = client.get(url, {"kind": "final_accounts"}).content.decode()
    assert "2025 年部门决算公开情况" in finals and "逾期" not in finals.split("<tbody>")[1].split("</tbody>")[0]


def test_region_and_year_pages_link_to_accountability(client, city):
    with time_machine.travel(FROZEN):
        page = client.get(reverse("region", args=[city.pk])).content.decode()
    assert reverse("accountability", args=[city.pk, 2025]) in page
    assert reverse("sangong", args=[city.pk, 2025]) in page
    year = client.get(reverse("year", args=[2025])).content.decode()
    assert reverse("accountability", args=[city.pk, 2025]) in year


def test_league_figures_and_change(city):
    league = {r["department"]: r for r in accountability.league(city, 2025)}
    industry = league["抚顺市工业和信息化局"]
    assert (industry["total"], industry["last_total"], industry["change"], industry["percent"]) == (
        Decimal("5.80"), Decimal("0.35"), Decimal("5.45"), Decimal("1557.14"),
    )  # fmt: skip
    assert (industry["vehicles_running"], industry["vehicles_purchase"], industry["reception"]) == (
        Decimal("5.80"), Decimal("0.00"), Decimal("0.00"),
    )  # fmt: skip
    assert industry["last_reception"] == Decimal("0.35")
    education = league["新抚区教育局"]
    assert (education["change"], education["percent"]) == (Decimal("-5.45"), Decimal("-93.97"))
    for name in ("抚顺市发展和改革委员会", "抚顺市财政局"):  # a draft or nothing: no figure
        assert league[name]["total"] is None and league[name]["change"] is None


def _csv_names(response):
    lines = list(csv.reader(io.StringIO(response.content.decode().lstrip("\ufeff"))))
    assert lines[0] == accountability.LEAGUE_HEADERS
    return lines[1:]


def test_league_page_sorts_with_dashes_last_and_csv_matches(client, city):
    url = reverse("sangong", args=[city.pk, 2025])
    page = client.get(url).content.decode()
    assert "<title>抚顺市 2025 年部门预算“三公”经费" in page
    assert "+5.45" in page and "+1557.14%" in page and "-93.97%" in page and "—" in page
    assert "单位：万元" in page and "可左右滑动查看" in page

    def order(sort):
        body = client.get(url, {"sort": sort}).content.decode().split("<tbody")[1]
        names = ["抚顺市工业和信息化局", "新抚区教育局", "抚顺市发展和改革委员会", "抚顺市财政局"]
        return [name for _pos, name in sorted((body.index(n), n) for n in names)]

    assert order("change")[:2] == ["新抚区教育局", "抚顺市工业和信息化局"]
    assert order("-change")[:2] == ["抚顺市工业和信息化局", "新抚区教育局"]
    # Without a figure: last whichever way.
    assert set(order("change")[2:]) == set(order("-change")[2:]) == {"抚顺市发展和改革委员会", "抚顺市财政局"}
    assert order("-total")[:2] == ["抚顺市工业和信息化局", "新抚区教育局"]

    rows = _csv_names(client.get(url, {"sort": "-change", "export": "csv"}))
    assert [r[1] for r in rows[:2]] == ["抚顺市工业和信息化局", "新抚区教育局"]
    assert rows[0][:6] == ["辽宁省/抚顺市", "抚顺市工业和信息化局", "5.80", "0.35", "5.45", "1557.14"]
    assert rows[1][2:6] == ["0.35", "5.80", "-5.45", "-93.97"]
    assert rows[2][2:6] == ["", "", "", ""]
    assert rows == _csv_names(client.get(url, {"sort": "-change", "export": "csv"}))


def test_unknown_region_is_404(client, db):
    assert client.get(reverse("accountability", args=[999, 2025])).status_code == 404
    assert client.get(reverse("sangong", args=[999, 2025])).status_code == 404
