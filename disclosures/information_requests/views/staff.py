"""Staff pages under /requests/staff/: inbox per department, a request's page and its actions, the
annual report. Every view goes through `department_for` or `request_for`, which return the object or
raise 404 for staff of another department (they do not learn that it exists).

Personal data (个人信息保护法第六条 最小必要, 第五十一条 操作权限): the handlers and approvers of the
department see the applicant's name and the ID number, phone, e-mail and address masked; a request handler
of the department may reveal them in full, once per click, and each reveal goes into the security audit
trail. The finance bureau's administrator (role admin, above the department) oversees the counts, time
limits and the annual report, and never sees who applied: names and contact data read "（已隐去）", the
inbox search does not search names, and the decision letter (addressed to the applicant) is not served.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from disclosures import workdays
from disclosures.audit_trail import record_export, record_security_event
from disclosures.downloads import serve_stored
from disclosures.models import Department, Membership, Region, roles_in_department

from .. import clock, delivery, fees, forms, proactive, report, services
from ..delivery_forms import DeliveryForm
from ..letter import letter_response
from ..models import Appeal, Extension, FeeNotice, InformationRequest, Reply, Status
from ..outcomes import OUTCOME_RULES

VIEWING_ROLES = {Membership.Role.REQUEST_HANDLER, Membership.Role.REQUEST_APPROVER, Membership.Role.ADMIN}
HANDLING_ROLES = services.HANDLING_ROLES
REVEALING_ROLES = {Membership.Role.REQUEST_HANDLER}


def sees_identity(roles) -> bool:
    """The applicant's name (and masked contact data) is for those who handle requests, not for overseers."""
    return bool(roles & HANDLING_ROLES)


def may_reveal(roles) -> bool:
    return bool(roles & REVEALING_ROLES)


def department_for(user, pk) -> tuple[Department, set]:
    department = get_object_or_404(Department.objects.select_related("region"), pk=pk)
    roles = roles_in_department(user, department) & VIEWING_ROLES
    if not roles:
        raise Http404
    return department, roles


def request_for(user, pk, *, handling=False) -> tuple[InformationRequest, set]:
    information_request = get_object_or_404(
        InformationRequest.objects.select_related("department__region", "handler"), pk=pk
    )
    roles = roles_in_department(user, information_request.department) & VIEWING_ROLES
    if not roles:
        raise Http404
    if handling and not roles & HANDLING_ROLES:
        raise PermissionDenied("只有本部门依申请公开经办人或信息公开工作机构负责人可以办理。")
    return information_request, roles


def departments_of(user):
    if user.is_superuser:
        return Department.objects.select_related("region")
    memberships = Membership.objects.filter(user=user)
    direct = memberships.filter(role__in=HANDLING_ROLES).values_list("department_id", flat=True)
    region_ids = []
    for region in Region.objects.filter(pk__in=memberships.filter(role=Membership.Role.ADMIN).values("region_id")):
        region_ids.extend(region.descendant_ids())
    return Department.objects.filter(Q(pk__in=direct) | Q(region_id__in=region_ids)).select_related("region")


@never_cache
@login_required
def home(request):
    departments = list(departments_of(request.user))
    if len(departments) == 1:
        return redirect("information_requests:inbox", department=departments[0].pk)
    return render(request, "information_requests/staff/home.html", {"departments": departments})


TABS = [
    ("new", "新申请（待登记）"),
    ("in_progress", "办理中"),
    ("amendment", "待补正"),
    ("paused", "计时暂停"),
    ("due_soon", "3个工作日内到期"),
    ("overdue", "已超期"),
    ("closed", "已办结"),
    ("awaiting_delivery", "待送达"),
]


def tab_filters(today):
    soon = workdays.add_workdays(today, 3)
    open_ = ~Q(status=Status.CLOSED)
    running = Q(status=Status.IN_PROGRESS)
    return {
        "new": Q(status=Status.SUBMITTED),
        "in_progress": running,
        "amendment": Q(status=Status.AWAITING_AMENDMENT),
        "paused": Q(status__in=[Status.CONSULTATION, Status.AWAITING_FEE]),
        "due_soon": open_ & Q(due_on__gte=today, due_on__lte=soon),
        "overdue": open_ & Q(due_on__lt=today),
        "closed": Q(status=Status.CLOSED),
        # A notice (补正, 收费, 答复…) no record shows delivered: the periods counting from it wait (delivery.py).
        "awaiting_delivery": Q(pk__in=delivery.awaiting_request_ids()),
    }


@never_cache
@login_required
def inbox(request, department):
    department, roles = department_for(request.user, department)
    today = timezone.localdate()
    filters = tab_filters(today)
    tab = request.GET.get("tab") if request.GET.get("tab") in filters else "new"
    base = InformationRequest.objects.for_department(department)
    counts = {key: base.filter(condition).count() for key, condition in filters.items()}
    handlers = forms.AssignForm(department=department).fields["handler"].queryset
    filter_form = forms.InboxFilterForm(request.GET or None, handlers=handlers)
    rows = base.filter(filters[tab]).select_related("handler", "possible_repeat_of")
    if filter_form.is_valid():
        data = filter_form.cleaned_data
        if data["q"]:
            q = data["q"].strip()
            matches = (
                Q(tracking_code__istartswith=q.upper()) | Q(description__icontains=q) | Q(information_title__icontains=q)
            )
            if sees_identity(roles):  # an overseer could otherwise learn who applied by searching a name
                matches |= Q(name__icontains=q)
            rows = rows.filter(matches)
        if data["handler"] == "none":
            rows = rows.filter(handler__isnull=True)
        elif data["handler"]:
            rows = rows.filter(handler_id=data["handler"])
        if data["applicant_type"]:
            rows = rows.filter(applicant_type=data["applicant_type"])
    order = "-submitted_at" if tab in ("new", "closed") else "due_on"
    rows = list(rows.order_by(order, "pk")[:200])
    days = [today] + [row.due_on for row in rows if row.due_on] + [timezone.localdate(row.submitted_at) for row in rows]
    cal = workdays.calendar(min(days), max(days))  # one calendar (one query) for the whole list
    for row in rows:
        row.remaining = cal.workdays_between(today, row.due_on) if row.due_on else None
        # An online application waits for registration (条例第三十一条); how long, in working days.
        row.waiting = (
            cal.workdays_between(timezone.localdate(row.submitted_at), today) if row.status == Status.SUBMITTED else None
        )
        row.waited_too_long = row.waiting is not None and row.waiting > settings.REQUEST_REGISTRATION_ALERT_WORKDAYS
    undelivered = set(
        delivery.undelivered().filter(request__in=[row.pk for row in rows]).values_list("request_id", flat=True)
    )
    for row in rows:
        row.awaiting_delivery = row.pk in undelivered
    return render(
        request,
        "information_requests/staff/inbox.html",
        {
            "department": department,
            "tabs": [(key, label, counts[key]) for key, label in TABS],
            "tab": tab,
            "rows": rows,
            "filter_form": filter_form,
            "today": today,
            "can_handle": bool(roles & HANDLING_ROLES),
            "identity_hidden": not sees_identity(roles),
            # 条例第四十四条: information several applicants received, not yet published proactively.
            "proactive_prompts": proactive.inbox_prompts(department) if roles & HANDLING_ROLES else [],
        },
    )


def detail_context(information_request, roles, bound=None, revealed=False):
    today = timezone.localdate()
    bound = bound or {}
    r = information_request
    request_clock = clock.clock(r)
    can_handle = bool(roles & HANDLING_ROLES)
    can_approve = Membership.Role.REQUEST_APPROVER in roles
    amendment = getattr(r, "amendment", None)
    pending_extension = r.extensions.filter(status=Extension.Status.PENDING).first()
    consultation = r.open_consultation
    fee_notice = r.pending_fee_notice
    monthly = fees.monthly_count(r)

    def form(name, cls, **kwargs):
        return bound.get(name) or cls(**kwargs)

    window_ends = clock.amendment_window_ends(r.received_on) if r.received_on else None
    actions = {}
    if can_handle:
        if r.status == Status.SUBMITTED:
            actions["receive"] = True
        if r.status != Status.CLOSED:
            actions["assign"] = form(
                "assign", forms.AssignForm, department=r.department, initial={"handler": r.handler_id}
            )
        if r.status == Status.IN_PROGRESS:
            if amendment is None:
                actions["amendment"] = form(
                    "amendment", forms.AmendmentNoticeForm, initial=forms.AmendmentNoticeForm.initial_for(today)
                )
            actions["consultation"] = form("consultation", forms.ConsultationForm)
            if not r.fee_notices.exclude(status=FeeNotice.Status.EXPIRED).exists():
                actions["fee"] = form("fee", forms.FeeNoticeForm)
            # The contact printed on the last letter is likely this one's too.
            last = Reply.objects.filter(request__department=r.department).exclude(contact="").order_by("-pk").first()
            actions["reply"] = form("reply", forms.ReplyForm, initial={"contact": last.contact if last else ""})
        if r.status in (Status.IN_PROGRESS, Status.CONSULTATION, Status.AWAITING_FEE):
            if not r.extensions.exclude(status=Extension.Status.REJECTED).exists():
                actions["extension"] = form("extension", forms.ExtensionRequestForm)
        if consultation is not None:
            actions["consultation_reply"] = form(
                "consultation_reply", forms.ConsultationReplyForm, initial={"replied_on": today}
            )
        if fee_notice is not None:
            actions["fee_paid"] = form("fee_paid", forms.FeePaidForm, initial={"paid_on": today})
        if r.received_on:
            actions["appeal"] = form("appeal", forms.AppealForm, initial={"filed_on": today})
    return {
        "r": r,
        "today": today,
        "clock": request_clock,
        "remaining": request_clock.remaining(today) if r.due_on and not request_clock.paused else None,
        "unknown_note": clock.unknown_years_note(request_clock.unknown_years),
        "window_ends": window_ends,
        "window_passed": bool(
            window_ends and today > window_ends and amendment is None and r.status == Status.IN_PROGRESS
        ),
        "amendment": amendment,
        "extensions": list(r.extensions.all()),
        "pending_extension": pending_extension,
        "can_approve": can_approve,
        "decision_form": bound.get("extension_decision") or forms.ExtensionDecisionForm(),
        "consultations": list(r.consultations.all()),
        "open_consultation": consultation,
        "fee_notices": list(r.fee_notices.all()),
        "monthly_count": monthly,
        "fee_by_count": fees.fee_by_count(monthly),
        "reply": getattr(r, "reply", None),
        "appeals": list(r.appeals.all()),
        "appeal_result_form": bound.get("appeal_result") or forms.AppealResultForm(initial={"decided_on": today}),
        "events": r.events.all(),
        "actions": actions,
        "can_handle": can_handle,
        "identity_hidden": not sees_identity(roles),
        "can_reveal": may_reveal(roles) and r.anonymised_on is None,
        "revealed": revealed,
        "outcome_articles": {key: rule.article for key, rule in OUTCOME_RULES.items()},
        # 送达: each notice's deliveries, and the form to record one by post or in person.
        "deliveries": delivery.detail(r, bound.get("delivery")),
        # The applicant's files (身份证明 and other material): for the department's request handlers only.
        "attachments": list(r.attachments.all()) if may_reveal(roles) and r.anonymised_on is None else None,
        "proactive": proactive.for_request(r) if can_handle else None,
        "proactive_form": bound.get("proactive") or forms.ProactiveForm(initial={"title": r.information_title}),
    }


@never_cache
@login_required
def detail(request, pk):
    information_request, roles = request_for(request.user, pk)
    return render(request, "information_requests/staff/detail.html", detail_context(information_request, roles))


@never_cache
@login_required
@require_POST
def reveal(request, pk):
    """显示完整信息: the applicant's ID number, phone, e-mail and address in full, in this response only
    (nothing is stored in the session), for a request handler of the department; recorded in the audit
    trail (个人信息保护法第五十一条; 等保 2.0 安全审计)."""
    information_request, roles = request_for(request.user, pk)
    if not may_reveal(roles):
        raise PermissionDenied("只有本部门依申请公开经办人可以查看申请人的完整个人信息。")
    if information_request.anonymised_on is not None:
        raise PermissionDenied("该申请的个人信息已匿名化。")
    record_security_event(
        "reveal_personal_data",
        request=request,
        remarks=f"查看申请 {information_request.short_code}… 的申请人完整个人信息",
        request_id=information_request.pk,
        department_id=information_request.department_id,
    )
    context = detail_context(information_request, roles, revealed=True)
    return render(request, "information_requests/staff/detail.html", context)


# Each action: the form it reads, and how it calls the one service function for it.
def _receive(r, data, user):
    services.receive(r, actor=user)
    return "已登记，答复期限开始计算。"


def _assign(r, data, user):
    services.assign(r, data["handler"], actor=user)
    return "已指定经办人。"


def _amendment(r, data, user):
    services.send_amendment_notice(r, instructions=data["instructions"], deadline=data["deadline"], actor=user)
    return "补正通知已发出，计时停止。"


def _extension(r, data, user):
    services.request_extension(r, days=data["days"], reason=data["reason"], actor=user)
    return "延期申请已提交，待信息公开工作机构负责人批准。"


def _extension_decision(r, data, user):
    extension = r.extensions.filter(status=Extension.Status.PENDING).first()
    if extension is None:
        raise services.RequestError("没有待批准的延期申请。")
    if data["decision"] == "approve":
        services.approve_extension(extension, actor=user)
        return "已批准延期，新的答复期限已告知申请人。"
    services.reject_extension(extension, actor=user)
    return "已不批准延期。"


def _consultation(r, data, user):
    services.start_consultation(
        r, third_party=data["third_party"], contact=data["contact"], matter=data["matter"], reason=data["reason"],
        actor=user,
    )  # fmt: skip
    return "已征求第三方意见，计时暂停。"


def _consultation_reply(r, data, user):
    consultation = r.open_consultation
    if consultation is None:
        raise services.RequestError("没有进行中的征求意见。")
    services.record_consultation_reply(
        consultation, opinion=data["opinion"], reply_text=data["reply_text"], replied_on=data["replied_on"], actor=user
    )
    return "已记录第三方意见，恢复计时。"


def _fee(r, data, user):
    notice = services.issue_fee_notice(r, basis=data["basis"], pages=data["pages"], actor=user)
    return f"收费通知已发出（{notice.amount} 元），计时暂停。"


def _fee_paid(r, data, user):
    notice = r.pending_fee_notice
    if notice is None:
        raise services.RequestError("没有待缴费的收费通知。")
    services.confirm_fee_paid(notice, paid_on=data["paid_on"], actor=user)
    return "已确认缴费，恢复计时。"


def _reply(r, data, user):
    reply = services.send_reply(
        r,
        outcome=data["outcome"],
        legal_basis=data["legal_basis"],
        reasons=data["reasons"],
        files=data["files"],
        actor=user,
        contact=data["contact"],
        responsible_agency=data["responsible_agency"],
        responsible_contact=data["responsible_contact"],
    )
    return f"已答复并办结（{reply.get_outcome_display()}），告知书已生成并通知申请人。"


def _delivery(r, data, user):
    record = delivery.record_delivery(
        r, notice=data["notice"], channel=data["channel"], delivered_on=data["delivered_on"], proof=data["proof"],
        actor=user,
    )  # fmt: skip
    return f"已记录{record.get_kind_display()}的送达（{record.get_channel_display()}，{record.delivered_on:%Y-%m-%d}）。"


def _appeal(r, data, user):
    services.record_appeal(r, kind=data["kind"], filed_on=data["filed_on"], notes=data["notes"], actor=user)
    return "已记录。"


def _proactive(r, data, user):
    """纳入主动公开 (条例第四十四条), through proactive.mark."""
    proactive.mark(r, title=data["title"], url=data["url"], actor=user)
    return "已纳入主动公开，本机关的公开页面将列出该信息及其网址。"


ACTIONS = {
    "receive": (None, _receive),
    "assign": (forms.AssignForm, _assign),
    "amendment": (forms.AmendmentNoticeForm, _amendment),
    "extension": (forms.ExtensionRequestForm, _extension),
    "extension_decision": (forms.ExtensionDecisionForm, _extension_decision),
    "consultation": (forms.ConsultationForm, _consultation),
    "consultation_reply": (forms.ConsultationReplyForm, _consultation_reply),
    "fee": (forms.FeeNoticeForm, _fee),
    "fee_paid": (forms.FeePaidForm, _fee_paid),
    "reply": (forms.ReplyForm, _reply),
    "appeal": (forms.AppealForm, _appeal),
    "delivery": (DeliveryForm, _delivery),
    "proactive": (forms.ProactiveForm, _proactive),
}


def _submit(request, information_request, roles, key, form, run):
    """One staff step on a request: the form checked (400 with the page and its messages if not), then
    `run(cleaned_data)` through its service function, whose RequestError is shown as the page's message."""
    if form is not None and not form.is_valid():
        messages.error(request, "请按提示修改后重新提交。")
        context = detail_context(information_request, roles, bound={key: form})
        return render(request, "information_requests/staff/detail.html", context, status=400)
    try:
        done = run(form.cleaned_data if form is not None else {})
    except services.RequestError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)
    return redirect("information_requests:detail", pk=information_request.pk)


@never_cache
@login_required
@require_POST
def act(request, pk, action):
    if action not in ACTIONS:
        raise Http404
    information_request, roles = request_for(request.user, pk, handling=True)
    form_class, run = ACTIONS[action]
    form = None
    if form_class is not None:
        kwargs = {"department": information_request.department} if form_class is forms.AssignForm else {}
        form = form_class(request.POST, request.FILES, **kwargs)
    return _submit(request, information_request, roles, action, form, lambda data: run(information_request, data, request.user))


@never_cache
@login_required
@require_POST
def appeal_result(request, pk, appeal_id):
    information_request, roles = request_for(request.user, pk, handling=True)
    appeal = get_object_or_404(Appeal, pk=appeal_id, request=information_request)

    def record(data):
        services.record_appeal_result(appeal, result=data["result"], decided_on=data["decided_on"], actor=request.user)
        return "已记录审结结果。"

    return _submit(request, information_request, roles, "appeal_result", forms.AppealResultForm(request.POST), record)


@never_cache
@login_required
def letter(request, pk):
    information_request, roles = request_for(request.user, pk)
    if not sees_identity(roles):
        raise PermissionDenied("告知书载有申请人姓名，财政部门管理员不能下载。")
    return letter_response(request, information_request)


@never_cache
@login_required
def reply_file(request, pk, file_id):
    information_request, _roles = request_for(request.user, pk)
    reply = getattr(information_request, "reply", None)
    if reply is None:
        raise Http404
    stored = get_object_or_404(reply.files, pk=file_id)
    return serve_stored(request, stored.file, stored.name, personal=True)


def _year(request):
    value = request.GET.get("year", "")
    return int(value) if value.isdigit() and 2000 <= int(value) <= 2100 else timezone.localdate().year


@never_cache
@login_required
def annual_report(request, department):
    department, _roles = department_for(request.user, department)
    year = _year(request)
    try:
        tables = report.build(department, year)
    except report.ReportError as error:
        # Never show figures that break the table's identity; say which column fails.
        messages.error(request, str(error))
        tables = None
    return render(
        request,
        "information_requests/staff/report.html",
        {"department": department, "year": year, "tables": tables, "years": range(timezone.localdate().year, 2018, -1)},
    )


@never_cache
@login_required
def annual_report_xlsx(request, department):
    department, _roles = department_for(request.user, department)
    year = _year(request)
    filename, content_type, content = report.xlsx(report.build(department, year))
    record_export(request, f"{department.name} {year} 年政府信息公开工作年度报告（XLSX）", department=department.name, year=year)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    return response


@never_cache
@login_required
def attachment(request, pk, attachment_id):
    """A file the applicant attached: for the department's request handlers (as the full personal data,
    个人信息保护法第五十一条), each opening a security event; approvers, administrators and editors get 403."""
    information_request, roles = request_for(request.user, pk)
    if not may_reveal(roles):
        raise PermissionDenied("只有本部门依申请公开经办人可以查看申请人提交的材料。")
    stored = get_object_or_404(information_request.attachments, pk=attachment_id)
    if not stored.file:
        raise Http404
    record_security_event(
        "view_attachment",
        request=request,
        remarks=f"查看申请 {information_request.short_code}… 的申请人材料（{stored.get_kind_display()}）",
        request_id=information_request.pk,
        department_id=information_request.department_id,
        attachment_id=stored.pk,
    )
    return serve_stored(request, stored.file, stored.name, content_type=stored.content_type, personal=True)

