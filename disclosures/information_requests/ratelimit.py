"""A fixed-window counter in Django's cache: enough to slow down scripts, no extra service."""

from django.core.cache import cache


def client_ip(request) -> str:
    # REMOTE_ADDR only: X-Forwarded-For is set by the client unless a trusted proxy rewrites it.
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
