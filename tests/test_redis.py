"""The cache, the rate limits and the sessions on a real Redis (REDIS_URL), which these tests stop and start.

A private redis-server on a free port, without persistence, is started once for the module; each test points
CACHES at it (portal/cache.py's redis_caches, as settings.py does when REDIS_URL is set) and sessions at cached_db.
"""

import json
import logging
import os
import subprocess
import sys
import time

import pytest
from django.conf import settings as django_settings
from django.core.cache import caches
from django.test import Client
from django.urls import reverse

import portal.cache
from disclosures.information_requests import ratelimit
from disclosures.information_requests.models import InformationRequest
from disclosures.models import Department, Region
from tests.information_requests.conftest import PERSON_ID, file_request
from tests.private_redis import PrivateRedis

pytestmark = pytest.mark.django_db
APPLY = reverse("information_requests:apply")
LOOKUP = reverse("information_requests:lookup")
REFUSAL = "系统繁忙，暂时无法受理，请稍后再试。"


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory):
    server = PrivateRedis(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def on_redis(redis_server, settings):
    """CACHES and SESSION_ENGINE as with REDIS_URL set. Changing CACHES drops Django's per-thread cache
    objects (the setting_changed signal), so the next `caches[...]` connects to this Redis."""
    if not redis_server.running:
        redis_server.start()
    redis_server.client().flushall()
    portal.cache.forget_health()
    settings.CACHES = portal.cache.redis_caches(redis_server.url())
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    yield redis_server
    portal.cache.forget_health()


@pytest.fixture
def department(db):
    return Department.objects.create(region=Region.get_or_create_path("辽宁省/抚顺市"), name="抚顺市工业和信息化局")


def form_data(department, **overrides):
    data = {
        "department": department.pk, "applicant_type": "natural_person", "name": "王小明",
        "id_type": "resident_id", "id_number": PERSON_ID, "phone": "139 1234 5678", "email": "wang@example.com",
        "address": "", "information_title": "2025年度专项资金分配结果",
        "description": "请提供2025年度工业企业技术改造专项资金的分配结果。",
        "form_wanted": "electronic", "delivery": "online", "consent": "on", "website": "",
    }  # fmt: skip
    data.update(overrides)
    return data


def another_web_process(redis_url, id_number, hits):
    """Another process of the portal, configured from the environment as in production, bumps the
    applicant's submission counter `hits` times; returns what it saw."""
    script = f"""
import json, django
django.setup()
from django.conf import settings
from django.core.cache import caches
from disclosures.information_requests import ratelimit
key = "information_requests:submit-applicant:" + ratelimit.fingerprint({id_number!r})
counts = [ratelimit.hit(key, 3600) for _ in range({hits})]
print(json.dumps({{"counts": counts, "session_engine": settings.SESSION_ENGINE,
    "backends": [type(caches[alias]).__name__ for alias in ("default", "limits")]}}))
"""
    env = {**os.environ, "REDIS_URL": redis_url, "DJANGO_SETTINGS_MODULE": "portal.settings",
           "PYTHONPATH": str(django_settings.BASE_DIR)}  # fmt: skip
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60,
                            cwd=django_settings.BASE_DIR)  # fmt: skip
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_every_web_process_counts_the_same_limit_and_a_restart_forgets_nothing(on_redis, client, department):
    for n in range(3):
        assert client.post(APPLY, form_data(department, description=f"第{n}件")).status_code == 302
    # Another gunicorn worker (here: another process, set up from REDIS_URL) sees these three and adds two.
    other = another_web_process(on_redis.url(), PERSON_ID, 2)
    assert other["counts"] == [4, 5]
    assert other["backends"] == ["ForgivingRedisCache", "ScopedRedisCache"]
    assert other["session_engine"] == "django.contrib.sessions.backends.cached_db"
    # This process "restarts": new cache connections, a new client.
    for alias in ("default", "limits"):
        del caches[alias]
    response = Client().post(APPLY, form_data(department, description="第6件"))
    assert response.status_code == 429
    assert "同一申请人每小时最多提交5件申请" in response.content.decode()
    assert InformationRequest.objects.count() == 3


def test_with_redis_down_pages_render_and_the_limited_forms_refuse(on_redis, published_seed000, department, caplog):
    page_url = published_seed000.get_absolute_url()
    first = Client().get(page_url)
    assert first.status_code == 200
    assert any(key.startswith(b"cache:") for key in on_redis.client().keys()), "the tables were not cached in Redis"
    request = file_request(department)

    on_redis.stop()
    caplog.set_level(logging.WARNING, logger="portal.cache")
    browser = Client(enforce_csrf_checks=True)
    for _ in range(3):
        started = time.monotonic()
        response = browser.get(page_url)
        assert response.status_code == 200
        assert time.monotonic() - started < 5
        page = response.content.decode()
        assert 'id="table-3"' in page and "881.55" in page
    assert len([r for r in caplog.records if r.name == "portal.cache"]) == 1, "one warning, not one per call"

    # The request form: CSRF still works (its token is in a cookie), the refusal is a message, nothing is saved.
    form_page = browser.get(APPLY)
    assert form_page.status_code == 200
    token = browser.cookies[django_settings.CSRF_COOKIE_NAME].value
    refused = browser.post(APPLY, {**form_data(department), "csrfmiddlewaretoken": token})
    assert refused.status_code == 503
    text = refused.content.decode()
    assert REFUSAL in text and "您的申请未提交" in text
    assert "2025年度专项资金分配结果" in text, "the applicant's input stays on the page"
    assert InformationRequest.objects.count() == 1  # the one filed before

    # The status lookup checks no guess, not even the right one, while wrong guesses cannot be counted.
    suffix = "5678"
    looked_up = browser.post(
        LOOKUP, {"tracking_code": request.tracking_code, "phone_suffix": suffix, "csrfmiddlewaretoken": token}
    )
    assert looked_up.status_code == 503 and REFUSAL in looked_up.content.decode()
    assert browser.get(reverse("information_requests:status", args=[request.pk])).status_code == 302

    on_redis.start()
    accepted = browser.post(APPLY, {**form_data(department), "csrfmiddlewaretoken": token})
    assert accepted.status_code == 302
    assert InformationRequest.objects.count() == 2
    looked_up = browser.post(
        LOOKUP, {"tracking_code": request.tracking_code, "phone_suffix": suffix, "csrfmiddlewaretoken": token}
    )
    assert looked_up.status_code == 302
    assert browser.get(reverse("information_requests:status", args=[request.pk])).status_code == 200


def test_sessions_outlive_redis_going_down_and_coming_back_empty(on_redis, client, department):
    response = client.post(APPLY, form_data(department))
    assert response.status_code == 302
    receipt = response["Location"]
    assert client.get(receipt).status_code == 200
    assert any(b"sessions" in key for key in on_redis.client().keys())

    on_redis.stop()
    assert client.get(receipt).status_code == 200  # read from the database
    on_redis.start()  # empty: no persistence
    portal.cache.forget_health()
    assert client.get(receipt).status_code == 200
    assert Client().get(receipt).status_code == 404  # and still nobody else's


def test_writes_lost_while_redis_hung_clear_the_cache_but_not_the_limits(on_redis, monkeypatch):
    """A session deleted at sign-out, or a page invalidated by a publication, while Redis did not answer,
    would come back from Redis afterwards: the first call once it answers clears the cache's keys."""
    monkeypatch.setattr(portal.cache, "RETRY_AFTER_SECONDS", 0)
    cache, limits = caches["default"], caches["limits"]
    cache.set("signed-out-session", "alice")
    cache.set("page", "old")
    assert ratelimit.hit("counter", 3600) == 1
    server = on_redis.client()
    server.set("foreign", "a Celery queue, say")

    server.execute_command("CLIENT", "PAUSE", "3000", "ALL")
    try:
        started = time.monotonic()
        assert cache.delete("signed-out-session") is False  # did not reach Redis, forgiven
        assert time.monotonic() - started < 2
        with pytest.raises(ratelimit.Unavailable):
            ratelimit.count("counter")
    finally:
        server.execute_command("CLIENT", "UNPAUSE")

    assert cache.get("page") is None and cache.get("signed-out-session") is None
    assert limits.get("counter") == 1 and server.get("foreign") == b"a Celery queue, say"
    cache.set("page", "new")
    assert cache.get("page") == "new"  # cleared once, not on every call
