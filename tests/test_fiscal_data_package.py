"""The Fiscal Data Package of a disclosure: datapackage.json and one CSV per table, zipped."""

import csv
import io
import json
import zipfile
from decimal import Decimal

import pytest


@pytest.fixture
def package(client, published_seed004):
    response = client.get(f"/disclosures/{published_seed004.pk}/versions/1/datapackage.zip")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    return archive, json.loads(archive.read("datapackage.json"))


def rows(archive, path):
    return list(csv.DictReader(io.StringIO(archive.read(path).decode("utf-8"))))


def test_it_describes_the_disclosure_and_lists_one_csv_per_table(package):
    archive, descriptor = package
    # A profile validators carry (tests/test_open_data.py validates it offline); the model makes it fiscal.
    assert descriptor["profile"] == "tabular-data-package"
    assert descriptor["title"] == "抚顺市工业和信息化局2025年部门预算（第 1 版）"
    assert descriptor["fiscalPeriod"] == {"start": "2025-01-01", "end": "2025-12-31"}
    assert descriptor["countryCode"] == "CN"
    paths = [r["path"] for r in descriptor["resources"]]
    assert len(paths) == 18 and paths[2] == "table-3.csv"
    assert sorted(archive.namelist()) == sorted(["datapackage.json", *paths])
    fields = descriptor["resources"][2]["schema"]["fields"]
    assert [f["name"] for f in fields[:7]] == ["code", "name", "level", "unit_code", "level1_code", "level2_code", "level3_code"]
    assert {"name": "basic_personnel", "title": "基本支出/人员经费", "type": "number", "decimalChar": "."} in fields


def test_function_codes_are_split_into_class_section_and_item_levels(package):
    archive, descriptor = package
    table3 = rows(archive, "table-3.csv")
    item = next(r for r in table3 if r["code"] == "2080501")
    assert (item["level1_code"], item["level2_code"], item["level3_code"]) == ("208", "20805", "2080501")
    assert (item["name"], item["level"], item["total"], item["basic_personnel"]) == ("行政单位离退休", "3", "336.42", "295.42")
    section = next(r for r in table3 if r["code"] == "20805")
    assert (section["level1_code"], section["level2_code"], section["level3_code"]) == ("208", "20805", "")
    dimension = descriptor["model"]["dimensions"]["functional-classification-table-3"]
    assert (dimension["dimensionType"], dimension["classificationType"]) == ("classification", "functional")
    assert dimension["attributes"]["level3"] == {"source": "level3_code", "resource": "table-3", "parent": "level2"}
    assert dimension["attributes"]["label"] == {"source": "name", "resource": "table-3", "labelfor": "code"}


def test_economic_codes_map_to_an_economic_classification_of_two_levels(package):
    archive, descriptor = package
    dimension = descriptor["model"]["dimensions"]["economic-classification-table-6"]
    assert dimension["classificationType"] == "economic"
    assert set(dimension["attributes"]) == {"code", "label", "level1", "level2"}
    basic_wage = next(r for r in rows(archive, "table-6.csv") if r["code"] == "30101")
    assert (basic_wage["level1_code"], basic_wage["level2_code"]) == ("301", "30101")


def test_measures_have_currency_factor_direction_and_phase(package):
    _archive, descriptor = package
    measures = descriptor["model"]["measures"]
    assert measures["table-3-total"] == {
        "source": "total",
        "resource": "table-3",
        "title": "表3 合计",
        "currency": "CNY",
        "factor": 10000,
        "direction": "expenditure",
        "phase": "approved",
    }
    # 表1: the income side is revenue, the spending side expenditure; 表2 is all income.
    assert measures["table-1-income_amount"]["direction"] == "revenue"
    assert measures["table-1-expenditure_amount"]["direction"] == "expenditure"
    assert {m["direction"] for k, m in measures.items() if k.startswith("table-2-")} == {"revenue"}
    assert {m["phase"] for m in measures.values()} == {"approved"}
    # 绩效目标表: the 预算资金情况 their text prints is one measure each (their targets are not amounts).
    assert measures["table-17-预算资金情况"] == {
        "source": "预算资金情况",
        "resource": "table-17",
        "title": "表17 预算资金情况（万元）",
        "currency": "CNY",
        "factor": 10000,
        "direction": "expenditure",
        "phase": "approved",
    }
    assert sorted(k for k in measures if k.startswith(("table-16-", "table-17-"))) == [
        "table-16-预算资金情况", "table-17-预算资金情况",
    ]  # fmt: skip


@pytest.mark.django_db
def test_final_accounts_are_executed(client, published_seed004):
    published_seed004.kind = "final_accounts"
    published_seed004.save(update_fields=["kind"])
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/disclosures/{published_seed004.pk}/versions/1/datapackage.zip").content))
    measures = json.loads(archive.read("datapackage.json"))["model"]["measures"]
    assert {m["phase"] for k, m in measures.items() if not k.startswith(("table-16-", "table-17-"))} == {"executed"}
    # A performance form's 预算资金情况 names the budget, whatever the disclosure.
    assert measures["table-17-预算资金情况"]["phase"] == "approved"


def test_a_performance_form_gives_each_printed_amount_once_as_a_number(package):
    archive, descriptor = package
    resource = next(r for r in descriptor["resources"] if r["name"] == "table-17")
    field = next(f for f in resource["schema"]["fields"] if f["name"] == "预算资金情况")
    assert field == {"name": "预算资金情况", "title": "预算资金情况（万元）", "type": "number", "unit": "万元", "decimalChar": "."}
    table17 = rows(archive, "table-17.csv")
    filled = [r for r in table17 if r["预算资金情况"]]
    # Printed once per project, on its 预算资金情况 line; the project's first line no longer repeats it.
    assert all(r["name"].startswith("预算资金情况 ") for r in filled)
    assert len(filled) == 7
    # Their sum is the projects' total once, as 表3 prints it (项目支出 218.12), not twice.
    assert sum(Decimal(r["预算资金情况"]) for r in filled) == Decimal("218.12")
    block = next(r for r in table17 if r["name"].startswith("项目(政策)名称"))
    assert block["预算资金情况"] == ""
