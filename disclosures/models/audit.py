from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


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
}


class AuditEvent(models.Model):
    """Append-only: who did what to which disclosure, when, with which remarks or figures."""

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
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("操作记录")
        verbose_name_plural = _("操作记录")
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action}"

    @property
    def action_label(self):
        return ACTION_LABELS.get(self.action, self.action)

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("操作记录只能追加，不能修改。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("操作记录不能删除。")
