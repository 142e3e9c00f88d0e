"""Whole rendered public pages of published data, kept in Django's cache, and their ETag / Last-Modified.

A published version never changes, so its page is the same for every anonymous visitor until something else it
shows changes. Each view says what that is, in the one query it makes for a stored page (a StateQuery: the
disclosure's current published version — a correction publishes a new one —, the department's and regions'
names, …), read from the database so that every worker sees a publication at once, and the key adds:

- the release: a hash of the templates, of the portal's code, of its translations and of the static files'
  manifest, so that a deploy never serves a page laid out by the code it replaced (the cache, Redis in
  production, outlives it);
- a generation, a random token replaced on every publication and on every change of a region, department,
  disclosure, version or holiday calendar (receivers below): the catch-all for what a view's key does not read
  itself. A random token rather than a counter: if the cache loses it, the next one is new, never an old one
  whose pages might still be stored.

Only anonymous visitors get a stored page. Signed in, the header carries the user's name and a CSRF token, so
staff get the page rendered for them (marked private); nor is a page stored whose rendering asked for a CSRF
token, showed a message or set a cookie. The page is stored inside the view, so the middleware (CSP and the
other security headers, the session's Vary: Cookie) handles a stored page exactly as a fresh one.

Conditional requests: the ETag is a hash of the body, the same in every worker; Last-Modified is when the stored
copy was rendered, which is never earlier than the last change of what the page shows (anything that changes
the page changes the key, so a new copy is rendered). Both are answered with 304. Cache-Control: no-cache, so a
browser asks again each time (cheaply, with a 304) and sees a correction at once. The body is stored gzipped:
compressing a 150 kB page on every request would cost more than serving it.

The cache may fail (Redis stopped): the page is then rendered as if nothing were stored.
"""

import functools
import gzip
import hashlib
import logging
import re
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date
from django.utils.text import compress_string

from disclosures.signals import version_published

logger = logging.getLogger(__name__)

GENERATION_KEY = "page:generation"
# Every part of the key is in it, so nothing goes stale by waiting: the timeout only lets the copies of
# superseded keys (an old generation, an old release) leave a cache that has no eviction policy.
TIMEOUT = 24 * 60 * 60
# As Django's GZipMiddleware: below this, gzip saves nothing.
MIN_GZIP_BYTES = 200
ACCEPTS_GZIP = re.compile(r"\bgzip\b")


@functools.cache
def release() -> str:
    """A hash of what shapes a page besides the data: templates, the portal's code, the static manifest."""
    digest = hashlib.sha256()
    roots = [Path(d) for engine in settings.TEMPLATES for d in engine.get("DIRS", [])]
    roots.append(Path(__file__).resolve().parent)  # disclosures: its code and any app templates
    roots += [Path(d) for d in settings.LOCALE_PATHS]  # the translations of the page's words
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.suffix in (".html", ".py", ".txt", ".mo") and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if manifest.exists():
        digest.update(manifest.read_bytes())
    from disclosures.api.open_data import state  # the licence in every page's footer, from the settings

    digest.update(repr(state()).encode())
    return digest.hexdigest()[:16]


def generation() -> str:
    try:
        return cache.get_or_set(GENERATION_KEY, lambda: uuid.uuid4().hex, timeout=None)
    except Exception:
        logger.warning("page cache unavailable", exc_info=True)
        return uuid.uuid4().hex  # a key no stored page has


def new_generation():
    try:
        cache.set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
    except Exception:
        logger.warning("page cache unavailable: the generation was not renewed", exc_info=True)


@receiver(version_published, dispatch_uid="page-cache-publication")
def _on_publication(sender, version, **kwargs):
    new_generation()


def _on_change(sender, raw=False, **kwargs):
    if not raw:  # fixtures loaded with loaddata change nothing a visitor has seen
        new_generation()


def _connect():
    from disclosures.models import CalendarDay, CalendarYear, Department, Disclosure, Region, Version

    for model in (Region, Department, Disclosure, Version, CalendarYear, CalendarDay):
        post_save.connect(_on_change, sender=model, dispatch_uid=f"page-cache-save-{model.__name__}")
        post_delete.connect(_on_change, sender=model, dispatch_uid=f"page-cache-delete-{model.__name__}")


_connect()


class StateQuery:
    """The query that reads a page's state, compiled by the ORM once per process and then run as SQL.

    A stored page is served in well under a millisecond; building an ORM query with its joins takes about one
    (most of the cost of a cached page, measured). `build(*values)` returns a values_list queryset filtered on
    `values`; its SQL is kept with placeholder values, which each call replaces by the real ones.
    """

    # Within every integer field's range (out of it, the ORM knows the query finds nothing and builds no SQL);
    # should another parameter of the query have the same value, compiling refuses it.
    PLACEHOLDERS = (30011, 30013, 30029)

    def __init__(self, build, arity=1):
        self.build = build
        self.placeholders = list(self.PLACEHOLDERS[:arity])
        self.compiled = None

    def rows(self, *values) -> list[tuple]:
        if any(not -(2**63) <= value < 2**63 for value in values):
            return []  # an id no row has (the address takes any digits); the database would refuse it
        if self.compiled is None:
            queryset = self.build(*self.placeholders)
            sql, params = queryset.query.sql_with_params()
            if sorted(p for p in params if p in self.placeholders) != sorted(self.placeholders):
                raise ValueError("a state query must use each of its values exactly once")
            self.compiled = (queryset.db, sql, params)
        alias, sql, params = self.compiled
        by_placeholder = dict(zip(self.placeholders, values, strict=True))
        params = [
            # The same type as the placeholder's: on PostgreSQL the ORM sends a smallint as psycopg's Int2.
            type(param)(by_placeholder[param]) if isinstance(param, int) and param in by_placeholder else param
            for param in params
        ]
        with connections[alias].cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()


def _anonymous(request) -> bool:
    user = getattr(request, "user", None)
    return user is None or not user.is_authenticated


def _has_messages(request) -> bool:
    storage = getattr(request, "_messages", None)
    return storage is not None and len(storage) > 0  # counting keeps them for the next page


def _personal(request, response) -> bool:
    """Whether rendering the page put something of this visitor in it."""
    storage = getattr(request, "_messages", None)
    return bool(
        request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        or response.cookies
        or (storage is not None and storage.used)
    )


def _key(request, parts) -> str:
    state = "\x1f".join(str(part) for part in (release(), generation(), getattr(request, "LANGUAGE_CODE", ""), *parts))
    return f"page:{hashlib.sha256(state.encode()).hexdigest()}"


def _get(key):
    try:
        return cache.get(key)
    except Exception:
        logger.warning("page cache unavailable", exc_info=True)
        return None


def _set(key, entry):
    try:
        cache.set(key, entry, timeout=TIMEOUT)
    except Exception:
        logger.warning("page cache unavailable: the page was not stored", exc_info=True)


def serve(request, parts, render):
    """The page whose state is `parts` (a sequence of str-able values), rendered by `render()` when needed."""
    if not _anonymous(request) or _has_messages(request):
        response = render()
        patch_cache_control(response, private=True, no_cache=True)
        return response
    key = _key(request, parts)
    entry = _get(key)
    if entry is None:
        response = render()
        if response.status_code != 200 or response.streaming or _personal(request, response):
            return response
        entry = make_entry(response.content, response["Content-Type"])
        _set(key, entry)
    response = respond(request, entry)
    patch_cache_control(response, no_cache=True)
    return response


def make_entry(body: bytes, content_type: str) -> dict:
    """What is stored of a response: its body, gzipped once rather than on every request, and its validators.

    Only the gzipped body is kept (a tenth of the size, read from Redis on every request): nearly every client
    accepts it, and for the others it is unzipped. Nothing personal is in it, so compressing it once is safe
    from BREACH. The ETag is weak, since the gzipped and the plain body are the same page.
    """
    gzipped = len(body) >= MIN_GZIP_BYTES
    return {
        "content": compress_string(body) if gzipped else body,
        "gzipped": gzipped,
        "content_type": content_type,
        "etag": f'W/"{hashlib.sha256(body).hexdigest()[:32]}"',
        "last_modified": int(time.time()),
    }


def respond(request, entry) -> HttpResponse:
    """The stored response, or 304 Not Modified when the client has it (If-None-Match, else If-Modified-Since)."""
    response = get_conditional_response(request, etag=entry["etag"], last_modified=entry["last_modified"])
    if response is None:
        if not entry["gzipped"]:
            response = HttpResponse(entry["content"], content_type=entry["content_type"])
        elif ACCEPTS_GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", "")):
            response = HttpResponse(entry["content"], content_type=entry["content_type"])
            response["Content-Encoding"] = "gzip"  # a gzip middleware leaves it as it is
        else:
            response = HttpResponse(gzip.decompress(entry["content"]), content_type=entry["content_type"])
    response["ETag"] = entry["etag"]
    response["Last-Modified"] = http_date(entry["last_modified"])
    patch_vary_headers(response, ("Accept-Encoding",))
    return response
