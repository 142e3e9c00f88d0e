"""Following new publications: the Atom feeds (disclosures.feeds) and e-mail subscriptions
(disclosures.subscriptions): subscribe, confirm, unsubscribe.

The form lives on its own page (/subscribe/?department=<pk> or ?region=<pk>), not on the department and region
pages: a CSRF token would keep those pages out of the public page cache. None of these pages is cached.

Confirming and unsubscribing are POSTs: a GET of the link shows a button, so that a mail scanner that opens
every link neither confirms a subscription nobody asked for nor unsubscribes anyone. The unsubscribe POST takes
no CSRF token: the signed link is the proof, and a mail client's one-click POST (RFC 8058) carries none.
"""

from django import forms
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from disclosures import subscriptions
from disclosures.information_requests import personal_data, ratelimit
from disclosures.models import Department, Region

HOUR = 3600
# One address (a library, an office) subscribes at most 20 times an hour; one e-mail address gets at most
# 3 confirmation messages an hour, whoever asks for them.
SUBSCRIBES_PER_HOUR_PER_ADDRESS = 20
SUBSCRIBES_PER_HOUR_PER_EMAIL = 3
LIMITS_UNAVAILABLE = "系统繁忙，暂时无法受理，请稍后再试。"
BAD_LINK = "链接无效或已过期。请检查链接是否完整；确认链接 7 天内有效，过期后请重新订阅。"


class SubscribeForm(forms.Form):
    email = forms.EmailField(label="电子邮箱", max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    # Left empty by people; filled by form-filling scripts.
    website = forms.CharField(required=False)

    def clean(self):
        data = super().clean()
        if data.get("website"):
            raise forms.ValidationError("提交未成功，请稍后重试。", code="honeypot")
        return data


def _scope(request):
    """The region or department named in the query string (or in the form), or neither (everything)."""
    source = request.POST if request.method == "POST" else request.GET
    department, region = source.get("department", ""), source.get("region", "")
    if department:
        if not department.isdigit():
            raise Http404("订阅范围无效。")
        return None, get_object_or_404(Department.objects.select_related("region"), pk=department)
    if region:
        if not region.isdigit():
            raise Http404("订阅范围无效。")
        return get_object_or_404(Region, pk=region), None
    return None, None


def _page(request, template, context, status=200):
    return render(request, f"disclosures/{template}", context, status=status)


@never_cache
def subscribe(request):
    region, department = _scope(request)
    context = {"region": region, "department": department, "scope_label": _label(region, department)}
    if request.method != "POST":
        return _page(request, "subscribe.html", {**context, "form": SubscribeForm()})
    form = SubscribeForm(request.POST)
    ip_key = f"subscriptions:subscribe:{ratelimit.client_ip(request)}"
    try:
        if ratelimit.count(ip_key) >= SUBSCRIBES_PER_HOUR_PER_ADDRESS:
            context["refusal"] = f"提交过于频繁：同一网络地址每小时最多订阅 {SUBSCRIBES_PER_HOUR_PER_ADDRESS} 次，请一小时后再试。"
            return _page(request, "subscribe.html", {**context, "form": form}, status=429)
        if not form.is_valid():
            if form.has_error("__all__", "honeypot"):
                ratelimit.hit(ip_key, HOUR)
            return _page(request, "subscribe.html", {**context, "form": form}, status=400)
        email = subscriptions.normalize_email(form.cleaned_data["email"])
        email_key = f"subscriptions:subscribe-email:{personal_data.email_hash(email)[:32]}"
        if ratelimit.count(email_key) >= SUBSCRIBES_PER_HOUR_PER_EMAIL:
            context["refusal"] = "该邮箱的确认邮件发送过于频繁，请一小时后再试。"
            return _page(request, "subscribe.html", {**context, "form": form}, status=429)
        ratelimit.hit(ip_key, HOUR)
        ratelimit.hit(email_key, HOUR)
    except ratelimit.Unavailable:
        context["refusal"] = LIMITS_UNAVAILABLE
        return _page(request, "subscribe.html", {**context, "form": form}, status=503)
    subscriptions.subscribe(email, region=region, department=department)
    return _page(request, "subscribe_sent.html", context)


def _label(region, department):
    if department is not None:
        return f"{department.region.path} {department.name}"
    if region is not None:
        return f"{region.path}（含下级地区）"
    return "全部地区、全部部门"


def _bad_link(request):
    return _page(request, "subscribe_link.html", {"bad_link": BAD_LINK}, status=404)


@never_cache
def confirm(request, token):
    try:
        subscription = subscriptions.from_token(token, subscriptions.CONFIRM_SALT, max_age=subscriptions.CONFIRM_MAX_AGE)
    except subscriptions.BadToken:
        return _bad_link(request)
    if request.method == "POST":
        subscriptions.confirm(subscription)
        return _page(request, "subscribe_link.html", {"subscription": subscription, "done": "confirmed"})
    return _page(request, "subscribe_link.html", {"subscription": subscription, "action": "confirm"})


@never_cache
@csrf_exempt
def unsubscribe(request, token):
    try:
        subscription = subscriptions.from_token(token, subscriptions.UNSUBSCRIBE_SALT)
    except subscriptions.BadToken:
        return _bad_link(request)
    if request.method == "POST":
        label = subscription.scope_label
        subscriptions.unsubscribe(subscription)
        return _page(request, "subscribe_link.html", {"scope_label": label, "done": "unsubscribed"})
    return _page(request, "subscribe_link.html", {"subscription": subscription, "action": "unsubscribe"})
