"""Staff pages as each persona sees them: every staff URL checks the department or region."""

import datetime
import re

import pytest
import time_machine
from django.urls import reverse

from disclosures.models import Disclosure, Version
from disclosures.services import publish, review, submit
from disclosures.views.staff import ACTIONS
from tests.conftest import decide_flags, ready_for_review, seed004_with_rounding_gap, upload_seed004

NOON = datetime.datetime(2025, 2, 20, 4, tzinfo=datetime.timezone.utc)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOON, tick=False):
        yield


def login(client, user):
    client.force_login(user)
    return client


def version_urls(version):
    d = version.disclosure
    return [
        ("get", reverse("staff_version", args=[version.pk])),
        ("get", reverse("staff_preview", args=[version.pk])),
        ("get", reverse("staff_changes", args=[version.pk])),
        ("get", reverse("staff_section", args=[version.pk, "explanation"])),
        ("get", reverse("staff_disclosure_audit", args=[d.pk])),
        ("post", reverse("staff_section", args=[version.pk, "explanation"])),
        ("get", reverse("staff_sections_from_word", args=[version.pk])),
        ("post", reverse("staff_sections_from_word", args=[version.pk])),
        ("post", reverse("staff_correct", args=[d.pk])),
    ] + [("post", reverse("staff_action", args=[version.pk, name])) for name in sorted(ACTIONS)]


def test_anonymous_is_sent_to_login_from_every_staff_url(client, staff):
    version = upload_seed004(staff)
    urls = version_urls(version) + [
        ("get", reverse("staff_home")),
        ("get", reverse("staff_upload", args=[staff.department_a.pk])),
        ("get", reverse("staff_approvals")),
        ("get", reverse("staff_compliance")),
        ("get", reverse("staff_audit")),
    ]
    for method, url in urls:
        response = getattr(client, method)(url)
        assert response.status_code == 302 and response.url.startswith("/accounts/login/"), url


def test_another_departments_editor_gets_404_and_no_data_from_every_version_url(client, staff):
    version = upload_seed004(staff)
    login(client, staff.editor_b)
    for method, url in version_urls(version):
        response = getattr(client, method)(url)
        assert response.status_code == 404, url
        assert "抚顺市工业和信息化局" not in response.content.decode()
    assert client.get(reverse("staff_upload", args=[staff.department_a.pk])).status_code == 404
    assert Version.objects.get(pk=version.pk).status == Version.Status.DRAFT


def test_department_staff_may_not_open_the_finance_bureau_pages(client, staff):
    for user in (staff.editor_a, staff.reviewer_a, staff.editor_b):
        login(client, user)
        for name in ("staff_approvals", "staff_compliance", "staff_audit"):
            assert client.get(reverse(name)).status_code == 403, (user, name)


def test_the_reviewer_may_not_upload(client, staff):
    login(client, staff.reviewer_a)
    assert client.get(reverse("staff_upload", args=[staff.department_a.pk])).status_code == 403


def test_editor_reviewer_and_admin_of_the_region_see_the_workspace(client, staff):
    version = upload_seed004(staff)
    for user in (staff.editor_a, staff.reviewer_a, staff.admin):
        login(client, user)
        page = client.get(reverse("staff_version", args=[version.pk])).content.decode()
        assert "抚顺市工业和信息化局 2025 年部门预算 · 第 1 版" in page
        assert "距截止还有 11 天" in page  # approved 2025-02-10 → due 2025-03-03 (Monday); today 2025-02-20


def test_upload_through_the_page_shows_the_report_and_acknowledging_a_warning(client, staff, tmp_path):
    login(client, staff.editor_a)
    with open(seed004_with_rounding_gap(tmp_path), "rb") as handle:
        response = client.post(
            reverse("staff_upload", args=[staff.department_a.pk]),
            {"year": 2025, "kind": "budget", "approved_on": "2025-02-10", "workbook": handle},
        )
    version = Version.objects.get()
    assert response.url == reverse("staff_version", args=[version.pk])
    page = client.get(response.url).content.decode()
    assert "警告（须逐条确认）" in page and "相差 0.01（尾差）" in page
    assert "表3 每行：合计 = 基本支出小计 + 项目支出：工作表“3”第 9 行（2080501 行政单位离退休）" in page
    index = next(i for i, f in enumerate(version.import_report["findings"]) if f["level"] == "warning")
    client.post(reverse("staff_action", args=[version.pk, "acknowledge"]), {"finding": index, "remark": "四舍五入尾差"})
    page = client.get(reverse("staff_version", args=[version.pk])).content.decode()
    assert "✓ 已确认：四舍五入尾差" in page


def test_a_broken_upload_shows_the_reason_and_keeps_nothing(client, staff):
    login(client, staff.editor_a)
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        reverse("staff_upload", args=[staff.department_a.pk]),
        {"year": 2025, "kind": "budget", "approved_on": "2025-02-10",
         "workbook": SimpleUploadedFile("budget.xlsx", b"this is not a workbook")},
    )
    assert response.status_code == 200
    assert "文件已损坏或不是 Excel 工作簿（.xlsx），无法读取。" in response.content.decode()
    assert not Disclosure.objects.exists()
    response = client.post(
        reverse("staff_upload", args=[staff.department_a.pk]),
        {"year": 2025, "kind": "budget", "approved_on": "2025-02-10",
         "workbook": SimpleUploadedFile("budget.pdf", b"%PDF-1.4")},
    )
    assert "PDF 文件已损坏或无法解析" in response.content.decode() or "PDF 文件无法解析" in response.content.decode()
    response = client.post(
        reverse("staff_upload", args=[staff.department_a.pk]),
        {"year": 2025, "kind": "budget", "approved_on": "2025-02-10",
         "workbook": SimpleUploadedFile("budget.doc", b"\xd0\xcf\x11\xe0")},
    )
    assert "只接受 Excel 工作簿（.xlsx）或 PDF 文件。" in response.content.decode()
    assert not Disclosure.objects.exists()


def test_an_oversized_upload_is_refused_with_a_clear_message(client, staff, settings):
    settings.MAX_WORKBOOK_BYTES = 1024 * 1024
    login(client, staff.editor_a)
    from django.core.files.uploadedfile import SimpleUploadedFile

    big = SimpleUploadedFile("big.xlsx", b"0" * (2 * 1024 * 1024))
    response = client.post(
        reverse("staff_upload", args=[staff.department_a.pk]),
        {"year": 2025, "kind": "budget", "approved_on": "2025-02-10", "workbook": big},
    )
    assert response.status_code == 200
    assert "文件过大，上限为 1 MB。" in response.content.decode()
    assert not Version.objects.exists()


def test_section_text_is_stored_as_text_and_rendered_escaped(client, staff):
    version = upload_seed004(staff)
    login(client, staff.editor_a)
    client.post(reverse("staff_section", args=[version.pk, "duties"]), {"body": "<script>alert(1)</script>\n\n- 负责工业"})
    page = client.get(reverse("staff_preview", args=[version.pk])).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    assert "预览：这是公开后公众将看到的页面，目前尚未公开。" in page


def test_the_preview_is_never_cached(client, staff):
    version = upload_seed004(staff)
    login(client, staff.editor_a)
    response = client.get(reverse("staff_preview", args=[version.pk]))
    assert "no-cache" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_the_public_sees_history_and_a_figure_by_figure_diff_of_a_correction(client, staff):
    from disclosures.services import save_section, start_correction

    version = ready_for_review(staff)
    submit(version, actor=staff.editor_a)
    decide_flags(version, staff.reviewer_a)
    review(version, actor=staff.reviewer_a, outcome="passed")
    publish(version, actor=staff.reviewer_a)
    correction = start_correction(version.disclosure, actor=staff.editor_a)
    row = correction.tables.get(number="7").rows.get()
    row.values = {**row.values, "vehicles_running": "5.90", "vehicles_subtotal": "5.90", "total": "5.90"}
    row.save()
    # The 情况说明 states the 三公 figures too: a correction of 表7 must correct them as well.
    explanation = correction.sections.get(key="explanation").body.replace("5.80 万元", "5.90 万元")
    save_section(correction, key="explanation", body=explanation, actor=staff.editor_a)
    save_section(correction, key="duties", body="部门职责（已更正）。", actor=staff.editor_a)
    submit(correction, actor=staff.editor_a, change_note="更正表7 公务用车运行费")
    decide_flags(correction, staff.reviewer_a)
    review(correction, actor=staff.reviewer_a, outcome="passed")
    publish(correction, actor=staff.reviewer_a)
    client.logout()
    page = client.get(reverse("disclosure", args=[version.disclosure_id])).content.decode()
    assert "第 2 版" in page and "更正表7 公务用车运行费" in page
    assert "保密审查</dt><dd>已审查" in page
    assert client.get(reverse("disclosure_version", args=[version.disclosure_id, 1])).status_code == 200
    changes = client.get(reverse("disclosure_changes", args=[version.disclosure_id, 2])).content.decode()
    assert "公务用车运行费" in changes and "5.80" in changes and "5.90" in changes and "0.10" in changes
    assert "部门职责（已更正）。" in changes


def test_compliance_view_counts_and_exports(client, staff):
    from disclosures.services import register_approval

    register_approval(department=staff.department_b, year=2025, kind="budget", approved_on=datetime.date(2025, 1, 2), actor=staff.admin)
    upload_seed004(staff)
    login(client, staff.admin)
    page = client.get(reverse("staff_compliance"), {"region": staff.city.pk, "year": 2025, "kind": "budget"}).content.decode()
    assert "辽宁省/抚顺市 2025 年部门预算公开情况" in page
    assert "已逾期 29 天" in page  # 2025-01-02 → due 2025-01-22; today 2025-02-20
    assert "距截止还有 11 天" in page
    csv = client.get(reverse("staff_compliance"), {"region": staff.city.pk, "year": 2025, "export": "csv"})
    text = csv.content.decode("utf-8-sig")
    assert text.splitlines()[0] == "地区,部门,状态,批复日期,截止日期,公开日期,逾期天数,期限情况,缺少的必备内容"
    assert "辽宁省/抚顺市,抚顺市财政局,未上传,2025-01-02,2025-01-22,,29,已逾期 29 天,尚未上传" in text
    xlsx = client.get(reverse("staff_compliance"), {"region": staff.city.pk, "year": 2025, "export": "xlsx"})
    from io import BytesIO

    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(xlsx.content)).active
    assert sheet["B4"].value == "抚顺市工业和信息化局" or sheet["B3"].value == "抚顺市工业和信息化局"


@time_machine.travel(datetime.datetime(2025, 2, 20, 10, tzinfo=datetime.timezone.utc), tick=False)
def test_compliance_opens_on_the_widest_region_administered(client, staff):
    from disclosures.models import Department, Region
    from disclosures.services import register_approval

    shenyang = Region.get_or_create_path("辽宁省/沈阳市")
    Department.objects.create(region=shenyang, name="沈阳市财政局")
    register_approval(department=staff.department_b, year=2025, kind="budget", approved_on=datetime.date(2025, 1, 2), actor=staff.admin)
    login(client, staff.admin)  # administers 辽宁省
    page = client.get(reverse("staff_compliance")).content.decode()
    assert "辽宁省 2025 年部门预算公开情况" in page
    assert "沈阳市财政局" in page and "抚顺市财政局" in page  # every city below the province
    assert '<option value="%d" selected>辽宁省</option>' % staff.province.pk in page
    assert ">辽宁省/沈阳市</option>" in page


def test_the_administrator_manages_only_their_region_in_the_admin(client, staff):
    from disclosures.models import Department, Region

    hebei = Region.objects.create(name="河北省", level=Region.Level.PROVINCE)
    Department.objects.create(region=hebei, name="河北省财政厅")
    login(client, staff.admin)
    page = client.get("/admin/disclosures/department/").content.decode()
    assert "抚顺市工业和信息化局" in page and "河北省财政厅" not in page
    response = client.post("/admin/disclosures/department/add/", {
        "region": staff.city.pk, "name": "抚顺市统计局", "code": "",
        "units-TOTAL_FORMS": "0", "units-INITIAL_FORMS": "0",
    })
    assert response.status_code == 302
    assert Department.objects.filter(name="抚顺市统计局", region=staff.city).exists()
    response = client.post("/admin/disclosures/department/add/", {
        "region": hebei.pk, "name": "越权部门", "code": "",
        "units-TOTAL_FORMS": "0", "units-INITIAL_FORMS": "0",
    })
    assert response.status_code == 200 and not Department.objects.filter(name="越权部门").exists()


def test_department_staff_cannot_enter_the_admin(client, staff):
    login(client, staff.editor_a)
    assert client.get("/admin/disclosures/department/").status_code == 302


def test_the_admin_offers_no_way_to_delete_a_published_version(client, staff):
    login(client, staff.admin)
    assert client.get("/admin/disclosures/version/").status_code == 404
    assert client.get("/admin/disclosures/disclosure/").status_code == 404


def test_a_format_assigned_to_a_province_is_inherited_unless_a_city_overrides_it(staff):
    from disclosures.models import FormatAssignment, format_for

    assert format_for(staff.city, 2023, "budget") == "liaoning-budget-18"
    FormatAssignment.objects.create(region=staff.city, year=2023, kind="budget", format="liaoning-budget-17")
    assert format_for(staff.city, 2023, "budget") == "liaoning-budget-17"
    assert format_for(staff.city, 2024, "budget") == "liaoning-budget-18"
    assert format_for(staff.province, 2023, "budget") == "liaoning-budget-18"


def test_a_new_staff_account_needs_a_password_the_validators_accept(client, staff):
    from django.contrib.auth import get_user_model

    login(client, staff.admin)
    response = client.post("/admin/auth/user/add/", {
        "username": "new_editor", "password1": "12345678", "password2": "12345678", "usable_password": "true",
    })
    assert response.status_code == 200
    assert not get_user_model().objects.filter(username="new_editor").exists()
    assert "密码" in response.content.decode()


def test_the_audit_trail_is_filtered_by_action_and_department(client, staff):
    upload_seed004(staff)
    from disclosures.services import register_approval

    register_approval(department=staff.department_b, year=2025, kind="budget", approved_on=datetime.date(2025, 1, 2), actor=staff.admin)
    login(client, staff.admin)
    page = client.get(reverse("staff_audit"), {"action": "register_approval"}).content.decode()
    assert "登记批复" in page and "上传工作簿" not in page.split("<tbody")[1]
    page = client.get(reverse("staff_audit"), {"department": staff.department_a.pk}).content.decode()
    body = page.split("<tbody")[1]
    assert "上传工作簿" in body and "登记批复" not in body


def test_the_audit_trail_pages_through_every_event_and_sorts_by_column(client, staff):
    from disclosures.models import AuditEvent
    from disclosures.services import record
    from disclosures.views.audit import AUDIT_PER_PAGE, scope

    version = upload_seed004(staff)
    for n in range(AUDIT_PER_PAGE + 5):
        record("acknowledge", disclosure=version.disclosure, version=version, actor=staff.editor_a, remarks=f"第{n}条确认")
    login(client, staff.admin)
    # Every event the administrator reads: the department's, and the security events of the region's staff.
    events, _departments = scope(staff.admin)
    total = events.count()
    assert total > AuditEvent.objects.filter(disclosure=version.disclosure).count()

    def rows(**params):
        page = client.get(reverse("staff_audit"), params).content.decode()
        body = page.split("<tbody")[1].split("</tbody>")[0]
        return page, re.findall(r"<tr[ >].*?</tr>", body, flags=re.S)

    page, first = rows(action="acknowledge")
    assert len(first) == AUDIT_PER_PAGE
    assert "第54条确认" in first[0]  # newest first
    # The next page keeps the filter in its link, and holds the rest.
    assert "?action=acknowledge&amp;page=2" in page
    _, second = rows(action="acknowledge", page=2)
    assert len(second) == AUDIT_PER_PAGE + 5 - AUDIT_PER_PAGE
    assert "第0条确认" in second[-1]
    # Unfiltered, every event of the department is reachable: none is cut at a fixed number.
    _, last = rows(page=(total - 1) // AUDIT_PER_PAGE + 1)
    assert len(last) == total - AUDIT_PER_PAGE * ((total - 1) // AUDIT_PER_PAGE)
    # An event's list of figures reads as words, not as a Python list.
    record("import", disclosure=version.disclosure, actor=staff.editor_a, missing=["缺少 表13", "缺少 表14"])
    page, _ = rows(action="import")
    assert "missing=缺少 表13、缺少 表14" in page and "['" not in page
    # Sorting by 操作人 is a link on the header.
    page, _ = rows(sort="actor_name")
    assert 'href="?sort=-actor_name">操作人</a>' in page
    assert re.search(r'<th scope="col" aria-sort="ascending" class="asc orderable">\s*<a href="\?sort=-actor_name">', page)
    page, _ = rows()
    assert re.search(r'<th scope="col" aria-sort="descending" class="desc orderable">\s*<a href="\?sort=at">时间</a>', page)


def test_the_compliance_view_lists_a_department_with_no_approval(client, staff):
    login(client, staff.admin)
    page = client.get(reverse("staff_compliance"), {"region": staff.province.pk, "year": 2025}).content.decode()
    assert "未登记批复" in page and "抚顺市财政局" in page
    assert "<strong>2</strong> 个部门" in page and "<strong>2</strong> 尚未公开" in page


def test_the_public_page_says_whether_it_was_published_on_time(client, published_seed004):
    page = client.get(reverse("disclosure", args=[published_seed004.pk])).content.decode()
    # Approved 2025-01-24 in the shared fixture → due 2025-02-13; published 2025-02-26.
    assert "逾期 13 天公开" in page and "截止 2025-02-13" in page


def test_the_bureaus_pages_are_in_the_navigation_of_administrators_only(client, staff):
    version = upload_seed004(staff)
    login(client, staff.admin)
    assert "公开情况</a>" in client.get(reverse("staff_version", args=[version.pk])).content.decode()
    login(client, staff.editor_a)
    assert "公开情况</a>" not in client.get(reverse("staff_version", args=[version.pk])).content.decode()
