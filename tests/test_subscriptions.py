"""E-mail subscriptions: double opt-in, one message per publication to confirmed subscribers in scope, one-click
unsubscribe (RFC 8058) that a GET never triggers."""

import datetime
import re
import time

import pytest
from django.conf import settings
from django.core.cache import caches

from disclosures.information_requests import personal_data
from disclosures.models import Department, Disclosure, Region, Subscription, Version
from disclosures.services import publish_backfill


@pytest.fixture(autouse=True)
def _fresh_limits():
    caches["limits"].clear()
    yield
    caches["limits"].clear()


@pytest.fixture
def place(db):
    fushun = Region.get_or_create_path("辽宁省/抚顺市")
    dalian = Region.get_or_create_path("辽宁省/大连市")
    industry = Department.objects.create(region=fushun, name="抚顺市工业和信息化局")
    finance = Department.objects.create(region=dalian, name="大连市财政局")
    return fushun, dalian, industry, finance


def publish(department, number, change_note="", kind="budget", capture=None):
    disclosure, _ = Disclosure.objects.get_or_create(
        department=department, year=2025, kind=kind,
        defaults={"format": "liaoning-budget-18", "approved_on": datetime.date(2025, 1, 24)},
    )  # fmt: skip
    version = Version.objects.create(disclosure=disclosure, number=number, change_note=change_note)
    with capture(execute=True):
        return publish_backfill(version, published_on=datetime.date(2025, 2, number))


def link_in(message, kind):
    """The path of the link the message carries (the message gives it in full, under SITE_URL)."""
    found = re.search(rf"{re.escape(settings.SITE_URL)}(/subscribe/{kind}/[^/\s]+/)", message.body)
    assert found, message.body
    return found.group(1)


def subscribe(client, capture, email, **scope):
    query = "&".join(f"{k}={v.pk}" for k, v in scope.items())
    page = client.get(f"/subscribe/?{query}")
    assert page.status_code == 200
    with capture(execute=True):
        response = client.post("/subscribe/", {"email": email, **{k: v.pk for k, v in scope.items()}})
    assert response.status_code == 200, response.content.decode()
    assert "请查收确认邮件" in response.content.decode()
    return response


def test_subscribe_confirm_publish_unsubscribe(client, place, mailoutbox, django_capture_on_commit_callbacks):
    fushun, dalian, industry, finance = place
    capture = django_capture_on_commit_callbacks
    subscribe(client, capture, "Reader@Example.cn", department=industry)
    assert len(mailoutbox) == 1
    confirmation = mailoutbox[0]
    assert confirmation.to == ["reader@example.cn"]
    assert "抚顺市工业和信息化局" in confirmation.subject
    # Stored encrypted, with a keyed hash; unconfirmed.
    subscription = Subscription.objects.get()
    assert "reader@example.cn" not in subscription.email_encrypted
    assert subscription.email == "reader@example.cn"
    assert subscription.email_hash == personal_data.email_hash("reader@example.cn")
    assert subscription.confirmed_at is None

    confirm = link_in(confirmation, "confirm")
    assert client.get(confirm).status_code == 200  # a GET shows the button only
    subscription.refresh_from_db()
    assert subscription.confirmed_at is None
    assert "订阅成功" in client.post(confirm).content.decode()
    subscription.refresh_from_db()
    assert subscription.confirmed_at is not None

    mailoutbox.clear()
    publish(industry, 1, capture=capture)
    assert len(mailoutbox) == 1
    notice = mailoutbox[0]
    assert notice.to == ["reader@example.cn"]
    assert notice.subject == "[预决算公开] 新公开：抚顺市工业和信息化局 2025 年部门预算"
    leave = link_in(notice, "unsubscribe")
    assert notice.extra_headers["List-Unsubscribe"] == f"<{settings.SITE_URL}{leave}>"
    assert notice.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    message = notice.message()
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/disclosures/" in notice.body

    # A correction: its own message, with the change note.
    mailoutbox.clear()
    publish(industry, 2, change_note="表3 更正。", capture=capture)
    assert len(mailoutbox) == 1
    assert "（第 2 版，更正）" in mailoutbox[0].subject and "表3 更正。" in mailoutbox[0].body

    # GET on the unsubscribe link (a mail scanner) changes nothing; the one-click POST, without a CSRF token, does.
    assert "退订" in client.get(leave).content.decode()
    assert Subscription.objects.exists()
    csrf_client = client.__class__(enforce_csrf_checks=True)
    response = csrf_client.post(leave, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200 and "已退订" in response.content.decode()
    assert not Subscription.objects.exists()

    mailoutbox.clear()
    publish(industry, 3, change_note="再次更正。", capture=capture)
    assert mailoutbox == []
    assert client.post(leave).status_code == 404  # the link is spent


def test_unconfirmed_addresses_get_nothing(client, place, mailoutbox, django_capture_on_commit_callbacks):
    fushun, dalian, industry, finance = place
    subscribe(client, django_capture_on_commit_callbacks, "waiting@example.cn", region=fushun)
    mailoutbox.clear()
    publish(industry, 1, capture=django_capture_on_commit_callbacks)
    assert mailoutbox == []


def test_scopes(client, place, mailoutbox, django_capture_on_commit_callbacks):
    """Everything, a region above the department, the department: in scope. Another region, another
    department: not."""
    from disclosures import subscriptions

    fushun, dalian, industry, finance = place
    for email, scope in [
        ("all@example.cn", {}),
        ("province@example.cn", {"region": fushun.parent}),
        ("city@example.cn", {"region": fushun}),
        ("dept@example.cn", {"department": industry}),
        ("dalian@example.cn", {"region": dalian}),
        ("finance@example.cn", {"department": finance}),
    ]:
        subscriptions.confirm(subscriptions.subscribe(email, **scope))
    mailoutbox.clear()
    publish(industry, 1, capture=django_capture_on_commit_callbacks)
    assert sorted(m.to[0] for m in mailoutbox) == [
        "all@example.cn", "city@example.cn", "dept@example.cn", "province@example.cn",
    ]  # fmt: skip


def test_a_confirmed_address_subscribing_again_gets_no_second_message(client, place, mailoutbox, django_capture_on_commit_callbacks):
    from disclosures import subscriptions

    industry = place[2]
    subscriptions.confirm(subscriptions.subscribe("reader@example.cn", department=industry))
    mailoutbox.clear()
    subscribe(client, django_capture_on_commit_callbacks, "READER@example.cn ", department=industry)
    assert mailoutbox == []
    assert Subscription.objects.count() == 1


def test_bad_tokens_say_so(client, place, django_capture_on_commit_callbacks, mailoutbox):
    from disclosures import subscriptions

    industry = place[2]
    subscription = subscriptions.subscribe("reader@example.cn", department=industry)
    good = subscriptions.confirm_token(subscription)
    for address in (
        f"/subscribe/confirm/{good}x/",
        "/subscribe/confirm/garbage/",
        f"/subscribe/unsubscribe/{good}/",  # a confirmation token does not unsubscribe
        f"/subscribe/confirm/{subscriptions.unsubscribe_token(subscription)}/",  # nor the reverse
    ):
        for method in (client.get, client.post):
            response = method(address)
            assert response.status_code == 404, address
            assert "链接无效或已过期" in response.content.decode()
    assert Subscription.objects.filter(confirmed_at__isnull=True).count() == 1


def test_confirmation_links_expire(client, place, monkeypatch):
    from django.core import signing

    from disclosures import subscriptions

    subscription = subscriptions.subscribe("reader@example.cn", department=place[2])
    token = subscriptions.confirm_token(subscription)
    later = time.time() + subscriptions.CONFIRM_MAX_AGE + 1
    monkeypatch.setattr(signing.time, "time", lambda: later)
    response = client.post(f"/subscribe/confirm/{token}/")
    assert response.status_code == 404 and "链接无效或已过期" in response.content.decode()
    subscription.refresh_from_db()
    assert subscription.confirmed_at is None


def test_subscriptions_are_rate_limited(client, place, mailoutbox, django_capture_on_commit_callbacks):
    from disclosures.views import follow

    industry = place[2]
    for attempt in range(follow.SUBSCRIBES_PER_HOUR_PER_EMAIL):
        subscribe(client, django_capture_on_commit_callbacks, "reader@example.cn", department=industry)
    response = client.post("/subscribe/", {"email": "reader@example.cn", "department": industry.pk})
    assert response.status_code == 429
    assert len(mailoutbox) == follow.SUBSCRIBES_PER_HOUR_PER_EMAIL


def test_bad_input(client, place):
    industry = place[2]
    response = client.post("/subscribe/", {"email": "not-an-address", "department": industry.pk})
    assert response.status_code == 400
    assert not Subscription.objects.exists()
    assert client.get("/subscribe/?department=999999").status_code == 404
    assert client.get("/subscribe/?region=abc").status_code == 404


def test_the_address_stays_out_of_the_logs(client, place, caplog, mailoutbox, django_capture_on_commit_callbacks):
    import logging

    from disclosures import subscriptions

    caplog.set_level(logging.DEBUG)
    industry = place[2]
    subscriptions.confirm(subscriptions.subscribe("secret.reader@example.cn", department=industry))
    subscribe(client, django_capture_on_commit_callbacks, "other.reader@example.cn", department=industry)
    publish(industry, 1, capture=django_capture_on_commit_callbacks)
    assert mailoutbox
    assert "secret.reader" not in caplog.text and "other.reader" not in caplog.text


def test_the_department_page_stays_cacheable(client, place, django_capture_on_commit_callbacks):
    """The subscribe form is on its own page: the department page carries a link, no CSRF token."""
    industry = place[2]
    publish(industry, 1, capture=django_capture_on_commit_callbacks)
    html = client.get(f"/departments/{industry.pk}/").content.decode()
    assert "csrfmiddlewaretoken" not in html
    assert f"/subscribe/?department={industry.pk}" in html


def test_unconfirmed_addresses_are_forgotten_once_their_link_expires(place):
    from django.utils import timezone

    from disclosures import subscriptions

    fushun, dalian, industry, finance = place
    old = subscriptions.subscribe("old@example.cn", department=industry)
    kept = subscriptions.confirm(subscriptions.subscribe("kept@example.cn", department=industry))
    Subscription.objects.filter(pk__in=[old.pk, kept.pk]).update(
        created_at=timezone.now() - datetime.timedelta(seconds=subscriptions.CONFIRM_MAX_AGE + 60)
    )
    subscriptions.subscribe("new@example.cn", region=fushun)
    assert sorted(s.email for s in Subscription.objects.all()) == ["kept@example.cn", "new@example.cn"]
