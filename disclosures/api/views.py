"""The read-only JSON API (/api/v1/): published data only.

Plain Django views returning JSON, described by the hand-kept OpenAPI 3 document openapi.json
next to this file (tests validate it and run schemathesis against it). Every query starts from
Disclosure.objects.published() and versions whose status is published; regions and departments
are listed only where a published disclosure exists, so a draft does not even reveal a name.

Amounts are strings with two decimals ("1425.40"), never floats, as TableRow stores them. A performance
form (绩效目标表, 绩效自评表) also gives, per row, the figures its text prints ("figures", by the table's
"figure_columns": label, unit, whether an amount), each on the row that prints it only, so that they add up;
its "values" are as stored, where a block's first row repeats the block's figures (disclosures.performance).
Responses are cached: a version's document by version (it is frozen once published), lists by
the current set of published versions (a publication changes the key).

Open data: every answer may be read from any origin (CORS, without credentials: nothing here reads a
cookie); OPTIONS answers a preflight; any other method than GET, HEAD and OPTIONS is a JSON 405, not the
CSRF page. /api/v1/ itself lists the endpoints, the licence, the OpenAPI document and the bulk downloads.
"""

import functools
import hashlib
import json
import re
from datetime import date
from pathlib import Path

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Count, Max
from django.http import Http404, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.csrf import csrf_exempt

from disclosures import page_cache, performance
from disclosures.api.open_data import bulk_downloads, licence, openapi_licence
from disclosures.exports.views import published_version_or_404
from disclosures.models import Department, Disclosure, Region, TableRow, Version

OPENAPI_PATH = Path(__file__).with_name("openapi.json")
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
LIST_MAX_AGE = 5 * 60
VERSION_MAX_AGE = 24 * 60 * 60
DOCUMENT_REVISION = 2


SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
ALLOW = ", ".join(SAFE_METHODS)
# What a cross-origin reader may send in a preflighted request, and read of the answer besides the body.
CORS_REQUEST_HEADERS = "Accept, Accept-Language, If-None-Match, If-Modified-Since"
CORS_EXPOSED_HEADERS = "ETag, Last-Modified"
PREFLIGHT_MAX_AGE = 24 * 60 * 60
DATE_PARAM = re.compile(r"\d{4}-\d{2}-\d{2}")

# The endpoints listed by /api/v1/ and on /open-data/: name, path below /api/v1/, what it answers.
ENDPOINTS = [
    ("regions", "regions", "地区树（只含有已公开预决算的地区及其上级）"),
    ("departments", "departments", "有已公开预决算的部门，可按地区（含下级）、层级筛选，分页"),
    ("disclosures", "disclosures", "已公开的预决算，可按地区、部门、年度、类别、公开或更正日期（since）筛选，分页"),
    ("disclosure", "disclosures/{id}", "一份预决算的现行版本：情况说明、公开表及其全部行"),
    ("disclosure_version", "disclosures/{id}/versions/{number}", "一份预决算的某个已公开版本"),
    ("search", "search", "检索项目、科目、部门（参数 q）"),
    ("openapi", "openapi.json", "OpenAPI 3.1 接口文档"),
]


class BadParameter(Exception):
    pass


def _cors(response):
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Expose-Headers"] = CORS_EXPOSED_HEADERS
    return response


def api_view(view):
    """A read-only endpoint open to every origin: GET and HEAD answered by `view`, OPTIONS (a CORS preflight)
    here, any other method a JSON 405. Exempt from CSRF: no method it accepts changes anything."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method == "OPTIONS":
            response = HttpResponse(status=204)
            response["Access-Control-Allow-Methods"] = ALLOW
            response["Access-Control-Allow-Headers"] = CORS_REQUEST_HEADERS
            response["Access-Control-Max-Age"] = str(PREFLIGHT_MAX_AGE)
        elif request.method not in ("GET", "HEAD"):
            response = _error(405, "只读接口，只接受 GET、HEAD 和 OPTIONS 请求。")
        else:
            return _cors(view(request, *args, **kwargs))
        response["Allow"] = ALLOW
        return _cors(response)

    return csrf_exempt(wrapper)


def _error(status, message):
    return JsonResponse({"error": message}, status=status, json_dumps_params={"ensure_ascii": False})


def _int_param(request, name, *, minimum=1, maximum=2**31 - 1, default=None):
    raw = request.GET.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadParameter(f"参数 {name} 应为整数：{raw!r}") from None
    if not minimum <= value <= maximum:
        raise BadParameter(f"参数 {name} 应在 {minimum}–{maximum} 之间：{value}")
    return value


def _choice_param(request, name, choices):
    raw = request.GET.get(name)
    if raw is None:
        return None
    if raw not in choices:
        raise BadParameter(f"参数 {name} 应为 {'、'.join(choices)} 之一：{raw!r}")
    return raw


def _date_param(request, name):
    raw = request.GET.get(name)
    if raw is None:
        return None
    try:
        if not DATE_PARAM.fullmatch(raw):
            raise ValueError
        return date.fromisoformat(raw)
    except ValueError:
        raise BadParameter(f"参数 {name} 应为 YYYY-MM-DD 格式的日期：{raw!r}") from None


def _publication_generation():
    """Changes whenever a version is published (a new pk) — the key of every cached list."""
    state = Version.objects.filter(status=Version.Status.PUBLISHED).aggregate(last=Max("pk"), count=Count("pk"))
    return f"{state['last'] or 0}-{state['count']}"


def _json_response(request, entry, max_age):
    """`entry`: a cached page_cache.make_entry: ETag, Last-Modified, 304 and gzip as on the pages."""
    response = page_cache.respond(request, entry)
    patch_cache_control(response, public=True, max_age=max_age)
    return response


def _entry(body: bytes):
    return page_cache.make_entry(body, "application/json")


def _dumps(data) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _cached_list(request, name, build):
    """Build a list response once per publication state and query string."""
    try:
        query = hashlib.sha256(request.GET.urlencode().encode()).hexdigest()[:32]
        key = f"api:list:{name}:{_publication_generation()}:{query}"
        entry = cache.get(key)
        if entry is None:
            entry = _entry(_dumps(build()))
            cache.set(key, entry, timeout=None)
    except BadParameter as exc:
        return _error(400, str(exc))
    return _json_response(request, entry, LIST_MAX_AGE)


def _paginate(request, queryset, serialize):
    page_size = _int_param(request, "page_size", maximum=MAX_PAGE_SIZE, default=DEFAULT_PAGE_SIZE)
    number = _int_param(request, "page", default=1)
    paginator = Paginator(queryset, page_size)
    offset = (number - 1) * page_size
    items = list(queryset[offset : offset + page_size]) if offset < paginator.count else []
    return {
        "count": paginator.count,
        "page": number,
        "page_size": page_size,
        "pages": paginator.num_pages if paginator.count else 0,
        "results": [serialize(item) for item in items],
    }


# ---------------------------------------------------------------------------
# Serialisers
# ---------------------------------------------------------------------------


def region_ref(region):
    return {"id": region.pk, "name": region.name, "level": region.level, "path": region.path}


def department_ref(department):
    return {"id": department.pk, "name": department.name, "code": department.code}


def disclosure_summary(disclosure):
    return {
        "id": disclosure.pk,
        "department": department_ref(disclosure.department),
        "region": region_ref(disclosure.department.region),
        "year": disclosure.year,
        "kind": disclosure.kind,
        "kind_label": disclosure.get_kind_display(),
        "format": disclosure.format,
        "approved_on": disclosure.approved_on.isoformat(),
        "published_on": disclosure.published_on.isoformat() if disclosure.published_on else None,
        "current_version": disclosure.published_version.number,
        "url": reverse("api:disclosure", args=[disclosure.pk]),
        "page_url": disclosure.get_absolute_url(),
    }


def _strip_columns(nodes):
    """A stored column tree without the importer's sheet positions."""
    out = []
    for node in nodes:
        clean = {"label": node["label"], "key": node["key"], "text": bool(node.get("text"))}
        if node.get("children"):
            clean["children"] = _strip_columns(node["children"])
        out.append(clean)
    return out


def _row(row, figures):
    return {
        "position": row.position,
        "kind": row.kind,
        "code": row.code,
        "name": row.name,
        "level": row.level,
        "unit": {"code": row.unit.code, "name": row.unit.name} if row.unit_id else None,
        "is_total": row.is_total,
        "cells": row.cells,
        "values": row.values,
        "figures": {key: figure.text for key, figure in figures.of(row).items()},
    }


def _table(table, rows):
    figures = performance.read(table, rows)
    return {
        "number": table.number,
        "key": table.key,
        "title": table.title,
        "unit_label": table.unit_label,
        "note": table.note,
        "is_empty": table.is_empty,
        "columns": _strip_columns(table.columns),
        "figure_columns": [
            {"key": c.key, "label": c.label, "unit": c.unit, "is_amount": c.is_amount} for c in figures.columns
        ],
        "rows": [_row(row, figures) for row in rows],
    }


def version_document(disclosure, version):
    fmt = disclosure.format_definition
    tables = list(version.tables.all())
    rows = {table.pk: [] for table in tables}
    for row in TableRow.objects.filter(table__version=version).select_related("unit").order_by("table_id", "position"):
        rows[row.table_id].append(row)
    versions = disclosure.versions.filter(status=Version.Status.PUBLISHED).order_by("number")
    document = disclosure_summary(disclosure)
    document.update(
        {
            "version": {
                "number": version.number,
                "published_on": version.published_on.isoformat() if version.published_on else None,
                "change_note": version.change_note,
                "is_current": version.pk == disclosure.published_version_id,
            },
            "versions": [
                {
                    "number": v.number,
                    "published_on": v.published_on.isoformat() if v.published_on else None,
                    "change_note": v.change_note,
                    "url": reverse("api:disclosure_version", args=[disclosure.pk, v.number]),
                }
                for v in versions
            ],
            "format_definition": {
                "code": fmt.code,
                "name": fmt.name,
                "unit": fmt.unit,
                "tables": [
                    {
                        "number": t.number,
                        "key": t.key,
                        "title": t.title,
                        "mandatory": t.mandatory,
                        "columns": _strip_columns([c.as_dict() for c in t.columns]),
                    }
                    for t in fmt.tables
                ],
            },
            "sections": [{"key": s.key, "title": s.title, "body": s.body} for s in version.sections.all()],
            "tables": [_table(table, rows[table.pk]) for table in tables],
            "downloads": {
                "pdf": reverse("exports:pdf", args=[disclosure.pk, version.number]),
                "xlsx": reverse("exports:xlsx", args=[disclosure.pk, version.number]),
                "data_package": reverse("exports:fdp", args=[disclosure.pk, version.number]),
            },
        }
    )
    return document


# ---------------------------------------------------------------------------
# Views
# ---------------------------------------------------------------------------


def _visible_regions():
    """Regions holding a published disclosure, with their ancestors (the tree down to them)."""
    published_region_ids = set(
        Disclosure.objects.published().values_list("department__region_id", flat=True).distinct()
    )
    regions = {r.pk: r for r in Region.objects.all()}
    visible = set()
    for pk in published_region_ids:
        node = regions.get(pk)
        while node is not None and node.pk not in visible:
            visible.add(node.pk)
            node = regions.get(node.parent_id)
    return regions, visible


@api_view
def regions(request):
    def build():
        all_regions, visible = _visible_regions()
        children = {}
        for region in sorted(all_regions.values(), key=lambda r: r.name):
            if region.pk in visible:
                children.setdefault(region.parent_id, []).append(region)
        counts = dict(
            Disclosure.objects.published()
            .values_list("department__region_id")
            .annotate(n=Count("pk"))
            .values_list("department__region_id", "n")
        )

        def node(region):
            return {
                "id": region.pk,
                "name": region.name,
                "level": region.level,
                "disclosures_count": counts.get(region.pk, 0),
                "children": [node(child) for child in children.get(region.pk, [])],
            }

        return {"regions": [node(root) for root in children.get(None, [])]}

    return _cached_list(request, "regions", build)


@api_view
def departments(request):
    def build():
        region = _int_param(request, "region")
        level = _choice_param(request, "level", Region.Level.values)
        published = Disclosure.objects.published()
        queryset = (
            Department.objects.filter(disclosures__in=published)
            .select_related("region")
            .annotate(disclosures_count=Count("disclosures", distinct=True))
            .order_by("name", "pk")
        )
        if region is not None:
            found = Region.objects.filter(pk=region).first()
            queryset = queryset.filter(region_id__in=found.descendant_ids()) if found else queryset.none()
        if level is not None:
            queryset = queryset.filter(region__level=level)
        return _paginate(
            request,
            queryset,
            lambda d: {**department_ref(d), "region": region_ref(d.region), "disclosures_count": d.disclosures_count},
        )

    return _cached_list(request, "departments", build)


@api_view
def disclosures(request):
    def build():
        region = _int_param(request, "region")
        department = _int_param(request, "department")
        year = _int_param(request, "year", minimum=1900, maximum=2100)
        kind = _choice_param(request, "kind", Disclosure.Kind.values)
        since = _date_param(request, "since")
        queryset = Disclosure.objects.published().select_related(
            "department__region", "published_version"
        ).order_by("-year", "department__name", "kind", "pk")
        if region is not None:
            found = Region.objects.filter(pk=region).first()
            queryset = queryset.filter(department__region_id__in=found.descendant_ids()) if found else queryset.none()
        if department is not None:
            queryset = queryset.filter(department_id=department)
        if year is not None:
            queryset = queryset.filter(year=year)
        if kind is not None:
            queryset = queryset.filter(kind=kind)
        if since is not None:  # first published, or corrected (a later version published), on or after
            queryset = queryset.filter(
                pk__in=Version.objects.filter(status=Version.Status.PUBLISHED, published_on__gte=since).values(
                    "disclosure_id"
                )
            )
        return _paginate(request, queryset, disclosure_summary)

    return _cached_list(request, "disclosures", build)


@api_view
def search(request):
    """The portal's search (disclosures.search) as JSON: the same index, filters and visibility rule."""
    from disclosures.search.filters import SearchFilter
    from disclosures.search.models import SearchEntry
    from disclosures.search.query import COUNT_CAP, fetch_entries
    from disclosures.search.text import terms

    def build():
        query = request.GET.get("q")
        if query is None or not query.strip():
            raise BadParameter("参数 q（关键词）不能为空。")
        region = _int_param(request, "region")
        level = _choice_param(request, "level", Region.Level.values)
        year = _int_param(request, "year", minimum=1900, maximum=2100)
        kind = _choice_param(request, "kind", Disclosure.Kind.values)
        group = _choice_param(request, "group", SearchEntry.Group.values)
        data = {"q": query, "level": level or "", "kind": kind or ""}
        # The form's filters only offer years with a publication and regions that exist: anything else finds nothing.
        if region is not None:
            data["region"] = region if Region.objects.filter(pk=region).exists() else None
        if year is not None:
            published_years = set(Disclosure.objects.published().values_list("year", flat=True))
            data["year"] = year if year in published_years else None
        # As on the search page: each group's first COUNT_CAP matches, visible only, newest first;
        # the groups follow one another in the order of their names.
        counts, pks = {}, []
        if terms(query) and data.get("region", 0) is not None and data.get("year", 0) is not None:
            matches = SearchFilter({k: v for k, v in data.items() if v not in ("", None)}, queryset=SearchEntry.objects.all())
            for value in sorted(SearchEntry.Group.values):
                if group is None or group == value:
                    counts[value], group_pks = matches.candidates(value)
                    pks += group_pks
        capped = any(count > COUNT_CAP for count in counts.values())

        def serialize(entry):
            return {
                "group": entry.group,
                "title": entry.title,
                "code": entry.code,
                "context": entry.context,
                "text": entry.text,
                "department": department_ref(entry.department),
                "disclosure": entry.disclosure_id,
                "year": entry.year,
                "kind": entry.kind,
                "amount": f"{entry.amount:.2f}" if entry.amount is not None else None,
                "page_url": entry.get_absolute_url(),
            }

        body = _paginate(request, pks, lambda pk: pk)
        body["results"] = [serialize(entry) for entry in fetch_entries(body["results"])]
        body["count_capped"] = capped
        return body

    return _cached_list(request, "search", build)


def _document_key(version_id, current_version_id):
    # The document lists the disclosure's published versions and says whether this one is current: a
    # correction changes both, so the key has the disclosure's current version besides this one.
    # DOCUMENT_REVISION: raised when the document's shape changes, so that no copy built by earlier code is served.
    return f"api:document:r{DOCUMENT_REVISION}:{version_id}:{current_version_id}"


# A published version of a published disclosure, by the disclosure's id and the version's number.
VERSION_STATE = page_cache.StateQuery(
    lambda pk, number: Version.objects.filter(
        disclosure__in=Disclosure.objects.published(), disclosure_id=pk, number=number, status=Version.Status.PUBLISHED
    ).order_by().values_list("pk", "disclosure__published_version_id"),
    arity=2,
)


def _version_response(request, version, max_age):
    key = _document_key(version.pk, version.disclosure.published_version_id)
    entry = cache.get(key)
    if entry is None:
        entry = _entry(_dumps(version_document(version.disclosure, version)))
        cache.set(key, entry, timeout=None)
    return _json_response(request, entry, max_age)


def _id(text, maximum=2**31 - 1):
    """A path id as an int, or None when it is not one (the caller answers 404)."""
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= maximum:
        return None
    return int(text)


@csrf_exempt
def not_found(request, *args, **kwargs):
    return _cors(_error(404, "没有这个 API 地址。"))


@api_view
def disclosure(request, pk):
    pk = _id(pk)
    if pk is None:
        return _error(404, "没有这份已公开的预决算。")
    found = (
        Disclosure.objects.published()
        .select_related("department__region", "published_version")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        return _error(404, "没有这份已公开的预决算。")
    version = found.published_version
    version.disclosure = found
    # The current version changes when a correction is published: a short max-age.
    return _version_response(request, version, LIST_MAX_AGE)


@api_view
def disclosure_version(request, pk, number):
    pk, number = _id(pk), _id(number, maximum=32767)
    if pk is None or number is None:
        return _error(404, "没有这个已公开的版本。")
    state = VERSION_STATE.rows(pk, number)
    if not state:
        return _error(404, "没有这个已公开的版本。")
    entry = cache.get(_document_key(*state[0]))
    if entry is not None:  # served without building a query: it is most of the cost of a cached answer
        return _json_response(request, entry, VERSION_MAX_AGE)
    try:
        version = published_version_or_404(pk, number)
    except Http404:
        return _error(404, "没有这个已公开的版本。")
    return _version_response(request, version, VERSION_MAX_AGE)


@api_view
def index(request):
    base = reverse("api:index")
    response = JsonResponse(
        {
            "title": "预决算公开 API",
            "version": "v1",
            "description": "只读，只含已公开的部门预算和决算；可跨域读取（CORS），无需登录。",
            "license": licence(),
            "openapi": reverse("api:openapi"),
            "documentation": reverse("open_data"),
            "endpoints": [{"name": name, "url": base + path, "description": text} for name, path, text in ENDPOINTS],
            # Zips of everything published and of each region and year: CSV per table, datapackage.json, SHA256SUMS.
            "bulk_downloads": bulk_downloads(),
            "bulk_checksums": reverse("exports:bulk_checksums"),
        },
        json_dumps_params={"ensure_ascii": False},
    )
    patch_cache_control(response, public=True, max_age=LIST_MAX_AGE)
    return response


@api_view
def openapi(request):
    """The hand-kept document, with the licence of the settings."""
    document = json.loads(OPENAPI_PATH.read_text(encoding="utf-8"))
    document["info"]["license"] = openapi_licence()
    return JsonResponse(document, json_dumps_params={"ensure_ascii": False})
