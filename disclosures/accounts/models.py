from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PasswordAge(models.Model):
    """When an account's password was last set, for the expiry rule (等保 2.0 身份鉴别：定期更换)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="password_age")
    changed_at = models.DateTimeField(_("密码设置时间"))

    class Meta:
        verbose_name = _("密码设置时间")
        verbose_name_plural = _("密码设置时间")

    def __str__(self):
        return f"{self.user} · {self.changed_at:%Y-%m-%d}"
