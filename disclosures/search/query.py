"""Reading a search's matches: per group, capped, visible only, in display order.

The web search (views.search) and the API (/api/v1/search) both read their results here.
"""

from django.core.cache import cache
from django.db import connection

from .models import SearchEntry, visible_candidates
from .text import density, index_literal, normalize, tsquery_literal

# A search looks at no more than this many matches per group. A code such as 2080505 is printed by
# nearly every disclosure of a province (50,000 matches); counting them all, or sorting them all to
# show the newest ten, would read every match from disk. So the first 1,000 matches found are
# counted ("1000+") and shown newest first; the filters narrow the rest down.
COUNT_CAP = 1000
# What each candidate is read with: enough to check it is visible, whether it is exactly what was
# asked for, and to put it in display order.
CANDIDATE_FIELDS = ("pk", "disclosure_id", "version_id", "year", "position", "code", "title")


def _squashed(text):
    return "".join(normalize(text).split())


def is_exact(candidate, asked):
    """Whether an entry is exactly what the text terms `asked` (squashed) name: its code, its whole
    title (a 科目's full name, a project's name, a department's), or its code and title together."""
    *_, code, title = candidate
    if not asked:
        return False
    if asked == code:
        return True
    title = _squashed(title)
    return asked == title or asked == _squashed(code) + title


# The groups whose entries are named things a query can name exactly: a 科目, a project, a department
# or unit. A narrative paragraph or a table's text cell is never "exactly" a query.
EXACT_GROUPS = {SearchEntry.Group.DEPARTMENT, SearchEntry.Group.PROJECT, SearchEntry.Group.LINE}


def display_order(candidate, exact=False):
    """Exact matches first; then newest year first, then disclosure, then where the entry sits in it
    (department entries have no year)."""
    pk, disclosure_id, _version_id, year, position, *_ = candidate
    return (not exact, -(year or 0), disclosure_id or 0, position, pk)


# A term held by at least this share of a group's entries (支出: 23 % of the lines of a province) is
# looked for by walking the group in display order until enough matches are found, which reads a few
# thousand rows; the GIN index would first collect every one of its hundreds of thousands of matches.
WALK_DENSITY = 0.15
# The walk gives up after this many rows (a phrase of common bigrams can itself be rare) and the index answers.
WALK_ROWS = 20_000
# A phrase whose every token is held by at least this share of the group is asked of the index by
# its two rarest tokens only (text.index_literal).
NARROW_DENSITY = 0.03
FREQUENCIES_CACHE_KEY = "search:lexeme-frequencies"


def group_candidates(queryset, group, *, query=None, facets="", exact=""):
    """(count, pks in display order, how many are exact) of one group's visible matches, at most
    COUNT_CAP + 1 of them; `exact`: the text terms that an exact match is (see is_exact).

    One query reads the candidates with their ordering keys; they are checked and sorted here, so
    that only the entries shown are then fetched whole. On PostgreSQL, given the text `query` and
    the filters' and places' `facets` (text.facet_query, text.place_query), the read is planned from
    how common its tokens are.
    """
    if query is not None and connection.vendor == "postgresql":
        found = _planned_candidates(group, query, facets)
    else:
        found = list(queryset.filter(group=group).order_by().values_list(*CANDIDATE_FIELDS)[: COUNT_CAP + 1])
    visible = visible_candidates(found)
    asked = _squashed(exact) if group in EXACT_GROUPS else ""
    keyed = sorted((display_order(candidate, is_exact(candidate, asked)), candidate[0]) for candidate in visible[:COUNT_CAP])
    exact_count = sum(1 for key, _pk in keyed if not key[0])
    return len(visible), [pk for _key, pk in keyed], exact_count


def _planned_candidates(group, query, facets):
    frequencies = lexeme_frequencies().get(group, {})

    def frequency(lexeme):
        return frequencies.get(lexeme, 0.0)

    full = tsquery_literal(query)
    common = density(query, frequency)
    if not facets and common >= WALK_DENSITY:
        found = _walk(group, full, rows=min(WALK_ROWS, int(3 * (COUNT_CAP + 1) / common)))
        if len(found) > COUNT_CAP:
            return found
    asked, narrowed = index_literal(query, frequency, common=NARROW_DENSITY)
    matches = SearchEntry.objects.filter(group=group, tokens__tsmatch=f"{asked} & {facets}" if facets else asked)
    if narrowed:
        matches = matches.filter(tokens__tsphrase=full)
    return list(matches.order_by().values_list(*CANDIDATE_FIELDS)[: COUNT_CAP + 1])


def _walk(group, tsquery, *, rows):
    """The first COUNT_CAP + 1 matches in display order among the group's first `rows` entries."""
    table = SearchEntry._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT id, disclosure_id, version_id, year, position, code, title FROM (
                    SELECT id, disclosure_id, version_id, year, position, code, title, tokens FROM {table}
                    WHERE "group" = %s ORDER BY year DESC, disclosure_id, position LIMIT %s
                ) AS walk WHERE ts_match_vq(tokens::tsvector, %s::tsquery) LIMIT %s""",
            [group, rows, tsquery, COUNT_CAP + 1],
        )
        return cursor.fetchall()


def lexeme_frequencies():
    """{group: {lexeme: share of the group's entries holding it}} for the commonest lexemes of each group.

    PostgreSQL's ANALYZE samples them for each partial GIN index (pg_stats.most_common_elems); they
    are read at most every ten minutes. Before the first ANALYZE there are none, and every search
    simply uses the index.
    """
    frequencies = cache.get(FREQUENCIES_CACHE_KEY)
    if frequencies is None:
        frequencies = {}
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT tablename, most_common_elems::text::text[], most_common_elem_freqs::text::real[] "
                "FROM pg_stats WHERE schemaname = current_schema() AND tablename LIKE 'search_tokens_%'"
            )
            for index, lexemes, shares in cursor.fetchall():
                if lexemes and shares:
                    frequencies[index.removeprefix("search_tokens_")] = dict(zip(lexemes, shares))
        cache.set(FREQUENCIES_CACHE_KEY, frequencies, timeout=600)
    return frequencies


def fetch_entries(pks):
    """The entries of these pks, whole, in the order given."""
    entries = SearchEntry.objects.select_related("department", "disclosure__department").in_bulk(pks)
    return [entries[pk] for pk in pks if pk in entries]
