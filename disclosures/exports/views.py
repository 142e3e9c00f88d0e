"""Downloads of published versions: the stored PDF, the workbook, CSV per table, the Fiscal Data Package; and the
bulk downloads of /open-data/ (disclosures.exports.bulk), which hold published versions only.

Every view starts from `published_version_or_404`, which starts from Disclosure.objects.published()
and a version whose status is published: a draft, a version under review or a discarded one is a
404 whatever the URL says. A published version is frozen, so the files are cached per version.
"""

import hashlib
from pathlib import Path

from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from disclosures.downloads import serve_stored
from disclosures.exports import csv as csv_export
from disclosures.exports import bulk, fdp, pdf, xlsx
from disclosures.models import BulkArchive, Disclosure, Version

# A version's files never change once published; a day lets proxies keep them without surprise.
MAX_AGE = 24 * 60 * 60
# A bulk archive is replaced by the next publication: kept briefly, then asked for again (ETag: its SHA-256).
BULK_MAX_AGE = 5 * 60
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def published_version_or_404(pk, number) -> Version:
    disclosure = get_object_or_404(Disclosure.objects.published().select_related("department__region"), pk=pk)
    version = get_object_or_404(disclosure.versions.filter(status=Version.Status.PUBLISHED), number=number)
    version.disclosure = disclosure
    return version


def _table_or_404(version, table_number):
    table = version.tables.filter(number=table_number).first()
    if table is None:
        raise Http404
    return table


# Raised whenever the files' layout changes, so that the cache does not serve files built by earlier code.
EXPORT_REVISION = 2


def _cached_bytes(kind, version, build, *extra):
    key = ":".join(["export", f"r{EXPORT_REVISION}", kind, str(version.pk), *map(str, extra)])
    content = cache.get(key)
    if content is None:
        content = build()
        cache.set(key, content, timeout=None)
    return content


def _respond(request, content, content_type, filename):
    etag = f'"{hashlib.sha256(content).hexdigest()[:32]}"'
    not_modified = get_conditional_response(request, etag=etag)
    if not_modified is not None:
        response = not_modified
    else:
        response = HttpResponse(content, content_type=content_type)
        # RFC 6266 / RFC 5987: Django writes filename*=utf-8''… for the Chinese name.
        response["Content-Disposition"] = content_disposition_header(True, filename)
        response["Content-Length"] = str(len(content))
    response["ETag"] = etag
    patch_cache_control(response, public=True, max_age=MAX_AGE)
    return response


@require_safe
def pdf_download(request, pk, number):
    """The PDF stored at publication (built now, once, if publication could not build it).

    Sent by disclosures/downloads.py: a signed URL of the object store, nginx's X-Accel-Redirect, or streamed
    here with byte ranges; a 304 when the visitor's copy (ETag or Last-Modified) is this one.
    """
    version = pdf.ensure_pdf(published_version_or_404(pk, number))
    return serve_stored(
        request,
        version.pdf,
        pdf.download_name(version, "pdf"),
        content_type="application/pdf",
        etag=f'"pdf-{Path(version.pdf.name).stem}"',
        max_age=MAX_AGE,
    )


@require_safe
def workbook_download(request, pk, number):
    version = published_version_or_404(pk, number)
    content = _cached_bytes("xlsx", version, lambda: xlsx.workbook_bytes(version))
    return _respond(request, content, XLSX_TYPE, pdf.download_name(version, "xlsx"))


@require_safe
def table_workbook_download(request, pk, number, table_number):
    version = published_version_or_404(pk, number)
    table = _table_or_404(version, table_number)
    build = lambda: xlsx.workbook_bytes(version, [table], with_figures=True)  # noqa: E731
    content = _cached_bytes("xlsx", version, build, table.number)
    name = pdf.download_name(version, "xlsx").replace(".xlsx", f"表{table.number} {table.title}.xlsx")
    return _respond(request, content, XLSX_TYPE, name)


@require_safe
def table_csv_download(request, pk, number, table_number):
    version = published_version_or_404(pk, number)
    table = _table_or_404(version, table_number)
    content = _cached_bytes("csv", version, lambda: csv_export.table_csv(table), table.number)
    name = pdf.download_name(version, "csv").replace(".csv", f"表{table.number} {table.title}.csv")
    return _respond(request, content, "text/csv; charset=utf-8", name)


@require_safe
def data_package_download(request, pk, number):
    version = published_version_or_404(pk, number)
    content = _cached_bytes("fdp", version, lambda: fdp.package_zip(version), fdp.cache_tag())
    return _respond(request, content, "application/zip", pdf.download_name(version, "zip").replace(".zip", "数据包.zip"))


@require_safe
def bulk_download(request, key):
    """A bulk archive, sent as the PDFs are (disclosures/downloads.py); rebuilt here if its file went missing."""
    archive = get_object_or_404(BulkArchive.objects.select_related("region"), key=key)
    if not archive.file or not archive.file.storage.exists(archive.file.name):
        archive = bulk.rebuild(archive.region, archive.year, force=True)
        if archive is None:
            raise Http404
    return serve_stored(
        request,
        archive.file,
        archive.download_name,
        content_type="application/zip",
        etag=f'"{archive.sha256[:32]}"',
        max_age=BULK_MAX_AGE,
    )


@require_safe
def bulk_checksums(request):
    """The SHA-256 of every bulk archive, as `sha256sum -c` reads it (against the names the files download as)."""
    body = "".join(f"{archive.sha256}  {archive.download_name}\n" for archive in bulk.listing())
    response = HttpResponse(body, content_type="text/plain; charset=utf-8")
    patch_cache_control(response, public=True, max_age=BULK_MAX_AGE)
    return response
