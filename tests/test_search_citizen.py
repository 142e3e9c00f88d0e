"""What a citizen types into the search box, and what the results page then says: how many results and
which one comes first. Quotes and brackets, words inside the tables' text cells, a code with a place,
and exact 科目 and project names ahead of narrative text.

Runs on SQLite and on PostgreSQL:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_search python -m pytest tests/test_search_citizen.py
"""

import datetime
import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from disclosures.search.indexer import rebuild
from disclosures.search.models import SearchEntry
from tests.conftest import SEED004, save

pytestmark = pytest.mark.django_db


def results_page(client, q):
    """(the count the page states, the first result's link and title, the headings in order, the page)."""
    response = client.get(reverse("search:search"), {"q": q})
    assert response.status_code == 200
    html = response.content.decode()
    stated = re.search(r"共找到 (\d+) 条结果", html)
    first = re.search(r'<ol class="results">\s*<li>\s*<a href="([^"]+)">(.*?)</a>', html, re.S)
    headings = [re.sub(r"<[^>]+>", "", h).split("（")[0].strip() for h in re.findall(r"<h2 id=\"group-[^\"]+\">(.*?)</h2>", html, re.S)]
    return (
        int(stated.group(1)) if stated else 0,
        (first.group(1), re.sub(r"<[^>]+>", "", first.group(2))) if first else None,
        headings,
        html,
    )


@pytest.fixture
def indexed(published_seed000, published_seed004):
    rebuild()
    return published_seed000, published_seed004


def test_a_word_printed_in_quotes_is_found_without_them_and_the_other_way_round(client, indexed):
    seed000, _seed004 = indexed
    # seed 000's 情况说明 and 名词解释 write “三公”经费 (four paragraphs), and both 表16 list the
    # indicator “三公”经费变动率: six places, all found however the quotes are typed, or without them.
    count, first, _headings, html = results_page(client, "三公经费")
    assert count == 6
    for query in ("三公", "“三公”经费", "「三公」经费", '"三公"经费'):
        assert results_page(client, query)[0] == 6, query
    assert "<mark>三公”经费</mark>" in html
    assert first == (reverse("disclosure", args=[seed000.pk]) + "#section-explanation-3", "辽宁省互联网技术支撑中心 2025 年部门预算 · 情况说明")

    # Brackets, full-width or not, typed or left out: 表16's task 基本支出人员经费（保工资）.
    for query in ("基本支出人员经费保工资", "基本支出人员经费(保工资)", "基本支出人员经费【保工资】"):
        count, first, _headings, _html = results_page(client, query)
        assert count == 2, query
        assert first == (reverse("disclosure", args=[seed000.pk]) + "#table-16-row-3", "基本支出人员经费(保工资)"), query


def test_a_word_inside_a_projects_description_is_found_and_shown_in_its_table(client, django_capture_on_commit_callbacks):
    # Published the ordinary way: the publishing signal indexes the text cells, no rebuild needed.
    with django_capture_on_commit_callbacks(execute=True):
        version = save(SEED004, published_on=datetime.date(2025, 2, 26))
    url = reverse("disclosure", args=[version.disclosure.pk])

    # 表9's 项目内容 of one project, and its 总体目标 in 表17.
    count, first, headings, html = results_page(client, "展览")
    assert count == 2
    assert headings == ["表格内容"]
    assert first == (url + "#table-9-row-6", "工信行业、运行、中小企业发展经费")
    assert "表9 项目支出预算表 · 项目内容" in html
    assert "参加国内国际<mark>展览</mark>、展销" in html
    # The row the link points at is on the disclosure page, with the text in it.
    page = client.get(url).content.decode()
    row = re.search(r'<tr id="table-9-row-6".*?</tr>', page, re.S).group(0)
    assert "参加国内国际展览、展销" in row

    # 表17: a 绩效指标 and a 总体目标, each under the project it belongs to.
    count, first, _headings, html = results_page(client, "招商引资增长率")
    assert (count, first) == (1, (url + "#table-17-row-43", "工信行业、运行、中小企业发展经费"))
    assert "表17 部门预算项目（政策）绩效目标表 · 绩效指标" in html
    count, first, _headings, html = results_page(client, "小巨人")
    assert (count, first) == (2, (url + "#table-9-row-9", "市升规入库企业奖励资金"))
    assert "表17 部门预算项目（政策）绩效目标表 · 总体目标" in html


def test_rebuilding_the_index_writes_the_text_cells_of_everything_published(client, published_seed004):
    SearchEntry.objects.all().delete()  # an index from before text cells were indexed, say
    assert results_page(client, "展览")[0] == 0
    call_command("rebuild_search_index", stdout=io.StringIO())
    count, first, _headings, _html = results_page(client, "展览")
    assert (count, first[1]) == (2, "工信行业、运行、中小企业发展经费")


def test_a_code_and_a_place_find_that_code_in_that_places_disclosures(client, indexed):
    seed000, seed004 = indexed
    line = "2080505 机关事业单位基本养老保险缴费支出"
    # 抚顺: seed 004 (抚顺市工业和信息化局); seed 000 is a province department.
    count, first, headings, _html = results_page(client, "2080505 抚顺")
    assert count == 1
    assert first == (reverse("disclosure", args=[seed004.pk]) + "#table-3-row-5", line)
    assert headings == ["支出科目"]
    # 辽宁 holds both (抚顺市 is in 辽宁省); a department's name picks that department's.
    assert results_page(client, "2080505 辽宁")[0] == 2
    count, first, _headings, _html = results_page(client, "2080505 互联网技术支撑中心")
    assert (count, first) == (1, (reverse("disclosure", args=[seed000.pk]) + "#table-3-row-4", line))
    assert results_page(client, "行政运行 工业和信息化局")[1][0].startswith(reverse("disclosure", args=[seed004.pk]))
    # A place that no disclosure is from finds nothing; two names alone stay a search for that department.
    assert results_page(client, "2080505 沈阳")[0] == 0
    count, first, _headings, _html = results_page(client, "抚顺 工业和信息化局")
    assert first == (reverse("department", args=[seed004.department.pk]), "抚顺市工业和信息化局")


def test_an_exact_classification_or_project_name_comes_before_narrative_text(client, indexed):
    _seed000, seed004 = indexed
    # seed 000's 名词解释 explains 机关事业单位基本养老保险缴费支出(项) in a paragraph.
    count, first, headings, _html = results_page(client, "机关事业单位基本养老保险缴费支出")
    assert count == 3
    assert first[1] == "2080505 机关事业单位基本养老保险缴费支出"
    assert headings == ["支出科目", "公开文件"]

    count, first, headings, _html = results_page(client, "2080505")
    assert first[1] == "2080505 机关事业单位基本养老保险缴费支出"
    assert headings[0] == "支出科目"

    # 30108 is named exactly this; 2080505's name goes on (…支出): the exact one first.
    first = results_page(client, "机关事业单位基本养老保险缴费")[1]
    assert first[1] == "30108 机关事业单位基本养老保险缴费"

    # A project's name: its 表9 row first, before the 表17 rows that mention it.
    count, first, headings, _html = results_page(client, "老干部服务工作经费")
    assert first == (reverse("disclosure", args=[seed004.pk]) + "#table-9-row-3", "老干部服务工作经费")
    assert headings[0] == "项目"
