"""Bulk downloads: one zip of everything published, and one per region (with the regions below it) and year.

Each zip holds one CSV per table of each disclosure's current published version (the same files as the
version's own data package, disclosures.exports.fdp), under <year>/<region>/<department>/<kind>/, one
`datapackage.json` describing them all, and `SHA256SUMS` (`sha256sum -c SHA256SUMS` checks the unzipped files).
Only Disclosure.objects.published() and each one's current version go in: a draft, a correction not yet
published or a superseded version never does.

The archives are rebuilt when a version is published (disclosures.exports.receivers, disclosures.tasks), and by
`manage.py build_bulk_archives`. A rebuild is idempotent: an archive whose content would be the same (`state`: the
published versions it holds and the layout's revision) is left as it is. The zip's bytes depend only on what it
holds (the entries' dates and `created` are the newest publication's day), so its SHA-256 changes only with its
content. Files go through Django's storage API (a folder on disk, or the object store in production) under a
new name each time; the row names the new file only once it is complete, and the old file is then deleted.
"""

import hashlib
import io
import json
import logging
import re
import tempfile
import zipfile

from django.core.files import File
from django.db import transaction
from django.utils import timezone

from disclosures.api.open_data import licence
from disclosures.exports import fdp
from disclosures.models import BulkArchive, Disclosure, Region

logger = logging.getLogger(__name__)

# Raised whenever the archive's layout changes, so that every archive is rebuilt.
REVISION = 1
CHECKSUMS = "SHA256SUMS"
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


# ---- What an archive holds ----


def published_in(region, year):
    """The published disclosures of a scope, with their current version, in a stable order."""
    disclosures = Disclosure.objects.published().select_related("department__region", "published_version")
    if region is not None:
        disclosures = disclosures.filter(department__region_id__in=region.descendant_ids(), year=year)
    return list(disclosures.order_by("year", "department__region_id", "department__name", "kind", "pk"))


def scopes_of(disclosure) -> list[tuple]:
    """(region, year) of every archive a disclosure is in: everything, its region's and each region above's year."""
    return [(None, None), *((region, disclosure.year) for region in disclosure.department.region.ancestors())]


def all_scopes() -> list[tuple]:
    regions = {region.pk: region for region in Region.objects.all()}
    scopes = {(None, None)}
    pairs = Disclosure.objects.published().values_list("department__region_id", "year").distinct()
    for region_id, year in pairs:
        node = regions.get(region_id)
        while node is not None:
            scopes.add((node.pk, year))
            node = regions.get(node.parent_id)
    return [(None, None)] + sorted(((regions[pk], year) for pk, year in scopes if pk is not None),
                                   key=lambda scope: (-scope[1], scope[0].path))  # fmt: skip


def state(disclosures) -> str:
    """What the archive's bytes depend on: the versions it holds, the layout and the data package's own state."""
    held = [(d.pk, d.published_version_id) for d in disclosures]
    return hashlib.sha256(repr((REVISION, fdp.cache_tag(), held)).encode()).hexdigest()


# ---- Writing the zip ----


def _safe(part: str) -> str:
    return _UNSAFE.sub("_", part).strip() or "_"


def folder(disclosure) -> str:
    department = disclosure.department
    parts = [str(disclosure.year), *department.region.path.split("/"), department.name, disclosure.get_kind_display()]
    return "/".join(_safe(part) for part in parts)


def _prefixed(model, prefix, names):
    """The model's measures and dimensions under names unique in the archive, pointing at the renamed resources."""

    def renamed(entry):
        entry = dict(entry)
        if "resource" in entry:
            entry["resource"] = names[entry["resource"]]
        if "attributes" in entry:
            entry["attributes"] = {key: renamed(value) for key, value in entry["attributes"].items()}
        return entry

    return {f"{prefix}-{key}": renamed(value) for key, value in model.items()}


def _disclosure_entry(disclosure, version, path):
    department = disclosure.department
    return {
        "id": disclosure.pk,
        "department": department.name,
        "region": department.region.path,
        "year": disclosure.year,
        "kind": disclosure.kind,
        "kind_label": disclosure.get_kind_display(),
        "version": version.number,
        "published_on": version.published_on.isoformat() if version.published_on else None,
        "path": path,
        "page_url": disclosure.get_absolute_url(),
    }


def _descriptor(region, year, disclosures, resources, measures, dimensions, entries):
    if region is None:
        name, title = "yujuesuan-all", "预决算公开数据：全部"
        years = [d.year for d in disclosures]
        period = {"start": f"{min(years)}-01-01", "end": f"{max(years)}-12-31"}
    else:
        name, title = f"yujuesuan-region-{region.pk}-{year}", f"预决算公开数据：{region.path} {year} 年"
        period = {"start": f"{year}-01-01", "end": f"{year}-12-31"}
    days = [d.published_version.published_on for d in disclosures if d.published_version.published_on]
    newest = max(days, default=None)
    descriptor = {
        "profile": "tabular-data-package",
        "name": name,
        "title": title,
        "description": f"{len(disclosures)} 份已公开的部门预算、决算（各取现行公开版本），每张公开表一个 CSV 文件。",
        "countryCode": "CN",
        "granularity": "aggregated",
        "fiscalPeriod": period,
        "created": fdp.created(newest),
        "licenses": [licence()],
        "disclosures": entries,
        "resources": resources,
        "model": {"measures": measures, "dimensions": dimensions},
    }
    if descriptor["created"] is None:
        del descriptor["created"]
    return descriptor, newest


def write_archive(handle, region, year, disclosures) -> None:
    """Write the zip of `disclosures` to the binary file `handle`."""
    resources, measures, dimensions, entries, files = [], {}, {}, [], []
    for disclosure in disclosures:
        version = disclosure.published_version
        version.disclosure = disclosure
        descriptor, contents = fdp.package(version)
        base, prefix = folder(disclosure), f"d{disclosure.pk}"
        names = {}
        heading = f"{disclosure.department.name} {disclosure.year} 年{disclosure.get_kind_display()}"
        for resource in descriptor["resources"]:
            names[resource["name"]] = f"{prefix}-{resource['name']}"
            path = f"{base}/{resource['path']}"
            files.append((path, contents[resource["path"]]))
            resources.append(
                {**resource, "name": names[resource["name"]], "path": path, "title": f"{heading} {resource['title']}"}
            )
        measures.update(_prefixed(descriptor["model"]["measures"], prefix, names))
        dimensions.update(_prefixed(descriptor["model"]["dimensions"], prefix, names))
        entries.append(_disclosure_entry(disclosure, version, base))
    descriptor, newest = _descriptor(region, year, disclosures, resources, measures, dimensions, entries)
    files.insert(0, ("datapackage.json", json.dumps(descriptor, ensure_ascii=False, indent=2).encode("utf-8")))
    # The entries are dated by the newest publication, not by the build, so the same content gives the same bytes.
    stamp = (newest.year, newest.month, newest.day, 0, 0, 0) if newest else (1980, 1, 1, 0, 0, 0)
    sums = io.StringIO()
    with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path, content in files:
            archive.writestr(zipfile.ZipInfo(path, date_time=stamp), content, compress_type=zipfile.ZIP_DEFLATED)
            sums.write(f"{hashlib.sha256(content).hexdigest()}  {path}\n")
        archive.writestr(zipfile.ZipInfo(CHECKSUMS, date_time=stamp), sums.getvalue().encode("utf-8"),
                         compress_type=zipfile.ZIP_DEFLATED)  # fmt: skip


def read_checksums(text: str) -> dict:
    """{path: sha256} of a SHA256SUMS file."""
    return {line[66:]: line[:64] for line in text.splitlines() if line}


# ---- Storing it ----


def _storage():
    return BulkArchive._meta.get_field("file").storage


def _digest(handle) -> tuple[str, int]:
    handle.seek(0)
    digest, size = hashlib.sha256(), 0
    for chunk in iter(lambda: handle.read(1024 * 1024), b""):
        digest.update(chunk)
        size += len(chunk)
    handle.seek(0)
    return digest.hexdigest(), size


def _stored(archive) -> bool:
    return bool(archive.file) and archive.file.storage.exists(archive.file.name)


def rebuild(region, year, *, force=False):
    """Bring one scope's archive up to date; returns it (None when the scope holds nothing published)."""
    key = BulkArchive.key_for(region, year)
    disclosures = published_in(region, year)
    archive = BulkArchive.objects.filter(key=key).first()
    if not disclosures:
        if archive is not None:
            _discard(archive)
        return None
    wanted = state(disclosures)
    if archive is not None and archive.state == wanted and not force and _stored(archive):
        return archive
    with tempfile.TemporaryFile() as handle:
        write_archive(handle, region, year, disclosures)
        sha256, size = _digest(handle)
        name = _storage().save(f"bulk/{key}-{sha256[:16]}.zip", File(handle))
    with transaction.atomic():
        archive = BulkArchive.objects.select_for_update().filter(key=key).first()
        if state(published_in(region, year)) != wanted:
            # Something was published meanwhile: the rebuild it queued writes the newer archive.
            _storage().delete(name)
            return archive
        old = archive.file.name if archive is not None and archive.file else None
        archive = archive or BulkArchive(key=key, region=region, year=year)
        archive.file.name = name
        archive.size, archive.sha256, archive.state = size, sha256, wanted
        archive.disclosures_count = len(disclosures)
        archive.built_at = timezone.now()
        archive.save()
    if old and old != name:
        transaction.on_commit(lambda: _storage().delete(old))
    logger.info("批量下载文件已生成：%s（%s 份预决算，%s 字节）", key, len(disclosures), size)
    return archive


def _discard(archive):
    name = archive.file.name
    archive.delete()
    if name:
        _storage().delete(name)


def rebuild_for(disclosure) -> list:
    """The archives a publication of `disclosure` changes, brought up to date."""
    return [rebuild(region, year) for region, year in scopes_of(disclosure)]


def rebuild_all(*, force=False) -> list:
    """Every scope's archive up to date, and the archives of scopes that no longer hold anything removed."""
    archives = [rebuild(region, year, force=force) for region, year in all_scopes()]
    kept = {archive.pk for archive in archives if archive is not None}
    for stale in BulkArchive.objects.exclude(pk__in=kept):
        _discard(stale)
    return [archive for archive in archives if archive is not None]


def listing():
    """The stored archives, everything first, then by year (newest first) and region."""
    archives = BulkArchive.objects.select_related("region").exclude(file="")
    return sorted(archives, key=lambda a: (a.region_id is not None, -(a.year or 0), a.region.path if a.region else ""))
