"""条例第四十四条: the same information disclosed to several applicants is suggested for proactive publication;
the mark, made through one service function, is listed on the department's public page."""

import datetime

import pytest
from django.urls import reverse

from disclosures.information_requests import proactive, services
from disclosures.information_requests.models import ProactiveDisclosure, RequestEvent

from .conftest import received

D = datetime.date
pytestmark = pytest.mark.django_db
SECOND_PERSON = "110101199003074514"


def text(response):
    return response.content.decode()


def replied(department, handler, outcome="disclosed", **overrides):
    request = received(department, handler, D(2026, 3, 2), **overrides)
    reasons = "" if outcome == "disclosed" else "部分内容涉及个人隐私。"
    services.send_reply(request, outcome=outcome, reasons=reasons, actor=handler, today=D(2026, 3, 10))
    request.refresh_from_db()
    return request


@pytest.fixture
def two_applicants(department, handler):
    first = replied(department, handler)
    second = replied(
        department, handler, outcome="partly_disclosed", id_number=SECOND_PERSON,
        information_title="2025年度工业企业技术改造专项资金分配结果。",
        description="申请公开：2025年度本局工业企业技术改造专项资金的分配结果和分配依据",
    )  # fmt: skip
    return first, second


def test_two_applicants_who_received_the_same_information_bring_the_prompt(client, two_applicants, handler, department):
    first, second = two_applicants
    client.force_login(handler)
    page = text(client.get(reverse("information_requests:detail", args=[first.pk])))
    assert proactive.PROMPT in page and 'id="action-proactive"' in page and "纳入主动公开</button>" in page
    assert second.short_code in page
    inbox = text(client.get(reverse("information_requests:inbox", args=[department.pk])))
    assert proactive.PROMPT in inbox and 'id="proactive-prompts"' in inbox


def test_one_applicant_asking_twice_brings_no_prompt(client, department, handler):
    first = replied(department, handler)
    replied(department, handler, description=first.description + "。")
    client.force_login(handler)
    assert proactive.PROMPT not in text(client.get(reverse("information_requests:detail", args=[first.pk])))
    assert proactive.PROMPT not in text(client.get(reverse("information_requests:inbox", args=[department.pk])))


def test_information_withheld_or_of_another_year_brings_no_prompt(client, department, handler):
    first = replied(department, handler)
    replied(department, handler, outcome="withheld_process", id_number=SECOND_PERSON)
    other_year = replied(
        department, handler, id_number="110101198001010053",
        information_title="2024年度工业企业技术改造专项资金分配结果",
        description="请提供2024年度本局工业企业技术改造专项资金的分配结果及分配依据。",
    )  # fmt: skip
    assert not proactive.similar(first, other_year)
    client.force_login(handler)
    assert proactive.PROMPT not in text(client.get(reverse("information_requests:detail", args=[first.pk])))


def test_the_mark_links_the_group_and_shows_on_the_department_page(client, two_applicants, handler, department):
    first, second = two_applicants
    client.force_login(handler)
    url = reverse("information_requests:proactive", args=[first.pk])
    refused = client.post(url, {"title": "", "url": "not a url"})
    assert refused.status_code == 400 and not ProactiveDisclosure.objects.exists()
    response = client.post(
        url, {"title": "2025年度工业企业技术改造专项资金分配结果", "url": "https://www.example.gov.cn/zdgk/2025-jg.html"}
    )
    assert response.status_code == 302
    mark = ProactiveDisclosure.objects.get()
    assert set(mark.requests.all()) == {first, second} and mark.marked_by == handler
    events = RequestEvent.objects.filter(action=RequestEvent.Action.PROACTIVE)
    assert {e.request_id for e in events} == {first.pk, second.pk} and not any(e.public for e in events)
    detail = text(client.get(reverse("information_requests:detail", args=[second.pk])))
    assert "已纳入主动公开" in detail and proactive.PROMPT not in detail
    assert proactive.PROMPT not in text(client.get(reverse("information_requests:inbox", args=[department.pk])))
    # Marked once: a second mark is refused.
    client.post(url, {"title": "又一次", "url": "https://www.example.gov.cn/x"})
    assert ProactiveDisclosure.objects.count() == 1
    client.logout()
    page = text(client.get(reverse("department", args=[department.pk])))
    assert "依申请公开转主动公开" in page
    assert '<a href="https://www.example.gov.cn/zdgk/2025-jg.html" rel="noopener">2025年度工业企业技术改造专项资金分配结果</a>' in page
    assert "王小明" not in page


def test_a_second_mark_shows_on_the_cached_department_page(client, two_applicants, handler, department, monkeypatch):
    # As if the department had published disclosures: its page is then stored in the cache (page_cache).
    from disclosures.views import department as department_views

    monkeypatch.setattr(department_views.DEPARTMENT_STATE, "rows", lambda pk: [("published", pk)])
    first, _second = two_applicants
    proactive.mark(first, title="技术改造资金分配结果", url="https://www.example.gov.cn/a", actor=handler)
    page_url = reverse("department", args=[department.pk])
    assert "技术改造资金分配结果" in text(client.get(page_url))
    other = replied(department, handler, information_title="2025年度政府采购意向", description="请公开2025年度政府采购意向清单。")
    replied(
        department, handler, id_number=SECOND_PERSON, information_title="2025年度政府采购意向",
        description="请公开2025年度政府采购意向清单",
    )  # fmt: skip
    assert client.get(page_url).has_header("ETag")  # served from the cache
    proactive.mark(other, title="政府采购意向", url="https://www.example.gov.cn/b", actor=handler)
    assert "政府采购意向" in text(client.get(page_url))


def test_only_request_staff_mark_and_only_when_the_rule_holds(client, two_applicants, department, handler, admin_user):
    first, _ = two_applicants
    client.force_login(admin_user)
    response = client.post(
        reverse("information_requests:proactive", args=[first.pk]), {"title": "x", "url": "https://example.gov.cn/"}
    )
    assert response.status_code == 403 and not ProactiveDisclosure.objects.exists()
    lone = replied(department, handler, information_title="会议纪要", description="请提供某次会议纪要。")
    with pytest.raises(services.RequestError, match="不足2个"):
        proactive.mark(lone, title="会议纪要", url="https://example.gov.cn/", actor=handler)


def test_the_number_of_applicants_is_a_setting(client, two_applicants, handler, settings):
    settings.REQUEST_PROACTIVE_MIN_APPLICANTS = 3
    first, _ = two_applicants
    client.force_login(handler)
    assert proactive.PROMPT not in text(client.get(reverse("information_requests:detail", args=[first.pk])))
