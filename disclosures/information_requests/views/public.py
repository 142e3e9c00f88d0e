"""Citizen pages: apply, receipt, status (tracking code + phone suffix), amend, downloads.

A request is never public. The status pages open only for a browser session that proved it knows
the tracking code and the last four digits of the phone number (or that just submitted it).
"""

import hmac

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from disclosures.models import Department

from .. import clock, ratelimit, remedies, services
from ..forms import AmendForm, ApplicationForm, StatusLookupForm
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
SESSION_KEY = "information_requests"


def grant(session, request):
    codes = [code for code in session.get(SESSION_KEY, []) if code != request.tracking_code]
    session[SESSION_KEY] = ([request.tracking_code] + codes)[:20]


def request_for_session(http_request, code) -> InformationRequest:
    """The request, if this session has proved access to it; otherwise 404 (nothing is revealed)."""
    code = normalize_tracking_code(code)
    if code not in http_request.session.get(SESSION_KEY, []):
        raise Http404
    return get_object_or_404(InformationRequest.objects.select_related("department__region"), tracking_code=code)


@never_cache
def apply(request):
    ip_key = f"information_requests:submit:{ratelimit.client_ip(request)}"
    if request.method == "POST":
        form = ApplicationForm(request.POST)
        if ratelimit.count(ip_key) >= SUBMISSIONS_PER_HOUR_PER_ADDRESS:
            messages.error(
                request,
                f"提交过于频繁：同一网络地址每小时最多提交{SUBMISSIONS_PER_HOUR_PER_ADDRESS}件申请，请一小时后再试。",
            )
            return render(request, "information_requests/apply.html", {"form": form}, status=429)
        if form.is_valid():
            applicant_key = f"information_requests:submit-applicant:{ratelimit.fingerprint(form.cleaned_data['id_number'])}"
            if ratelimit.count(applicant_key) >= SUBMISSIONS_PER_HOUR:
                messages.error(
                    request, f"提交过于频繁：同一申请人每小时最多提交{SUBMISSIONS_PER_HOUR}件申请，请一小时后再试。"
                )
                return render(request, "information_requests/apply.html", {"form": form}, status=429)
            ratelimit.hit(ip_key, HOUR)
            ratelimit.hit(applicant_key, HOUR)
            information_request = services.submit_request(form.request_data())
            grant(request.session, information_request)
            return redirect("information_requests:receipt", code=information_request.tracking_code)
        if form.has_error("__all__", "honeypot"):
            ratelimit.hit(ip_key, HOUR)
    else:
        initial = {}
        department = request.GET.get("department", "")
        if department.isdigit() and Department.objects.filter(pk=department).exists():
            initial["department"] = department
        form = ApplicationForm(initial=initial)
    return render(request, "information_requests/apply.html", {"form": form})


@never_cache
def receipt(request, code):
    information_request = request_for_session(request, code)
    return render(request, "information_requests/receipt.html", {"r": information_request})


@never_cache
def lookup(request):
    ip_key = f"information_requests:lookup:{ratelimit.client_ip(request)}"
    if request.method == "POST":
        form = StatusLookupForm(request.POST)
        if form.is_valid():
            code = normalize_tracking_code(form.cleaned_data["tracking_code"])
            code_key = f"information_requests:lookup-code:{code}:{ratelimit.client_ip(request)}"
            if (
                ratelimit.count(ip_key) >= LOOKUP_FAILURES_PER_IP
                or ratelimit.count(code_key) >= LOOKUP_FAILURES_PER_CODE
            ):
                messages.error(request, "查询失败次数过多，请一小时后再试。")
                return render(request, "information_requests/lookup.html", {"form": form}, status=429)
            found = InformationRequest.objects.filter(tracking_code=code).first()
            # Compare in constant time, and the same way whether or not the code exists.
            expected = found.phone_suffix if found else "----"
            if found and hmac.compare_digest(expected, form.cleaned_data["phone_suffix"]):
                grant(request.session, found)
                return redirect("information_requests:status", code=found.tracking_code)
            ratelimit.hit(ip_key, HOUR)
            ratelimit.hit(code_key, HOUR)
            messages.error(request, "查询码或电话号码后四位不正确，请核对后重试。")
            return render(request, "information_requests/lookup.html", {"form": form}, status=404)
    else:
        form = StatusLookupForm(initial={"tracking_code": request.GET.get("code", "")})
    return render(request, "information_requests/lookup.html", {"form": form})


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
        "today": today,
    }


@never_cache
def status(request, code):
    try:
        information_request = request_for_session(request, code)
    except Http404:
        return redirect(reverse("information_requests:lookup") + "?code=" + normalize_tracking_code(code))
    return render(request, "information_requests/status.html", status_context(information_request))


@never_cache
@require_POST
def amend(request, code):
    information_request = request_for_session(request, code)
    form = AmendForm(request.POST)
    if form.is_valid():
        try:
            services.submit_amendment(information_request, form.cleaned_data["text"])
        except services.RequestError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "补正申请已提交，答复期限自今日起重新计算。")
            return redirect("information_requests:status", code=information_request.tracking_code)
    return render(request, "information_requests/status.html", status_context(information_request, form), status=400)


@never_cache
def letter(request, code):
    return letter_response(request_for_session(request, code))


@never_cache
def disclosed_file(request, code, file_id):
    information_request = request_for_session(request, code)
    reply = getattr(information_request, "reply", None)
    if reply is None or reply.outcome not in DISCLOSING:
        raise Http404
    stored = get_object_or_404(reply.files, pk=file_id)
    return FileResponse(stored.file.open("rb"), as_attachment=True, filename=stored.name)
