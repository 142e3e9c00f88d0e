"""The search form's filters, kept in the URL: ?q=…&region=…&level=…&year=…&kind=…"""

import django_filters
from django.core.cache import cache
from django.db import connection
from django.db.models import Exists, OuterRef, Q

from disclosures.models import Disclosure, Region

from .models import SearchEntry
from .places import split as split_places
from .query import group_candidates
from .text import facet_query, place_query, terms, tsquery_literal


def match(queryset, query, places=()):
    """On SQLite, entries whose normalised text contains every term of `query` (see search/text.py), and
    for each place (search/places.py), that contain its term or come from its regions or departments.

    PostgreSQL matches query and filters together in SearchFilter.filter_queryset."""
    words = terms(query)
    if not words:
        return queryset.none()
    for word in words:
        queryset = queryset.filter(normalized__contains=word)
    for place in places:
        queryset = queryset.filter(
            Q(normalized__contains=place.term) | Q(region_id__in=place.area_ids) | Q(department_id__in=place.department_ids)
        )
    return queryset


def _published_in(department_field="department", **conditions):
    return Exists(
        Disclosure.objects.published().filter(department=OuterRef(department_field), **conditions)
    )


YEARS_CACHE_KEY = "search:published-years"


def published_years():
    """The years with a published disclosure, newest first; cached until the next publication (or five
    minutes, for the other processes of a multi-process server, whose caches the signal does not reach)."""
    years = cache.get(YEARS_CACHE_KEY)
    if years is None:
        years = list(Disclosure.objects.published().values_list("year", flat=True).distinct().order_by("-year"))
        cache.set(YEARS_CACHE_KEY, years, timeout=300)
    return years


class SearchFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="关键词", method="filter_query")
    region = django_filters.ModelChoiceFilter(
        label="地区（含下级）", queryset=Region.objects.order_by("level", "name"), method="filter_region", empty_label="全部地区"
    )
    level = django_filters.ChoiceFilter(
        label="层级", field_name="region_level", choices=Region.Level.choices, empty_label="全部层级"
    )
    year = django_filters.ChoiceFilter(label="年度", method="filter_year", empty_label="全部年度")
    kind = django_filters.ChoiceFilter(
        label="类别", choices=Disclosure.Kind.choices, method="filter_kind", empty_label="全部类别"
    )

    class Meta:
        model = SearchEntry
        fields = ["q", "region", "level", "year", "kind"]

    # On PostgreSQL, filter_queryset keeps the query's text terms and the places' and filters' facets for candidates().
    text_query, facets = None, ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.exact_groups, self._split = set(), None
        self.filters["year"].extra["choices"] = [(y, f"{y} 年") for y in published_years()]

    def filter_queryset(self, queryset):
        """On PostgreSQL the query and the filters are one tsquery over one GIN index (see text.py, facets)."""
        if connection.vendor != "postgresql":
            return super().filter_queryset(queryset)
        data = self.form.cleaned_data
        text, places = self.split(data.get("q") or "")
        tsquery = tsquery_literal(text)
        if not tsquery:
            return queryset.none()
        filters = facet_query(
            region=data["region"].pk if data.get("region") else None,
            level=data.get("level") or None,
            year=data.get("year") or None,
            kind=data.get("kind") or None,
        )
        facets = " & ".join(part for part in (place_query(places), filters) if part)
        self.text_query, self.facets = text, facets
        return queryset.filter(tokens__tsmatch=f"{tsquery} & {facets}" if facets else tsquery)

    def split(self, query):
        """The query's text terms and its places (search/places.py), worked out once per search."""
        if self._split is None or self._split[0] != query:
            self._split = (query, split_places(query))
        return self._split[1]

    def candidates(self, group):
        """(count, pks in display order) of one group's visible matches (search.query.group_candidates).

        Entries that are exactly what was asked for (a 科目 by its code or full name, a project by its
        name) come first; `exact_groups` then holds the groups that have one."""
        queryset = self.qs
        text, _places = self.split(self.form.cleaned_data.get("q") or "")
        count, pks, exact = group_candidates(queryset, group, query=self.text_query, facets=self.facets, exact=text)
        if exact:
            self.exact_groups.add(group)
        return count, pks

    # On SQLite, each filter narrows the LIKE match by the denormalised columns.
    def filter_query(self, queryset, name, value):
        return match(queryset, *self.split(value))

    def filter_region(self, queryset, name, value):
        return queryset.filter(region_id__in=value.descendant_ids())

    # A department entry has no year or kind of its own: it counts when the department published one.
    def filter_year(self, queryset, name, value):
        value = int(value)
        return queryset.filter(Q(year=value) | Q(disclosure__isnull=True) & _published_in(year=value))

    def filter_kind(self, queryset, name, value):
        return queryset.filter(Q(kind=value) | Q(disclosure__isnull=True) & _published_in(kind=value))
