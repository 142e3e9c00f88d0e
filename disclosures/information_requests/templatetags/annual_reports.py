"""The annual report's publication on the pages that already exist: the staff report page (submit, review,
publish) and the public department and region pages (links to the published reports)."""

from django import template

from disclosures.models import Department, roles_in_department

from .. import publication

register = template.Library()


@register.inclusion_tag("information_requests/staff/_report_publication.html", takes_context=True)
def annual_report_publication(context, department, year):
    user = context["request"].user
    roles = roles_in_department(user, department)
    pending = publication.open_version(department, year)
    return {
        "csrf_token": context.get("csrf_token"),
        "department": department,
        "year": year,
        "deadline": publication.deadline(year),
        "published": list(publication.published(department, year).select_related("submitted_by", "reviewed_by")),
        "pending": pending,
        "may_submit": bool(roles & publication.SUBMITTING_ROLES),
        # 职责分离: the submitter is not offered the publish button (publication.publish refuses it too).
        "may_review": bool(roles & publication.PUBLISHING_ROLES)
        and pending is not None
        and pending.submitted_by_id != user.pk,
    }


@register.inclusion_tag("information_requests/_report_links.html")
def annual_report_links_for_department(department):
    years = publication.published_years([department]).get(department.pk, [])
    return {"links": [(year, ("department", department.pk, year)) for year in years], "heading": "政府信息公开工作年度报告"}


@register.inclusion_tag("information_requests/_report_links.html")
def annual_report_links_for_region(region):
    departments = Department.objects.filter(region_id__in=region.descendant_ids())
    years = sorted({year for ys in publication.published_years(departments).values() for year in ys}, reverse=True)
    return {
        "links": [(year, ("region", region.pk, year)) for year in years],
        "heading": "政府信息公开工作年度报告（本地区汇总）",
    }
