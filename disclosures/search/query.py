"""Reading a search's matches: per group, capped, visible only, in display order.

The web search (views.search) and the API (/api/v1/search) both read their results here.
"""

from .models import SearchEntry, visible_candidates

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
