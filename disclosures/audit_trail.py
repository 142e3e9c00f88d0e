"""Security events: who signed in, failed, was locked out, changed a role or a password, saw personal data.

They go into the same append-only trail as the disclosure events (AuditEvent), with no disclosure,
so the administrator reads one trail (等保 2.0 安全审计).
"""

from disclosures.models.audit import AuditEvent

SYSTEM_ACTOR = "系统（命令行）"


def record_security_event(action, *, request=None, user=None, username="", remarks="", **data):
    """Append one security event.

    `user` is the account acting (or, for a failed login, the account tried, when it exists);
    `username` names the actor when there is no account (a failed login with an unknown name).
    """
    if user is not None and not user.is_authenticated:
        user = None
    if user is None and request is not None and getattr(request, "user", None) is not None:
        if request.user.is_authenticated:
            user = request.user
    name = username or (user.get_full_name() or user.get_username() if user is not None else SYSTEM_ACTOR)
    return AuditEvent.objects.create(actor=user, actor_name=name[:150], action=action, remarks=remarks, data=data)
