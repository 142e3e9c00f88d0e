"""A fixed-window counter in Django's "limits" cache: enough to slow down scripts.

Without REDIS_URL the counters are in the process's memory (`make run`); with it, in Redis, shared by all
web processes and kept across their restarts. If Redis cannot be reached, the counters can be neither read
nor bumped: count() and hit() raise Unavailable, and the views refuse the form (HTTP 503) rather than
accept submissions without a limit.
"""

from django.conf import settings
from django.core.cache import caches

from portal.cache import UNREACHABLE

from . import personal_data


class Unavailable(Exception):
    """The counters cannot be reached (Redis down or not answering in time)."""


def client_ip(request) -> str:
    """The address the rate limits count by.

    Behind TRUSTED_PROXY_COUNT proxies, each of which appends the address it received the request
    from to X-Forwarded-For, the client is the entry that many places from the right: anything to
    its left was written by the client and proves nothing. Without proxies, REMOTE_ADDR.
    """
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if proxies > 0 and len(forwarded) >= proxies:
        return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "unknown")


def count(key: str) -> int:
    try:
        return caches["limits"].get(key, 0)
    except UNREACHABLE as error:
        raise Unavailable from error


def hit(key: str, window_seconds: int) -> int:
    """Add one to the counter for `key` and return the new value."""
    limits = caches["limits"]
    try:
        if limits.add(key, 1, window_seconds):
            return 1
        try:
            return limits.incr(key)
        except ValueError:  # expired between add and incr
            limits.set(key, 1, window_seconds)
            return 1
    except UNREACHABLE as error:
        raise Unavailable from error


def fingerprint(value: str) -> str:
    """A counter key for personal data (an ID number) that does not put the data itself in the cache."""
    return personal_data.keyed_hash("ratelimit", personal_data.normalize_identifier(value))[:32]
