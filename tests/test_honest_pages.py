"""Public pages say what is missing: tables and sections a disclosure leaves out, empty tables with their note,
and a department that has not published by its deadline (143号文 第三条; 预算法第十四条)."""

import datetime
import re

import pytest
import time_machine
from django.urls import reverse

from disclosures.models import Disclosure, DisclosureTable
from tests.conftest import FIXTURES, SEED004, save
from tests.test_budget_vs_actual import save as save_with_format
from tests.test_final_accounts import save_seed002

pytestmark = pytest.mark.django_db

# 2025-03-10 in Shenyang: seed 004's 2025 budget, approved 2025-01-24, was due 2025-02-13 (as in test_accountability).
AFTER_DEADLINE = datetime.datetime(2025, 3, 10, 2, tzinfo=datetime.timezone.utc)
BEFORE_DEADLINE = datetime.datetime(2025, 2, 10, 2, tzinfo=datetime.timezone.utc)


def description(page):
    return re.search(r'<meta name="description" content="([^"]+)">', page).group(1)


def toc(page):
    return page.split('<nav class="toc"', 1)[1].split("</nav>", 1)[0]


def missing_list(page):
    return page.split('id="missing-tables"', 1)[1].split("</section>", 1)[0]


@pytest.fixture
def two_table_budget(db):
    """辽宁省数据局's 2024 budget as constructed for seed 002: only 表5 and 表7, no sections."""
    return save_with_format(
        FIXTURES / "seed002_budget_2024.xlsx", "liaoning-budget-18", "budget", published_on=datetime.date(2024, 2, 5)
    )


def test_a_two_table_budget_names_the_sixteen_tables_it_does_not_publish(client, two_table_budget):
    page = client.get(two_table_budget.get_absolute_url()).content.decode()
    assert page.count("未公开此表") == 16
    listed = missing_list(page)
    assert '<li id="table-1"><span class="table-number">表1</span> 收支预算总表：<strong>未公开此表</strong></li>' in listed
    assert "表13</span> 债务支出预算表：<strong>未公开此表</strong>" in listed
    assert "表18</span> 部门管理专项资金预算表：<strong>未公开此表</strong>" in listed
    # The two it publishes are tables of the page, not in the list.
    assert 'id="table-5"' in page and "表5</span> " not in listed and "表7</span> " not in listed
    assert "按规定应公开的表中，有 16 张本公开没有：" in listed

    # The contents list all eighteen in the format's order, the missing ones marked.
    contents = toc(page)
    assert re.findall(r'href="#table-(\d+)"', contents) == [str(n) for n in range(1, 19)]
    assert '<a href="#table-3">表3 支出预算总表</a> <span class="meta">（未公开）</span>' in contents
    assert contents.count("（未公开）") == 16 + 4  # and the four sections
    assert '<a href="#table-5">表5 ' in contents and '<a href="#table-5">表5 一般公共预算支出表</a></li>' in contents

    # No section either: each in its place, said.
    for title in ("部门职责", "机构设置", "情况说明", "名词解释"):
        assert f'<h2 id="missing-section-' in page and f">{title}</h2>\n    <p class=\"missing-note\">未公开此部分。</p>" in page
    assert page.count("未公开此部分。") == 4

    # What the page describes is what it has.
    summary = "2 张公开表，缺 16 张；无部门职责、机构设置、情况说明、名词解释"
    assert description(page) == f"辽宁省数据局 2024 年部门预算公开：{summary}"
    assert f"<dt>公开内容</dt><dd>{summary}" in page
    assert "情况说明及" not in page


def test_final_accounts_with_every_table_show_the_empty_ones_with_their_note(client):
    disclosure = save_seed002().disclosure
    page = client.get(disclosure.get_absolute_url()).content.decode()
    assert "未公开此表" not in page and "未公开此部分" not in page
    assert description(page) == "辽宁省数据局 2024 年部门决算公开：部门决算情况说明及 11 张公开表，其中空表 2 张"
    empty = {t.number: t.note for t in DisclosureTable.objects.filter(version=disclosure.published_version, is_empty=True)}
    assert set(empty) == {"7", "8"} and all(empty.values())
    listed = missing_list(page)
    assert "以下各表为空表，部门的说明：" in listed
    assert f'<a href="#table-7"><span class="table-number">公开07表</span> 政府性基金预算财政拨款收入支出决算表</a>：{empty["7"]}' in listed
    assert f'<span class="table-number">公开08表</span> 国有资本经营预算财政拨款收入支出决算表</a>：{empty["8"]}' in listed
    assert '<a href="#table-7">公开07表 政府性基金预算财政拨款收入支出决算表</a> <span class="meta">（空表）</span>' in toc(page)


def test_a_note_the_department_wrote_for_an_empty_table_is_what_the_page_says(client):
    disclosure = save_seed002().disclosure
    # The note as staff enter it on the version page (空表说明), before publication.
    DisclosureTable.objects.filter(version=disclosure.published_version, number="8").update(
        note="本部门 2024 年度没有国有资本经营预算财政拨款收入和支出。"
    )
    page = client.get(disclosure.get_absolute_url()).content.decode()
    assert "国有资本经营预算财政拨款收入支出决算表</a>：本部门 2024 年度没有国有资本经营预算财政拨款收入和支出。" in missing_list(page)


def test_a_budget_missing_three_tables_says_so_and_keeps_its_explanation(client, published_seed000):
    page = client.get(published_seed000.get_absolute_url()).content.decode()
    assert description(page) == "辽宁省互联网技术支撑中心 2025 年部门预算公开：情况说明及 15 张公开表，缺 3 张，其中空表 2 张"
    assert page.count("未公开此表") == 3
    assert re.findall(r'<li id="table-(\d+)">', missing_list(page)) == ["13", "14", "15"]


# ---- a department past its deadline ---------------------------------------------------------------


@pytest.fixture
def late_department(db):
    """抚顺市工业和信息化局: its 2024 budget published; its 2025 budget (approved 2025-01-24) a draft."""
    published = save(
        FIXTURES / "seed004_budget_2024.xlsx", year=2024, approved_on=datetime.date(2024, 1, 26),
        published_on=datetime.date(2024, 2, 8),
    ).disclosure  # fmt: skip
    draft = save(SEED004).disclosure
    assert draft.department == published.department and not draft.is_published
    return published.department, draft


def department_page(client, department):
    response = client.get(reverse("department", args=[department.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_an_overdue_budget_is_said_on_the_department_page_and_nothing_of_its_draft(client, late_department):
    department, draft = late_department
    with time_machine.travel(AFTER_DEADLINE, tick=False):
        page = department_page(client, department)
    row = page.split('<tr class="overdue">', 1)[1].split("</tr>", 1)[0]
    assert re.sub(r"<[^>]+>", "", row) == "2025 年部门预算逾期未公开（截止 2025-02-13）"
    assert page.count("逾期未公开") == 1
    assert f"/disclosures/{draft.pk}/" not in page
    for word in ("草稿", "待保密审查", "1,425.40", "2025-01-24"):  # its state, its figures, its approval date
        assert word not in page


def test_before_the_deadline_nothing_is_said_and_the_stored_page_follows_the_date(client, late_department):
    department, _draft = late_department
    with time_machine.travel(BEFORE_DEADLINE, tick=False):
        before = department_page(client, department)
        assert "逾期" not in before
        assert department_page(client, department) == before  # served from the page cache
    with time_machine.travel(AFTER_DEADLINE, tick=False):
        assert "逾期未公开（截止 2025-02-13）" in department_page(client, department)


def test_a_department_with_nothing_published_says_it_is_overdue(client, draft_seed004):
    with time_machine.travel(AFTER_DEADLINE, tick=False):
        page = department_page(client, draft_seed004.department)
    assert "逾期未公开（截止 2025-02-13）" in page and "该部门尚无已公开的预决算。" in page
    assert f"/disclosures/{draft_seed004.pk}/" not in page


def test_a_published_disclosure_is_never_overdue(client, published_seed004):
    with time_machine.travel(AFTER_DEADLINE, tick=False):
        page = department_page(client, published_seed004.department)
    assert "逾期未公开" not in page
    assert Disclosure.objects.published().filter(department=published_seed004.department).count() == 1


def test_a_deadline_on_the_spring_festival_holiday_moves_to_the_next_workday_before_it_is_overdue(client, db):
    """预算法第十四条, counted as 民法典第二百零三条: approved 2025-01-10, day 20 is 2025-01-30, inside the 春节
    holiday (2025-01-28 to 02-04), so the department has until Wednesday 2025-02-05."""
    draft = save(SEED004, approved_on=datetime.date(2025, 1, 10)).disclosure
    # Noon in Beijing on the last day, then on the day after.
    with time_machine.travel(datetime.datetime(2025, 2, 5, 4, tzinfo=datetime.timezone.utc), tick=False):
        assert "逾期" not in department_page(client, draft.department)
    with time_machine.travel(datetime.datetime(2025, 2, 6, 4, tzinfo=datetime.timezone.utc), tick=False):
        assert "逾期未公开（截止 2025-02-05）" in department_page(client, draft.department)


def test_a_section_left_blank_is_listed_once_among_the_missing(client, two_table_budget):
    from disclosures.models import Section

    version = two_table_budget.versions.get()
    Section.objects.create(version=version, key="duties", title="部门职责", body="  ")
    contents = toc(client.get(two_table_budget.get_absolute_url()).content.decode())
    assert contents.count(">部门职责</a>") == 1
    assert '>部门职责</a> <span class="meta">（未公开）</span>' in contents
