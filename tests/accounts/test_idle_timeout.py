"""A staff session unused for SESSION_IDLE_TIMEOUT_MINUTES is signed out (等保 2.0 登录连接超时自动退出)."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from disclosures.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_an_idle_session_is_signed_out_with_a_message(client, people, sign_in_checks):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client.force_login(people.editor)
        assert client.get("/staff/").status_code == 200
        clock.shift(datetime.timedelta(minutes=29))
        assert client.get("/staff/").status_code == 200  # activity: the half hour starts again
        clock.shift(datetime.timedelta(minutes=29))
        assert client.get("/staff/").status_code == 200
        clock.shift(datetime.timedelta(minutes=31))
        response = client.get("/staff/")
        assert response.status_code == 302 and response["Location"] == "/accounts/login/?next=/staff/"
        assert "_auth_user_id" not in client.session
        page = client.get(response["Location"])
        assert "因长时间未操作，已自动退出" in page.content.decode()
    event = AuditEvent.objects.get(action="logout", actor=people.editor)
    assert event.remarks == "长时间未操作，自动退出"


def test_the_timeout_is_a_setting(client, people, sign_in_checks):
    sign_in_checks.SESSION_IDLE_TIMEOUT_MINUTES = 120
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client.force_login(people.editor)
        client.get("/staff/")
        clock.shift(datetime.timedelta(minutes=90))
        assert client.get("/staff/").status_code == 200


def test_sign_in_still_ends_after_session_cookie_age_however_busy(client, people, sign_in_checks):
    sign_in_checks.SESSION_COOKIE_AGE = 8 * 3600
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client.force_login(people.editor)
        for _ in range(25):  # a request every 20 minutes for 8 hours and more
            assert client.get("/staff/").status_code == 200
            clock.shift(datetime.timedelta(minutes=20))
        response = client.get("/staff/")
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
        assert "登录已超过 8 小时" in client.get(response["Location"]).content.decode()
