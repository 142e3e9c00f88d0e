"""Bulk downloads on /open-data/: a zip of everything and one per region and year, each with a CSV per table,
one datapackage.json and SHA256SUMS; rebuilt on publication, stored through the storage API, listed with their
size, date and SHA-256 on the page and in the API's index."""

import datetime
import hashlib
import io
import json
import re
import socket
import zipfile
from io import StringIO

import pytest
from django.core.management import call_command

from disclosures.exports import bulk
from disclosures.models import BulkArchive, Region
from tests.conftest import SEED000, SEED000_SECTIONS, SEED004, save, seed004_with_rounding_gap

FUSHUN_INDUSTRY = "2025/辽宁省/抚顺市/抚顺市工业和信息化局/部门预算"
PROVINCE_CENTRE = "2025/辽宁省/辽宁省互联网技术支撑中心/部门预算"


def archive_of(client, key):
    response = client.get(f"/open-data/bulk/{key}.zip")
    assert response.status_code == 200, key
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return response, content, zipfile.ZipFile(io.BytesIO(content))


def table_rows(archive, path):
    import csv

    return list(csv.DictReader(io.StringIO(archive.read(path).decode("utf-8"))))


@pytest.fixture
def built(published_seed000, published_seed004):
    call_command("build_bulk_archives", stdout=StringIO())
    return published_seed000, published_seed004


@pytest.mark.django_db
def test_it_builds_one_archive_for_everything_and_one_per_region_and_year(built):
    fushun = Region.objects.get(name="抚顺市")
    province = fushun.parent
    archives = {a.key: (a.scope_label, a.disclosures_count) for a in bulk.listing()}
    assert archives == {
        "all": ("全部已公开数据", 2),
        f"region-{province.pk}-2025": ("辽宁省 2025 年", 2),  # the province and the city below it
        f"region-{fushun.pk}-2025": ("辽宁省/抚顺市 2025 年", 1),
    }
    assert [a.key for a in bulk.listing()][0] == "all"


@pytest.mark.django_db
def test_the_archive_holds_a_csv_per_table_one_datapackage_and_checksums(client, built):
    _seed000, seed004 = built
    response, content, archive = archive_of(client, "all")
    assert response["Content-Type"] == "application/zip"
    assert "filename*=utf-8''" in response["Content-Disposition"]
    stored = BulkArchive.objects.get(key="all")
    assert hashlib.sha256(content).hexdigest() == stored.sha256 and len(content) == stored.size
    names = archive.namelist()
    assert names[0] == "datapackage.json" and names[-1] == "SHA256SUMS"
    assert len(names) == 2 + 18 + 15  # seed004 prints all 18 tables, seed000 15 of them
    assert f"{FUSHUN_INDUSTRY}/table-3.csv" in names and f"{PROVINCE_CENTRE}/table-17.csv" in names
    sums = bulk.read_checksums(archive.read("SHA256SUMS").decode())
    assert set(sums) == set(names) - {"SHA256SUMS"}
    for name, digest in sums.items():
        assert hashlib.sha256(archive.read(name)).hexdigest() == digest, name
    # The same CSV as the version's own data package, figure for figure.
    own = zipfile.ZipFile(io.BytesIO(client.get(f"/disclosures/{seed004.pk}/versions/1/datapackage.zip").content))
    assert archive.read(f"{FUSHUN_INDUSTRY}/table-3.csv") == own.read("table-3.csv")
    total = next(r for r in table_rows(archive, f"{FUSHUN_INDUSTRY}/table-3.csv") if r["name"] == "合计")
    assert total["total"] == "1425.40"


@pytest.mark.django_db
def test_its_datapackage_describes_every_disclosure_and_validates_offline(client, built, tmp_path, monkeypatch):
    import frictionless

    _response, _content, archive = archive_of(client, "all")
    archive.extractall(tmp_path)

    def refuse(*args, **kwargs):
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    descriptor = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))
    assert descriptor["name"] == "yujuesuan-all"
    assert descriptor["licenses"][0]["name"] == "CC-BY-4.0"
    assert descriptor["created"] == "2025-02-26T00:00:00+08:00"  # the newest publication, not the build
    assert [(d["department"], d["version"], d["path"]) for d in descriptor["disclosures"]] == [
        ("辽宁省互联网技术支撑中心", 1, PROVINCE_CENTRE),
        ("抚顺市工业和信息化局", 1, FUSHUN_INDUSTRY),
    ]
    resource = next(r for r in descriptor["resources"] if r["path"] == f"{FUSHUN_INDUSTRY}/table-3.csv")
    assert resource["title"] == "抚顺市工业和信息化局 2025 年部门预算 表3 支出预算总表"
    measure = descriptor["model"]["measures"][f"d{built[1].pk}-table-3-total"]
    assert (measure["resource"], measure["factor"]) == (resource["name"], 10000)
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["type", "note", "rowNumber", "fieldName"])[:20]
    assert len(report.tasks) == 33


@pytest.mark.django_db
def test_the_open_data_page_and_the_api_index_list_size_date_and_sha256(client, built):
    stored = {a.key: a for a in BulkArchive.objects.all()}
    html = client.get("/open-data/").content.decode()
    assert '<h2 id="bulk">批量下载</h2>' in html
    for archive in stored.values():
        assert f'href="/open-data/bulk/{archive.key}.zip"' in html
        assert f'<code class="checksum">{archive.sha256}</code>' in html
    assert ">全部已公开数据</a>" in html and ">辽宁省/抚顺市 2025 年</a>" in html
    assert re.search(r"<td>\d+(\.\d)?\xa0KB</td>", html)  # the size, in words a reader knows
    index = client.get("/api/v1/").json()
    listed = {entry["scope"]: entry for entry in index["bulk_downloads"]}
    assert set(listed) == set(stored)
    everything = listed["all"]
    assert everything["url"] == "/open-data/bulk/all.zip" and everything["region"] is None
    assert (everything["size"], everything["sha256"]) == (stored["all"].size, stored["all"].sha256)
    assert everything["disclosures_count"] == 2 and everything["built_at"].endswith("+08:00")
    city = next(e for e in listed.values() if e["title"] == "辽宁省/抚顺市 2025 年")
    assert (city["region"]["path"], city["year"], city["filename"]) == ("辽宁省/抚顺市", 2025, "预决算公开数据_辽宁省_抚顺市_2025年.zip")
    sums = client.get("/open-data/bulk/SHA256SUMS").content.decode()
    assert f"{stored['all'].sha256}  预决算公开数据_全部.zip\n" in sums


@pytest.mark.django_db
def test_the_page_says_when_there_is_nothing_to_download_yet(client):
    html = client.get("/open-data/").content.decode()
    assert "尚无批量下载文件" in html
    assert client.get("/api/v1/").json()["bulk_downloads"] == []
    assert client.get("/open-data/bulk/all.zip").status_code == 404


@pytest.mark.django_db
def test_a_rebuild_with_nothing_new_keeps_the_stored_file(built):
    before = {a.key: (a.file.name, a.sha256, a.built_at) for a in BulkArchive.objects.all()}
    out = StringIO()
    call_command("build_bulk_archives", stdout=out)
    assert {a.key: (a.file.name, a.sha256, a.built_at) for a in BulkArchive.objects.all()} == before
    assert "批量下载文件共 3 个。" in out.getvalue()
    call_command("build_bulk_archives", "--force", stdout=StringIO())
    after = {a.key: a.sha256 for a in BulkArchive.objects.all()}
    assert after == {key: sha for key, (_name, sha, _at) in before.items()}  # the same content, the same bytes


@pytest.mark.django_db
def test_publication_and_correction_rebuild_the_archives_holding_the_disclosure(
    client, settings, django_capture_on_commit_callbacks, tmp_path
):
    settings.BULK_ARCHIVES_ON_PUBLISH = "inline"
    with django_capture_on_commit_callbacks(execute=True):
        save(SEED000, department="辽宁省互联网技术支撑中心", region="辽宁省", published_on=datetime.date(2025, 2, 8),
             sections_path=SEED000_SECTIONS)  # fmt: skip
    assert {a.scope_label for a in bulk.listing()} == {"全部已公开数据", "辽宁省 2025 年"}
    with django_capture_on_commit_callbacks(execute=True):
        save(SEED004, published_on=datetime.date(2025, 2, 26))
    assert BulkArchive.objects.get(key="all").disclosures_count == 2
    first = BulkArchive.objects.get(key="all")
    first_file = first.file.name

    # A correction of seed004 (表3 2080501: 336.42 → 336.43) published later replaces version 1 in every archive.
    with django_capture_on_commit_callbacks(execute=True):
        corrected = save(seed004_with_rounding_gap(tmp_path), published_on=datetime.date(2025, 3, 10))
    assert (corrected.number, corrected.status) == (2, "published")
    latest = BulkArchive.objects.get(key="all")
    assert latest.sha256 != first.sha256
    assert not latest.file.storage.exists(first_file)  # the superseded file is deleted
    for key in ("all", BulkArchive.key_for(Region.objects.get(name="抚顺市"), 2025)):
        _response, _content, archive = archive_of(client, key)
        item = next(r for r in table_rows(archive, f"{FUSHUN_INDUSTRY}/table-3.csv") if r["code"] == "2080501")
        assert item["total"] == "336.43"
        held = json.loads(archive.read("datapackage.json"))["disclosures"]
        entry = next(d for d in held if d["department"] == "抚顺市工业和信息化局")
        assert (entry["version"], entry["published_on"]) == (2, "2025-03-10")


@pytest.mark.django_db
def test_publication_leaves_the_archives_alone_when_switched_off(settings, django_capture_on_commit_callbacks):
    settings.BULK_ARCHIVES_ON_PUBLISH = "off"
    with django_capture_on_commit_callbacks(execute=True):
        save(SEED004, published_on=datetime.date(2025, 2, 26))
    assert not BulkArchive.objects.exists()


@pytest.mark.django_db
def test_a_missing_file_is_built_again_when_downloaded(client, built):
    stored = BulkArchive.objects.get(key="all")
    stored.file.storage.delete(stored.file.name)
    _response, content, _archive = archive_of(client, "all")
    assert hashlib.sha256(content).hexdigest() == stored.sha256  # the same content, the same bytes
