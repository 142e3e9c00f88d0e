"""The remedy each outcome's 告知书 and the status page state (条例第五十一条): since the 2023 revision of the
行政复议法, 行政复议 comes first where the agency refuses disclosure (第二十三条第一款第（四）项) or does not
answer in time (第（三）项); otherwise the applicant chooses 复议 (60 days) or 诉讼 (six months)."""

import datetime

import pytest
from django.urls import reverse

from disclosures.information_requests import remedies, services
from disclosures.information_requests.letter import render_letter
from disclosures.information_requests.outcomes import Outcome

from .conftest import grant_session, received
from .test_letter import pdf_text, squeeze

D = datetime.date
pytestmark = pytest.mark.django_db

REVIEW_FIRST = (
    "如对本机关不予公开的决定不服，您应当自收到本告知书之日起六十日内先向抚顺市人民政府申请行政复议"
    "（《中华人民共和国行政复议法》第二十条第一款、第二十三条第一款第（四）项）；对行政复议决定不服的，"
    "可以自收到行政复议决定书之日起十五日内向人民法院提起行政诉讼（《中华人民共和国行政诉讼法》第四十五条）。"
)
CHOICE = (
    "如对本答复不服，可以自收到本告知书之日起六十日内向抚顺市人民政府申请行政复议（《中华人民共和国行政复议法》"
    "第二十条第一款），或者自收到本告知书之日起六个月内向人民法院提起行政诉讼（《中华人民共和国行政诉讼法》第四十六条第一款）。"
)
WITHHELD = [o for o in Outcome if o.value.startswith("withheld_")]
OTHERS = [o for o in Outcome if not o.value.startswith("withheld_") and o != Outcome.PARTLY_DISCLOSED]


@pytest.mark.parametrize("outcome", WITHHELD, ids=lambda o: o.value)
def test_every_refusal_sends_the_applicant_to_administrative_review_first(department, outcome):
    remedy = remedies.for_outcome(outcome, department)
    assert remedy.review_first and remedy.text == REVIEW_FIRST


@pytest.mark.parametrize("outcome", OTHERS, ids=lambda o: o.value)
def test_other_outcomes_leave_the_choice_between_review_and_suit(department, outcome):
    remedy = remedies.for_outcome(outcome, department)
    assert not remedy.review_first and remedy.text == CHOICE


def test_a_partial_disclosure_sends_the_withheld_part_to_review_first_and_leaves_the_rest_a_choice(department):
    remedy = remedies.for_outcome(Outcome.PARTLY_DISCLOSED, department)
    assert remedy.review_first
    assert remedy.text.startswith("如对本机关不予公开的部分不服，您应当自收到本告知书之日起六十日内先向抚顺市人民政府申请行政复议")
    assert "对本答复的其他内容不服的，可以自收到本告知书之日起六十日内向抚顺市人民政府申请行政复议，或者" in remedy.text


@pytest.mark.parametrize(
    ("outcome", "reasons", "stated", "never"),
    [
        ("withheld_third_party", "涉及企业商业秘密。", REVIEW_FIRST, "六个月内向人民法院提起行政诉讼"),
        ("unavailable_not_held", "本机关未制作该信息。", CHOICE, "先向抚顺市人民政府申请行政复议"),
    ],
    ids=["refusal: review first", "not held: the choice"],
)
def test_the_letter_states_the_remedy_of_its_outcome(department, handler, frozen, tmp_path, outcome, reasons, stated, never):
    frozen(D(2026, 9, 18))
    request = received(department, handler, D(2026, 9, 18))
    reply = services.send_reply(request, outcome=outcome, reasons=reasons, actor=handler)
    text = squeeze(pdf_text(render_letter(reply), tmp_path))
    assert squeeze(stated) in text
    assert never not in text


def test_the_status_page_states_the_remedy_of_its_outcome(client, department, handler, frozen):
    frozen(D(2026, 9, 18))
    request = received(department, handler, D(2026, 9, 18))
    services.send_reply(request, outcome="withheld_process", reasons="会议讨论记录。", actor=handler)
    grant_session(client, request)
    page = client.get(reverse("information_requests:status", args=[request.pk])).content.decode()
    assert REVIEW_FIRST in page
    assert "逾期未答复" not in page


def test_an_overdue_request_tells_the_applicant_to_apply_for_review_first(client, department, handler, frozen):
    frozen(D(2026, 9, 18))
    request = received(department, handler, D(2026, 9, 18))
    url = reverse("information_requests:status", args=[request.pk])
    request.refresh_from_db()
    frozen(request.due_on)  # the last day: still in time
    grant_session(client, request)
    page = client.get(url).content.decode()
    assert "答复期限" in page and "逾期未答复" not in page
    frozen(request.due_on + datetime.timedelta(days=1))
    grant_session(client, request)
    page = client.get(url).content.decode()
    assert (
        "本机关逾期未答复的，您应当先向抚顺市人民政府申请行政复议（《中华人民共和国行政复议法》第二十三条第一款第（三）项），"
        "对行政复议决定不服的，再向人民法院提起行政诉讼。" in page
    )
