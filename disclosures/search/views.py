"""/search/: every published department, disclosure, project and classification line, grouped."""

from django.core.paginator import Paginator
from django.shortcuts import render

from disclosures.rendering import format_amount

from .filters import SearchFilter
from .models import SearchEntry, visible_candidates
from .text import highlight, terms

PER_GROUP = 10
PER_PAGE = 30
# A search looks at no more than this many matches per group. A code such as 2080505 is printed by
# nearly every disclosure of a province (50,000 matches); counting them all, or sorting them all to
# show the newest ten, would read every match from disk. So the first 1,000 matches found are
# counted ("1000+") and shown newest first; the filters narrow the rest down.
COUNT_CAP = 1000
# What each candidate is read with: enough to check it is visible and to put it in display order.
CANDIDATE_FIELDS = ("pk", "disclosure_id", "version_id", "year", "position")


def display_order(candidate):
    """Newest year first, then disclosure, then where the entry sits in it (department entries have no year)."""
    pk, disclosure_id, _version_id, year, position = candidate
    return (-(year or 0), disclosure_id or 0, position, pk)


def group_candidates(queryset, group):
    """(count, pks in display order) of one group's visible matches, at most COUNT_CAP + 1 of them.

    One query reads the candidates with their ordering keys, in the order the index finds them;
    they are checked and sorted here, so that only the entries shown are then fetched whole.
    """
    found = list(queryset.filter(group=group).order_by().values_list(*CANDIDATE_FIELDS)[: COUNT_CAP + 1])
    visible = visible_candidates(found)
    return len(visible), [candidate[0] for candidate in sorted(visible[:COUNT_CAP], key=display_order)]


def fetch_entries(pks):
    """The entries of these pks, whole, in the order given."""
    entries = SearchEntry.objects.select_related("department", "disclosure__department").in_bulk(pks)
    return [entries[pk] for pk in pks if pk in entries]


def _result(entry, query):
    snippet = ""
    if entry.group == SearchEntry.Group.DISCLOSURE and entry.anchor:
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


def search(request):
    # Visibility is checked on each group's candidates (group_candidates), not joined into the match.
    filterset = SearchFilter(request.GET or None, queryset=SearchEntry.objects.all())
    query = request.GET.get("q", "").strip()
    selected = request.GET.get("group", "")
    groups, page = [], None
    if filterset.is_valid() and terms(query):
        for value, label in SearchEntry.Group.choices:
            if selected and selected != value:
                continue
            count, pks = group_candidates(filterset.qs, value)
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
