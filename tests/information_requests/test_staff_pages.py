"""Staff pages: who may see and do what (personas), the inbox tabs, the request page and its forms."""

import datetime

import pytest
from django.urls import reverse

from disclosures.information_requests import services
from disclosures.information_requests.models import Status

from .conftest import PERSON_ID, file_request, received

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def case(department, handler, frozen):
    """A closed request with a letter, a file and a pending appeal, plus one new request."""
    frozen(D(2026, 9, 18))
    closed = received(department, handler, D(2026, 9, 18))
    from django.core.files.uploadedfile import SimpleUploadedFile

    reply = services.send_reply(
        closed, outcome="disclosed", files=[SimpleUploadedFile("a.pdf", b"%PDF-1.4")], actor=handler
    )
    appeal = services.record_appeal(closed, kind="review", filed_on=D(2026, 9, 18), actor=handler)
    fresh = file_request(department, description="新申请")
    return {"closed": closed, "file": reply.files.get(), "appeal": appeal, "fresh": fresh}


def get_urls(case, department):
    closed = case["closed"]
    return [
        reverse("information_requests:inbox", args=[department.pk]),
        reverse("information_requests:report", args=[department.pk]),
        reverse("information_requests:report_xlsx", args=[department.pk]),
        reverse("information_requests:detail", args=[closed.pk]),
        reverse("information_requests:staff_letter", args=[closed.pk]),
        reverse("information_requests:staff_file", args=[closed.pk, case["file"].pk]),
    ]


def post_urls(case):
    fresh, closed = case["fresh"], case["closed"]
    return [
        reverse("information_requests:act", args=[fresh.pk, "receive"]),
        reverse("information_requests:appeal_result", args=[closed.pk, case["appeal"].pk]),
    ]


@pytest.mark.parametrize(
    "persona, get_status, post_status",
    [
        ("handler", 200, 302),
        ("approver", 200, 302),
        ("admin_user", 200, 403),  # the finance bureau oversees; it does not handle
        ("other_handler", 404, 404),  # another department: not even told the request exists
        ("editor", 404, 404),  # publishing staff of the same department hold no request role
    ],
)
def test_every_staff_url_checks_the_department_and_role(
    client, case, department, persona, get_status, post_status, request
):
    client.force_login(request.getfixturevalue(persona))
    # The decision letter is addressed to the applicant by name: not for the overseeing administrator.
    letter = reverse("information_requests:staff_letter", args=[case["closed"].pk])
    for url in get_urls(case, department):
        expected = 403 if persona == "admin_user" and url == letter else get_status
        assert client.get(url).status_code == expected, url
    for url in post_urls(case):
        assert client.post(url, {"result": "upheld", "decided_on": "2026-09-18"}).status_code == post_status, url
    case["fresh"].refresh_from_db()
    assert case["fresh"].status == (Status.IN_PROGRESS if post_status == 302 else Status.SUBMITTED)


@pytest.mark.parametrize("persona, status", [("admin_user", 403), ("other_handler", 404), ("editor", 404)])
def test_no_action_is_open_to_staff_without_a_request_role_in_the_department(client, case, persona, status, request):
    from disclosures.information_requests.views.staff import ACTIONS

    client.force_login(request.getfixturevalue(persona))
    for action in ACTIONS:
        for target in (case["fresh"], case["closed"]):
            assert client.post(reverse("information_requests:act", args=[target.pk, action])).status_code == status, (
                action
            )
    assert (
        client.post(reverse("information_requests:act", args=[case["fresh"].pk, "no-such-action"])).status_code == 404
    )
    case["fresh"].refresh_from_db()
    assert case["fresh"].status == Status.SUBMITTED and case["fresh"].events.count() == 1


def test_anonymous_visitors_are_sent_to_log_in(client, case, department):
    for url in get_urls(case, department) + post_urls(case):
        response = client.get(url) if url in get_urls(case, department) else client.post(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login")), url
    assert client.get(reverse("information_requests:staff_home")).status_code == 302


def test_the_staff_home_lists_the_departments_or_goes_straight_to_the_only_one(
    client, department, other_department, handler, admin_user
):
    client.force_login(handler)
    response = client.get(reverse("information_requests:staff_home"))
    assert response["Location"] == reverse("information_requests:inbox", args=[department.pk])
    client.force_login(admin_user)
    page = client.get(reverse("information_requests:staff_home")).content.decode()
    assert "抚顺市工业和信息化局" in page and "沈阳市财政局" in page  # both lie under 辽宁省


def test_the_inbox_tabs_count_and_list_requests_with_masked_id_numbers(client, department, handler, frozen):
    frozen(D(2026, 9, 18))
    received(department, handler, D(2026, 9, 18), information_title="快到期")  # due 10-22
    amending = received(department, handler, D(2026, 9, 18), information_title="待补正")
    services.send_amendment_notice(amending, instructions="请补正", deadline=D(2026, 10, 30), actor=handler)
    frozen(D(2026, 10, 19))
    file_request(department, information_title="新来的", name="赵四")
    late = received(department, handler, D(2026, 9, 1), information_title="已超期")  # due 9-29
    assert late.due_on == D(2026, 9, 29)
    client.force_login(handler)
    url = reverse("information_requests:inbox", args=[department.pk])
    page = client.get(url).content.decode()
    for tab, count in [
        ("new", 1),
        ("in_progress", 2),
        ("amendment", 1),
        ("paused", 0),
        ("due_soon", 1),
        ("overdue", 1),
        ("closed", 0),
    ]:
        assert f'data-tab="{tab}">' in page
        assert page.split(f'data-tab="{tab}">')[1].split("</a>")[0].endswith(f'<span class="count">{count}</span>'), tab
    assert "赵四" in page and "1101**********002X" in page and PERSON_ID not in page

    soon = client.get(url + "?tab=due_soon").content.decode()
    assert "快到期" in soon and "剩 3 个工作日" in soon and "已超期" not in soon.split("<tbody>")[1]
    overdue = client.get(url + "?tab=overdue").content.decode()
    assert "已超期" in overdue.split("<tbody>")[1] and "超期" in overdue
    searched = client.get(url + "?tab=in_progress&q=快到").content.decode()
    assert "快到期" in searched and "已超期" not in searched.split("<tbody>")[1]
    unassigned = client.get(url + "?tab=in_progress&handler=none").content.decode()
    assert "此分类下没有申请。" in unassigned


def test_the_request_page_shows_the_fee_the_rule_allows_from_the_eleventh_request(client, department, handler, frozen):
    frozen(D(2026, 9, 1))
    for n in range(10):
        file_request(department, description=f"第{n + 1}件")
    client.force_login(handler)
    tenth = client.get(
        reverse(
            "information_requests:detail",
            args=[services.InformationRequest.objects.order_by("submitted_at", "pk").last().pk],
        )
    )
    assert "本月向本机关提出的第 10 件申请。每月10件以内不收费。" in tenth.content.decode()
    eleventh = file_request(department, description="第11件")
    page = client.get(reverse("information_requests:detail", args=[eleventh.pk])).content.decode()
    assert "第 11 件申请" in page and "按件计收标准可收取信息处理费 <strong>100 元</strong>" in page


def test_an_action_form_with_bad_input_shows_the_chinese_error_and_changes_nothing(client, department, handler, frozen):
    frozen(D(2026, 9, 18))
    request = received(department, handler, D(2026, 9, 18))
    client.force_login(handler)
    response = client.post(
        reverse("information_requests:act", args=[request.pk, "extension"]), {"days": "30", "reason": "档案多"}
    )
    assert response.status_code == 400
    assert "延长期限最长不得超过20个工作日（条例第三十三条）。" in response.content.decode()
    response = client.post(
        reverse("information_requests:act", args=[request.pk, "reply"]),
        {"outcome": "withheld_process", "reasons": ""},
        follow=True,
    )
    assert "除予以公开外，答复须说明理由（条例第三十六条）。" in response.content.decode()
    request.refresh_from_db()
    assert request.status == Status.IN_PROGRESS and request.extensions.count() == 0


def test_the_approver_approves_an_extension_on_the_request_page(client, department, handler, approver, frozen):
    frozen(D(2026, 9, 18))
    request = received(department, handler, D(2026, 9, 18))
    client.force_login(handler)
    client.post(
        reverse("information_requests:act", args=[request.pk, "extension"]), {"days": "10", "reason": "需要会商"}
    )
    page = client.get(reverse("information_requests:detail", args=[request.pk])).content.decode()
    assert "延期待信息公开工作机构负责人批准。" in page and "提交审批意见" not in page
    client.force_login(approver)
    response = client.post(
        reverse("information_requests:act", args=[request.pk, "extension_decision"]),
        {"decision": "approve"},
        follow=True,
    )
    page = response.content.decode()
    assert "已批准延期" in page and "新期限 2026-11-05" in page


def test_the_django_admin_shows_requests_to_the_superuser_only(client, department, handler, admin_user, frozen):
    from tests.factories import UserFactory

    frozen(D(2026, 9, 18))
    request = received(department, handler, D(2026, 9, 18))
    url = reverse("admin:information_requests_informationrequest_changelist")
    admin_user.is_staff = True
    admin_user.save()
    client.force_login(admin_user)
    assert client.get(url).status_code == 403
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(root)
    page = client.get(url).content.decode()
    assert request.short_code in page and "1101**********002X" in page


def test_the_reply_form_names_the_responsible_agency_and_prefills_the_last_contact(client, department, handler, frozen):
    frozen(D(2026, 9, 18))
    first = received(department, handler, D(2026, 9, 18))
    client.force_login(handler)
    response = client.post(
        reverse("information_requests:act", args=[first.pk, "reply"]),
        {"outcome": "unavailable_not_held", "reasons": "由市财政局制作。", "responsible_agency": "抚顺市财政局",
         "responsible_contact": "024-57111111", "contact": "信息公开办公室 024-57000000"},
        follow=True,
    )  # fmt: skip
    assert response.status_code == 200
    first.reply.refresh_from_db()
    assert (first.reply.responsible_agency, first.reply.contact) == ("抚顺市财政局", "信息公开办公室 024-57000000")
    second = received(department, handler, D(2026, 9, 18), description="另一件")
    page = client.get(reverse("information_requests:detail", args=[second.pk])).content.decode()
    assert "负责公开该信息的行政机关" in page and 'value="信息公开办公室 024-57000000"' in page
