"""A department over the years, and the comparison of two of its disclosures. Published only."""

from django.db.models import OuterRef
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from disclosures import page_cache
from disclosures.models import Department, Disclosure
from disclosures.rendering import format_amount
from disclosures.summary import THREE_PUBLIC_PARTS, compare, compared_table, figures_for


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


def _charts(years):
    """Data for static/js/charts.js. The same figures are in the tables on the page."""
    latest = years[-1] if years else None
    return {
        "functionTree": {
            "title": f"{latest.label}支出功能分类（类、款、项）" if latest else "",
            "data": latest.function_tree() if latest else [],
        },
        "incomeSources": {
            "title": f"{latest.label}收入来源" if latest else "",
            "data": [{"name": label, "value": str(amount)} for label, amount in (latest.income_sources if latest else [])],
        },
        "threePublicTrend": {
            "title": "“三公”经费历年变化",
            "years": [f.label for f in years],
            "series": [
                {"name": label, "data": [_amount_json(f.three_public.get(key)) for f in years]}
                for key, label in THREE_PUBLIC_PARTS
                if key in ("total", "abroad", "vehicles_subtotal", "reception")
            ],
        },
    }


def _department_state(pk):
    """What the department's page shows that can change (page_cache): its published disclosures, each by its
    current version (frozen once published), the names of the department and up its region tree, and how many
    annual-report versions it has published (the page links to them; published ones are never withdrawn)."""
    from disclosures.information_requests.publication import published_count

    return (
        Disclosure.objects.published()
        .filter(department_id=pk)
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

    state = DEPARTMENT_STATE.rows(pk) + PROACTIVE.rows(pk)

    def render_page():
        department = _department(pk)
        return _department_page(request, department, _published(department))

    if not state:  # nothing published: a short page, not worth storing
        return render_page()
    return page_cache.serve(request, ("department", pk, *state), render_page)


def _department_page(request, department, disclosures):
    years = [figures_for(d) for d in disclosures]
    class_codes = {}
    for figures in years:
        for line in figures.classes:
            class_codes.setdefault(line.code, line.name)
    classes = [
        {
            "code": code,
            "name": name,
            "amounts": [next((l.amount for l in f.classes if l.code == code), None) for f in years],
        }
        for code, name in sorted(class_codes.items())
    ]
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
            "classes": classes,
            "income": income,
            "three_public_parts": THREE_PUBLIC_PARTS,
            "latest": latest,
            "charts": _charts(years) if years else None,
            "compare_choices": sorted(disclosures, key=lambda d: (-d.year, d.kind)),
            "default_before": disclosures[-2] if len(disclosures) > 1 else None,
            "default_after": disclosures[-1] if disclosures else None,
        },
    )


def _chosen(request, name, disclosures):
    value = request.GET.get(name, "")
    for disclosure in disclosures:
        if str(disclosure.pk) == value:
            return disclosure
    raise Http404("请选择该部门已公开的两份预决算。")


def comparison(request, pk):
    department = _department(pk)
    disclosures = _published(department)
    if len(disclosures) < 2:
        raise Http404("该部门已公开的预决算不足两份，无法比较。")
    before = _chosen(request, "from", disclosures)
    after = _chosen(request, "to", disclosures)
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
