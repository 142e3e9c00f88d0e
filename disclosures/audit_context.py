"""The request an audit event is recorded in: who, from which address, with which browser.

等保 2.0 三级 安全审计 asks that each audit record hold the date and time, the user, the event type,
its outcome and the source of the event. The middleware keeps the current request in a context
variable, so both audit tables (AuditEvent, RequestEvent) fill in the client address and user agent
themselves, whatever code records the event. Management commands run outside a request: their
events have neither.
"""

import contextvars
import ipaddress

from disclosures.information_requests.ratelimit import client_ip

USER_AGENT_LENGTH = 300

_current_request = contextvars.ContextVar("audit_request", default=None)


def current_request():
    return _current_request.get()


def client_address(request=None) -> str | None:
    """The client's address as the rate limits see it (TRUSTED_PROXY_COUNT), or None outside a request."""
    request = request if request is not None else current_request()
    if request is None:
        return None
    value = client_ip(request).split("%")[0]  # an IPv6 zone ("fe80::1%eth0") is the server's, not the client's
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def user_agent(request=None) -> str:
    request = request if request is not None else current_request()
    if request is None:
        return ""
    return request.META.get("HTTP_USER_AGENT", "")[:USER_AGENT_LENGTH]


def current_user():
    """The signed-in account of the current request, or None (a command, an anonymous visitor)."""
    request = current_request()
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


class AuditContextMiddleware:
    """Keeps the request in the context variable for the length of the response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)
