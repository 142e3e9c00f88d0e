"""RULES.md A.5: once published, a disclosure stays online; nothing published is deleted."""

import pytest

from disclosures.models import AuditEvent


@pytest.mark.django_db
def test_a_published_version_cannot_be_deleted(published_seed004):
    version = published_seed004.published_version
    with pytest.raises(ValueError, match="已公开的版本不能删除"):
        version.delete()
    assert published_seed004.versions.filter(pk=version.pk, status="published").exists()


@pytest.mark.django_db
def test_the_audit_trail_records_import_and_publication_and_cannot_be_rewritten(published_seed004):
    events = list(AuditEvent.objects.filter(disclosure=published_seed004).order_by("pk"))
    # The back-fill kept the two names 保密审查 flags in 表9 (the document was already public), each recorded.
    assert [e.action for e in events] == ["import", "secrecy_decision", "secrecy_decision", "publish"]
    assert events[0].data["tables"] == 18 and events[0].data["source_file"] == "seed004_budget_2025.xlsx"
    assert sorted(e.data["text"] for e in events[1:3]) == ["佟*钰", "梁*辉"]
    assert events[3].data["published_on"] == "2025-02-26" and events[3].actor_name == "系统（命令行）"
    events[0].remarks = "改写"
    with pytest.raises(ValueError, match="只能追加"):
        events[0].save()
    with pytest.raises(ValueError, match="不能删除"):
        events[1].delete()
