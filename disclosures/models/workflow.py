from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Review(models.Model):
    """A confidentiality review (保密审查) of one version: who, when, outcome, remarks (RULES A.2, 条例第十七条)."""

    class Outcome(models.TextChoices):
        PASSED = "passed", _("通过")
        RETURNED = "returned", _("退回")

    version = models.ForeignKey("disclosures.Version", on_delete=models.PROTECT, related_name="reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewer_name = models.CharField(_("审查人"), max_length=150)
    outcome = models.CharField(_("审查结果"), max_length=20, choices=Outcome.choices)
    reviewed_on = models.DateField(_("审查日期"))
    remarks = models.TextField(_("审查意见"), blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("保密审查")
        verbose_name_plural = _("保密审查")
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.version} {self.get_outcome_display()} {self.reviewed_on}"


class WarningAcknowledgement(models.Model):
    """An editor has read one import warning and says why the version may still go to review."""

    version = models.ForeignKey("disclosures.Version", on_delete=models.CASCADE, related_name="acknowledgements")
    # Position of the finding in version.import_report["findings"].
    finding = models.PositiveIntegerField()
    message = models.TextField()
    remark = models.TextField(_("说明"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("警告确认")
        verbose_name_plural = _("警告确认")
        constraints = [
            models.UniqueConstraint(fields=["version", "finding"], name="acknowledgement_once_per_finding")
        ]


class Reminder(models.Model):
    """A deadline reminder that has been sent; the unique constraint keeps send_reminders idempotent."""

    class Kind(models.TextChoices):
        FIVE_DAYS = "5_days", _("截止前 5 日")
        ONE_DAY = "1_day", _("截止前 1 日")
        OVERDUE = "overdue", _("已逾期")

    disclosure = models.ForeignKey("disclosures.Disclosure", on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    deadline = models.DateField()
    recipients = models.JSONField(default=list)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("截止提醒")
        verbose_name_plural = _("截止提醒")
        constraints = [models.UniqueConstraint(fields=["disclosure", "kind"], name="reminder_once_per_kind")]
