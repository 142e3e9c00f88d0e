"""The public path home → region → department → disclosure, and what it must never show."""

import re

import pytest
from django.core.management import call_command

from disclosures.models import Membership
from tests.factories import DepartmentFactory, MembershipFactory, RegionFactory


def h1s(response):
    return re.findall(r"<h1[ >]", response.content.decode())


@pytest.mark.django_db
def test_the_path_from_home_to_a_disclosure(client, published_seed004):
    home = client.get("/")
    assert "抚顺市工业和信息化局 2025 年部门预算" in home.content.decode()
    province = published_seed004.department.region.parent
    region_page = client.get(province.get_absolute_url()).content.decode()
    assert "抚顺市" in region_page
    city_page = client.get(published_seed004.department.region.get_absolute_url()).content.decode()
    assert "抚顺市工业和信息化局" in city_page and "1 份公开" in city_page
    department_page = client.get(published_seed004.department.get_absolute_url()).content.decode()
    assert f'href="/disclosures/{published_seed004.pk}/"' in department_page
    assert "2025-02-26" in department_page


@pytest.mark.django_db
def test_the_disclosure_page_shows_dates_contents_and_every_table(client, published_seed000):
    response = client.get(published_seed000.get_absolute_url())
    page = response.content.decode()
    assert response.status_code == 200
    assert len(h1s(response)) == 1
    assert "<dd>2025-01-24</dd>" in page and "<dd>2025-02-08</dd>" in page
    for number in ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "16", "17", "18"]:
        assert f'id="table-{number}"' in page
        assert f'href="#table-{number}"' in page
    # 表3's 合计 row, bold, with its figures formatted as printed
    row = re.search(r'<tr id="table-3-row-1" class="kind-total total">(.*?)</tr>', page).group(1)
    assert re.findall(r'<td class="amount">([^<]*)</td>', row) == ["881.55", "482.74", "446.36", "36.38", "398.81"]
    # grouped header: 基本支出 spans its three leaves; 合计 spans both header rows
    assert '<th scope="colgroup" colspan="3">基本支出</th>' in page
    assert '<th scope="col" rowspan="2">合计</th>' in page
    assert "备注：如此表为空表，则表示部门无政府性基金预算安排的支出。" in page
    assert "单位：万元" in page
    # sections, with 表17's raw HTML shown as text, never as markup
    assert "部门职责" in page and "名词解释" in page
    assert "<p style=" not in page and "text-align: center" not in page


@pytest.mark.django_db
def test_amounts_over_a_thousand_have_separators_and_blanks_stay_blank(client, published_seed004):
    page = client.get(published_seed004.get_absolute_url()).content.decode()
    row = re.search(r'<tr id="table-3-row-1" class="kind-total total">(.*?)</tr>', page).group(1)
    assert re.findall(r'<td class="amount">([^<]*)</td>', row) == ["1,425.40", "1,207.28", "1,106.69", "100.59", "218.12"]
    t7 = re.search(r'<tr id="table-7-row-1"[^>]*>(.*?)</tr>', page).group(1)
    assert re.findall(r'<td class="amount">([^<]*)</td>', t7) == ["5.80", "", "5.80", "", "5.80", ""]
    assert "项目内容" in page


def test_a_row_is_headed_by_its_first_text_cell_with_words(client, published_seed004):
    """表4 prints a line whose 收入 side is blank and whose 支出 side reads 二、年终结转结余: that names the row."""
    page = client.get(published_seed004.get_absolute_url()).content.decode()
    row = re.search(r'<tr id="table-4-row-9"[^>]*>(.*?)</tr>', page).group(1)
    assert re.findall(r'<th scope="row"[^>]*>([^<]*)</th>', row) == ["二、年终结转结余"]
    assert row.startswith('<td class="text indent-0"></td>')
    # Each table's scrolling region has a name of its own, apart from its section's heading.
    assert 'role="region" aria-label="表4 财政拨款收支预算总表：表格"' in page


@pytest.mark.django_db
def test_a_draft_is_invisible_to_the_public(client, draft_seed004, published_seed000):
    assert (draft_seed004.status, published_seed000.status) == ("draft", "published")
    assert client.get(draft_seed004.get_absolute_url()).status_code == 404
    assert client.get(f"/disclosures/{draft_seed004.pk}/versions/1/").status_code == 404
    assert "抚顺市发展和改革委员会 2025" not in client.get("/").content.decode()
    department_page = client.get(draft_seed004.department.get_absolute_url()).content.decode()
    assert f"/disclosures/{draft_seed004.pk}/" not in department_page
    assert "该部门尚无已公开的预决算。" in department_page


@pytest.mark.django_db
def test_a_version_under_review_is_invisible_too(client, draft_seed004):
    version = draft_seed004.versions.get()
    version.status = "under_review"
    version.save()
    assert client.get(draft_seed004.get_absolute_url()).status_code == 404


@pytest.mark.django_db
def test_staff_preview_checks_the_department(client, draft_seed004):
    url = f"/staff/versions/{draft_seed004.versions.get().pk}/preview/"
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")

    other = MembershipFactory(department=DepartmentFactory()).user
    client.force_login(other)
    assert client.get(url).status_code == 404

    editor = MembershipFactory(department=draft_seed004.department).user
    client.force_login(editor)
    response = client.get(url)
    assert response.status_code == 200
    assert "预览：这是公开后公众将看到的页面，目前尚未公开。" in response.content.decode()
    assert "no-cache" in response["Cache-Control"] and "private" in response["Cache-Control"]

    province = draft_seed004.department.region.parent
    admin = MembershipFactory(role=Membership.Role.ADMIN, region=province).user
    client.force_login(admin)
    assert client.get(url).status_code == 200

    outsider_admin = MembershipFactory(role=Membership.Role.ADMIN, region=RegionFactory(name="河北省")).user
    client.force_login(outsider_admin)
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_every_public_page_has_one_h1_a_title_and_a_description(client, published_seed004):
    department = published_seed004.department
    for url in ["/", department.region.get_absolute_url(), department.get_absolute_url(), published_seed004.get_absolute_url()]:
        response = client.get(url)
        page = response.content.decode()
        assert response.status_code == 200, url
        assert len(h1s(response)) == 1, url
        assert re.search(r"<title>[^<]+ · 预决算公开平台</title>", page), url
        assert re.search(r'<meta name="description" content="[^"]+">', page), url
        assert 'class="skip-link" href="#main"' in page


@pytest.mark.django_db
def test_unknown_pages_are_404(client):
    for url in ["/disclosures/999/", "/departments/999/", "/regions/999/"]:
        assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_no_model_change_lacks_a_migration():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


@pytest.mark.django_db
def test_demo_data_loads_twice_and_prints_logins(capsys):
    call_command("load_demo")
    call_command("load_demo")
    out = capsys.readouterr().out
    assert "fushun_editor" in out and "demo-password-2025" in out
    assert "已存在：辽宁省互联网技术支撑中心 2025 年预算" in out
    from disclosures.clock import clock
    from disclosures.models import Disclosure

    # seeds 000 and 004 with a constructed 2024 for 004's department, seed 002's final accounts with the
    # budget derived from them, and seed 003
    assert Disclosure.objects.published().count() == 6
    late = Disclosure.objects.get(department__name="抚顺市工业和信息化局", year=2024)
    assert clock(late).label == "逾期 2 天公开"  # due 2024-02-18, a 调休 working Sunday


@pytest.mark.django_db
def test_a_year_on_the_home_page_leads_to_that_years_disclosures_and_no_draft(client, published_seed000, draft_seed004):
    home = client.get("/").content.decode()
    assert '<a href="/years/2025/">2025 年</a>' in home
    page = client.get("/years/2025/").content.decode()
    assert "<h1>2025 年预算、决算公开</h1>" in page
    assert "辽宁省互联网技术支撑中心 2025 年部门预算" in page and f'href="/disclosures/{published_seed000.pk}/"' in page
    assert f"/disclosures/{draft_seed004.pk}/" not in page
    assert client.get("/years/1999/").status_code == 404
