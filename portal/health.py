"""/healthz: whether this web worker can reach what a request needs — the database, the cache, the broker.

For nginx upstream checks, load balancers, systemd watchdogs and monitoring. 200 when everything answers,
503 otherwise, with each check's outcome and its time in milliseconds:

    {"database": "ok", "cache": "ok", "broker": "ok", "ms": {"database": 0.4, "cache": 0.3, "broker": 1.9}}

A failure names the exception's class only (the log has the message): the answer is public and a database
error can carry host names. The page opens no session, records no audit event and carries no CSP header;
SECURE_REDIRECT_EXEMPT lets a probe reach it over plain HTTP, but the Host must still be in ALLOWED_HOSTS.
"""

import logging
import secrets
import time

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from csp.decorators import csp_exempt

logger = logging.getLogger(__name__)

# The broker gets one attempt with this many seconds to connect: a probe must answer before its own timeout.
BROKER_TIMEOUT_SECONDS = 2


def check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        if cursor.fetchone() != (1,):
            raise RuntimeError("SELECT 1 did not return 1")
    return "ok"


class NotReadBack(Exception):
    """The production cache forgives an unreachable Redis (portal/cache.py): a write is lost, a read misses."""


def check_cache():
    # A key of its own per probe: probes of several workers at once must not read each other's value.
    key = value = f"healthz:{secrets.token_hex(8)}"
    cache.set(key, value, timeout=10)
    if cache.get(key) != value:
        raise NotReadBack("the value written was not read back")
    cache.delete(key)
    return "ok"


def check_broker():
    url = getattr(settings, "CELERY_BROKER_URL", "")
    if not url or getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False):
        return "eager"  # tasks run inside the request (`make run`): there is no broker to reach
    from kombu import Connection

    with Connection(url, connect_timeout=BROKER_TIMEOUT_SECONDS) as broker:
        broker.ensure_connection(max_retries=1, interval_start=0, timeout=BROKER_TIMEOUT_SECONDS)
    return "ok"


CHECKS = {"database": check_database, "cache": check_cache, "broker": check_broker}


@csp_exempt()
@never_cache
@require_safe
def healthz(request):
    answer, timings, healthy = {}, {}, True
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            answer[name] = check()
        except Exception as error:  # any failure is the answer, not a 500
            logger.warning("healthz: %s failed: %r", name, error)
            answer[name] = f"failed: {type(error).__name__}"
            healthy = False
        timings[name] = round((time.perf_counter() - started) * 1000, 1)
    answer["ms"] = timings
    return JsonResponse(answer, status=200 if healthy else 503, json_dumps_params={"ensure_ascii": False})
