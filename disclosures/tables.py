"""Staff listings rendered with django-tables2: sortable columns and pages, filters kept in the URL."""

import django_tables2 as tables
from django.utils.html import format_html, format_html_join

from disclosures.models import AuditEvent


def aria_sort(bound_column):
    """Tell assistive technology which column the rows are sorted by, and which way (WAI-ARIA aria-sort)."""
    if not bound_column.is_ordered:
        return None
    return "descending" if bound_column.order_by_alias.is_descending else "ascending"


# Every column header is a header for its column (WCAG 1.3.1) and says whether it sorts the rows.
HEADER = {"th": {"scope": "col", "aria-sort": aria_sort}}


class AuditTable(tables.Table):
    """The administrator's audit trail (操作记录): every state change in the departments they oversee."""

    at = tables.DateTimeColumn(verbose_name="时间", format="Y-m-d H:i", attrs=HEADER, order_by=("at", "pk"))
    actor_name = tables.Column(verbose_name="操作人", attrs=HEADER)
    action = tables.Column(verbose_name="操作", attrs=HEADER)
    disclosure = tables.Column(verbose_name="公开", attrs=HEADER, order_by=("disclosure__department__name", "disclosure__year"))
    version = tables.Column(verbose_name="版本", accessor="version__number", attrs=HEADER, orderable=False)
    remarks = tables.Column(verbose_name="备注与数据", empty_values=(), attrs=HEADER, orderable=False)

    class Meta:
        model = AuditEvent
        fields = ("at", "actor_name", "action", "disclosure", "version", "remarks")
        attrs = {"class": "listing-table events"}
        empty_text = "没有记录。"
        order_by = ("-at",)

    def render_action(self, record):
        return record.action_label

    def render_remarks(self, record):
        items = [(key, "、".join(map(str, value)) if isinstance(value, list) else value) for key, value in record.data.items()]
        data = format_html_join("；", "{}={}", items) if items else ""
        return format_html('{} <span class="meta">{}</span>', record.remarks, data) if data else record.remarks
