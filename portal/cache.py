"""The Redis caches of the production profile (REDIS_URL set; without it the portal keeps LocMemCache).

Two aliases share one Redis, each under its own key prefix:
- "default" holds what can be computed again: rendered tables, pages, the copies of sessions
  (cached_db keeps every session in the database too). A Redis that cannot be reached is a miss there:
  the public pages go on rendering, only slower (ForgivingRedisCache).
- "limits" holds the rate-limit counters and the status-lookup lockout. Counting them elsewhere, or not at
  all, would let a script through, so its errors are not forgiven: ratelimit.py turns them into a refusal
  (ScopedRedisCache).
"""

import logging
import re
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

# What "Redis is down, restarting or too slow" raises; other errors (a wrong type, a bad command) are bugs
# and propagate. BusyLoadingError (a Redis still loading its data) is a ConnectionError.
UNREACHABLE = (RedisConnectionError, RedisTimeoutError)
# A dead Redis refuses the connection at once; a host that drops packets would make every cache call wait
# for the connect timeout. After a failure the cache is skipped for this long, then tried again.
RETRY_AFTER_SECONDS = 5
WARN_EVERY_SECONDS = 60


def redis_caches(url: str, connect_timeout: float = 0.25, read_timeout: float = 0.5) -> dict:
    """CACHES for a Redis at `url`. The timeouts are short: a Redis that does not answer costs a request
    milliseconds (a page rendered without the cache, a form refused), not the client's default of never."""
    options = {"socket_connect_timeout": connect_timeout, "socket_timeout": read_timeout}
    return {
        "default": {"BACKEND": "portal.cache.ForgivingRedisCache", "LOCATION": url, "KEY_PREFIX": "cache", "OPTIONS": options},
        "limits": {"BACKEND": "portal.cache.ScopedRedisCache", "LOCATION": url, "KEY_PREFIX": "limits", "OPTIONS": options},
    }  # fmt: skip


class ScopedRedisCache(RedisCache):
    """Django's RedisCache, except that clear() deletes this alias's keys only.

    RedisCache.clear() is FLUSHDB: clearing the page cache would reset the rate limits with it (and empty a
    Celery queue kept in the same database).
    """

    def clear(self):
        pattern = re.sub(r"([*?\[\]\\])", r"\\\1", self.key_prefix) + ":*"
        client = self._cache.get_client(None, write=True)
        batch = []
        for key in client.scan_iter(match=pattern, count=1000):
            batch.append(key)
            if len(batch) == 500:
                client.unlink(*batch)
                batch = []
        if batch:
            client.unlink(*batch)
        return True


class _Health:
    """What the threads of one process know about one Redis alias (Django keeps a cache object per thread)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.down_until = 0.0
        self.warned_at = -WARN_EVERY_SECONDS
        self.writes_lost_at = None  # when a write (a set, a delete) last failed to reach Redis


_health: dict[tuple, _Health] = {}
_health_lock = threading.Lock()


def forget_health():
    """Forget past failures (for tests, which start and stop Redis servers)."""
    with _health_lock:
        _health.clear()


class ForgivingRedisCache(ScopedRedisCache):
    """A RedisCache for which an unreachable Redis is a miss: get returns the default, set stores nothing.

    A write that did not reach Redis leaves a stale entry behind it: the session of someone who signed
    out, a page invalidated by a publication. So once Redis answers again, the first call of a process that
    lost writes clears this alias's keys before anything is read from it.
    """

    @property
    def _health(self) -> _Health:
        key = (tuple(self._servers), self.key_prefix)
        with _health_lock:
            return _health.setdefault(key, _Health())

    def _forgiving(self, write, fallback, operation, *args, **kwargs):
        health = self._health
        if time.monotonic() < health.down_until:
            if write:
                health.writes_lost_at = time.monotonic()
            return fallback()
        try:
            if health.writes_lost_at is not None:
                self._clear_after_lost_writes(health)
            return operation(*args, **kwargs)
        except UNREACHABLE as error:
            now = time.monotonic()
            with health.lock:
                health.down_until = now + RETRY_AFTER_SECONDS
                if write:
                    health.writes_lost_at = now
                warn = now - health.warned_at >= WARN_EVERY_SECONDS
                if warn:
                    health.warned_at = now
            if warn:
                logger.warning(
                    "Redis cache %r unreachable (%s): serving without it, next try in %s s.",
                    self.key_prefix, error, RETRY_AFTER_SECONDS,
                )  # fmt: skip
            return fallback()

    def _clear_after_lost_writes(self, health):
        started = time.monotonic()
        super().clear()
        with health.lock:
            # A write lost while clearing (another thread) needs another clear.
            if health.writes_lost_at is not None and health.writes_lost_at <= started:
                health.writes_lost_at = None
        logger.warning("Redis cache %r reachable again: cleared, since writes were lost meanwhile.", self.key_prefix)

    def get(self, key, default=None, version=None):
        return self._forgiving(False, lambda: default, super().get, key, default, version)

    def get_many(self, keys, version=None):
        return self._forgiving(False, dict, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._forgiving(False, lambda: False, super().has_key, key, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._forgiving(True, lambda: False, super().add, key, value, timeout, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._forgiving(True, lambda: None, super().set, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        # Django's contract: the keys that could not be stored.
        return self._forgiving(True, lambda: list(data), super().set_many, data, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._forgiving(True, lambda: False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._forgiving(True, lambda: False, super().delete, key, version)

    def delete_many(self, keys, version=None):
        return self._forgiving(True, lambda: None, super().delete_many, keys, version)

    def incr(self, key, delta=1, version=None):
        def missing():
            raise ValueError(f"Key '{key}' not found.")

        return self._forgiving(True, missing, super().incr, key, delta, version)

    def clear(self):
        return self._forgiving(True, lambda: False, super().clear)
