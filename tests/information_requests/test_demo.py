"""The demo data gives the inbox and the report real content: every state, several outcomes, a carry-over."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from disclosures.information_requests import report
from disclosures.information_requests.models import InformationRequest, Status

pytestmark = pytest.mark.django_db


def test_the_demo_holds_requests_in_every_state_and_loads_twice(department, frozen, client):
    frozen(datetime.date(2026, 11, 23))
    out = io.StringIO()
    call_command("load_request_demo", stdout=out)
    call_command("load_request_demo", stdout=out)
    text = out.getvalue()
    assert "fushun_handler" in text and "fushun_approver" in text and "已存在：依申请公开演示申请" in text

    requests = InformationRequest.objects.filter(department=department)
    assert set(requests.values_list("status", flat=True)) == set(Status.values)
    outcomes = set(requests.filter(status=Status.CLOSED).values_list("reply__outcome", flat=True))
    assert outcomes == {
        "disclosed",
        "partly_disclosed",
        "withheld_process",
        "unavailable_not_held",
        "not_processed_repeat",
        "other_no_amendment",
    }

    this_year = report.build(department, 2026)
    assert this_year.row("二、上年结转政府信息公开申请数量").values[-1] == 1  # received in December 2025
    assert this_year.row("（七）总计").values[-1] == 6
    # Still open: 7 registered, and the 2 new ones nobody has registered yet, counted from the day they arrived.
    assert this_year.row("四、结转下年度继续办理").values[-1] == 9
    assert this_year.table4[:5] == [0, 0, 0, 1, 1]

    client.force_login(department.memberships.get(role="request_handler").user)
    page = client.get(reverse("information_requests:inbox", args=[department.pk]) + "?tab=overdue").content.decode()
    assert "抚顺市某公益基金会" in page
    assert "疑似重复申请" in client.get(reverse("information_requests:inbox", args=[department.pk])).content.decode()
