"""Public pages of a region's year: who published on time (公开情况) and the 三公经费 league table.

Both are rendered for each request (not kept by page_cache): the days overdue change with the date, and
the pages read every department of the region and below.
"""

import django_tables2 as tables
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.http import require_safe
from django_tables2 import RequestConfig
from django_tables2.data import TableListData
from django_tables2.utils import OrderBy

from disclosures import accountability
from disclosures.models import Disclosure, Region
from disclosures.rendering import format_amount
from disclosures.tables import HEADER
from disclosures.views.staff import _attachment

KINDS = dict(Disclosure.Kind.choices)


def _kind(request):
    kind = request.GET.get("kind", "budget")
    return kind if kind in KINDS else "budget"


def _csv_response(body, name):
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = _attachment(name)
    return response


def _links(region, year, kind):
    return [
        {"kind": key, "label": str(label), "current": key == kind, "query": f"?kind={key}"}
        for key, label in Disclosure.Kind.choices
    ]


@require_safe
def accountability_page(request, pk, year):
    region = get_object_or_404(Region, pk=pk)
    kind = _kind(request)
    table = accountability.rows(region, year, kind)
    title = f"{region.name} {year} 年{KINDS[kind]}公开情况"
    if request.GET.get("export") == "csv":
        return _csv_response(accountability.as_csv(table), f"{region.path.replace('/', '')}{year}年{KINDS[kind]}公开情况.csv")
    return render(
        request,
        "disclosures/accountability.html",
        {
            "region": region, "year": year, "kind": kind, "kinds": _links(region, year, kind), "title": title,
            "table": table, "totals": accountability.totals(table),
            "sangong_url": reverse("sangong", args=[region.pk, year]) + f"?kind={kind}",
        },
    )  # fmt: skip


class _NoneLast(TableListData):
    """Sorted by the chosen column, with the departments that have no figure ("—") last either way."""

    def order_by(self, aliases):
        if not aliases:
            return
        alias = OrderBy(aliases[0])
        accessor = self.table.columns[alias.bare].accessor
        values = [(accessor.resolve(record, quiet=True), record) for record in self.data]
        present = [pair for pair in values if pair[0] not in (None, "")]
        absent = [record for value, record in values if value in (None, "")]
        present.sort(key=lambda pair: pair[0], reverse=alias.is_descending)
        self.data[:] = [record for _value, record in present] + absent


class AmountColumn(tables.Column):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("attrs", {**HEADER, "td": {"class": "amount"}})
        kwargs.setdefault("empty_values", ())
        super().__init__(*args, **kwargs)

    def render(self, value):
        return "—" if value is None else format_amount(value)


class PercentColumn(AmountColumn):
    def render(self, value):
        return "—" if value is None else f"{value:+.2f}%"


class ChangeColumn(AmountColumn):
    def render(self, value):
        if value is None:
            return "—"
        return f"+{format_amount(value)}" if value > 0 else format_amount(value)


class SangongTable(tables.Table):
    department = tables.Column(verbose_name="部门", attrs={**HEADER, "th": {**HEADER["th"]}, "td": {"class": "text"}})
    total = AmountColumn(verbose_name="本年合计")
    last_total = AmountColumn(verbose_name="上年合计")
    change = ChangeColumn(verbose_name="增减额")
    percent = PercentColumn(verbose_name="增减率")
    abroad = AmountColumn(verbose_name="因公出国（境）费")
    vehicles_subtotal = AmountColumn(verbose_name="公务用车购置及运行费")
    vehicles_purchase = AmountColumn(verbose_name="其中：购置费")
    vehicles_running = AmountColumn(verbose_name="其中：运行费")
    reception = AmountColumn(verbose_name="公务接待费")

    class Meta:
        attrs = {"class": "data-table sangong", "id": "sangong-table"}
        empty_text = "本地区暂无部门。"
        template_name = "django_tables2/table.html"

    def __init__(self, data, **kwargs):
        super().__init__(_NoneLast(list(data)), **kwargs)

    def render_department(self, record):
        return format_html(
            '<a href="{}">{}</a><br><span class="meta">{}</span>', record["department_url"], record["department"], record["region"]
        )


@require_safe
def sangong(request, pk, year):
    region = get_object_or_404(Region, pk=pk)
    kind = _kind(request)
    records = accountability.league(region, year, kind)
    title = f"{region.name} {year} 年{KINDS[kind]}“三公”经费"
    table = SangongTable(records)
    RequestConfig(request, paginate=False).configure(table)
    if request.GET.get("export") == "csv":
        ordered = [row.record for row in table.rows]
        return _csv_response(accountability.league_csv(ordered), f"{region.path.replace('/', '')}{year}年{KINDS[kind]}三公经费.csv")
    query = request.GET.copy()
    query["export"] = "csv"
    return render(
        request,
        "disclosures/sangong.html",
        {
            "region": region, "year": year, "kind": kind, "kinds": _links(region, year, kind), "title": title,
            "table": table, "export_query": query.urlencode(),
            "published": sum(1 for r in records if r["total"] is not None),
            "accountability_url": reverse("accountability", args=[region.pk, year]) + f"?kind={kind}",
        },
    )  # fmt: skip
