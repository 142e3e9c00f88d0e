"""/healthz answers 200 when the database, the cache and the broker answer, 503 naming the one that does not.

The broker and the Redis cache are real: a private redis-server on a free port, stopped by the tests.
(tests/test_production_server.py asks the same of gunicorn with a broken database.)
"""


import pytest
import redis
from django.urls import reverse

from portal.cache import redis_caches
from tests.private_redis import PrivateRedis, free_port

pytestmark = pytest.mark.django_db
HEALTHZ = reverse("healthz")


@pytest.fixture
def private_redis(tmp_path):
    server = PrivateRedis(tmp_path).start()
    yield server
    server.stop()


def test_healthy_without_a_broker_tasks_run_eagerly(client, settings):
    settings.CELERY_BROKER_URL = ""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    response = client.get(HEALTHZ)
    assert response.status_code == 200
    body = response.json()
    assert (body["database"], body["cache"], body["broker"]) == ("ok", "ok", "eager")
    assert set(body["ms"]) == {"database", "cache", "broker"}
    assert all(isinstance(ms, float) and ms >= 0 for ms in body["ms"].values())


def test_never_cached_no_session_no_policy_header(client, settings):
    settings.CELERY_BROKER_URL = ""
    response = client.get(HEALTHZ)
    assert "no-cache" in response["Cache-Control"] and "max-age=0" in response["Cache-Control"]
    assert "sessionid" not in response.cookies and "csrftoken" not in response.cookies
    assert "Content-Security-Policy" not in response
    assert client.post(HEALTHZ).status_code == 405  # a probe only reads


def test_redis_cache_and_broker_ok_then_503_when_redis_stops(client, settings, private_redis):
    settings.CACHES = redis_caches(private_redis.url(0))
    settings.CELERY_BROKER_URL = private_redis.url(1)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    response = client.get(HEALTHZ)
    assert response.status_code == 200, response.content
    assert response.json()["cache"] == "ok" and response.json()["broker"] == "ok"
    # The probe's key is gone again: probes do not fill the cache.
    assert redis.Redis(port=private_redis.port, db=0).keys("*healthz*") == []

    private_redis.stop()
    response = client.get(HEALTHZ)
    assert response.status_code == 503
    body = response.json()
    assert body["database"] == "ok"
    assert body["cache"].startswith("failed: ") and body["broker"].startswith("failed: ")
    # One attempt with a short timeout: a probe answers before the load balancer gives up on it.
    assert body["ms"]["broker"] < 5000


def test_broker_down_alone_is_named(client, settings):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{free_port()}/1"  # nothing listens there
    settings.CELERY_TASK_ALWAYS_EAGER = False
    response = client.get(HEALTHZ)
    assert response.status_code == 503
    body = response.json()
    assert (body["database"], body["cache"]) == ("ok", "ok")
    assert body["broker"] == "failed: OperationalError"
