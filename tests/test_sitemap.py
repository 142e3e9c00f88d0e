"""/sitemap.xml lists what the public can open, and nothing else."""

import datetime
import re

import pytest
from django.urls import reverse

from tests.conftest import SEED000, save

pytestmark = pytest.mark.django_db


def locations(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    return re.findall(r"<loc>([^<]+)</loc>", response.content.decode())


def all_listed(client):
    listed = []
    for section in locations(client, reverse("sitemap_index")):
        listed += locations(client, section.replace("http://testserver", ""))
    return [url.replace("http://testserver", "") for url in listed]


def test_it_lists_published_disclosures_and_their_departments(client, published_seed000, published_seed004):
    listed = all_listed(client)
    for disclosure in (published_seed000, published_seed004):
        assert reverse("disclosure", args=[disclosure.pk]) in listed
        assert reverse("department", args=[disclosure.department.pk]) in listed
    body = client.get(reverse("sitemap", args=["disclosures"])).content.decode()
    assert "<lastmod>2025-02-08</lastmod>" in body and "<lastmod>2025-02-26</lastmod>" in body


def test_it_never_lists_a_draft_or_its_department(client, published_seed000, draft_seed004):
    listed = all_listed(client)
    assert reverse("disclosure", args=[draft_seed004.pk]) not in listed
    assert reverse("department", args=[draft_seed004.department.pk]) not in listed
    assert reverse("disclosure", args=[published_seed000.pk]) in listed


def test_an_earlier_published_version_stays_listed(client, published_seed000):
    second = save(
        SEED000, department="辽宁省互联网技术支撑中心", region="辽宁省", published_on=datetime.date(2025, 3, 1)
    )
    assert second.number == 2
    listed = all_listed(client)
    assert reverse("disclosure_version", args=[published_seed000.pk, 1]) in listed
    assert reverse("disclosure_version", args=[published_seed000.pk, 2]) not in listed  # it is the current one
    assert reverse("disclosure", args=[published_seed000.pk]) in listed
