"""Search: Chinese partial words, codes, grouping, highlighting, filters, and nothing unpublished.

The same tests run on SQLite (LIKE fallback) and on PostgreSQL (bigram tsvector + GIN index):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_search python -m pytest tests/test_search.py
"""

import datetime
import re

import pytest
from django.urls import reverse

from disclosures.models import Region
from disclosures.search.indexer import rebuild
from disclosures.search.models import SearchEntry
from tests.conftest import SEED000, SEED004, save

pytestmark = pytest.mark.django_db


def search(client, **params):
    response = client.get(reverse("search:search"), params)
    assert response.status_code == 200
    return response


def group(response, key):
    """The results a user sees under one group heading: [(link, text without tags)]."""
    for g in response.context["groups"]:
        if g["key"] == key:
            return [(r["url"], re.sub(r"<[^>]+>", "", r["title"])) for r in g["results"]]
    return []


def all_links(response):
    return [r["url"] for g in response.context["groups"] for r in g["results"]]


@pytest.fixture
def both_published(published_seed000, published_seed004):
    rebuild()
    return published_seed000, published_seed004


def test_it_finds_a_project_of_seed000_by_a_partial_chinese_word(client, both_published):
    seed000, _seed004 = both_published
    response = search(client, q="直联点")

    projects = group(response, "project")
    url = reverse("disclosure", args=[seed000.pk])
    # 表9 row 3 (合计, the unit, then the project) and the project's block in 表17.
    assert (f"{url}#table-9-row-3", "骨干直联点监测系统链路改造及机房维护") in projects
    assert (f"{url}#table-17-row-1", "骨干直联点监测系统链路改造及机房维护") in projects
    html = response.content.decode()
    assert "骨干<mark>直联点</mark>监测系统链路改造及机房维护" in html
    assert "295.00 万元" in html
    # The 表9 link lands on a row that exists on the disclosure page.
    page = client.get(url).content.decode()
    assert 'id="table-9-row-3"' in page


def test_it_finds_a_classification_line_by_code_and_by_name(client, both_published):
    seed000, seed004 = both_published
    by_code = group(search(client, q="2080505"), "line")
    assert (
        reverse("disclosure", args=[seed000.pk]) + "#table-3-row-4",
        "2080505 机关事业单位基本养老保险缴费支出",
    ) in by_code
    assert (
        reverse("disclosure", args=[seed004.pk]) + "#table-3-row-5",
        "2080505 机关事业单位基本养老保险缴费支出",
    ) in by_code

    by_name = group(search(client, q="机关事业单位基本养老保险缴费"), "line")
    # The 功能分类 line of both disclosures, and the 经济分类 line of the same name (表6/表12 30108).
    assert sorted(title for _url, title in by_name) == [
        "2080505 机关事业单位基本养老保险缴费支出",
        "2080505 机关事业单位基本养老保险缴费支出",
        "30108 机关事业单位基本养老保险缴费",
        "30108 机关事业单位基本养老保险缴费",
    ]

    # A 款 code finds the 项 lines under it too (the code is matched from its start).
    by_prefix = {title for _url, title in group(search(client, q="20805"), "line")}
    assert by_prefix >= {"20805 行政事业单位养老支出", "2080505 机关事业单位基本养老保险缴费支出"}


def test_it_finds_departments_units_and_narrative_text(client, both_published):
    seed000, seed004 = both_published
    response = search(client, q="工业和信息化局本级")
    assert [title for _url, title in group(response, "department")] == ["060001 抚顺市工业和信息化局本级"]

    narrative = search(client, q="软件及硬件采购")
    found = group(narrative, "disclosure")
    assert len(found) == 1
    assert found[0][0] == reverse("disclosure", args=[seed000.pk]) + "#section-explanation-3"
    assert "增加软件及<mark>硬件采购</mark>数量" in narrative.content.decode() or "<mark>软件及硬件采购</mark>" in narrative.content.decode()


def test_it_shows_nothing_unpublished(client, published_seed000, draft_seed004):
    rebuild()
    # The draft's department, its projects and its lines are not findable.
    assert search(client, q="抚顺市发展和改革委员会").context["total"] == 0
    assert search(client, q="老干部服务工作经费").context["total"] == 0
    # 2080802 伤残抚恤 exists only in the draft (seed 004's figures); seed 000 has no such line.
    assert search(client, q="2080802").context["total"] == 0
    links = all_links(search(client, q="2080505"))
    assert links and all(link.startswith(reverse("disclosure", args=[published_seed000.pk])) for link in links)
    # Even an entry written for a draft (say, by a bug) is not shown.
    SearchEntry.objects.create(
        group="project", department=draft_seed004.department, disclosure=draft_seed004,
        version=draft_seed004.versions.get(), region=draft_seed004.department.region, region_level="city",
        year=2025, kind="budget", title="泄露的项目", text="泄露的项目", normalized="泄露的项目",
        tokens="'泄露':1 '露的':2 '的项':3 '项目':4 '目':5",
    )  # fmt: skip
    assert search(client, q="泄露").context["total"] == 0


def test_the_signal_indexes_a_publication_and_a_correction_replaces_it(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = save(SEED000, department="辽宁省互联网技术支撑中心", region="辽宁省", published_on=datetime.date(2025, 2, 8))
    disclosure = first.disclosure
    assert len(group(search(client, q="直联点"), "project")) == 2

    # A corrected version is published (here: another workbook for the same disclosure).
    with django_capture_on_commit_callbacks(execute=True):
        second = save(SEED004, department="辽宁省互联网技术支撑中心", region="辽宁省", published_on=datetime.date(2025, 3, 1))
    assert second.disclosure == disclosure and second.number == 2
    assert search(client, q="直联点").context["total"] == 0
    assert [url for url, _ in group(search(client, q="老干部服务工作经费"), "project")] == [
        reverse("disclosure", args=[disclosure.pk]) + "#table-9-row-3",
        reverse("disclosure", args=[disclosure.pk]) + "#table-17-row-1",
    ]
    assert SearchEntry.objects.exclude(version=second).exclude(version__isnull=True).count() == 0
    # An entry left from the superseded version (an interrupted re-index, say) is not shown either.
    SearchEntry.objects.create(
        group="project", department=disclosure.department, disclosure=disclosure, version=first,
        region=disclosure.department.region, region_level="province", year=2025, kind="budget",
        title="旧版本的项目", text="旧版本的项目", normalized="旧版本的项目",
        tokens="'旧版':1 '版本':2 '本的':3 '的项':4 '项目':5 '目':6",
    )  # fmt: skip
    assert search(client, q="旧版本").context["total"] == 0


def test_filters_combine_and_stay_in_the_url(client, both_published):
    seed000, seed004 = both_published
    liaoning = Region.objects.get(name="辽宁省", parent=None)
    fushun = Region.objects.get(name="抚顺市")
    url000 = reverse("disclosure", args=[seed000.pk])
    url004 = reverse("disclosure", args=[seed004.pk])

    def lines(**params):
        return {url.split("#")[0] for url, _ in group(search(client, q="2080505", **params), "line")}

    assert lines() == {url000, url004}
    assert lines(region=liaoning.pk) == {url000, url004}  # the province and everything below it
    assert lines(region=fushun.pk) == {url004}
    assert lines(level="province") == {url000}
    assert lines(region=liaoning.pk, level="city") == {url004}
    assert lines(region=fushun.pk, level="province") == set()
    assert lines(region=liaoning.pk, year=2025, kind="budget") == {url000, url004}
    assert lines(year=2025, kind="final_accounts") == set()

    # A department with nothing published in the year asked for drops out of the department group.
    assert group(search(client, q="抚顺市工业和信息化局", year=2025), "department")
    assert search(client, q="抚顺市工业和信息化局", year=2024).context["total"] == 0

    # The form shows the chosen filters, and "see all" links keep them.
    response = search(client, q="支出", region=liaoning.pk, level="province")
    html = response.content.decode()
    assert f'<option value="{liaoning.pk}" selected>' in html
    assert '<option value="province" selected>' in html
    assert f"q=%E6%94%AF%E5%87%BA&amp;region={liaoning.pk}&amp;level=province&amp;group=line" in html


def test_one_group_pages_through_all_its_results(client, both_published):
    response = search(client, q="支出", group="line")
    assert [g["key"] for g in response.context["groups"]] == ["line"]
    page = response.context["page"]
    assert page.paginator.count == len(set(
        SearchEntry.objects.filter(group="line", normalized__contains="支出").values_list("pk", flat=True)
    ))  # fmt: skip
    assert len(page.object_list) == min(30, page.paginator.count)


def test_an_empty_query_shows_the_form_and_no_results(client, both_published):
    response = search(client)
    assert response.context["groups"] == []
    html = response.content.decode()
    assert 'role="search"' in html
    assert html.count("<h1") == 1


def test_the_results_page_keeps_the_query_in_the_header_box_and_never_echoes_a_long_one(client, both_published):
    html = search(client, q="直联点").content.decode()
    assert re.search(r'<input type="search" id="site-search-q" name="q" maxlength="100"[^>]*value="直联点"', html)
    long_query = "直联点" + "长" * 497
    html = search(client, q=long_query).content.decode()
    heading = re.search(r"<h1>(.*?)</h1>", html, re.S).group(1)
    assert heading.startswith("检索：直联点长") and len(heading) <= 3 + 30 and "长" * 30 not in heading
    assert "长" * 101 not in html  # cut to 100 characters before it reaches any part of the page
    assert client.get(reverse("home")).content.decode().count('rel="icon"') == 1
    assert 'value="' not in re.search(r'<input type="search" id="site-search-q"[^>]*>', client.get(reverse("home")).content.decode()).group(0)
