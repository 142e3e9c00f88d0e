"""The open-data statement: the licence of the published data, the bulk downloads and the page describing the API
(/open-data/).

The licence comes from the settings OPEN_DATA_LICENSE_NAME / _URL / _TITLE and is repeated wherever the data
leaves the portal: the footer of public pages, the API's index and OpenAPI document, each datapackage.json.
"""

from django.conf import settings
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe


def licence() -> dict:
    """The licence as a Data Package `licenses` entry: an identifier, the licence's URL and its title."""
    return {
        "name": settings.OPEN_DATA_LICENSE_NAME,
        "path": settings.OPEN_DATA_LICENSE_URL,
        "title": settings.OPEN_DATA_LICENSE_TITLE,
    }


def openapi_licence() -> dict:
    """The licence as an OpenAPI `info.license` object (3.1: a name with a url)."""
    entry = {"name": settings.OPEN_DATA_LICENSE_TITLE or settings.OPEN_DATA_LICENSE_NAME}
    if settings.OPEN_DATA_LICENSE_URL:
        entry["url"] = settings.OPEN_DATA_LICENSE_URL
    return entry


def state() -> tuple:
    """What of the licence a page shows: part of every stored page's key (disclosures.page_cache)."""
    return (settings.OPEN_DATA_LICENSE_NAME, settings.OPEN_DATA_LICENSE_URL, settings.OPEN_DATA_LICENSE_TITLE)


def bulk_downloads() -> list[dict]:
    """The bulk archives as the API's index lists them: what each holds, where, how big, built when, its SHA-256."""
    from disclosures.api.views import region_ref
    from disclosures.exports.bulk import listing

    return [
        {
            "scope": archive.key,
            "title": archive.scope_label,
            "region": region_ref(archive.region) if archive.region_id else None,
            "year": archive.year,
            "url": archive.get_absolute_url(),
            "filename": archive.download_name,
            "size": archive.size,
            "sha256": archive.sha256,
            "built_at": timezone.localtime(archive.built_at).isoformat(timespec="seconds"),
            "disclosures_count": archive.disclosures_count,
        }
        for archive in listing()
    ]


@require_safe
def page(request):
    from disclosures.api.views import ENDPOINTS
    from disclosures.exports.bulk import listing

    context = {"licence": licence(), "endpoints": ENDPOINTS, "archives": listing()}
    return render(request, "disclosures/open_data.html", context)
