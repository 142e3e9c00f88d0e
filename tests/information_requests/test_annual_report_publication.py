"""The annual report published on the portal (条例第四十九、五十条): row 一 by the day an application arrived
(registered or not), the submit → review → publish flow with separation of duties, frozen figures and
corrections as new versions, the region's sum, PDF and XLSX, and the 31 January deadline on the compliance
view."""

import datetime
import io

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from disclosures.information_requests import publication, report, services
from disclosures.information_requests.models import AnnualReportPublication
from disclosures.models import Department, Membership, Region
from disclosures.models.audit import AuditEvent

from .conftest import application, file_request, member

D = datetime.date
pytestmark = pytest.mark.django_db
NEW = "一、本年新收政府信息公开申请数量"
CARRIED_IN = "二、上年结转政府信息公开申请数量"
TOTAL = "（七）总计"
CARRIED_OUT = "四、结转下年度继续办理"
DISCLOSED = "（一）予以公开"


def at(day, hour, minute=0):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def answered(department, handler, on, replied_on, **overrides):
    request = file_request(department, on=on, **overrides)
    services.receive(request, actor=handler, today=on)
    services.send_reply(request, outcome="disclosed", reasons="", actor=handler, today=replied_on)
    return request


def row_total(page, label):
    """The 总计 cell of a row of table 3 on a page."""
    row = page.split(f'<th scope="row">{label}</th>')[1].split("</tr>")[0]
    return [cell.split(">")[-1] for cell in row.split("</td>")[:-1]][-1]


# —— Row 一 ——————————————————————————————————————————————————————————————————————————


def test_row_one_counts_an_application_in_the_year_it_was_received_and_one_never_registered_when_it_arrived(
    department, handler, frozen
):
    # 条例第三十一条: online, received the day the agency confirms it (registers it); never registered, it still
    # arrived, and counts from the day it was submitted.
    frozen(D(2025, 12, 31))
    late_in_the_year = services.submit_request(application(department), now=at(D(2025, 12, 31), 23, 30))
    file_request(department, on=D(2025, 6, 2), description="submitted in June, never registered")
    # 00:30 on 1 January in Beijing is still 31 December in UTC: it belongs to 2026.
    services.submit_request(application(department, description="new year"), now=at(D(2026, 1, 1), 0, 30))
    frozen(D(2026, 1, 4))
    services.receive(late_in_the_year, actor=handler)  # registered in the next year
    assert late_in_the_year.received_on == D(2026, 1, 4)
    services.send_reply(late_in_the_year, outcome="disclosed", reasons="", actor=handler, today=D(2026, 1, 9))

    r2025 = report.build(department, 2025)
    assert r2025.row(NEW).values[-1] == 1  # the one nobody registered; the 31 December one was received in 2026
    assert r2025.row(TOTAL).values[-1] == 0
    assert r2025.row(CARRIED_OUT).values[-1] == 1

    r2026 = report.build(department, 2026)
    assert r2026.row(NEW).values[-1] == 2  # received on 4 January, and the one of 1 January (not yet registered)
    assert r2026.row(CARRIED_IN).values[-1] == 1
    assert r2026.row(DISCLOSED).values[-1] == 1
    assert r2026.row(CARRIED_OUT).values[-1] == 2  # the never-registered one, still open, and 1 January's


def test_the_staff_page_counts_an_application_nobody_registered(client, department, handler, frozen):
    frozen(D(2026, 3, 1))
    file_request(department, on=D(2025, 11, 3), description="never registered")
    client.force_login(handler)
    page = client.get(reverse("information_requests:report", args=[department.pk]) + "?year=2025").content.decode()
    assert row_total(page, NEW) == "1"
    assert row_total(page, CARRIED_OUT) == "1"


# —— Submit, review, publish ———————————————————————————————————————————————————————————


@pytest.fixture
def second_approver(department):
    return member("frank", Membership.Role.REQUEST_APPROVER, department, full_name="周负责人")


@pytest.fixture
def year_2025(department, handler):
    answered(department, handler, D(2025, 3, 3), D(2025, 3, 20))
    answered(department, handler, D(2025, 12, 29), D(2026, 1, 8))  # carried over
    file_request(department, on=D(2025, 12, 31), description="never registered")


def test_the_handler_submits_and_another_person_publishes(department, handler, approver, year_2025, frozen):
    frozen(D(2026, 1, 15))
    version = publication.submit(department, 2025, actor=handler)
    assert version.status == AnnualReportPublication.Status.SUBMITTED and version.number == 1
    assert version.submitted_by == handler
    assert report.from_snapshot(department, 2025, version.figures).row(NEW).values[-1] == 3
    assert any("待审核" in m.subject for m in mail.outbox if approver.email in m.to)

    with pytest.raises(publication.PublicationError, match="只有本部门信息公开工作机构负责人可以审核"):
        publication.publish(version, actor=handler)
    with pytest.raises(publication.PublicationError, match="已提交，正在等待"):
        publication.submit(department, 2025, actor=handler)

    publication.publish(version, actor=approver, remarks="数据已核对")
    version.refresh_from_db()
    assert version.status == AnnualReportPublication.Status.PUBLISHED
    assert version.reviewed_by == approver and version.published_at is not None
    actions = list(AuditEvent.objects.filter(action__startswith="annual_report_").values_list("action", "actor_name"))
    assert sorted(actions) == [("annual_report_publish", "李负责人"), ("annual_report_submit", "张经办")]


def test_nobody_publishes_what_they_submitted(department, approver, second_approver, year_2025, frozen):
    frozen(D(2026, 1, 15))
    version = publication.submit(department, 2025, actor=approver)
    with pytest.raises(publication.PublicationError, match="职责分离"):
        publication.publish(version, actor=approver)
    version.refresh_from_db()
    assert version.status == AnnualReportPublication.Status.SUBMITTED
    publication.publish(version, actor=second_approver)
    assert AnnualReportPublication.objects.get().status == AnnualReportPublication.Status.PUBLISHED


def test_a_year_not_yet_over_cannot_be_submitted(department, handler, frozen):
    frozen(D(2025, 12, 30))
    with pytest.raises(publication.PublicationError, match="2025年度尚未结束"):
        publication.submit(department, 2025, actor=handler)


def test_a_returned_draft_is_submitted_again_with_fresh_figures(department, handler, approver, year_2025, frozen):
    frozen(D(2026, 1, 15))
    version = publication.submit(department, 2025, actor=handler)
    with pytest.raises(publication.PublicationError, match="请写明退回的理由"):
        publication.return_for_revision(version, actor=approver, remarks=" ")
    publication.return_for_revision(version, actor=approver, remarks="请核对十二月的申请")
    file_request(department, on=D(2025, 12, 30), description="found later")
    again = publication.submit(department, 2025, actor=handler)
    assert again.pk == version.pk and again.number == 1
    assert report.from_snapshot(department, 2025, again.figures).row(NEW).values[-1] == 4


def test_the_staff_page_submits_and_publishes_through_its_buttons(
    client, department, handler, approver, year_2025, frozen
):
    frozen(D(2026, 1, 15))
    page_url = reverse("information_requests:report", args=[department.pk]) + "?year=2025"
    client.force_login(handler)
    page = client.get(page_url).content.decode()
    assert 'id="submit-form"' in page and 'id="publish-form"' not in page
    response = client.post(reverse("information_requests:report_submit", args=[department.pk]), {"year": "2025"})
    assert response.status_code == 302
    version = AnnualReportPublication.objects.get()
    page = client.get(page_url).content.decode()
    assert "第1版：待审核" in page and 'id="publish-form"' not in page  # the submitter sees no publish button
    assert client.post(reverse("information_requests:report_publish", args=[version.pk])).status_code == 302
    version.refresh_from_db()
    assert version.status == AnnualReportPublication.Status.SUBMITTED  # refused: not an approver

    client.force_login(approver)
    assert 'id="publish-form"' in client.get(page_url).content.decode()
    client.post(reverse("information_requests:report_publish", args=[version.pk]), {"remarks": "同意"})
    version.refresh_from_db()
    assert version.status == AnnualReportPublication.Status.PUBLISHED


def test_staff_of_another_department_cannot_submit_or_publish(
    client, department, handler, other_handler, year_2025, frozen
):
    frozen(D(2026, 1, 15))
    client.force_login(other_handler)
    submit_url = reverse("information_requests:report_submit", args=[department.pk])
    assert client.post(submit_url, {"year": "2025"}).status_code == 404
    version = publication.submit(department, 2025, actor=handler)
    assert client.post(reverse("information_requests:report_publish", args=[version.pk])).status_code == 404
    assert not AnnualReportPublication.objects.filter(status="published").exists()


# —— The published page ————————————————————————————————————————————————————————————————


def publish_2025(department, handler, approver, **kwargs):
    version = publication.submit(department, 2025, actor=handler, **kwargs)
    return publication.publish(version, actor=approver)


def test_the_published_page_shows_the_frozen_figures(client, department, handler, approver, year_2025, frozen):
    frozen(D(2026, 1, 15))
    publish_2025(department, handler, approver)
    file_request(department, on=D(2025, 8, 8), description="arrives in the records after publication")
    assert report.build(department, 2025).row(NEW).values[-1] == 4  # the live figures moved

    page = client.get(reverse("annual_reports:department", args=[department.pk, 2025])).content.decode()
    assert row_total(page, NEW) == "3"
    assert row_total(page, DISCLOSED) == "1" and row_total(page, CARRIED_OUT) == "2"
    assert "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）" in page
    assert "四、政府信息公开行政复议、行政诉讼情况" in page
    # Counts only: nothing about who applied.
    assert "王小明" not in page and "1391234" not in page and "wang@" not in page


def test_a_correction_is_a_new_version_and_the_first_stays_published(
    client, department, handler, approver, year_2025, frozen
):
    frozen(D(2026, 1, 15))
    publish_2025(department, handler, approver)
    with pytest.raises(publication.PublicationError, match="请写明更正说明"):
        publication.submit(department, 2025, actor=handler)
    with pytest.raises(publication.PublicationError, match="与已公开的第1版相同"):
        publication.submit(department, 2025, actor=handler, correction_note="重新统计")
    file_request(department, on=D(2025, 8, 8), description="entered late")
    frozen(D(2026, 2, 2))
    publish_2025(department, handler, approver, correction_note="补录8月收到的一件申请")

    assert AnnualReportPublication.objects.filter(department=department, year=2025).count() == 2
    page = client.get(reverse("annual_reports:department", args=[department.pk, 2025])).content.decode()
    assert row_total(page, NEW) == "4" and "第2版" in page and "补录8月收到的一件申请" in page
    first = client.get(reverse("annual_reports:department_version", args=[department.pk, 2025, 1])).content.decode()
    assert row_total(first, NEW) == "3" and "此版本已被更正" in first


def test_pdf_and_xlsx_downloads_of_a_published_report(client, department, handler, approver, year_2025, frozen):
    frozen(D(2026, 1, 15))
    publish_2025(department, handler, approver)
    file_request(department, on=D(2025, 8, 8), description="after publication")

    pdf = client.get(reverse("annual_reports:department_pdf", args=[department.pk, 2025, 1]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert "filename*=UTF-8''" in pdf["Content-Disposition"]

    response = client.get(reverse("annual_reports:department_xlsx", args=[department.pk, 2025, 1]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content))["表三"]
    rows = {sheet.cell(row=n, column=1).value: n for n in range(6, 36)}
    assert [sheet.cell(row=rows[NEW], column=c).value for c in range(3, 10)] == [3, 0, 0, 0, 0, 0, 3]
    assert sheet.cell(row=rows[CARRIED_OUT], column=9).value == 2


def test_nothing_unpublished_is_reachable(client, department, handler, approver, year_2025, frozen):
    frozen(D(2026, 1, 15))
    urls = [
        reverse("annual_reports:department", args=[department.pk, 2025]),
        reverse("annual_reports:department_version", args=[department.pk, 2025, 1]),
        reverse("annual_reports:department_pdf", args=[department.pk, 2025, 1]),
        reverse("annual_reports:department_xlsx", args=[department.pk, 2025, 1]),
        reverse("annual_reports:region", args=[department.region_id, 2025]),
        reverse("annual_reports:region_pdf", args=[department.region_id, 2025]),
        reverse("annual_reports:region_xlsx", args=[department.region_id, 2025]),
    ]
    assert all(client.get(url).status_code == 404 for url in urls)  # nothing at all yet
    version = publication.submit(department, 2025, actor=handler)
    assert all(client.get(url).status_code == 404 for url in urls)  # submitted, not published
    publication.publish(version, actor=approver)
    assert all(client.get(url).status_code == 200 for url in urls)
    assert client.get(reverse("annual_reports:department_version", args=[department.pk, 2025, 2])).status_code == 404
    assert client.get(reverse("annual_reports:department", args=[department.pk, 2024])).status_code == 404


# —— The region ———————————————————————————————————————————————————————————————————————


def test_the_region_page_sums_its_departments_published_reports(
    client, department, other_department, handler, approver, other_handler, frozen
):
    province = department.region.parent  # 辽宁省: 抚顺市 (department) and 沈阳市 (other_department)
    other_approver = member("grace", Membership.Role.REQUEST_APPROVER, other_department)
    unpublished = Department.objects.create(region=Region.get_or_create_path("辽宁省/沈阳市"), name="沈阳市教育局")
    answered(department, handler, D(2025, 3, 3), D(2025, 3, 20))
    file_request(department, on=D(2025, 12, 31))
    answered(other_department, other_handler, D(2025, 5, 6), D(2025, 5, 20), applicant_type="commercial",
             id_type="credit_code", id_number="91110108551385082Q", contact_person="赵六")  # fmt: skip
    file_request(unpublished, on=D(2025, 7, 1))  # its department publishes nothing: not in the sum
    frozen(D(2026, 1, 20))
    publication.publish(publication.submit(department, 2025, actor=handler), actor=approver)
    publication.publish(publication.submit(other_department, 2025, actor=other_handler), actor=other_approver)

    page = client.get(reverse("annual_reports:region", args=[province.pk, 2025])).content.decode()
    assert row_total(page, NEW) == "3"
    assert row_total(page, DISCLOSED) == "2" and row_total(page, CARRIED_OUT) == "1"
    assert "抚顺市工业和信息化局" in page and "沈阳市财政局" in page
    assert "另有 1 个部门尚未公开该年度报告" in page
    city = client.get(reverse("annual_reports:region", args=[other_department.region_id, 2025])).content.decode()
    assert row_total(city, NEW) == "1"

    workbook = client.get(reverse("annual_reports:region_xlsx", args=[province.pk, 2025]))
    sheet = load_workbook(io.BytesIO(workbook.content))["表三"]
    new_row = next(n for n in range(6, 36) if sheet.cell(row=n, column=1).value == NEW)
    assert [sheet.cell(row=new_row, column=c).value for c in range(3, 10)] == [2, 1, 0, 0, 0, 0, 3]
    pdf = client.get(reverse("annual_reports:region_pdf", args=[province.pk, 2025]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_department_and_region_pages_link_to_the_published_reports(
    client, department, handler, approver, year_2025, frozen
):
    frozen(D(2026, 1, 15))
    department_url = reverse("department", args=[department.pk])
    region_url = reverse("region", args=[department.region.parent_id])
    report_url = reverse("annual_reports:department", args=[department.pk, 2025])
    region_report_url = reverse("annual_reports:region", args=[department.region.parent_id, 2025])
    assert report_url not in client.get(department_url).content.decode()
    publish_2025(department, handler, approver)
    assert report_url in client.get(department_url).content.decode()  # not a stale cached page
    assert region_report_url in client.get(region_url).content.decode()


# —— The deadline on the compliance view ————————————————————————————————————————————————


def test_the_compliance_view_shows_the_31_january_deadline(
    client, department, other_department, handler, approver, other_handler, admin_user, frozen
):
    other_approver = member("grace", Membership.Role.REQUEST_APPROVER, other_department)
    answered(department, handler, D(2025, 3, 3), D(2025, 3, 20))
    answered(other_department, other_handler, D(2025, 3, 3), D(2025, 3, 20))
    client.force_login(admin_user)
    url = reverse("staff_compliance")

    def cell(page, name):
        row = page.split(f'<th scope="row">{name}')[1].split("</tr>")[0]
        return row.split('class="annual-report ')[1].split("</td>")[0]

    frozen(D(2026, 1, 20))
    publication.publish(publication.submit(department, 2025, actor=handler), actor=approver)
    page = client.get(url).content.decode()
    assert "2025 年度政府信息公开工作年度报告（2026-01-31 前公开）" in page
    assert "2026-01-20 按时公开" in cell(page, "抚顺市工业和信息化局")
    assert "未公开，11 天后截止" in cell(page, "沈阳市财政局")

    frozen(D(2026, 2, 3))
    page = client.get(url).content.decode()
    assert "annual-report-overdue" in cell(page, "沈阳市财政局") and "已逾期 3 天" in cell(page, "沈阳市财政局")
    publication.publish(publication.submit(other_department, 2025, actor=other_handler), actor=other_approver)
    page = client.get(url).content.decode()
    assert "2026-02-03 逾期公开（逾期 3 天）" in cell(page, "沈阳市财政局")
    assert "2026-01-20 按时公开" in cell(page, "抚顺市工业和信息化局")


def test_the_cached_department_page_links_a_report_as_soon_as_it_is_published(client, published_seed004, frozen):
    department = published_seed004.department
    handler = member("henry", Membership.Role.REQUEST_HANDLER, department)
    approver = member("iris", Membership.Role.REQUEST_APPROVER, department)
    answered(department, handler, D(2025, 3, 3), D(2025, 3, 20))
    frozen(D(2026, 1, 15))
    url = reverse("department", args=[department.pk])
    report_url = reverse("annual_reports:department", args=[department.pk, 2025])
    assert report_url not in client.get(url).content.decode()
    assert report_url not in client.get(url).content.decode()  # served from the page cache
    publication.publish(publication.submit(department, 2025, actor=handler), actor=approver)
    assert report_url in client.get(url).content.decode()
