"""The site's own 404 and 500 pages for the public, even with DEBUG on.

With DEBUG on Django answers a missing page with its technical 404, in English and listing every URL pattern of
the portal, and an exception with the traceback page. `make run` and demonstrations run with DEBUG on, in front
of people who should see the page a citizen sees: so public requests get templates/404.html and 500.html
whatever DEBUG says. The technical pages stay for whoever debugs: the admin site (/admin/) and signed-in staff
(is_staff). With DEBUG off this middleware does nothing; Django's own handlers render the same templates.

An exception answered here is logged as Django logs it ("django.request") and reported by
got_request_exception, so the traceback still reaches the console and any error tracker.
"""

import logging

from django.conf import settings
from django.core import signals
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import Http404
from django.http.multipartparser import MultiPartParserError
from django.urls import Resolver404, resolve
from django.views import defaults

logger = logging.getLogger("django.request")

# Paths that keep Django's technical pages with DEBUG on: the admin site is staff-only anyway.
TECHNICAL_PREFIXES = ("/admin/",)
# Answered by Django's own handlers (403, 400) with or without DEBUG: not this middleware's business.
HANDLED_BY_DJANGO = (PermissionDenied, SuspiciousOperation, BadRequest, MultiPartParserError)


def wants_technical_page(request) -> bool:
    if request.path.startswith(TECHNICAL_PREFIXES):
        return True
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and user.is_staff)


class PublicErrorPagesMiddleware:
    """Placed after CommonMiddleware (so "/page" still redirects to "/page/") and AuthenticationMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.DEBUG and not wants_technical_page(request):
            # An address no pattern matches never reaches a view, nor process_exception: it is found here.
            try:
                resolve(request.path_info, urlconf=getattr(request, "urlconf", None))
            except Resolver404 as exc:
                return defaults.page_not_found(request, exc)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not settings.DEBUG or wants_technical_page(request) or isinstance(exception, HANDLED_BY_DJANGO):
            return None
        if isinstance(exception, Http404):
            return defaults.page_not_found(request, exception)
        logger.error(
            "Internal Server Error: %s", request.path, exc_info=exception,
            extra={"status_code": 500, "request": request},
        )  # fmt: skip
        signals.got_request_exception.send(sender=self.__class__, request=request)
        return defaults.server_error(request)
