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
