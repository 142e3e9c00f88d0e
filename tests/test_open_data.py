"""Open data: the licence wherever the data leaves the portal, the API's index and open-data page, CORS,
JSON 405s for unsafe methods, a data package that validates offline, and `since` on the disclosure list."""

import datetime
import io
import json
import socket
import zipfile

import pytest

from disclosures.models import Disclosure, Version
from disclosures.services import import_disclosure
from tests.conftest import SEED004, read

CC_BY = {
    "name": "CC-BY-4.0",
    "path": "https://creativecommons.org/licenses/by/4.0/",
    "title": "知识共享署名 4.0 国际许可协议（CC BY 4.0）",
}


@pytest.fixture
def other_licence(settings):
    settings.OPEN_DATA_LICENSE_NAME = "ODC-BY-1.0"
    settings.OPEN_DATA_LICENSE_URL = "https://opendatacommons.org/licenses/by/1-0/"
    settings.OPEN_DATA_LICENSE_TITLE = "开放数据共享署名许可 1.0"
    return {"name": "ODC-BY-1.0", "path": "https://opendatacommons.org/licenses/by/1-0/", "title": "开放数据共享署名许可 1.0"}


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a connection fails the test: validation must not fetch a remote profile."""

    def refuse(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def package_of(client, disclosure, number=1):
    response = client.get(f"/disclosures/{disclosure.pk}/versions/{number}/datapackage.zip")
    assert response.status_code == 200
    return zipfile.ZipFile(io.BytesIO(response.content))


# ---------------------------------------------------------------------------
# 1. The licence
# ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_footer_of_public_pages_states_the_licence_and_links_to_the_open_data_page(client, published_seed004):
    for url in ["/", f"/disclosures/{published_seed004.pk}/", "/open-data/"]:
        html = client.get(url).content.decode()
        assert '<a href="https://creativecommons.org/licenses/by/4.0/" rel="license">知识共享署名 4.0 国际许可协议（CC BY 4.0）</a>' in html, url
        assert '<a href="/open-data/">开放数据与接口</a>' in html, url


@pytest.mark.django_db
def test_the_licence_is_part_of_every_stored_pages_key(published_seed004, settings):
    from disclosures import page_cache

    page_cache.release.cache_clear()
    try:
        before = page_cache.release()
        settings.OPEN_DATA_LICENSE_URL = "https://example.org/another-licence"
        page_cache.release.cache_clear()
        assert page_cache.release() != before
    finally:
        page_cache.release.cache_clear()


@pytest.mark.django_db
def test_the_licence_comes_from_the_settings_in_pages_api_spec_and_data_package(client, published_seed004, other_licence):
    html = client.get("/").content.decode()
    assert '<a href="https://opendatacommons.org/licenses/by/1-0/" rel="license">开放数据共享署名许可 1.0</a>' in html
    assert client.get("/api/v1/").json()["license"] == other_licence
    assert client.get("/api/v1/openapi.json").json()["info"]["license"] == {
        "name": "开放数据共享署名许可 1.0", "url": "https://opendatacommons.org/licenses/by/1-0/",
    }  # fmt: skip
    descriptor = json.loads(package_of(client, published_seed004).read("datapackage.json"))
    assert descriptor["licenses"] == [other_licence]


@pytest.mark.django_db
def test_a_stored_data_package_is_rebuilt_when_the_licence_changes(client, published_seed004, settings):
    first = json.loads(package_of(client, published_seed004).read("datapackage.json"))
    assert first["licenses"] == [CC_BY]
    settings.OPEN_DATA_LICENSE_NAME = "CC0-1.0"
    second = json.loads(package_of(client, published_seed004).read("datapackage.json"))
    assert second["licenses"][0]["name"] == "CC0-1.0"


# ---------------------------------------------------------------------------
# 2. The API's index and the open-data page
# ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_api_index_lists_the_endpoints_the_licence_and_the_spec(client):
    response = client.get("/api/v1/")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    index = response.json()
    assert index["license"] == CC_BY
    assert (index["openapi"], index["documentation"]) == ("/api/v1/openapi.json", "/open-data/")
    urls = {e["name"]: e["url"] for e in index["endpoints"]}
    assert urls == {
        "regions": "/api/v1/regions",
        "departments": "/api/v1/departments",
        "disclosures": "/api/v1/disclosures",
        "disclosure": "/api/v1/disclosures/{id}",
        "disclosure_version": "/api/v1/disclosures/{id}/versions/{number}",
        "search": "/api/v1/search",
        "openapi": "/api/v1/openapi.json",
    }
    for name in ["regions", "departments", "disclosures", "openapi"]:  # the plain ones answer
        assert client.get(urls[name]).status_code == 200, name
    assert all(e["description"] for e in index["endpoints"])


@pytest.mark.django_db
def test_the_open_data_page_describes_the_api_and_the_licence(client):
    response = client.get("/open-data/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>开放数据与接口</h1>" in html
    assert '<a href="/api/v1/"><code>/api/v1/</code></a>' in html
    assert '<a href="/api/v1/openapi.json">OpenAPI 文档</a>' in html
    assert "<code>/api/v1/disclosures/{id}/versions/{number}</code>" in html
    assert "since=YYYY-MM-DD" in html
    assert "另列为数值列，单位取自标签，每个数值只在印出它的那一行出现一次" in html  # the forms' figures
    assert "（CC-BY-4.0）" in html
    assert "style=" not in html and "<script>" not in html  # the CSP allows neither


# ---------------------------------------------------------------------------
# 3. CORS
# ---------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/v1/", "/api/v1/disclosures", "/api/v1/openapi.json", "/api/v1/nowhere"])
def test_every_api_answer_may_be_read_from_any_origin_without_credentials(client, published_seed004, url):
    response = client.get(url, HTTP_ORIGIN="https://example.org")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response
    assert "ETag" in response["Access-Control-Expose-Headers"]


@pytest.mark.django_db
def test_a_preflight_is_answered_for_the_safe_methods_only(client, published_seed004):
    response = client.options(
        "/api/v1/disclosures", HTTP_ORIGIN="https://example.org", HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="if-none-match",
    )  # fmt: skip
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    assert "If-None-Match" in response["Access-Control-Allow-Headers"]
    assert response["Allow"] == "GET, HEAD, OPTIONS"
    assert "Access-Control-Allow-Credentials" not in response


@pytest.mark.django_db
def test_pages_outside_the_api_get_no_cors_headers(client, published_seed004):
    assert "Access-Control-Allow-Origin" not in client.get("/")
    assert "Access-Control-Allow-Origin" not in client.get("/open-data/")
    assert "Access-Control-Allow-Origin" not in client.get(f"/disclosures/{published_seed004.pk}/")


# ---------------------------------------------------------------------------
# 4. Unsafe methods
# ---------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("url", ["/api/v1/", "/api/v1/disclosures", "/api/v1/disclosures/{pk}", "/api/v1/openapi.json"])
def test_unsafe_methods_answer_a_json_405_not_the_csrf_page(published_seed004, method, url):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = getattr(client, method)(url.format(pk=published_seed004.pk), data="{}", content_type="application/json")
    assert response.status_code == 405
    assert response["Content-Type"] == "application/json"
    assert response["Allow"] == "GET, HEAD, OPTIONS"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response.json() == {"error": "只读接口，只接受 GET、HEAD 和 OPTIONS 请求。"}


@pytest.mark.django_db
def test_the_html_site_still_checks_csrf(published_seed004):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post("/accounts/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403


# ---------------------------------------------------------------------------
# 5. The data package validates offline
# ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_data_package_validates_with_frictionless_offline(client, published_seed004, tmp_path, no_network):
    import frictionless

    archive = package_of(client, published_seed004)
    archive.extractall(tmp_path)
    descriptor = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))
    assert descriptor["profile"] == "tabular-data-package"
    assert descriptor["created"] == "2025-02-26T00:00:00+08:00"
    assert datetime.datetime.fromisoformat(descriptor["created"]).utcoffset() == datetime.timedelta(hours=8)
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["type", "note", "rowNumber", "fieldName"])[:20]
    assert len(report.tasks) == len(descriptor["resources"]) == 18


@pytest.mark.django_db
def test_an_invalid_package_is_caught_by_the_same_validation(tmp_path, no_network):
    """The validation above can fail: a number column holding text is reported."""
    import frictionless

    (tmp_path / "t.csv").write_text("code,total\r\n201,abc\r\n", encoding="utf-8")
    descriptor = {
        "profile": "tabular-data-package", "name": "broken", "created": "2025-02-26T00:00:00+08:00",
        "resources": [{
            "name": "t", "path": "t.csv", "profile": "tabular-data-resource", "format": "csv",
            "schema": {"fields": [{"name": "code", "type": "string"}, {"name": "total", "type": "number"}]},
        }],
    }  # fmt: skip
    (tmp_path / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert not report.valid
    assert "type-error" in {row[0] for row in report.flatten(["type"])}


# ---------------------------------------------------------------------------
# 6. ?since= on the disclosure list
# ---------------------------------------------------------------------------


def publish_correction(disclosure, day):
    result, outcomes, _sections = read(SEED004)
    version = import_disclosure(
        result, region_path="辽宁省/抚顺市", department_name="抚顺市工业和信息化局", year=2025, kind="budget",
        approved_on=disclosure.approved_on, outcomes=outcomes,
    )  # fmt: skip
    assert (version.disclosure_id, version.number) == (disclosure.pk, 2)
    Version.objects.filter(pk=version.pk).update(status=Version.Status.PUBLISHED, published_on=day, change_note="更正")
    Disclosure.objects.filter(pk=disclosure.pk).update(published_version=version)


@pytest.mark.django_db
def test_since_lists_disclosures_published_or_corrected_on_or_after_the_day(client, published_seed000, published_seed004):
    def ids(since):
        response = client.get(f"/api/v1/disclosures?since={since}")
        assert response.status_code == 200
        return {r["id"] for r in response.json()["results"]}

    # seed000 published on 2025-02-08, seed004 on 2025-02-26
    assert ids("2025-02-08") == {published_seed000.pk, published_seed004.pk}
    assert ids("2025-02-09") == ids("2025-02-26") == {published_seed004.pk}
    assert ids("2025-02-27") == set()
    publish_correction(published_seed004, datetime.date(2025, 6, 1))
    assert ids("2025-06-01") == {published_seed004.pk}
    assert ids("2025-06-02") == set()
    assert client.get("/api/v1/disclosures?since=2025-02-01").json()["count"] == 2  # no duplicate for two versions


@pytest.mark.django_db
@pytest.mark.parametrize("since", ["2025-13-01", "20250101", "2025-W01-1", "yesterday", "", "2025-02-30"])
def test_a_malformed_since_is_a_json_400(client, published_seed004, since):
    response = client.get(f"/api/v1/disclosures?since={since}")
    assert response.status_code == 400
    assert "since" in response.json()["error"]
