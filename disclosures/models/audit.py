from django.conf import settings
from django.db import models, router
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from disclosures import audit_chain, audit_context
from disclosures.append_only import AppendOnlyQuerySet


ACTION_LABELS = {
    "import": "导入",
    "upload": "上传工作簿",
    "acknowledge": "确认警告",
    "edit": "修改",
    "import_sections": "从 Word 导入说明栏目",
    "redraft": "重新生成情况说明草稿",
    "submit": "提交审查",
    "review": "保密审查",
    "publish": "公开",
    "correct": "生成更正版本",
    "discard": "作废草稿",
    "reminder": "发送期限提醒",
    "register_approval": "登记批复",
    "secrecy_decision": "保密审查标记处理",
    # Applicants' personal data (disclosures/information_requests)
    "reveal_personal_data": "查看申请人完整个人信息",
    "anonymise_personal_data": "申请人个人信息匿名化",
    "view_attachment": "查看申请人提交的材料",
    "recover_tracking_code": "找回查询码",
    # The annual report's publication (disclosures/information_requests/publication.py)
    "annual_report_submit": "提交政府信息公开工作年度报告",
    "annual_report_publish": "公开政府信息公开工作年度报告",
    "annual_report_return": "退回政府信息公开工作年度报告",
    # Signing in (disclosures/accounts)
    "login": "登录",
    "logout": "退出登录",
    "login_failed": "登录失败",
    "lockout": "登录锁定",
    "unlock": "解除登录锁定",
    "second_factor_setup": "设置双因素认证",
    "second_factor_removed": "移除双因素认证",
    "second_factor_verified": "通过双因素认证",
    "second_factor_failed": "双因素认证失败",
    "recovery_code_used": "使用恢复码",
    "recovery_codes_renewed": "重新生成恢复码",
    "password_change": "修改密码",
    "password_reset_requested": "申请重置密码",
    "password_reset": "重置密码",
    "password_set_by_admin": "管理员设置密码",
    "password_reset_sent": "发送重置密码邮件",
    "calendar_role_grant": "授予全国节假日日历管理员",
    # Roles, the administration screens, exports, uploads, the trail itself (disclosures/audit_trail.py)
    "role_grant": "授予岗位",
    "role_change": "变更岗位",
    "role_revoke": "撤销岗位",
    "admin_add": "管理后台新增",
    "admin_change": "管理后台修改",
    "admin_delete": "管理后台删除",
    "export": "导出数据",
    "upload_rejected": "拒收上传文件",
    "audit_archive": "归档审计记录",
}


def region_of(user):
    """The region a staff account works in: the deepest region holding all their memberships' regions
    (a department's region, an administrator's region), or None for an account without any."""
    from .membership import Membership

    chains = [
        (membership.department.region if membership.department_id else membership.region).ancestors()
        for membership in Membership.objects.filter(user=user).select_related("department__region", "region")
    ]
    if not chains:
        return None
    common = None
    for level in zip(*chains):
        if any(region.pk != level[0].pk for region in level):
            break
        common = level[0]
    return common


class AuditEvent(models.Model):
    """Append-only: who did what to which disclosure, when, from where, with which remarks or figures.

    Disclosure events name their disclosure; security events (sign-ins, roles, exports…) have none and
    carry the region of the account acting, so that the region's administrator reads them.
    Each row is linked to the one before it by a SHA-256 hash (disclosures/audit_chain.py).
    """

    disclosure = models.ForeignKey(
        "disclosures.Disclosure", null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    version = models.ForeignKey(
        "disclosures.Version", null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    actor_name = models.CharField(max_length=150, blank=True, help_text=_("操作人；命令行操作记为系统"))
    action = models.CharField(_("操作"), max_length=40)
    remarks = models.TextField(_("备注"), blank=True)
    data = models.JSONField(_("数据"), default=dict, blank=True)
    at = models.DateTimeField(_("时间"), default=timezone.now, editable=False)
    region = models.ForeignKey(
        "disclosures.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("地区")
    )
    ip_address = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    user_agent = models.CharField(_("浏览器标识"), max_length=audit_context.USER_AGENT_LENGTH, blank=True)
    previous_hash = models.CharField(_("上一条摘要"), max_length=64, blank=True, editable=False)
    hash = models.CharField(_("摘要"), max_length=64, blank=True, editable=False)

    # What the hash covers. A field added later goes at the end, and rows before it hash as they did.
    CHAIN_FIELDS = (
        "disclosure", "version", "actor", "actor_name", "action", "remarks", "data", "at", "region", "ip_address",
        "user_agent",
    )

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("操作记录")
        verbose_name_plural = _("操作记录")
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action}"

    @property
    def action_label(self):
        return ACTION_LABELS.get(self.action, self.action)

    @property
    def subject(self):
        """What the event is about: the disclosure (and version), or the object a security event names."""
        if self.version_id:
            return str(self.version)
        if self.disclosure_id:
            return str(self.disclosure)
        return str(self.data.get("object", "")) if isinstance(self.data, dict) else ""

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("操作记录只能追加，不能修改。")
        if self.ip_address is None and not self.user_agent:
            self.ip_address = audit_context.client_address()
            self.user_agent = audit_context.user_agent()
        if self.region_id is None:
            if self.disclosure_id:
                self.region_id = self.disclosure.department.region_id
            elif self.actor_id:
                self.region = region_of(self.actor)
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        audit_chain.append(self, lambda: super(AuditEvent, self).save(*args, **kwargs), using)

    def delete(self, *args, **kwargs):
        raise ValueError("操作记录不能删除。")
