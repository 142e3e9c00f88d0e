"""Nothing unpublished leaves the portal through a download or the API, whatever the URL says."""

import pytest

from disclosures.exports.pdf import store_pdf
from disclosures.models import Version
from disclosures.services import import_disclosure
from tests.conftest import SEED004, read


def download_urls(pk, number, table="3"):
    base = f"/disclosures/{pk}/versions/{number}"
    return [
        f"{base}/download.pdf",
        f"{base}/download.xlsx",
        f"{base}/datapackage.zip",
        f"{base}/tables/{table}.csv",
        f"{base}/tables/{table}.xlsx",
        f"/api/v1/disclosures/{pk}/versions/{number}",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["draft", "under_review", "passed", "discarded"])
def test_no_download_or_api_path_serves_an_unpublished_version(client, draft_seed004, published_seed000, status):
    Version.objects.filter(disclosure=draft_seed004).update(status=status)
    for url in [*download_urls(draft_seed004.pk, 1), f"/api/v1/disclosures/{draft_seed004.pk}"]:
        assert client.get(url).status_code == 404, url
    # The published one next to it is served.
    assert client.get(f"/disclosures/{published_seed000.pk}/versions/1/tables/3.csv").status_code == 200


@pytest.mark.django_db
def test_a_correction_in_progress_stays_hidden_while_the_published_version_is_served(client, published_seed004):
    result, outcomes, _sections = read(SEED004)
    draft = import_disclosure(
        result, region_path="辽宁省/抚顺市", department_name="抚顺市工业和信息化局", year=2025, kind="budget",
        approved_on=published_seed004.approved_on, outcomes=outcomes,
    )  # fmt: skip
    assert (draft.disclosure_id, draft.number, draft.status) == (published_seed004.pk, 2, "draft")
    for url in download_urls(published_seed004.pk, 2):
        assert client.get(url).status_code == 404, url
    for url in download_urls(published_seed004.pk, 1)[1:]:
        assert client.get(url).status_code == 200, url
    document = client.get(f"/api/v1/disclosures/{published_seed004.pk}").json()
    assert [v["number"] for v in document["versions"]] == [1]
    assert document["version"]["number"] == 1


@pytest.mark.django_db
def test_lists_and_the_region_tree_leave_out_drafts(client, draft_seed004, published_seed000):
    assert [d["id"] for d in client.get("/api/v1/disclosures").json()["results"]] == [published_seed000.pk]
    assert client.get(f"/api/v1/disclosures?department={draft_seed004.department_id}").json()["count"] == 0
    assert client.get(f"/api/v1/disclosures?region={draft_seed004.department.region_id}").json()["count"] == 0
    names = [d["name"] for d in client.get("/api/v1/departments?page_size=100").json()["results"]]
    assert names == ["辽宁省互联网技术支撑中心"]
    tree = client.get("/api/v1/regions").json()["regions"]
    assert [(r["name"], r["children"]) for r in tree] == [("辽宁省", [])]  # 抚顺市 holds only a draft


@pytest.mark.django_db
def test_the_pdf_is_built_only_for_published_versions(draft_seed004):
    with pytest.raises(ValueError):
        store_pdf(draft_seed004.versions.get())


@pytest.mark.django_db
def test_the_staff_preview_of_a_draft_shows_no_download_links(client, draft_seed004, staff):
    from disclosures.models import Membership
    from tests.factories import MembershipFactory

    MembershipFactory(user=staff.editor_a, role=Membership.Role.EDITOR, department=draft_seed004.department)
    client.force_login(staff.editor_a)
    page = client.get(f"/staff/versions/{draft_seed004.versions.get().pk}/").content.decode()
    assert "抚顺市发展和改革委员会" in page
    assert "download.pdf" not in page and ".csv" not in page and "datapackage.zip" not in page


@pytest.mark.django_db
def test_api_search_finds_nothing_of_a_draft(client, draft_seed004, published_seed000):
    from disclosures.search.indexer import rebuild

    rebuild()
    assert client.get("/api/v1/search?q=老干部服务工作经费").json()["count"] == 0  # a project of the draft only
    assert client.get("/api/v1/search?q=抚顺市发展和改革委员会").json()["count"] == 0
    assert client.get("/api/v1/search?q=互联网技术支撑中心").json()["count"] >= 1


def archive_texts(client, key):
    """Every file of a bulk archive, as text."""
    import io
    import zipfile

    response = client.get(f"/open-data/bulk/{key}.zip")
    assert response.status_code == 200, key
    content = b"".join(response.streaming_content) if response.streaming else response.content
    archive = zipfile.ZipFile(io.BytesIO(content))
    return {name: archive.read(name).decode("utf-8") for name in archive.namelist()}


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["draft", "under_review", "passed", "discarded"])
def test_bulk_archives_hold_no_unpublished_disclosure(client, draft_seed004, published_seed000, status):
    from disclosures.exports import bulk
    from disclosures.models import BulkArchive

    Version.objects.filter(disclosure=draft_seed004).update(status=status)
    bulk.rebuild_all()
    # 抚顺市 holds only the draft: it has no archive, and its region-year address is a 404.
    city = draft_seed004.department.region
    assert set(BulkArchive.objects.values_list("key", flat=True)) == {"all", f"region-{city.parent_id}-2025"}
    assert client.get(f"/open-data/bulk/region-{city.pk}-2025.zip").status_code == 404
    for key in ("all", f"region-{city.parent_id}-2025"):
        files = archive_texts(client, key)
        assert not any("抚顺市发展和改革委员会" in text for text in files.values()), key
        assert not any(name.startswith("2025/辽宁省/抚顺市/") for name in files), key
        assert "辽宁省互联网技术支撑中心" in files["datapackage.json"]
    # Nor does the page, the API's index or the checksum list name it.
    assert "抚顺市" not in client.get("/open-data/").content.decode().split('id="bulk"')[1].split("<h2>")[0]
    assert all(entry["region"] is None or entry["region"]["name"] == "辽宁省" for entry in client.get("/api/v1/").json()["bulk_downloads"])
    assert "抚顺市" not in client.get("/open-data/bulk/SHA256SUMS").content.decode()


@pytest.mark.django_db
def test_bulk_archives_keep_the_published_version_while_a_correction_is_in_progress(client, published_seed004, tmp_path):
    from disclosures.exports import bulk
    from tests.conftest import save, seed004_with_rounding_gap

    bulk.rebuild_all()
    before = archive_texts(client, "all")
    draft = save(seed004_with_rounding_gap(tmp_path))  # 表3 2080501: 336.42 → 336.43, not published
    assert (draft.number, draft.status) == (2, "draft")
    bulk.rebuild_all(force=True)
    after = archive_texts(client, "all")
    assert after == before
    table3 = after["2025/辽宁省/抚顺市/抚顺市工业和信息化局/部门预算/table-3.csv"]
    assert "2080501,行政单位离退休,3,,208,20805,2080501,336.42," in table3 and "336.43" not in table3


@pytest.mark.django_db
def test_the_bulk_task_builds_nothing_for_an_unpublished_version(draft_seed004):
    from disclosures.models import BulkArchive
    from disclosures.tasks import rebuild_bulk_archives

    assert rebuild_bulk_archives(draft_seed004.versions.get().pk) == []
    assert not BulkArchive.objects.exists()
