"""How a search reads its matches never changes which matches it shows.

On PostgreSQL the search plans each group's read from how common the query's tokens are
(search/query.py): a very common term walks the group in display order, a long phrase of common
bigrams asks the index for its two rarest ones and checks the phrase on each candidate. SQLite always
matches with LIKE. The frequencies are injected here, so that the small fixture database takes
the same paths as a province; the results must equal those of the plain search, on both databases.
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from disclosures.search import query as search_query
from disclosures.search import views as search_views
from disclosures.search.indexer import rebuild
from disclosures.search.models import SearchEntry
from disclosures.search.text import density, index_literal

pytestmark = pytest.mark.django_db

LONG_NAME = "机关事业单位基本养老保险缴费"


@pytest.fixture
def indexed(published_seed000, published_seed004):
    rebuild()


def shown(client, **params):
    """{group: [(link, title)]} as the results page lists them, and the SQL it ran."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("search:search"), params)
    assert response.status_code == 200
    groups = {
        g["key"]: [(r["url"], re.sub(r"<[^>]+>", "", r["title"])) for r in g["results"]]
        for g in response.context["groups"]
    }
    counts = {g["key"]: (g["count"], g["more_than_cap"]) for g in response.context["groups"]}
    return groups, counts, [q["sql"] for q in queries.captured_queries]


def frequencies(monkeypatch, table):
    monkeypatch.setattr(search_query, "lexeme_frequencies", lambda: table)


def on_postgresql():
    return connection.vendor == "postgresql"


def test_the_index_is_asked_for_the_two_rarest_tokens_only_when_every_token_is_common():
    common = {"机关": 0.06, "关事": 0.06, "位基": 0.04, "老保": 0.04, "单位": 0.17}
    asked, narrowed = index_literal(LONG_NAME, lambda lexeme: common.get(lexeme, 0.1), common=0.03)
    assert (asked, narrowed) == ("'位基' & '老保'", True)
    # One rare token (not among the commonest, so 0): the whole phrase goes to the index.
    asked, narrowed = index_literal("铁西区民政局", lambda lexeme: {"区民": 0.05}.get(lexeme, 0.0), common=0.03)
    assert (asked, narrowed) == ("('铁西' <1> '西区' <1> '区民' <1> '民政' <1> '政局')", False)
    # A code is one token: nothing to narrow.
    assert index_literal("2080505", lambda lexeme: 0.5, common=0.03) == ("('2080505':*)", False)
    assert density("支出", {"支出": 0.23}.get) == 0.23
    assert density("行政运行", {"行政": 0.11, "政运": 0.07, "运行": 0.07}.get) == 0.07


def test_a_long_name_asked_by_its_rarest_bigrams_finds_exactly_the_same_entries(client, indexed, monkeypatch):
    plain, plain_counts, _ = shown(client, q=LONG_NAME)
    # The 经济分类 line of exactly that name first, then the 功能分类 line whose name goes on (…支出).
    assert [title for _, title in plain["line"]][:3] == [
        "30108 机关事业单位基本养老保险缴费",
        "30108 机关事业单位基本养老保险缴费",
        "2080505 机关事业单位基本养老保险缴费支出",
    ]

    bigrams = [LONG_NAME[i : i + 2] for i in range(len(LONG_NAME) - 1)]
    table = {group: {bigram: 0.1 for bigram in bigrams} | {"位基": 0.05, "老保": 0.05} for group in SearchEntry.Group.values}
    frequencies(monkeypatch, table)
    planned, planned_counts, sql = shown(client, q=LONG_NAME)
    assert (planned, planned_counts) == (plain, plain_counts)
    assert any("ts_match_vq" in statement for statement in sql) == on_postgresql()

    # 单位 and 缴费 both occur in that line, but not side by side: the phrase check turns it away.
    table = {group: {"单位": 0.05, "缴费": 0.05, "位缴": 0.5} for group in SearchEntry.Group.values}
    frequencies(monkeypatch, table)
    planned, _, sql = shown(client, q="单位缴费")
    assert planned == {"department": [], "disclosure": [], "project": [], "line": [], "text_cell": []}
    assert any("ts_match_vq" in statement for statement in sql) == on_postgresql()


def test_a_very_common_term_walks_the_group_and_shows_its_newest_matches(client, indexed, monkeypatch):
    monkeypatch.setattr(search_query, "COUNT_CAP", 3)
    monkeypatch.setattr(search_views, "COUNT_CAP", 3)
    frequencies(monkeypatch, {"line": {"支出": 0.9}})
    groups, counts, sql = shown(client, q="支出")

    matches = SearchEntry.objects.filter(group="line", normalized__contains="支出")
    in_order = sorted(matches.values_list(*search_query.CANDIDATE_FIELDS), key=search_query.display_order)
    first = search_views.fetch_entries([candidate[0] for candidate in in_order[:3]])
    assert groups["line"] == [(entry.get_absolute_url(), f"{entry.code} {entry.title}") for entry in first]
    assert counts["line"] == (3, True)
    assert any("AS walk" in statement for statement in sql) == on_postgresql()


def test_a_walk_that_finds_too_few_hands_over_to_the_index(client, indexed, monkeypatch):
    plain, _, _ = shown(client, q="直联点")
    assert len(plain["project"]) == 2

    monkeypatch.setattr(search_query, "COUNT_CAP", 3)
    frequencies(monkeypatch, {"project": {"直联": 0.9, "联点": 0.9}})
    planned, counts, sql = shown(client, q="直联点")
    assert planned["project"] == plain["project"]
    assert counts["project"] == (2, False)
    assert any("AS walk" in statement for statement in sql) == on_postgresql()
