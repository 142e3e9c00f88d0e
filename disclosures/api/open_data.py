"""The open-data statement: the licence of the published data and the page describing the API (/open-data/).

The licence comes from the settings OPEN_DATA_LICENSE_NAME / _URL / _TITLE and is repeated wherever the data
leaves the portal: the footer of public pages, the API's index and OpenAPI document, each datapackage.json.
"""

from django.conf import settings
from django.shortcuts import render
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


@require_safe
def page(request):
    from disclosures.api.views import ENDPOINTS

    return render(request, "disclosures/open_data.html", {"licence": licence(), "endpoints": ENDPOINTS})
