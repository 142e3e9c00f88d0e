"""/search/: every published department, disclosure, project and classification line, grouped."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.functional import cached_property

from disclosures.rendering import format_amount

from .filters import SearchFilter
from .models import SearchEntry
from .text import highlight, terms

PER_GROUP = 10
PER_PAGE = 30
# A search looks at no more than this many matches per group. A code such as 2080505 is printed by
# nearly every disclosure of a province (50,000 matches); counting them all, or sorting them all to
# show the newest ten, would read every match from disk. So the first 1,000 matches found are
# counted ("1000+") and shown newest first; the filters narrow the rest down.
COUNT_CAP = 1000


class CappedPaginator(Paginator):
    @cached_property
    def count(self):
        return self.object_list.order_by()[:COUNT_CAP].count()


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
    filterset = SearchFilter(request.GET or None, queryset=SearchEntry.objects.visible())
    query = request.GET.get("q", "").strip()
    selected = request.GET.get("group", "")
    groups, page = [], None
    if filterset.is_valid() and terms(query):
        for value, label in SearchEntry.Group.choices:
            if selected and selected != value:
                continue
            # The first COUNT_CAP + 1 matches, in the order the index finds them: read once, then both
            # counted and shown from that list (as a subquery the index would be scanned twice).
            candidates = list(filterset.qs.filter(group=value).order_by().values_list("pk", flat=True)[: COUNT_CAP + 1])
            count = len(candidates)
            in_group = (
                SearchEntry.objects.filter(pk__in=candidates[:COUNT_CAP])
                .select_related("department", "disclosure__department")
                .order_by("-year", "disclosure_id", "position")
            )
            if selected:
                page = CappedPaginator(in_group, PER_PAGE).get_page(request.GET.get("page"))
                entries = page.object_list
            else:
                entries = in_group[:PER_GROUP]
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
