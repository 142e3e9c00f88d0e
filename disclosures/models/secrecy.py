"""保密审查 flags: where the scan found personal data or a secrecy marker, and what the reviewer decided.

条例第十五条 protects personal privacy; 第十四条 and the 保守国家秘密法 protect secrets. The scan helps the
reviewer look; the reviewer decides each flag, and a version with an undecided flag is never published.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SecrecyFlag(models.Model):
    """One flagged text in one table cell or one paragraph of a version."""

    class Decision(models.TextChoices):
        UNDECIDED = "", _("待决定")
        KEEP = "keep", _("保留")
        EDIT = "edit", _("删改")
        FALSE_POSITIVE = "false_positive", _("误报")

    version = models.ForeignKey("disclosures.Version", on_delete=models.CASCADE, related_name="secrecy_flags")
    kind = models.CharField(_("类别"), max_length=20)
    text = models.CharField(_("标记的文字"), max_length=300)
    reason = models.CharField(_("原因"), max_length=200)
    # Where: a table cell (table number, row position, column key) or a paragraph of a section.
    table_number = models.CharField(max_length=4, blank=True)
    row_position = models.PositiveIntegerField(null=True, blank=True)
    column = models.CharField(max_length=80, blank=True)
    section_key = models.CharField(max_length=40, blank=True)
    paragraph = models.PositiveIntegerField(null=True, blank=True)
    place = models.CharField(_("位置"), max_length=300)
    # The whole cell or paragraph as scanned, and where the flagged text stands in it.
    context = models.TextField()
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    decision = models.CharField(_("决定"), max_length=20, choices=Decision.choices, blank=True, default="")
    decision_reason = models.TextField(_("理由"), blank=True)
    replacement = models.CharField(_("改为"), max_length=300, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # The version number whose decision on the same text was carried over to this one.
    carried_over_from = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("保密审查标记")
        verbose_name_plural = _("保密审查标记")
        ordering = ["pk"]

    def __str__(self):
        return f"{self.place}：{self.text}"

    @property
    def undecided(self):
        return self.decision == self.Decision.UNDECIDED

    @property
    def before(self):
        return self.context[max(0, self.start - 40):self.start]

    @property
    def after(self):
        return self.context[self.end:self.end + 40]


class SecrecySettings(models.Model):
    """A region's own sensitive terms and exceptions for the 保密审查 scan, kept by its administrator.

    Terms are flagged wherever they appear (classification codes, project code names); an exception is
    text the region has decided is public (a public official's name in 机构设置). Both apply to the
    region's departments and to every region under it."""

    region = models.OneToOneField("disclosures.Region", on_delete=models.CASCADE, related_name="secrecy_settings")
    terms = models.TextField(_("敏感词"), blank=True, help_text=_("每行一个；出现即标记。"))
    exceptions = models.TextField(_("例外"), blank=True, help_text=_("每行一个；这些文字不再标记（如公开的领导姓名）。"))

    class Meta:
        verbose_name = _("保密审查设置")
        verbose_name_plural = _("保密审查设置")

    def __str__(self):
        return str(self.region)

    @staticmethod
    def lines(text):
        return [line.strip() for line in text.splitlines() if line.strip()]
