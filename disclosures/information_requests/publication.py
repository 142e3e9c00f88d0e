"""Publishing the 政府信息公开工作年度报告 tables on the portal (条例第四十九、五十条).

Each department publishes its report for the previous year by 31 January. The request handler submits
the year's tables from the staff report page: the figures are frozen then (report.snapshot), so that what
is published never changes. The head of the disclosure office (信息公开工作机构负责人) reviews and
publishes, or returns the draft; nobody publishes what they submitted themselves (职责分离). A correction
is a new version that goes through the same steps; published versions are never changed or deleted.

Every transition is one function here: it checks (role, state, separation), changes, records an audit
event (disclosures.services.record) and notifies, in one transaction.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, Subquery
from django.urls import reverse
from django.utils import timezone

from disclosures import services as audit
from disclosures.models import Department, Membership, roles_in_department
from disclosures.tasks import queue_email

from . import report
from .models import AnnualReportPublication

Status = AnnualReportPublication.Status
SUBMITTING_ROLES = {Membership.Role.REQUEST_HANDLER, Membership.Role.REQUEST_APPROVER}
PUBLISHING_ROLES = {Membership.Role.REQUEST_APPROVER}


class PublicationError(Exception):
    """A step the rules do not allow; the message is shown to the user as it is."""


def deadline(year: int) -> datetime.date:
    """条例第五十条: the report for `year` is published by 31 January of the next year."""
    return datetime.date(year + 1, 1, 31)


def published(department, year):
    """The published versions of a department's report for a year, newest first."""
    return AnnualReportPublication.objects.filter(department=department, year=year, status=Status.PUBLISHED).order_by(
        "-number"
    )


def current(department, year):
    """The version the public sees: the newest published one, or None."""
    return published(department, year).first()


def open_version(department, year):
    """The version being prepared (returned draft or awaiting review), or None."""
    return (
        AnnualReportPublication.objects.filter(department=department, year=year)
        .exclude(status=Status.PUBLISHED)
        .select_related("submitted_by", "reviewed_by")
        .first()
    )


def published_years(departments):
    """{department id: [years with a published report, newest first]}."""
    years = {}
    rows = (
        AnnualReportPublication.objects.filter(department__in=departments, status=Status.PUBLISHED)
        .values_list("department_id", "year")
        .distinct()
        .order_by("department_id", "-year")
    )
    for department_id, year in rows:
        years.setdefault(department_id, []).append(year)
    return years


def published_count(department_ref):
    """A subquery: how many versions the department has published (its public page's cache key counts them)."""
    return Subquery(
        AnnualReportPublication.objects.filter(department_id=department_ref, status=Status.PUBLISHED)
        .order_by()
        .values("department_id")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )


def as_report(publication) -> report.AnnualReport:
    return report.from_snapshot(publication.department, publication.year, publication.figures)


def current_for_region(region, year) -> list[AnnualReportPublication]:
    """The current published version of each department in the region and below, by department name."""
    candidates = (
        AnnualReportPublication.objects.filter(
            department__region_id__in=region.descendant_ids(), year=year, status=Status.PUBLISHED
        )
        .select_related("department__region")
        .order_by("department__region__name", "department__name", "department_id", "-number")
    )
    latest = {}
    for publication in candidates:
        latest.setdefault(publication.department_id, publication)
    return list(latest.values())


def region_report(region, year, publications=None) -> report.AnnualReport:
    """The sum of the region's departments' published reports (and those below it)."""
    publications = current_for_region(region, year) if publications is None else publications
    return report.combine(region, year, [as_report(p) for p in publications])


# —— Transitions ——————————————————————————————————————————————————————————————


def _fmt(day):
    return f"{day.year}年{day.month}月{day.day}日"


def _name(user):
    return user.get_full_name() or user.get_username()


def _lock(publication):
    current_status = (
        AnnualReportPublication.objects.select_for_update().filter(pk=publication.pk).values_list("status", flat=True)
    ).get()
    if current_status != publication.status:
        raise PublicationError("年度报告状态已被他人更新，请刷新页面后重试。")


def _record(action, publication, *, actor, remarks):
    audit.record(
        action,
        actor=actor,
        remarks=remarks,
        object=str(publication),
        department=publication.department.name,
        year=publication.year,
        number=publication.number,
    )


def _notify(department, subject, body, roles):
    addresses = Membership.objects.filter(department=department, role__in=roles).values_list("user__email", flat=True)
    queue_email(f"【政府信息公开工作年度报告】{subject}", f"{department}：\n\n{body}", addresses)


def _staff_link(department, year):
    return f"{settings.SITE_URL}{reverse('information_requests:report', args=[department.pk])}?year={year}"


@transaction.atomic
def submit(department, year: int, *, actor, correction_note: str = "", today=None) -> AnnualReportPublication:
    """The handler submits the year's tables for review; the figures are frozen now."""
    today = today or timezone.localdate()
    if not roles_in_department(actor, department) & SUBMITTING_ROLES:
        raise PublicationError("只有本部门依申请公开经办人可以提交年度报告。")
    if year >= today.year:
        raise PublicationError(f"{year}年度尚未结束，年度报告于次年1月31日前公开（条例第五十条）。")
    # One submission at a time per department: the row lock serialises two clicks.
    Department.objects.select_for_update().filter(pk=department.pk).get()
    pending = open_version(department, year)
    if pending is not None and pending.status == Status.SUBMITTED:
        raise PublicationError(f"第{pending.number}版已提交，正在等待信息公开工作机构负责人审核。")
    latest = current(department, year)
    correction_note = correction_note.strip()
    if latest is not None and not correction_note:
        raise PublicationError(f"第{latest.number}版已公开。已公开的年度报告只能以更正版本修改，请写明更正说明。")
    try:
        figures = report.snapshot(report.build(department, year))
    except report.ReportError as error:
        raise PublicationError(f"{error}请先核对办理记录，再提交。") from error
    if latest is not None and figures == latest.figures:
        raise PublicationError(f"统计数据与已公开的第{latest.number}版相同，无需更正。")
    if pending is None:
        number = (
            AnnualReportPublication.objects.filter(department=department, year=year).aggregate(n=Max("number"))["n"]
            or 0
        ) + 1
        pending = AnnualReportPublication(department=department, year=year, number=number)
    pending.status = Status.SUBMITTED
    pending.figures = figures
    pending.correction_note = correction_note if latest is not None else ""
    pending.submitted_by = actor
    pending.submitted_at = timezone.now()
    pending.reviewed_by, pending.reviewed_at, pending.review_remarks = None, None, ""
    pending.save()
    _record("annual_report_submit", pending, actor=actor, remarks=correction_note)
    _notify(
        department,
        "待审核",
        f"{_name(actor)}提交了{year}年度政府信息公开工作年度报告（第{pending.number}版），请审核后公开"
        f"（应于{_fmt(deadline(year))}前公开，条例第五十条）：{_staff_link(department, year)}",
        PUBLISHING_ROLES,
    )
    return pending


def _require_reviewer(publication, actor):
    if not roles_in_department(actor, publication.department) & PUBLISHING_ROLES:
        raise PublicationError("只有本部门信息公开工作机构负责人可以审核年度报告。")
    if publication.status != Status.SUBMITTED:
        raise PublicationError(f"年度报告当前状态为“{publication.get_status_display()}”，不能进行此操作。")


@transaction.atomic
def publish(publication, *, actor, remarks: str = "") -> AnnualReportPublication:
    """The head of the disclosure office approves and publishes; never the person who submitted it."""
    _require_reviewer(publication, actor)
    if publication.submitted_by_id == actor.pk:
        raise PublicationError("职责分离：提交人不能审核公开自己提交的年度报告，请由另一位信息公开工作机构负责人审核。")
    _lock(publication)
    now = timezone.now()
    publication.status = Status.PUBLISHED
    publication.reviewed_by, publication.reviewed_at, publication.review_remarks = actor, now, remarks.strip()
    publication.published_at = now
    publication.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_remarks", "published_at"])
    _record("annual_report_publish", publication, actor=actor, remarks=publication.review_remarks)
    url = reverse("annual_reports:department", args=[publication.department_id, publication.year])
    _notify(
        publication.department,
        "已公开",
        f"{publication}已由{_name(actor)}审核公开：{settings.SITE_URL}{url}",
        SUBMITTING_ROLES,
    )
    return publication


@transaction.atomic
def return_for_revision(publication, *, actor, remarks: str) -> AnnualReportPublication:
    """The reviewer sends the submission back; the handler submits again (and the figures are taken anew)."""
    _require_reviewer(publication, actor)
    if not remarks.strip():
        raise PublicationError("请写明退回的理由。")
    _lock(publication)
    publication.status = Status.DRAFT
    publication.reviewed_by, publication.reviewed_at = actor, timezone.now()
    publication.review_remarks = remarks.strip()
    publication.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_remarks"])
    _record("annual_report_return", publication, actor=actor, remarks=publication.review_remarks)
    _notify(
        publication.department,
        "已退回",
        f"{publication}被退回：{publication.review_remarks}\n{_staff_link(publication.department, publication.year)}",
        {Membership.Role.REQUEST_HANDLER},
    )
    return publication


# —— The deadline on the compliance view ————————————————————————————————————————


@dataclass
class DeadlineState:
    year: int
    deadline: datetime.date
    published_on: datetime.date | None
    state: str  # published_on_time | published_late | pending | overdue
    label: str


def deadline_states(departments, year: int, today=None) -> dict[int, DeadlineState]:
    """Per department: is its report for `year` published, and was it by 31 January (条例第五十条)?"""
    today = today or timezone.localdate()
    due = deadline(year)
    first = {}
    rows = (
        AnnualReportPublication.objects.filter(department__in=departments, year=year, status=Status.PUBLISHED)
        .order_by("department_id", "number")
        .values_list("department_id", "published_at")
    )
    for department_id, published_at in rows:
        first.setdefault(department_id, timezone.localtime(published_at).date())
    states = {}
    for department in departments:
        published_on = first.get(department.pk)
        if published_on is not None and published_on <= due:
            state, label = "published_on_time", f"{published_on:%Y-%m-%d} 按时公开"
        elif published_on is not None:
            state, label = "published_late", f"{published_on:%Y-%m-%d} 逾期公开（逾期 {(published_on - due).days} 天）"
        elif today > due:
            state, label = "overdue", f"未公开，已逾期 {(today - due).days} 天"
        else:
            state, label = "pending", f"未公开，{(due - today).days} 天后截止"
        states[department.pk] = DeadlineState(year, due, published_on, state, label)
    return states
