"""Citizen pages: apply, receipt, status (tracking code + phone suffix), amend, downloads.

A request is never public. The status pages open only for a browser session that proved it knows
the tracking code and the last four digits of the phone number (or that just submitted it).

No URL carries the tracking code (个人信息保护法第五十一条; 等保 2.0 安全审计: access logs, proxies and
browser histories keep paths and query strings). The code travels in a POST to the lookup page; the pages
after it are /requests/my/<id>/…, where the id is the row's number, which proves nothing: each view checks it
against the ids the session has proved.
"""

import functools
import hmac

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from disclosures.downloads import serve_stored
from disclosures.models import Department

from .. import clock, personal_data, ratelimit, recovery, remedies, services
from ..forms import AmendForm, ApplicationForm, RecoveryForm, StatusLookupForm
from ..letter import letter_response
from ..models import InformationRequest, Status, normalize_tracking_code
from ..outcomes import DISCLOSING

# One applicant (by the ID number on the form) files at most 5 requests an hour; one address, which may
# be a legal-aid office or a library filing for many people, at most 30.
SUBMISSIONS_PER_HOUR = 5
SUBMISSIONS_PER_HOUR_PER_ADDRESS = 30
LOOKUP_FAILURES_PER_IP = 10
# Wrong phone suffixes for one code, counted per guessing address: a stranger who knows a code cannot
# lock its owner out; the address cap above still stops one address from trying many codes.
LOOKUP_FAILURES_PER_CODE = 5
HOUR = 3600
# When the rate-limit counters (Redis, with REDIS_URL) cannot be reached.
LIMITS_UNAVAILABLE = "系统繁忙，暂时无法受理，请稍后再试。"
SESSION_KEY = "information_requests"
# Compared when the code is unknown, so that a wrong code costs the same time as a wrong suffix.
NO_MATCH = "-" * 64


def grant(session, request):
    """Remember (by row id, not by code: the session table is no place for the secret) that this session
    proved access to the request."""
    ids = [pk for pk in session.get(SESSION_KEY, []) if pk != request.pk]
    session[SESSION_KEY] = ([request.pk] + ids)[:20]


def request_for_session(http_request, pk) -> InformationRequest:
    """The request, if this session has proved access to it; otherwise 404 (nothing is revealed)."""
    if pk not in http_request.session.get(SESSION_KEY, []):
        raise Http404
    return get_object_or_404(InformationRequest.objects.select_related("department__region"), pk=pk)


def chosen_department(form):
    """The department picked on the form (or passed in the link), for the privacy notice."""
    value = str(form["department"].value() or "")
    return Department.objects.filter(pk=value).first() if value.isdigit() else None


def apply_page(request, form, status=200):
    return render(
        request,
        "information_requests/apply.html",
        {"form": form, "department": chosen_department(form), "retention_years": settings.PERSONAL_DATA_RETENTION_YEARS,
         "operator_contact": settings.PERSONAL_DATA_CONTROLLER_CONTACT},
        status=status,
    )  # fmt: skip


def refused_without_limits(refusal):
    """A form view whose rate limits cannot be counted (Redis unreachable) is refused with HTTP 503, its input
    kept on the page: accepting submissions or lookups without a limit is what the limits are there to stop.
    The counters are read before anything is saved or checked, so nothing was."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            try:
                return view(request, *args, **kwargs)
            except ratelimit.Unavailable:
                return refusal(request)

        return wrapper

    return decorator


def apply_refused(request):
    messages.error(request, f"{LIMITS_UNAVAILABLE}您的申请未提交。")
    return apply_page(request, ApplicationForm(request.POST, request.FILES), status=503)


def lookup_page(request, form=None, recovery_form=None, status=200):
    """The lookup page, with the form to recover a lost tracking code (找回查询码) below it."""
    return render(
        request,
        "information_requests/lookup.html",
        {
            "form": form if form is not None else StatusLookupForm(),
            "recovery_form": recovery_form if recovery_form is not None else RecoveryForm(),
        },
        status=status,
    )


def lookup_refused(request):
    messages.error(request, LIMITS_UNAVAILABLE)
    return lookup_page(request, StatusLookupForm(request.POST), status=503)


@never_cache
@refused_without_limits(apply_refused)
def apply(request):
    ip_key = f"information_requests:submit:{ratelimit.client_ip(request)}"
    if request.method == "POST":
        form = ApplicationForm(request.POST, request.FILES)
        if ratelimit.count(ip_key) >= SUBMISSIONS_PER_HOUR_PER_ADDRESS:
            messages.error(
                request,
                f"提交过于频繁：同一网络地址每小时最多提交{SUBMISSIONS_PER_HOUR_PER_ADDRESS}件申请，请一小时后再试。",
            )
            return apply_page(request, form, status=429)
        if form.is_valid():
            applicant_key = f"information_requests:submit-applicant:{ratelimit.fingerprint(form.cleaned_data['id_number'])}"
            if ratelimit.count(applicant_key) >= SUBMISSIONS_PER_HOUR:
                messages.error(
                    request, f"提交过于频繁：同一申请人每小时最多提交{SUBMISSIONS_PER_HOUR}件申请，请一小时后再试。"
                )
                return apply_page(request, form, status=429)
            ratelimit.hit(ip_key, HOUR)
            ratelimit.hit(applicant_key, HOUR)
            information_request = services.submit_request(form.request_data(), attachments=form.attachment_uploads())
            grant(request.session, information_request)
            return redirect("information_requests:receipt", pk=information_request.pk)
        if form.has_error("__all__", "honeypot"):
            ratelimit.hit(ip_key, HOUR)
    else:
        initial = {}
        department = request.GET.get("department", "")
        if department.isdigit() and Department.objects.filter(pk=department).exists():
            initial["department"] = department
        form = ApplicationForm(initial=initial)
    return apply_page(request, form)


@never_cache
def receipt(request, pk):
    information_request = request_for_session(request, pk)
    return render(request, "information_requests/receipt.html", {"r": information_request})


@never_cache
@refused_without_limits(lookup_refused)
def lookup(request):
    ip_key = f"information_requests:lookup:{ratelimit.client_ip(request)}"
    if request.method == "POST":
        form = StatusLookupForm(request.POST)
        if form.is_valid():
            code = normalize_tracking_code(form.cleaned_data["tracking_code"])
            # The cache key holds a keyed hash of the code, not the code.
            code_key = f"information_requests:lookup-code:{ratelimit.fingerprint(code)}:{ratelimit.client_ip(request)}"
            if (
                ratelimit.count(ip_key) >= LOOKUP_FAILURES_PER_IP
                or ratelimit.count(code_key) >= LOOKUP_FAILURES_PER_CODE
            ):
                messages.error(request, "查询失败次数过多，请一小时后再试。")
                return lookup_page(request, form, status=429)
            found = InformationRequest.objects.filter(tracking_code=code).first()
            # Compare in constant time, and the same way whether or not the code exists. An anonymised
            # request (retention.py) has no lookup hash left: it cannot be opened any more.
            expected = found.lookup_hash if found and found.lookup_hash else NO_MATCH
            given = personal_data.lookup_hash(code, form.cleaned_data["phone_suffix"])
            if found and hmac.compare_digest(expected, given):
                grant(request.session, found)
                return redirect("information_requests:status", pk=found.pk)
            ratelimit.hit(ip_key, HOUR)
            ratelimit.hit(code_key, HOUR)
            messages.error(request, "查询码或电话号码后四位不正确，请核对后重试。")
            return lookup_page(request, form, status=404)
    else:
        form = StatusLookupForm()
    return lookup_page(request, form)


def recovery_refused(request):
    messages.error(request, LIMITS_UNAVAILABLE)
    return lookup_page(request, recovery_form=RecoveryForm(request.POST), status=503)


@never_cache
@require_POST
@refused_without_limits(recovery_refused)
def recover(request):
    """找回查询码: the same answer whatever the input, so that nobody learns whether a phone or an e-mail has
    applied (recovery.py). Limited per address and per contact; the codes go only to the contact on file."""
    form = RecoveryForm(request.POST)
    if not form.is_valid():
        return lookup_page(request, recovery_form=form, status=400)
    kind, value = form.cleaned_data["contact"]
    if not recovery.allowed(request, kind, value):
        messages.error(request, recovery.TOO_MANY)
        return lookup_page(request, recovery_form=form, status=429)
    recovery.queue(kind, value)
    messages.success(request, recovery.ANSWER)
    return redirect("information_requests:lookup")


def status_context(information_request, amend_form=None):
    today = timezone.localdate()
    request_clock = clock.clock(information_request)
    reply = getattr(information_request, "reply", None)
    return {
        "r": information_request,
        "clock": request_clock,
        "remaining": request_clock.remaining(today) if not request_clock.paused else None,
        "unknown_note": clock.unknown_years_note(request_clock.unknown_years),
        "events": information_request.events.filter(public=True),
        "amendment": getattr(information_request, "amendment", None),
        "amend_form": amend_form or AmendForm(),
        "can_amend": information_request.status == Status.AWAITING_AMENDMENT,
        "extension": information_request.approved_extension,
        "reply": reply,
        "remedy": remedies.for_outcome(reply.outcome, information_request.department) if reply else None,
        # Past the time limit with no answer: 行政复议 first (行政复议法第二十三条第一款第（三）项).
        "unanswered": remedies.when_unanswered(information_request.department)
        if reply is None
        and information_request.status == Status.IN_PROGRESS
        and request_clock.due_on
        and request_clock.due_on < today
        else "",
        "files": list(reply.files.all()) if reply and reply.outcome in DISCLOSING else [],
        "attachments": list(information_request.attachments.all()),
        "today": today,
    }


@never_cache
def status(request, pk):
    try:
        information_request = request_for_session(request, pk)
    except Http404:
        return redirect("information_requests:lookup")
    return render(request, "information_requests/status.html", status_context(information_request))


@never_cache
@require_POST
def amend(request, pk):
    information_request = request_for_session(request, pk)
    form = AmendForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.submit_amendment(
                information_request, form.cleaned_data["text"], attachments=form.attachment_uploads()
            )
        except services.RequestError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "补正申请已提交，答复期限自今日起重新计算。")
            return redirect("information_requests:status", pk=information_request.pk)
    return render(request, "information_requests/status.html", status_context(information_request, form), status=400)


@never_cache
def letter(request, pk):
    return letter_response(request, request_for_session(request, pk))


@never_cache
def disclosed_file(request, pk, file_id):
    information_request = request_for_session(request, pk)
    reply = getattr(information_request, "reply", None)
    if reply is None or reply.outcome not in DISCLOSING:
        raise Http404
    stored = get_object_or_404(reply.files, pk=file_id)
    return serve_stored(request, stored.file, stored.name, personal=True)
