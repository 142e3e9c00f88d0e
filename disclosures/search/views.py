"""/search/: every published department, disclosure, project and classification line, grouped."""

from django.core.paginator import Paginator
from django.shortcuts import render

from disclosures.rendering import format_amount

from .filters import SearchFilter
from .models import SearchEntry
from .query import COUNT_CAP, fetch_entries
from .text import highlight, terms

PER_GROUP = 10
PER_PAGE = 30


# The groups in the order the page lists them: names of things (departments, projects, 科目) before
# the text around them. A group holding an exact match (search.query.is_exact) moves to the front.
GROUP_ORDER = [
    SearchEntry.Group.DEPARTMENT,
    SearchEntry.Group.PROJECT,
    SearchEntry.Group.LINE,
    SearchEntry.Group.DISCLOSURE,
    SearchEntry.Group.TEXT_CELL,
]
SNIPPET_GROUPS = {SearchEntry.Group.DISCLOSURE, SearchEntry.Group.TEXT_CELL}


def _result(entry, query):
    snippet = ""
    if entry.group in SNIPPET_GROUPS and entry.anchor:
        snippet = highlight(entry.text, query, window=120)
    title = f"{entry.code} {entry.title}" if entry.code else entry.title
    return {
        "url": entry.get_absolute_url(),
        "title": highlight(title, query),
        "snippet": snippet,
        "context": entry.context,
        "department": entry.department.name,
        "disclosure": entry.disclosure,
        "amount": format_amount(entry.amount),
    }


QUERY_MAX_LENGTH = 100


def search(request):
    # Visibility is checked on each group's candidates (group_candidates), not joined into the match.
    filterset = SearchFilter(request.GET or None, queryset=SearchEntry.objects.all())
    # A query is a few words; a longer one is cut, never echoed whole into the page.
    query = request.GET.get("q", "").strip()[:QUERY_MAX_LENGTH]
    selected = request.GET.get("group", "")
    groups, page = [], None
    if filterset.is_valid() and terms(query):
        for value, label in ((group.value, group.label) for group in GROUP_ORDER):
            if selected and selected != value:
                continue
            count, pks = filterset.candidates(value)
            if selected:
                page = Paginator(pks, PER_PAGE).get_page(request.GET.get("page"))
                shown = list(page.object_list)
            else:
                shown = pks[:PER_GROUP]
            entries = fetch_entries(shown)
            groups.append(
                {
                    "key": value,
                    "label": label,
                    "count": min(count, COUNT_CAP),
                    "more_than_cap": count > COUNT_CAP,
                    "results": [_result(entry, query) for entry in entries],
                    "has_more": count > PER_GROUP,
                }
            )
        groups.sort(key=lambda g: g["key"] not in filterset.exact_groups)  # stable: GROUP_ORDER otherwise
    params = request.GET.copy()
    params.pop("page", None)
    params.pop("group", None)
    return render(
        request,
        "search/search.html",
        {
            "filter": filterset,
            "query": query,
            "searched": bool(terms(query)),
            "groups": groups,
            "total": sum(g["count"] for g in groups),
            "selected": selected,
            "page": page,
            "base_query": params.urlencode(),
        },
    )
