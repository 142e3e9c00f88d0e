"""The read-only JSON API: every endpoint's answer, its OpenAPI document, and schemathesis against it."""

import json
from decimal import Decimal

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from openapi_spec_validator import validate
from schemathesis import GenerationMode

from disclosures.api.views import OPENAPI_PATH
from tests.factories import RegionFactory


def get(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, (url, response.content[:300])
    assert response["Content-Type"] == "application/json"
    return response.json()


def test_the_openapi_document_is_valid_and_served(client):
    document = json.loads(OPENAPI_PATH.read_text(encoding="utf-8"))
    validate(document)
    served = client.get("/api/v1/openapi.json").json()
    validate(served)
    # The document as kept, with the licence of the settings (OPEN_DATA_LICENSE_*).
    assert served["info"].pop("license") == {
        "name": "知识共享署名 4.0 国际许可协议（CC BY 4.0）", "url": "https://creativecommons.org/licenses/by/4.0/",
    }  # fmt: skip
    assert served == document
    assert set(document["paths"]) == {
        "/", "/regions", "/departments", "/disclosures", "/disclosures/{id}", "/disclosures/{id}/versions/{number}",
        "/search", "/openapi.json",
    }  # fmt: skip


@pytest.mark.django_db
def test_regions_are_a_tree_of_the_places_with_published_disclosures(client, published_seed000, published_seed004):
    RegionFactory(name="无公开省")
    data = get(client, "/api/v1/regions")
    assert [r["name"] for r in data["regions"]] == ["辽宁省"]
    liaoning = data["regions"][0]
    assert (liaoning["level"], liaoning["disclosures_count"]) == ("province", 1)
    assert [(c["name"], c["level"], c["disclosures_count"], c["children"]) for c in liaoning["children"]] == [
        ("抚顺市", "city", 1, [])
    ]


@pytest.mark.django_db
def test_departments_filter_by_region_with_its_children_and_by_level(client, published_seed000, published_seed004):
    liaoning = published_seed000.department.region
    fushun = published_seed004.department.region
    everyone = get(client, "/api/v1/departments")
    assert [d["name"] for d in everyone["results"]] == ["抚顺市工业和信息化局", "辽宁省互联网技术支撑中心"]
    assert everyone["results"][0]["region"] == {"id": fushun.pk, "name": "抚顺市", "level": "city", "path": "辽宁省/抚顺市"}
    assert everyone["results"][0]["disclosures_count"] == 1
    in_province = get(client, f"/api/v1/departments?region={liaoning.pk}")
    assert in_province["count"] == 2  # the province and the city under it
    assert [d["name"] for d in get(client, f"/api/v1/departments?region={fushun.pk}")["results"]] == ["抚顺市工业和信息化局"]
    assert [d["name"] for d in get(client, "/api/v1/departments?level=province")["results"]] == ["辽宁省互联网技术支撑中心"]
    assert get(client, "/api/v1/departments?level=village", status=400)["error"].startswith("参数 level")


@pytest.mark.django_db
def test_disclosures_filter_and_paginate(client, published_seed000, published_seed004):
    data = get(client, "/api/v1/disclosures")
    assert (data["count"], data["page"], data["pages"]) == (2, 1, 1)
    first = data["results"][0]
    assert first == {
        "id": published_seed004.pk,
        "department": {"id": published_seed004.department_id, "name": "抚顺市工业和信息化局", "code": ""},
        "region": {"id": published_seed004.department.region_id, "name": "抚顺市", "level": "city", "path": "辽宁省/抚顺市"},
        "year": 2025,
        "kind": "budget",
        "kind_label": "部门预算",
        "format": "liaoning-budget-18",
        "approved_on": "2025-01-24",
        "published_on": "2025-02-26",
        "current_version": 1,
        "url": f"/api/v1/disclosures/{published_seed004.pk}",
        "page_url": f"/disclosures/{published_seed004.pk}/",
    }
    paged = get(client, "/api/v1/disclosures?page_size=1&page=2")
    assert (paged["count"], paged["pages"], [r["id"] for r in paged["results"]]) == (2, 2, [published_seed000.pk])
    fushun = published_seed004.department.region_id
    assert [r["id"] for r in get(client, f"/api/v1/disclosures?region={fushun}")["results"]] == [published_seed004.pk]
    dept = published_seed000.department_id
    assert [r["id"] for r in get(client, f"/api/v1/disclosures?department={dept}")["results"]] == [published_seed000.pk]
    assert get(client, "/api/v1/disclosures?year=2024")["count"] == 0
    assert get(client, "/api/v1/disclosures?year=2025&kind=budget")["count"] == 2
    assert get(client, "/api/v1/disclosures?kind=final_accounts")["count"] == 0
    assert "year" in get(client, "/api/v1/disclosures?year=twenty", status=400)["error"]
    assert get(client, "/api/v1/disclosures?page_size=1000", status=400)["error"].startswith("参数 page_size")


@pytest.mark.django_db
def test_a_disclosure_carries_versions_sections_tables_rows_and_the_format(client, published_seed000):
    data = get(client, f"/api/v1/disclosures/{published_seed000.pk}")
    assert data["version"] == {"number": 1, "published_on": "2025-02-08", "change_note": "", "is_current": True}
    assert data["versions"] == [
        {"number": 1, "published_on": "2025-02-08", "change_note": "", "url": f"/api/v1/disclosures/{published_seed000.pk}/versions/1"}
    ]
    assert [s["title"] for s in data["sections"]] == ["部门职责", "机构设置", "情况说明", "名词解释"]
    assert [t["number"] for t in data["tables"]] == ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "16", "17", "18"]
    t3 = data["tables"][2]
    assert (t3["title"], t3["unit_label"], t3["is_empty"]) == ("支出预算总表", "万元", False)
    assert t3["columns"][3] == {
        "label": "基本支出", "key": "basic", "text": False,
        "children": [
            {"label": "小计", "key": "basic_subtotal", "text": False},
            {"label": "人员经费", "key": "basic_personnel", "text": False},
            {"label": "公用经费", "key": "basic_operating", "text": False},
        ],
    }  # fmt: skip
    total = t3["rows"][0]
    assert (total["kind"], total["is_total"], total["name"]) == ("total", True, "合计")
    # Amounts are strings with two decimals, never floats.
    assert total["values"] == {
        "total": "881.55", "basic_subtotal": "482.74", "basic_personnel": "446.36", "basic_operating": "36.38",
        "project": "398.81",
    }  # fmt: skip
    t8 = data["tables"][7]
    assert t8["is_empty"] and t8["note"] == "备注：如此表为空表，则表示部门无政府性基金预算安排的支出。"
    fmt = data["format_definition"]
    assert (fmt["code"], len(fmt["tables"])) == ("liaoning-budget-18", 18)
    assert [t["number"] for t in fmt["tables"] if not t["mandatory"]] == [
        t["number"] for t in fmt["tables"] if not t["mandatory"]
    ] and fmt["tables"][2]["columns"][0] == {"label": "科目编码", "key": "code", "text": True}
    assert data["downloads"]["pdf"] == f"/disclosures/{published_seed000.pk}/versions/1/download.pdf"
    assert get(client, f"/api/v1/disclosures/{published_seed000.pk}/versions/1") == data


@pytest.mark.django_db
def test_a_performance_form_gives_its_printed_amounts_once_as_figures(client, published_seed000):
    data = get(client, f"/api/v1/disclosures/{published_seed000.pk}")
    tables = {t["number"]: t for t in data["tables"]}
    t17 = tables["17"]
    assert t17["figure_columns"] == [{"key": "预算资金情况", "label": "预算资金情况", "unit": "万元", "is_amount": True}]
    printed = [(row["kind"], row["cells"]["_grid"][1][0], row["figures"]) for row in t17["rows"] if row["figures"]]
    assert printed == [
        ("field", "295.00", {"预算资金情况": "295.00"}),
        ("field", "28.81", {"预算资金情况": "28.81"}),
        ("field", "75.00", {"预算资金情况": "75.00"}),
    ]
    # Summed over the table: the projects' total once, as 表3 prints it (项目支出 398.81), not twice.
    assert sum(Decimal(row["figures"].get("预算资金情况", "0")) for row in t17["rows"]) == Decimal("398.81")
    # The stored values stay as they were: a project's first row still repeats its 预算资金情况.
    block = next(row for row in t17["rows"] if row["kind"] == "block")
    assert (block["values"], block["figures"]) == ({"amount": "295.00"}, {})
    assert tables["3"]["figure_columns"] == [] and tables["3"]["rows"][0]["figures"] == {}


@pytest.mark.django_db
def test_a_published_version_is_served_from_the_cache(client, published_seed000, django_assert_max_num_queries):
    url = f"/api/v1/disclosures/{published_seed000.pk}/versions/1"
    first = client.get(url)
    with django_assert_max_num_queries(2):  # find the published version; the document comes from the cache
        second = client.get(url)
    assert second.content == first.content
    assert "max-age=86400" in second["Cache-Control"]
    assert client.get(url, HTTP_IF_NONE_MATCH=second["ETag"]).status_code == 304


@pytest.mark.django_db
def test_unknown_disclosures_and_versions_are_json_404s(client, published_seed000):
    assert get(client, "/api/v1/disclosures/999999", status=404) == {"error": "没有这份已公开的预决算。"}
    assert get(client, f"/api/v1/disclosures/{published_seed000.pk}/versions/2", status=404) == {
        "error": "没有这个已公开的版本。"
    }


@pytest.mark.django_db
def test_search_finds_published_projects_and_lines_with_their_amounts(client, published_seed004, draft_seed004):
    from disclosures.search.indexer import rebuild

    rebuild()
    data = get(client, "/api/v1/search?q=老干部服务工作经费&group=project")
    assert data["count"] >= 1
    hit = data["results"][0]
    assert (hit["title"], hit["amount"], hit["disclosure"], hit["year"]) == ("老干部服务工作经费", "2.38", published_seed004.pk, 2025)
    assert hit["page_url"].startswith(f"/disclosures/{published_seed004.pk}/#table-")
    assert "老干部服务工作经费" in hit["text"]
    assert {r["disclosure"] for r in get(client, "/api/v1/search?q=行政运行&page_size=100")["results"]} <= {published_seed004.pk, None}
    assert get(client, "/api/v1/search?q=老干部服务工作经费&year=2024")["count"] == 0
    assert get(client, "/api/v1/search", status=400)["error"].startswith("参数 q")


@pytest.mark.django_db
def test_search_counts_at_most_the_cap_per_group_and_says_so(client, published_seed004, monkeypatch):
    """A term printed in every disclosure of a province is counted up to the cap, on the API as on the page."""
    from disclosures.search import query, views
    from disclosures.search.indexer import rebuild

    rebuild()
    uncapped = get(client, "/api/v1/search?q=支出&group=line&page_size=100")
    assert uncapped["count_capped"] is False and uncapped["count"] > 3
    monkeypatch.setattr(query, "COUNT_CAP", 3)
    monkeypatch.setattr(views, "COUNT_CAP", 3)
    capped = get(client, "/api/v1/search?q=支出&group=line&page_size=100&page=1&fresh=1")
    assert (capped["count"], capped["pages"], capped["count_capped"]) == (3, 1, True)
    assert len(capped["results"]) == 3
    page = client.get("/search/", {"q": "支出"}).content.decode()
    assert "（3+）" in page


# --- schemathesis: generated requests against the OpenAPI document --------------------------------
# schemathesis.pytest.from_fixture does not run under pytest 9 (it sets Function._nodeid), so each
# operation's strategy is driven with hypothesis directly; the checks are schemathesis's own.


@pytest.fixture
def api_schema(published_seed000, published_seed004, draft_seed004):
    # The test database lives in one transaction: keep Django's request signals from closing it.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler())
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_the_api_conforms_to_its_openapi_document(api_schema, mode):
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) == 7  # schemathesis leaves out the document's own path
    if mode == GenerationMode.NEGATIVE:  # only an operation with parameters can be sent invalid ones
        operations = [op for op in operations if op.path not in ("/", "/regions")]
    calls = []
    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=30, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def conforms(case):
            # The WSGI transport asks for gzip (as requests does) but hands the body over undecoded.
            response = case.call_and_validate(headers={"Accept-Encoding": "identity"})
            calls.append((case.operation.label, response.status_code))

        conforms()
    assert {label for label, _status in calls} == {op.label for op in operations}
    statuses = {status for _label, status in calls}
    assert statuses <= {200, 400, 404}
