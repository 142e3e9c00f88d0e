"""A department over the years, and the comparison of two of its disclosures. Published only."""

from types import SimpleNamespace

from django.db.models import OuterRef
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from disclosures import page_cache
from disclosures.clock import clock
from disclosures.models import Department, Disclosure
from disclosures.rendering import format_amount
from disclosures.summary import (
    THREE_PUBLIC_PARTS,
    common_function_key,
    compare,
    compared_table,
    figures_for,
    years_side_by_side,
)


def _department(pk):
    return get_object_or_404(Department.objects.select_related("region"), pk=pk)


def _published(department):
    return list(
        Disclosure.objects.published()
        .filter(department=department)
        .select_related("published_version", "department")
        .order_by("year", "kind")
    )


def _amount_json(value):
    return None if value is None else str(value)


def _overdue(unpublished, today=None):
    """Of the department's unpublished disclosures [(year, kind, approved_on)], those past their deadline
    (预算法第十四条: 20 days from approval): [(year, kind label, deadline)], latest year first. As on the
    accountability page (accountability.rows), the deadline is the only fact shown: nothing of a draft, not
    even whether there is one."""
    today = today or timezone.localdate()
    out = []
    for year, kind, approved_on in sorted(unpublished, key=lambda row: (-row[0], row[1])):
        state = clock(SimpleNamespace(approved_on=approved_on, published_on=None), today)
        if state.state == "overdue":
            out.append((year, Disclosure.Kind(kind).label, state.deadline))
    return out


def _series_by_year(years, kinds, value):
    """One series per kind over the calendar years: a budget and the final accounts of one year are two
    figures of that year, not two points in time."""
    calendar = sorted({f.disclosure.year for f in years})
    by_key = {(f.disclosure.year, f.disclosure.kind): f for f in years}
    return calendar, [
        (kind, label, [_amount_json(value(by_key[(y, kind)])) if (y, kind) in by_key else None for y in calendar])
        for kind, label in kinds
    ]


def _charts(years, kinds):
    """Data for static/js/charts.js. The same figures are in the tables on the page."""
    latest = years[-1] if years else None
    calendar, totals = _series_by_year(years, kinds, lambda f: f.spending_total)
    three_public = []
    for key, part in THREE_PUBLIC_PARTS:
        if key not in ("total", "abroad", "vehicles_subtotal", "reception"):
            continue
        _calendar, by_kind = _series_by_year(years, kinds, lambda f, key=key: f.three_public.get(key))
        three_public += [{"name": f"{part}（{label}）", "kind": kind, "data": data} for kind, label, data in by_kind]
    return {
        "totalsByYear": {
            "title": "历年支出总计（预算与决算）",
            "years": [f"{y} 年" for y in calendar],
            "series": [{"name": f"{label}支出总计", "kind": kind, "data": data} for kind, label, data in totals],
        },
        "functionTree": {
            "title": f"{latest.label}支出功能分类（类、款、项）" if latest else "",
            "data": latest.function_tree() if latest else [],
        },
        "incomeSources": {
            "title": f"{latest.label}收入来源" if latest else "",
            "data": [{"name": label, "value": str(amount)} for label, amount in (latest.income_sources if latest else [])],
        },
        "threePublicTrend": {
            "title": "“三公”经费历年变化（预算与决算）",
            "years": [f"{y} 年" for y in calendar],
            "series": three_public,
        },
    }


def _department_state(pk):
    """What the department's page shows that can change (page_cache): its published disclosures, each by its
    current version (frozen once published), the names of the department and up its region tree, and how many
    annual-report versions it has published (the page links to them; published ones are never withdrawn).
    Its unpublished disclosures come too (published_version_id None), for their deadlines: the page says
    which are overdue, and that changes with the date (see department())."""
    from disclosures.information_requests.publication import published_count

    return (
        Disclosure.objects.filter(department_id=pk)
        .order_by("pk")
        .annotate(annual_reports=published_count(OuterRef("department_id")))
        .values_list(
            "pk", "published_version_id", "published_on", "approved_on", "format", "year", "kind",
            "department__name", "department__code", "department__region__name",
            "department__region__parent__name", "department__region__parent__parent__name", "annual_reports",
        )
    )  # fmt: skip


DEPARTMENT_STATE = page_cache.StateQuery(_department_state)


def department(request, pk):
    from disclosures.information_requests.proactive import PUBLISHED_STATE as PROACTIVE

    rows = DEPARTMENT_STATE.rows(pk)
    state = [row for row in rows if row[1] is not None] + PROACTIVE.rows(pk)
    # Changes with the date, not with anything saved: part of the key, so a stored page never outlives a
    # deadline. Only what the page shows goes in (year, kind, deadline), never anything else of a draft.
    overdue = _overdue([(row[5], row[6], row[3]) for row in rows if row[1] is None])

    def render_page():
        department = _department(pk)
        return _department_page(request, department, _published(department), overdue)

    if not state:  # nothing published: a short page, not worth storing
        return render_page()
    return page_cache.serve(request, ("department", pk, *state, ("overdue", *overdue)), render_page)


def _classes(years):
    """The 类 of every year from one kind of 功能分类 table (all funds, else 一般公共预算 in every year): like
    with like. A year that does not print that table shows dashes."""
    key = common_function_key(years)
    class_codes = {}
    columns = []
    for figures in years:
        lines, _total = figures.function_tables.get(key, ([], None))
        by_code = {line.code: line for line in lines if line.level == 1}
        columns.append(by_code)
        for code, line in by_code.items():
            class_codes.setdefault(code, line.name)
    rows = [
        {
            "code": code,
            "name": name,
            "amounts": [column[code].amount if code in column else None for column in columns],
        }
        for code, name in sorted(class_codes.items())
    ]
    sources = [f.sources.get(key) for f in years]
    return key, rows, sources


def _department_page(request, department, disclosures, overdue=()):
    years = [figures_for(d) for d in disclosures]
    kinds = [(kind, label) for kind, label in Disclosure.Kind.choices if any(d.kind == kind for d in disclosures)]
    classes_key, classes, class_sources = _classes(years)
    income_labels = []
    for figures in years:
        for label, _amount in figures.income_sources:
            if label not in income_labels:
                income_labels.append(label)
    income = [
        {"label": label, "amounts": [dict(f.income_sources).get(label) for f in years]} for label in income_labels
    ]
    latest = years[-1] if years else None
    return render(
        request,
        "disclosures/department.html",
        {
            "department": department,
            "disclosures": sorted(disclosures, key=lambda d: (-d.year, d.kind)),
            "years": years,
            "kinds": kinds,
            "side_by_side": years_side_by_side(years, [kind for kind, _label in kinds]),
            "sources": _sources(years, kinds),
            "overdue": overdue,
            "classes": classes,
            "classes_source": classes_key and next((s for s in class_sources if s), None),
            "class_columns": list(zip(years, class_sources)),
            "measures": ["收入总计", "支出总计", "基本支出", "项目支出"],
            "income": income,
            "three_public_parts": THREE_PUBLIC_PARTS,
            "latest": latest,
            "charts": _charts(years, kinds) if years else None,
            "compare_choices": sorted(disclosures, key=lambda d: (-d.year, d.kind)),
            "default_before": disclosures[-2] if len(disclosures) > 1 else None,
            "default_after": disclosures[-1] if disclosures else None,
        },
    )


def _sources(years, kinds):
    """Per kind, the tables its figures are read from, as printed (from the latest disclosure of the kind)."""
    out = []
    for kind, label in kinds:
        figures = [f for f in years if f.disclosure.kind == kind][-1]
        roles = ("summary", "structure", "three_public")
        out.append({"label": label, **{role: figures.sources.get(role) for role in roles}})
    return out


def _chosen(request, name, disclosures, default):
    value = request.GET.get(name)
    if value is None:
        return default
    for disclosure in disclosures:
        if str(disclosure.pk) == value:
            return disclosure
    raise Http404("请选择该部门已公开的两份预决算。")


def _default_pair(disclosures):
    """What /compare/ shows when nothing is chosen: the latest disclosure against the one of the same kind
    before it (budget against budget), or else against the one published before it. `disclosures` is in
    (year, kind) order."""
    after = max(disclosures, key=lambda d: (d.year, d.kind == Disclosure.Kind.BUDGET))
    earlier = [d for d in disclosures if d.year < after.year]
    same_kind = [d for d in earlier if d.kind == after.kind]
    return (same_kind or earlier or [d for d in disclosures if d != after])[-1], after


def comparison(request, pk):
    department = _department(pk)
    disclosures = _published(department)
    if len(disclosures) < 2:
        raise Http404("该部门已公开的预决算不足两份，无法比较。")
    default_before, default_after = _default_pair(disclosures)
    before = _chosen(request, "from", disclosures, default_before)
    after = _chosen(request, "to", disclosures, default_after)
    before_figures, after_figures = figures_for(before), figures_for(after)
    lines = compare(before_figures, after_figures)
    key = compared_table(before_figures, after_figures)
    table = next((t for t in after.format_definition.tables if t.key == key), None)
    return render(
        request,
        "disclosures/compare.html",
        {
            "department": department,
            "before": before,
            "after": after,
            "lines": lines,
            "compared_table": table.label if table else "",
            "only_before": [l for l in lines if l.only_before],
            "only_after": [l for l in lines if l.only_after],
            "renamed": [l for l in lines if l.former_name],
            "compare_choices": sorted(disclosures, key=lambda d: (-d.year, d.kind)),
            "format_amount": format_amount,
        },
    )
