"""Atom feeds of what is published: everything, a region and everything below it, one department.

Each published version is an entry of its own (a correction too, with its change note), and so is each
published version of a department's 政府信息公开工作年度报告. Newest first, at most FEED_LIMIT entries. Only
published content: versions in PUBLISHED status, annual reports in PUBLISHED status.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.feedgenerator import Atom1Feed

from disclosures.models import Department, Region, Version
from disclosures.subscriptions import version_title, version_url

FEED_LIMIT = 50


@dataclass
class Entry:
    title: str
    link: str
    updated: datetime.datetime
    summary: str
    region_path: str


def _as_datetime(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def _version_entries(departments=None):
    versions = Version.objects.filter(status=Version.Status.PUBLISHED, published_on__isnull=False).select_related(
        "disclosure__department__region"
    )
    if departments is not None:
        versions = versions.filter(disclosure__department__in=departments)
    for version in versions.order_by("-published_on", "-pk")[:FEED_LIMIT]:
        disclosure = version.disclosure
        summary = f"{disclosure.department.region.path} {disclosure.department.name}公开了 {disclosure.year} 年{disclosure.get_kind_display()}。"
        if version.number > 1:
            summary = f"{disclosure}第 {version.number} 版（更正）。更正说明：{version.change_note or '（无）'}"
        yield Entry(
            version_title(version),
            version_url(version),
            _as_datetime(version.published_on),
            summary,
            disclosure.department.region.path,
        )


def _report_entries(departments=None):
    from disclosures.information_requests.models import AnnualReportPublication

    reports = AnnualReportPublication.objects.filter(
        status=AnnualReportPublication.Status.PUBLISHED, published_at__isnull=False
    ).select_related("department__region")
    if departments is not None:
        reports = reports.filter(department__in=departments)
    for report in reports.order_by("-published_at", "-pk")[:FEED_LIMIT]:
        title = f"{report.department.name} {report.year} 年度政府信息公开工作年度报告"
        summary = f"{report.department.region.path} {report.department.name}公开了 {report.year} 年度政府信息公开工作年度报告。"
        if report.number > 1:
            title += f"（第 {report.number} 版，更正）"
            summary = f"{title}。更正说明：{report.correction_note or '（无）'}"
        yield Entry(
            title,
            reverse("annual_reports:department_version", args=[report.department_id, report.year, report.number]),
            report.published_at,
            summary,
            report.department.region.path,
        )


def entries(departments=None) -> list[Entry]:
    found = list(_version_entries(departments)) + list(_report_entries(departments))
    found.sort(key=lambda entry: entry.updated, reverse=True)
    return found[:FEED_LIMIT]


class _Feed(Feed):
    feed_type = Atom1Feed
    author_name = "预决算公开平台"

    def departments(self, obj):
        return None

    def items(self, obj):
        return entries(self.departments(obj))

    def item_title(self, item):
        return item.title

    def item_link(self, item):
        return item.link

    def item_guid(self, item):
        return f"{settings.SITE_URL}{item.link}"

    def item_description(self, item):
        # Atom's summary is type="html": the text (a change note may hold "<") is escaped to stay text.
        return escape(item.summary)

    def item_updateddate(self, item):
        return item.updated

    def item_pubdate(self, item):
        return item.updated

    def item_categories(self, item):
        return [item.region_path]


class AllFeed(_Feed):
    title = "预决算公开：最新公开"
    subtitle = "各地区、各部门新公开的预算、决算及更正，以及政府信息公开工作年度报告。"

    def link(self):
        return reverse("home")


class RegionFeed(_Feed):
    def get_object(self, request, pk):
        return get_object_or_404(Region, pk=pk)

    def title(self, obj):
        return f"预决算公开：{obj.path}"

    def subtitle(self, obj):
        return f"{obj.path}及下级地区各部门新公开的预算、决算及更正，以及政府信息公开工作年度报告。"

    def link(self, obj):
        return obj.get_absolute_url()

    def departments(self, obj):
        return Department.objects.filter(region_id__in=obj.descendant_ids())


class DepartmentFeed(_Feed):
    def get_object(self, request, pk):
        return get_object_or_404(Department.objects.select_related("region"), pk=pk)

    def title(self, obj):
        return f"预决算公开：{obj.name}"

    def subtitle(self, obj):
        return f"{obj.region.path} {obj.name}新公开的预算、决算及更正，以及政府信息公开工作年度报告。"

    def link(self, obj):
        return obj.get_absolute_url()

    def departments(self, obj):
        return [obj]
