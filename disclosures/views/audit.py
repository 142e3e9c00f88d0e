"""The administrator's audit trail (操作记录): read only.

A region's administrator reads the disclosure events of the departments in their region and the
security events (sign-ins, roles, admin changes, exports, refused uploads…) of its staff; a superuser
reads all. Filters by action, department, actor, address and dates; the filtered events download as
CSV, and that download is itself recorded (等保 2.0 安全审计; 个人信息保护法第五十一条). Nothing here
changes an event: the page has no form that posts.
"""

import csv

import django_filters
import django_tables2 as tables
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django_tables2 import RequestConfig

from disclosures.audit_trail import record_export
from disclosures.models import AuditEvent, Department
from disclosures.models.audit import ACTION_LABELS
from disclosures.tables import HEADER
from disclosures.views.staff import _attachment, require_admin

AUDIT_PER_PAGE = 50


class AuditFilter(django_filters.FilterSet):
    action = django_filters.ChoiceFilter(label="操作", choices=list(ACTION_LABELS.items()))
    department = django_filters.ModelChoiceFilter(
        label="部门", field_name="disclosure__department", queryset=Department.objects.none()
    )
    actor_name = django_filters.CharFilter(label="操作人", lookup_expr="icontains")
    ip_address = django_filters.CharFilter(label="IP 地址", lookup_expr="startswith")
    since = django_filters.DateFilter(label="起始日期", field_name="at", lookup_expr="date__gte")
    until = django_filters.DateFilter(label="截止日期", field_name="at", lookup_expr="date__lte")

    class Meta:
        model = AuditEvent
        fields = ["action", "department", "actor_name", "ip_address", "since", "until"]


def _data_text(data):
    if not isinstance(data, dict):
        return str(data)
    return "；".join(f"{key}={'、'.join(map(str, value)) if isinstance(value, list) else value}" for key, value in data.items())


class AuditTable(tables.Table):
    at = tables.DateTimeColumn(verbose_name="时间", format="Y-m-d H:i:s", attrs=HEADER, order_by=("at", "pk"))
    actor_name = tables.Column(verbose_name="操作人", attrs=HEADER)
    action = tables.Column(verbose_name="操作", attrs=HEADER)
    subject = tables.Column(
        verbose_name="对象", empty_values=(), attrs=HEADER, order_by=("disclosure__department__name", "disclosure__year")
    )
    ip_address = tables.Column(verbose_name="IP 地址", attrs=HEADER)
    remarks = tables.Column(verbose_name="备注与数据", empty_values=(), attrs=HEADER, orderable=False)

    class Meta:
        model = AuditEvent
        fields = ("at", "actor_name", "action", "subject", "ip_address", "remarks")
        attrs = {"class": "listing-table events"}
        empty_text = "没有记录。"
        order_by = ("-at",)

    def render_action(self, record):
        return record.action_label

    def render_subject(self, record):
        return record.subject or "—"

    def render_remarks(self, record):
        data = record.data if isinstance(record.data, dict) else {}
        items = [(key, "、".join(map(str, value)) if isinstance(value, list) else value) for key, value in data.items()]
        data = format_html_join("；", "{}={}", items) if items else ""
        return format_html('{} <span class="meta">{}</span>', record.remarks, data) if data else record.remarks


def scope(user):
    """The events and departments the user may read: all for a superuser, else those of the regions they
    administer (403 for anyone else)."""
    events = AuditEvent.objects.select_related("disclosure__department", "version__disclosure__department")
    if user.is_superuser:
        return events, Department.objects.order_by("name")
    regions = require_admin(user)
    events = events.filter(
        Q(disclosure__department__region__in=regions) | Q(disclosure__isnull=True, region__in=regions)
    )
    return events, Department.objects.filter(region__in=regions).order_by("name")


CSV_HEADERS = ["时间", "操作人", "操作", "对象", "IP 地址", "浏览器标识", "备注", "数据", "摘要"]


def _cell(value) -> str:
    """A cell a spreadsheet shows as text: a name typed at the login form ("=HYPERLINK(…)") is not run."""
    text = str(value if value is not None else "")
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


class _Echo:
    def write(self, value):
        return value


def _csv_rows(events):
    writer = csv.writer(_Echo(), lineterminator="\n")
    yield "\ufeff" + writer.writerow(CSV_HEADERS)
    for event in events.iterator(chunk_size=1000):
        yield writer.writerow(
            [
                _cell(value)
                for value in (
                    f"{timezone.localtime(event.at):%Y-%m-%d %H:%M:%S}", event.actor_name, event.action_label,
                    event.subject, event.ip_address, event.user_agent, event.remarks, _data_text(event.data),
                    event.hash,
                )
            ]
        )


@never_cache
@login_required
@require_safe
def audit(request):
    events, departments = scope(request.user)
    filtered = AuditFilter(request.GET or None, queryset=events)
    filtered.filters["department"].queryset = departments
    if request.GET.get("export") == "csv":
        rows = filtered.qs.order_by("-at", "-pk")
        record_export(request, "操作记录（CSV）", rows=rows.count())
        response = StreamingHttpResponse(_csv_rows(rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = _attachment(f"操作记录-{timezone.localdate():%Y%m%d}.csv")
        return response
    table = AuditTable(filtered.qs)
    RequestConfig(request, paginate={"per_page": AUDIT_PER_PAGE}).configure(table)
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("sort", None)
    query["export"] = "csv"
    return render(request, "staff/audit.html", {"filter": filtered, "table": table, "export_query": query.urlencode()})
