"""Every public page has its own <title>, a meta description, one <h1>, a skip link and landmarks."""

import datetime
import html as htmllib
import re

import pytest
from django.urls import reverse

from tests.conftest import FIXTURES, SEED004, save

pytestmark = pytest.mark.django_db

SITE = "预决算公开平台"
DEFAULT_DESCRIPTION = "各部门预算、决算公开表及情况说明的统一公开平台"


@pytest.fixture
def pages(published_seed000):
    before = save(
        FIXTURES / "seed004_budget_2024.xlsx", year=2024, approved_on=datetime.date(2024, 1, 26),
        published_on=datetime.date(2024, 2, 8),
    ).disclosure  # fmt: skip
    after = save(SEED004, published_on=datetime.date(2025, 2, 26)).disclosure
    department = after.department
    return {
        # url: (words the title must contain, words the description must contain)
        reverse("home"): ("首页", "公开"),
        reverse("region", args=[department.region.pk]): ("抚顺市", "辽宁省/抚顺市"),
        reverse("department", args=[department.pk]): ("抚顺市工业和信息化局", "三公"),
        reverse("disclosure", args=[published_seed000.pk]): ("辽宁省互联网技术支撑中心 2025 年部门预算", "公开表"),
        reverse("disclosure_version", args=[after.pk, 1]): ("抚顺市工业和信息化局 2025 年部门预算", "公开表"),
        reverse("search:search"): ("检索", "检索"),
        reverse("search:search") + "?q=直联点": ("“直联点”的检索结果", "检索"),
        reverse("department_compare", args=[department.pk]) + f"?from={before.pk}&to={after.pk}": (
            "2024 年部门预算与2025 年部门预算比较",
            "增减",
        ),
    }


def head(content):
    title = htmllib.unescape(re.search(r"<title>(.*?)</title>", content, re.S).group(1)).strip()
    description = re.search(r'<meta name="description" content="([^"]*)">', content)
    return title, htmllib.unescape(description.group(1)).strip() if description else None


def test_every_public_page_has_a_proper_title_and_description(client, pages):
    titles = set()
    for url, (in_title, in_description) in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        title, description = head(response.content.decode())
        assert title.endswith(f" · {SITE}"), (url, title)
        assert in_title in title, (url, title)
        assert description and in_description in description, (url, description)
        if url != reverse("home"):
            assert description != DEFAULT_DESCRIPTION, url
        titles.add(title)
    assert len(titles) == len(pages)  # no two pages share a title


def test_every_public_page_has_one_h1_a_skip_link_and_landmarks(client, pages):
    for url in pages:
        content = client.get(url).content.decode()
        assert len(re.findall(r"<h1[\s>]", content)) == 1, url
        assert '<a class="skip-link" href="#main">' in content, url
        assert '<main id="main"' in content and "<header" in content and "<footer" in content, url
        assert 'role="search"' in content, url  # the search box in the header
        assert '<html lang="zh-Hans">' in content, url
