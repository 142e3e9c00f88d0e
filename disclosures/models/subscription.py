import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

from .organisation import Department, Region


def new_token():
    return secrets.token_urlsafe(24)


class Subscription(models.Model):
    """An e-mail address that asked to hear of new publications: everything, a region (and below) or a department.

    Double opt-in: nothing is sent before the address holder confirms from the link mailed to it. The address is
    personal data (个人信息保护法): stored encrypted, with a keyed hash for uniqueness, and never logged.
    Links carry `token` signed with the site's key (disclosures.subscriptions); unsubscribing deletes the row, and a
    new subscription gets a new token, so old links stop working.
    """

    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("地区")
    )
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("部门")
    )
    # "all", "region:<pk>" or "department:<pk>": one subscription per address and scope.
    scope_key = models.CharField(_("范围"), max_length=40)
    email_encrypted = models.TextField(_("电子邮箱（加密）"))
    email_hash = models.CharField(_("电子邮箱（散列）"), max_length=64)
    token = models.CharField(max_length=64, default=new_token, editable=False)
    created_at = models.DateTimeField(_("订阅时间"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("邮件订阅")
        verbose_name_plural = _("邮件订阅")
        constraints = [
            models.UniqueConstraint(fields=["email_hash", "scope_key"], name="subscription_one_per_address_scope"),
            models.CheckConstraint(
                condition=models.Q(region__isnull=True) | models.Q(department__isnull=True),
                name="subscription_region_or_department",
            ),
        ]

    def __str__(self):
        return f"订阅：{self.scope_label}"

    @staticmethod
    def key_for(region=None, department=None) -> str:
        if department is not None:
            return f"department:{department.pk}"
        if region is not None:
            return f"region:{region.pk}"
        return "all"

    @property
    def scope_label(self) -> str:
        if self.department_id:
            return f"{self.department.region.path} {self.department.name}"
        if self.region_id:
            return f"{self.region.path}（含下级地区）"
        return "全部地区、全部部门"

    @property
    def email(self) -> str:
        from disclosures.information_requests.personal_data import decrypt

        return decrypt(self.email_encrypted)
