"""Public pages. Everything here starts from Disclosure.objects.published()."""

from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from disclosures import completeness, page_cache
from disclosures.models import Department, Disclosure, Region, Version
from disclosures.clock import clock
from disclosures.rendering import rendered_tables
from disclosures.sections import blocks


def home(request):
    published = Disclosure.objects.published().select_related("department__region")
    provinces = Region.objects.filter(parent=None).annotate(
        departments_count=Count("departments", distinct=True)
    )
    years = published.values_list("year", flat=True).distinct().order_by("-year")
    return render(
        request,
        "disclosures/home.html",
        {
            "provinces": provinces,
            "latest": published.order_by("-published_on", "-pk")[:10],
            "years": years,
        },
    )


def year(request, year):
    """Every published disclosure of one year, region by region (the years listed on the home page)."""
    published = (
        Disclosure.objects.published()
        .filter(year=year)
        .select_related("department__region")
        .order_by("department__region__name", "department__name", "kind")
    )
    if not published.exists():
        raise Http404
    by_region = {}
    for disclosure in published:
        by_region.setdefault(disclosure.department.region, []).append(disclosure)
    return render(request, "disclosures/year.html", {"year": year, "by_region": by_region.items()})


def region(request, pk):
    region = get_object_or_404(Region, pk=pk)
    published = Disclosure.objects.published()
    departments = (
        Department.objects.filter(region=region)
        .annotate(published_count=Count("disclosures", filter=Q(disclosures__in=published)))
        .order_by("name")
    )
    return render(
        request,
        "disclosures/region.html",
        {"region": region, "children": region.children.order_by("name"), "departments": departments},
    )


# The department page and the comparison of two years live in views/department.py.
from disclosures.views.department import department  # noqa: E402,F401


def _disclosure_state(pk):
    """All the page of a disclosure shows that can change (page_cache): its current version (a correction
    publishes a new one, and with it the list of versions), the names up the region tree (three levels), and
    whether the other kind of the same year is published (the link to the budget-vs-actual page)."""
    other_kind = (
        Disclosure.objects.published()
        .filter(department=OuterRef("department"), year=OuterRef("year"))
        .exclude(kind=OuterRef("kind"))
    )
    return (
        Disclosure.objects.published()
        .filter(pk=pk)
        .order_by()
        .annotate(other_kind_published=Exists(other_kind))
        .values_list(
            "published_version_id", "published_on", "approved_on", "format", "other_kind_published",
            "department_id", "department__name", "department__region__name",
            "department__region__parent__name", "department__region__parent__parent__name",
        )
    )  # fmt: skip


DISCLOSURE_STATE = page_cache.StateQuery(_disclosure_state)


def disclosure(request, pk, number=None):
    state = DISCLOSURE_STATE.rows(pk)
    if not state:
        raise Http404

    def render_page():
        disclosure = get_object_or_404(
            Disclosure.objects.published().select_related("department__region", "published_version"), pk=pk
        )
        versions = disclosure.versions.filter(status=Version.Status.PUBLISHED).order_by("-number")
        if number is None:
            version = disclosure.published_version
        else:
            version = get_object_or_404(versions, number=number)
        return render(request, "disclosures/disclosure.html", disclosure_context(disclosure, version, versions))

    return page_cache.serve(request, ("disclosure", pk, number, *state[0]), render_page)


def _toc_tables(contents, tables):
    """The table lines of the contents, in the format's order: each table the format requires, published, empty
    or missing, then any table the version has that the format does not list."""
    listed = {entry.number for entry in contents.tables}
    lines = [entry for entry in contents.tables if not entry.is_missing or entry.definition.mandatory]
    lines += [
        completeness.TableEntry(definition=None, table=table, number_label=table.number_label)
        for table in tables
        if table.number not in listed
    ]
    return lines


def disclosure_context(disclosure, version, versions=()):
    all_sections = list(version.sections.all())
    # A section left blank is not published: it is listed once, among the missing ones.
    sections = [(section, blocks(section.body)) for section in all_sections if section.body.strip()]
    tables = rendered_tables(version)
    # 143号文 第三条: nothing that must be published may be left out silently; the page says what is missing.
    contents = completeness.contents(version, [table for table, _html in tables], all_sections)
    return {
        "disclosure": disclosure,
        "version": version,
        "versions": versions,
        "sections": sections,
        "tables": tables,
        "contents": contents,
        "toc_tables": _toc_tables(contents, [table for table, _html in tables]),
        "is_current": version.pk == disclosure.published_version_id,
        # 预算法第十四条: published within 20 days of approval? Shown to the public as well.
        "clock": clock(disclosure),
    }
