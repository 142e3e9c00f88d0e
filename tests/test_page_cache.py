"""Public pages of published data are rendered once and then served from the cache (disclosures/page_cache.py):
with the same content, the security headers, ETag / Last-Modified and 304s, nothing of a signed-in user, and
never stale after a correction, a rename or a publication."""

import gzip
import re
import socket

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from disclosures.services import publish, review, save_section, start_correction, submit
from portal.cache import forget_health, redis_caches
from tests.conftest import decide_flags, ready_for_review

pytestmark = pytest.mark.django_db


def queries_of(client, url, **headers):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    return response, len(queries)


def published(staff):
    """Seed 004 published through the workflow by department A, as the public sees it."""
    version = ready_for_review(staff)
    submit(version, actor=staff.editor_a)
    decide_flags(version, staff.reviewer_a)
    review(version, actor=staff.reviewer_a, outcome="passed")
    publish(version, actor=staff.reviewer_a)
    return version


def publish_correction(staff, version, note="更正部门职责"):
    correction = start_correction(version.disclosure, actor=staff.editor_a)
    save_section(correction, key="duties", body="部门职责（已更正）。", actor=staff.editor_a)
    submit(correction, actor=staff.editor_a, change_note=note)
    decide_flags(correction, staff.reviewer_a)
    review(correction, actor=staff.reviewer_a, outcome="passed")
    publish(correction, actor=staff.reviewer_a)
    return correction


def test_a_published_page_is_rendered_once_then_served_from_the_cache(client, published_seed000):
    url = reverse("disclosure", args=[published_seed000.pk])
    first, first_queries = queries_of(client, url)
    second, second_queries = queries_of(client, url)
    assert first.status_code == second.status_code == 200
    assert first_queries > 5
    assert second_queries <= 2  # the disclosure and what its page shows that can change, in one query
    assert second.content == first.content
    page = second.content.decode()
    assert all(f'id="table-{number}"' in page for number in ("1", "3", "18")) and "部门职责" in page
    assert re.search(r'<tr id="table-3-row-1" class="kind-total total">.*?881\.55', page)
    # The security headers are the middleware's, on a stored page as on a fresh one.
    for response in (first, second):
        assert "default-src 'self'" in response["Content-Security-Policy"]
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"


def test_the_department_page_is_cached_and_a_rename_shows_at_once(client, published_seed004):
    department = published_seed004.department
    url = reverse("department", args=[department.pk])
    first, first_queries = queries_of(client, url)
    second, second_queries = queries_of(client, url)
    assert second.content == first.content and "抚顺市工业和信息化局" in second.content.decode()
    assert second_queries <= 2 < first_queries
    department.name = "抚顺市工业和信息化局（新）"
    department.save()
    city = department.region
    city.name = "抚顺"
    city.save()
    page = client.get(url).content.decode()
    assert "抚顺市工业和信息化局（新）" in page and "辽宁省/抚顺</p>" in page
    disclosure_page = client.get(reverse("disclosure", args=[published_seed004.pk])).content.decode()
    assert "抚顺市工业和信息化局（新）" in disclosure_page and "辽宁省/抚顺</dd>" in disclosure_page


def test_a_correction_shows_at_once_with_a_new_etag(client, staff):
    version = published(staff)
    url = reverse("disclosure", args=[version.disclosure_id])
    before = client.get(url)
    assert client.get(url).content == before.content  # cached
    assert "第 1 版" in before.content.decode()
    old_version_url = reverse("disclosure_version", args=[version.disclosure_id, 1])
    assert "不是现行版本" not in client.get(old_version_url).content.decode()
    publish_correction(staff, version, note="更正部门职责")
    after = client.get(url)
    page = after.content.decode()
    assert "第 2 版" in page and "更正部门职责" in page and "部门职责（已更正）。" in page
    assert after["ETag"] != before["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=before["ETag"]).status_code == 200
    # The page of version 1, cached while it was current, now says it is not.
    assert "不是现行版本" in client.get(old_version_url).content.decode()


def test_a_draft_never_appears_not_even_a_correction_in_progress(client, staff, draft_seed004):
    assert client.get(reverse("disclosure", args=[draft_seed004.pk])).status_code == 404
    assert client.get("/disclosures/99999999999999999999/").status_code == 404
    assert client.get("/departments/99999999999999999999/").status_code == 404
    assert client.get(reverse("disclosure", args=[draft_seed004.pk])).status_code == 404
    version = published(staff)
    url = reverse("disclosure", args=[version.disclosure_id])
    client.get(url)
    correction = start_correction(version.disclosure, actor=staff.editor_a)
    save_section(correction, key="duties", body="尚未公开的更正稿。", actor=staff.editor_a)
    page = client.get(url).content.decode()
    assert "尚未公开的更正稿" not in page and "第 2 版" not in page
    assert client.get(reverse("disclosure_version", args=[version.disclosure_id, 2])).status_code == 404
    # Staff previewing the draft get it live and marked not to be stored anywhere.
    client.force_login(staff.editor_a)
    preview = client.get(reverse("staff_preview", args=[correction.pk]))
    assert "尚未公开的更正稿" in preview.content.decode()
    assert "no-cache" in preview["Cache-Control"] and "private" in preview["Cache-Control"]
    client.logout()
    assert "尚未公开的更正稿" not in client.get(url).content.decode()


def test_signed_in_staff_get_their_own_page_and_the_stored_one_has_nothing_personal(client, staff):
    version = published(staff)
    url = reverse("disclosure", args=[version.disclosure_id])
    anonymous = client.get(url).content.decode()
    client.force_login(staff.editor_a)
    mine = client.get(url)
    assert "退出（editor_a）" in mine.content.decode() and "csrfmiddlewaretoken" in mine.content.decode()
    assert "private" in mine["Cache-Control"] and "ETag" not in mine
    client.force_login(staff.reviewer_a)
    theirs = client.get(url).content.decode()
    assert "退出（reviewer_a）" in theirs and "editor_a" not in theirs
    client.logout()
    again = client.get(url)
    for page in (anonymous, again.content.decode()):
        assert "csrfmiddlewaretoken" not in page and "退出" not in page and "工作人员登录" in page
        assert "editor_a" not in page and "reviewer_a" not in page
    assert "csrftoken" not in again.cookies


def test_a_page_first_opened_by_staff_is_not_stored_for_the_public(client, staff):
    version = published(staff)
    url = reverse("disclosure", args=[version.disclosure_id])
    client.force_login(staff.editor_a)
    assert "退出（editor_a）" in client.get(url).content.decode()
    client.logout()
    page = client.get(url).content.decode()
    assert "editor_a" not in page and "csrfmiddlewaretoken" not in page


def test_etag_and_last_modified_answer_conditional_requests(client, published_seed000):
    url = reverse("disclosure", args=[published_seed000.pk])
    response = client.get(url)
    assert response["ETag"].startswith('W/"') and response["Last-Modified"].endswith(" GMT")
    assert "no-cache" in response["Cache-Control"]
    not_modified = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
    assert not_modified.status_code == 304 and not_modified.content == b""
    assert not_modified["ETag"] == response["ETag"]
    assert "default-src 'self'" in not_modified["Content-Security-Policy"]
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=response["Last-Modified"]).status_code == 304
    assert client.get(url, HTTP_IF_NONE_MATCH='"something-else"').status_code == 200
    assert client.get(url, HTTP_IF_MODIFIED_SINCE="Mon, 01 Jan 2024 00:00:00 GMT").status_code == 200
    department = reverse("department", args=[published_seed000.department_id])
    etag = client.get(department)["ETag"]
    assert client.get(department, HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_the_stored_page_is_sent_gzipped_to_who_accepts_it(client, published_seed000):
    url = reverse("disclosure", args=[published_seed000.pk])
    plain = client.get(url)
    compressed = client.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert compressed["Content-Encoding"] == "gzip" and "Accept-Encoding" in compressed["Vary"]
    assert gzip.decompress(compressed.content) == plain.content
    assert len(compressed.content) * 4 < len(plain.content)
    assert compressed["ETag"] == plain["ETag"]


def test_the_api_document_of_a_version_follows_a_correction(client, staff):
    version = published(staff)
    current = reverse("api:disclosure", args=[version.disclosure_id])
    first = reverse("api:disclosure_version", args=[version.disclosure_id, 1])
    document = client.get(first)
    assert document.json()["version"]["is_current"] is True and len(document.json()["versions"]) == 1
    assert document["Last-Modified"].endswith(" GMT")
    assert client.get(first, HTTP_IF_MODIFIED_SINCE=document["Last-Modified"]).status_code == 304
    assert client.get(first, HTTP_IF_NONE_MATCH=document["ETag"]).status_code == 304
    assert client.get(current).json()["version"]["number"] == 1
    publish_correction(staff, version)
    corrected = client.get(first)
    assert corrected.json()["version"]["is_current"] is False
    assert [v["number"] for v in corrected.json()["versions"]] == [1, 2]
    assert client.get(first, HTTP_IF_NONE_MATCH=document["ETag"]).status_code == 200
    assert client.get(current).json()["version"]["number"] == 2


def test_a_cache_that_cannot_be_reached_costs_the_cache_only(client, published_seed000, settings):
    with socket.socket() as probe:  # a port nothing listens on: every cache call fails at once
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.CACHES = redis_caches(f"redis://127.0.0.1:{port}/0")  # as in production: REDIS_URL set
    url = reverse("disclosure", args=[published_seed000.pk])
    try:
        responses = [client.get(url) for _ in range(2)]
    finally:
        forget_health()
    assert [r.status_code for r in responses] == [200, 200]
    assert 'id="table-18"' in responses[1].content.decode()
    assert responses[0]["ETag"] == responses[1]["ETag"]  # a hash of the page, whichever process renders it
