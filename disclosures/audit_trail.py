"""Security events: who signed in, failed, was locked out, changed a role or a password, saw personal data,
exported data, or had an upload refused.

They go into the same append-only trail as the disclosure events (AuditEvent), with no disclosure,
so the administrator reads one trail (等保 2.0 安全审计). Each event carries the client address and
browser of the request it happened in (disclosures/audit_context.py) and the region of the account
acting, so that the region's administrator sees it.
"""

from django.conf import settings

from disclosures import audit_context
from disclosures.models.audit import AuditEvent

SYSTEM_ACTOR = "系统（命令行）"
ANONYMOUS_ACTOR = "未登录访问者"


def _signed_in(user):
    return user if user is not None and user.is_authenticated else None


def append_event(action, *, request=None, user=None, username="", remarks="", region=None, data=None):
    """One security event; `region` when it belongs to a region other than the actor's (a role granted there)."""
    if request is None:
        request = audit_context.current_request()
    user = _signed_in(user) or (_signed_in(getattr(request, "user", None)) if request is not None else None)
    if username:
        name = username
    elif user is not None:
        name = user.get_full_name() or user.get_username()
    else:
        name = ANONYMOUS_ACTOR if request is not None else SYSTEM_ACTOR
    return AuditEvent.objects.create(
        actor=user,
        actor_name=name[:150],
        action=action,
        remarks=remarks,
        data=data or {},
        region=region,
        ip_address=audit_context.client_address(request),
        user_agent=audit_context.user_agent(request),
    )


def record_security_event(action, *, request=None, user=None, username="", remarks="", **data):
    """Append one security event.

    `user` is the account acting (or, for a failed login, the account tried, when it exists);
    `username` names the actor when there is no account (a failed login with an unknown name).
    Without `request`, the current request (if any) gives the address and the signed-in account.
    """
    return append_event(action, request=request, user=user, username=username, remarks=remarks, data=data)


def record_export(request, what, **data):
    """A staff download of data (个人信息保护法第五十一条: who took which data out, and when)."""
    return append_event("export", request=request, remarks=what, data={"object": what, "query": request.GET.urlencode(), **data})


def record_refused_upload(request, *, department, form):
    """The staff upload view did not take the file: who, which file, how large, and why."""
    if form.is_bound:
        upload = request.FILES.get("workbook")
        if upload is None:
            return None  # no file came with the form: nothing was refused
        name, size = upload.name, upload.size
        reasons = [str(message) for messages in form.errors.values() for message in messages]
    else:
        # Refused from its declared length: the body was never read (and is not read here).
        name, size = "", int(request.META.get("CONTENT_LENGTH") or 0)
        reasons = [f"文件过大，上限为 {settings.MAX_WORKBOOK_BYTES // 1024 // 1024} MB"]
    return append_event(
        "upload_rejected",
        request=request,
        remarks="；".join(reasons) or "未接受上传的文件",
        data={"object": name or "（未读取）", "file_name": name, "size": size, "department": department.name},
    )
