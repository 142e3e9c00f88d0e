"""A fixed-window counter in Django's cache: enough to slow down scripts, no extra service."""

from django.conf import settings
from django.core.cache import cache

from . import personal_data


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
    return cache.get(key, 0)


def hit(key: str, window_seconds: int) -> int:
    """Add one to the counter for `key` and return the new value."""
    if cache.add(key, 1, window_seconds):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window_seconds)
        return 1


def fingerprint(value: str) -> str:
    """A counter key for personal data (an ID number) that does not put the data itself in the cache."""
    return personal_data.keyed_hash("ratelimit", personal_data.normalize_identifier(value))[:32]
