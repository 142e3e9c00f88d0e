"""The Atom feeds: everything, a region and below, one department. Published versions only; a correction is an
entry of its own; published annual reports are entries too."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone

from disclosures.models import Department, Disclosure, Region, Version
from disclosures.services import publish_backfill

ATOM = "{http://www.w3.org/2005/Atom}"


def make_disclosure(department, year=2025, kind="budget"):
    return Disclosure.objects.create(
        department=department, year=year, kind=kind, format="liaoning-budget-18", approved_on=datetime.date(year, 1, 24)
    )


def publish(disclosure, number, day, change_note=""):
    version = Version.objects.create(disclosure=disclosure, number=number, change_note=change_note)
    return publish_backfill(version, published_on=day)


@pytest.fixture
def world(db):
    fushun = Region.get_or_create_path("辽宁省/抚顺市")
    dalian = Region.get_or_create_path("辽宁省/大连市")
    industry = Department.objects.create(region=fushun, name="抚顺市工业和信息化局")
    finance = Department.objects.create(region=dalian, name="大连市财政局")
    budget = make_disclosure(industry)
    publish(budget, 1, datetime.date(2025, 2, 1))
    publish(budget, 2, datetime.date(2025, 3, 1), change_note="表3 一般公共预算支出更正。")
    dalian_budget = make_disclosure(finance)
    publish(dalian_budget, 1, datetime.date(2025, 2, 10))
    # A draft: never in a feed.
    draft = make_disclosure(industry, kind="final_accounts")
    Version.objects.create(disclosure=draft, number=1)
    return fushun, dalian, industry, finance, budget


def parse(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    return [
        {
            "title": entry.findtext(f"{ATOM}title"),
            "link": entry.find(f"{ATOM}link").get("href"),
            "updated": entry.findtext(f"{ATOM}updated"),
            "summary": entry.findtext(f"{ATOM}summary") or "",
        }
        for entry in root.findall(f"{ATOM}entry")
    ]


def test_the_whole_feed_lists_every_published_version_newest_first(client, world):
    fushun, dalian, industry, finance, budget = world
    entries = parse(client.get("/feed/"))
    assert [e["title"] for e in entries] == [
        "抚顺市工业和信息化局 2025 年部门预算（第 2 版，更正）",
        "大连市财政局 2025 年部门预算",
        "抚顺市工业和信息化局 2025 年部门预算",
    ]
    correction = entries[0]
    assert correction["link"].endswith(f"/disclosures/{budget.pk}/versions/2/")
    assert correction["updated"].startswith("2025-03-01")
    assert "表3 一般公共预算支出更正。" in correction["summary"]
    assert entries[2]["link"].endswith(f"/disclosures/{budget.pk}/versions/1/")


def test_a_draft_never_appears(client, world):
    for address in ("/feed/", f"/regions/{world[0].pk}/feed/", f"/departments/{world[2].pk}/feed/"):
        titles = [e["title"] for e in parse(client.get(address))]
        assert not any("决算" in title for title in titles), address


def test_a_region_feed_covers_the_region_and_below_only(client, world):
    fushun, dalian, industry, finance, budget = world
    province = fushun.parent
    assert len(parse(client.get(f"/regions/{province.pk}/feed/"))) == 3
    titles = [e["title"] for e in parse(client.get(f"/regions/{fushun.pk}/feed/"))]
    assert titles == ["抚顺市工业和信息化局 2025 年部门预算（第 2 版，更正）", "抚顺市工业和信息化局 2025 年部门预算"]
    assert [e["title"] for e in parse(client.get(f"/regions/{dalian.pk}/feed/"))] == ["大连市财政局 2025 年部门预算"]


def test_a_department_feed_and_unknown_ones(client, world):
    fushun, dalian, industry, finance, budget = world
    assert len(parse(client.get(f"/departments/{industry.pk}/feed/"))) == 2
    assert client.get("/departments/999999/feed/").status_code == 404
    assert client.get("/regions/999999/feed/").status_code == 404


def test_published_annual_reports_are_entries_of_the_region_and_department_feeds(client, world):
    from disclosures.information_requests.models import AnnualReportPublication

    fushun, dalian, industry, finance, budget = world
    AnnualReportPublication.objects.create(
        department=industry, year=2024, number=1, status="published",
        published_at=timezone.make_aware(datetime.datetime(2025, 1, 20, 10, 0)),
    )  # fmt: skip
    AnnualReportPublication.objects.create(department=industry, year=2023, number=1, status="submitted")
    for address in (f"/departments/{industry.pk}/feed/", f"/regions/{fushun.pk}/feed/"):
        entries = parse(client.get(address))
        reports = [e for e in entries if "政府信息公开工作年度报告" in e["title"]]
        assert [e["title"] for e in reports] == ["抚顺市工业和信息化局 2024 年度政府信息公开工作年度报告"], address
        assert reports[0]["link"].endswith(f"/reports/{industry.pk}/2024/versions/1/")
        assert entries[-1] == reports[0]  # the oldest
    assert not any("年度报告" in e["title"] for e in parse(client.get(f"/regions/{dalian.pk}/feed/")))


def test_at_most_fifty_entries(client, world):
    from disclosures import feeds

    industry = world[2]
    for year in range(2000, 2030):
        if year != 2025:
            disclosure = make_disclosure(industry, year=year, kind="final_accounts")
            publish(disclosure, 1, datetime.date(year, 2, 1))
            publish(disclosure, 2, datetime.date(year, 3, 1))
    entries = parse(client.get("/feed/"))
    assert len(entries) == feeds.FEED_LIMIT
    assert entries[0]["title"] == "抚顺市工业和信息化局 2029 年部门决算（第 2 版，更正）"


def test_pages_announce_their_feeds(client, world):
    fushun, dalian, industry, finance, budget = world
    for page, feed in [
        ("/", "/feed/"),
        (f"/regions/{fushun.pk}/", f"/regions/{fushun.pk}/feed/"),
        (f"/departments/{industry.pk}/", f"/departments/{industry.pk}/feed/"),
    ]:
        html = client.get(page).content.decode()
        assert '<link rel="alternate" type="application/atom+xml"' in html, page
        assert f'href="{feed}"' in html, page
    assert f'href="/subscribe/?department={industry.pk}"' in client.get(f"/departments/{industry.pk}/").content.decode()


def test_a_change_note_is_text_not_markup(client, world):
    budget = world[4]
    publish(budget, 3, datetime.date(2025, 4, 1), change_note="<script>alert(1)</script> 表3 更正")
    root = ET.fromstring(client.get("/feed/").content)
    summary = root.find(f"{ATOM}entry").find(f"{ATOM}summary")
    assert summary.get("type") == "html"
    # Once the reader unescapes the HTML, the note is still text.
    assert "&lt;script&gt;alert(1)&lt;/script&gt; 表3 更正" in summary.text
