"""The published 政府信息公开工作年度报告 tables (条例第五十条): public pages, PDF and XLSX, per department and
per region (the sum of its departments' published reports, and those below it); and the staff steps that
publish them (publication.py).

Only published versions are reachable from the public pages; anything else is a 404. The report holds
counts only, no personal data.
"""

from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from disclosures.models import Department, Region

from .. import publication, report
from ..models import AnnualReportPublication
from .staff import department_for

PDF_STYLESHEET = Path(__file__).resolve().parents[1] / "static" / "information_requests" / "report_pdf.css"


# —— Public ——————————————————————————————————————————————————————————————————————


def _published_version(department_id, year, number=None):
    department = get_object_or_404(Department.objects.select_related("region"), pk=department_id)
    versions = list(
        publication.published(department, year).select_related("department__region")
    )  # newest first
    if not versions:
        raise Http404("该部门尚未公开此年度的政府信息公开工作年度报告。")
    if number is None:
        return department, versions[0], versions
    chosen = next((v for v in versions if v.number == number), None)
    if chosen is None:
        raise Http404
    return department, chosen, versions


def department_report(request, department_id, year, number=None):
    department, shown, versions = _published_version(department_id, year, number)
    return render(
        request,
        "information_requests/report_public.html",
        {
            "department": department,
            "year": year,
            "shown": shown,
            "current": versions[0],
            "versions": versions,
            "tables": publication.as_report(shown),
        },
    )


def _title(subject, year):
    return f"{subject}{year}年政府信息公开工作年度报告"


def _download(content, content_type, filename):
    from urllib.parse import quote

    response = HttpResponse(content, content_type=content_type)
    extension = filename.rsplit(".", 1)[-1]
    response["Content-Disposition"] = (
        f"attachment; filename=\"annual-report.{extension}\"; filename*=UTF-8''{quote(filename)}"
    )
    return response


def _pdf(title, subtitle, tables, notes) -> bytes:
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    html = render_to_string(
        "information_requests/report_pdf.html",
        {"title": title, "subtitle": subtitle, "tables": tables, "notes": notes},
    )
    fonts = FontConfiguration()
    stylesheet = CSS(filename=str(PDF_STYLESHEET), font_config=fonts)
    return HTML(string=html).write_pdf(stylesheets=[stylesheet], font_config=fonts)


def _version_notes(version):
    day = timezone.localtime(version.published_at).date()
    notes = [f"第{version.number}版，{day.year}年{day.month}月{day.day}日公开。"]
    if version.correction_note:
        notes.append(f"更正说明：{version.correction_note}")
    return notes


def department_pdf(request, department_id, year, number):
    department, version, _versions = _published_version(department_id, year, number)
    title = _title(department.name, year)
    content = _pdf(title, department.region.path, publication.as_report(version), _version_notes(version))
    return _download(content, "application/pdf", f"{title}（第{number}版）.pdf")


def department_xlsx(request, department_id, year, number):
    department, version, _versions = _published_version(department_id, year, number)
    title = _title(department.name, year)
    _name, content_type, content = report.xlsx(publication.as_report(version), f"{title}（第{number}版）.xlsx")
    return _download(content, content_type, f"{title}（第{number}版）.xlsx")


def _region_figures(region_id, year):
    region = get_object_or_404(Region, pk=region_id)
    included = publication.current_for_region(region, year)
    if not included:
        raise Http404("本地区尚无部门公开此年度的政府信息公开工作年度报告。")
    try:
        tables = publication.region_report(region, year, included)
    except report.ReportError as error:
        raise Http404(str(error)) from error
    return region, included, tables


def region_report(request, region_id, year):
    region, included, tables = _region_figures(region_id, year)
    return render(
        request,
        "information_requests/report_region.html",
        {
            "region": region,
            "year": year,
            "included": included,
            "missing": _missing(region, included),
            "tables": tables,
        },
    )


def _region_notes(included, missing_count):
    notes = [f"汇总本地区及下级地区已公开年度报告的 {len(included)} 个部门：" + "、".join(p.department.name for p in included) + "。"]
    if missing_count:
        notes.append(f"另有 {missing_count} 个部门尚未公开该年度报告，未计入。")
    return notes


def _missing(region, included):
    return Department.objects.filter(region_id__in=region.descendant_ids()).count() - len(included)


def region_pdf(request, region_id, year):
    region, included, tables = _region_figures(region_id, year)
    title = _title(region.name, year)
    content = _pdf(f"{title}（汇总）", region.path, tables, _region_notes(included, _missing(region, included)))
    return _download(content, "application/pdf", f"{title}（汇总）.pdf")


def region_xlsx(request, region_id, year):
    region, _included, tables = _region_figures(region_id, year)
    title = _title(region.name, year)
    _name, content_type, content = report.xlsx(tables, f"{title}（汇总）.xlsx")
    return _download(content, content_type, f"{title}（汇总）.xlsx")


# —— Staff: submit, publish, return ————————————————————————————————————————————————


def _back(department_id, year):
    return redirect(reverse("information_requests:report", args=[department_id]) + f"?year={year}#publication")


@never_cache
@login_required
@require_POST
def staff_submit(request, department):
    department, _roles = department_for(request.user, department)
    value = request.POST.get("year", "")
    if not value.isdigit():
        raise Http404
    year = int(value)
    try:
        version = publication.submit(
            department, year, actor=request.user, correction_note=request.POST.get("correction_note", "")
        )
    except publication.PublicationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"已提交第{version.number}版，等待信息公开工作机构负责人审核。")
    return _back(department.pk, year)


def _staff_version(request, pk):
    version = get_object_or_404(AnnualReportPublication.objects.select_related("department__region"), pk=pk)
    department_for(request.user, version.department_id)  # 404 for staff of another department
    return version


def _decide(request, pk, transition, done):
    """The approver's decision on a submitted version (publish, or return it), through `transition`."""
    version = _staff_version(request, pk)
    try:
        transition(version, actor=request.user, remarks=request.POST.get("remarks", ""))
    except publication.PublicationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done.format(number=version.number))
    return _back(version.department_id, version.year)


@never_cache
@login_required
@require_POST
def staff_publish(request, pk):
    return _decide(request, pk, publication.publish, "已公开第{number}版。")


@never_cache
@login_required
@require_POST
def staff_return(request, pk):
    return _decide(request, pk, publication.return_for_revision, "已退回第{number}版。")
