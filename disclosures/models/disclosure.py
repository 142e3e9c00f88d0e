from decimal import Decimal

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .organisation import Department, Unit


class DisclosureQuerySet(models.QuerySet):
    def published(self):
        """The one place that decides what the public may see: a disclosure with a published version."""
        return self.filter(published_version__isnull=False)


class Disclosure(models.Model):
    """One department, one year, one kind. Its content lives in versions; corrections add versions."""

    class Kind(models.TextChoices):
        BUDGET = "budget", _("部门预算")
        FINAL_ACCOUNTS = "final_accounts", _("部门决算")

    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="disclosures")
    year = models.PositiveSmallIntegerField(_("年度"))
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices, default=Kind.BUDGET)
    format = models.CharField(_("表式"), max_length=50)
    approved_on = models.DateField(_("批复日期"))
    # The date of first publication: the 20-day clock is judged on this one (预算法第十四条).
    published_on = models.DateField(_("公开日期"), null=True, blank=True)
    published_version = models.ForeignKey(
        "Version", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("现行公开版本")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = DisclosureQuerySet.as_manager()

    class Meta:
        verbose_name = _("预决算公开")
        verbose_name_plural = _("预决算公开")
        ordering = ["-year", "department__name"]
        constraints = [
            models.UniqueConstraint(fields=["department", "year", "kind"], name="disclosure_one_per_department_year_kind")
        ]

    def __str__(self):
        return f"{self.department.name} {self.year} 年{self.get_kind_display()}"

    def get_absolute_url(self):
        return reverse("disclosure", args=[self.pk])

    @property
    def is_published(self):
        return self.published_version_id is not None

    @property
    def status(self):
        """Published once any version is; otherwise the state of its newest version."""
        if self.is_published:
            return Version.Status.PUBLISHED
        latest = self.versions.order_by("-number").first()
        return latest.status if latest else Version.Status.DRAFT

    @property
    def format_definition(self):
        from disclosures.ingest.formats import get_format

        return get_format(self.format)


class Version(models.Model):
    """One version of a disclosure's content. A published version is frozen and never deleted."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        UNDER_REVIEW = "under_review", _("待保密审查")
        PASSED = "passed", _("审查通过，待公开")
        PUBLISHED = "published", _("已公开")
        DISCARDED = "discarded", _("已作废")

    # The allowed transitions, written once (services.py enforces them).
    TRANSITIONS = {
        Status.DRAFT: {Status.UNDER_REVIEW, Status.DISCARDED},
        Status.UNDER_REVIEW: {Status.DRAFT, Status.PASSED},
        Status.PASSED: {Status.PUBLISHED, Status.DRAFT},
        Status.PUBLISHED: set(),
        Status.DISCARDED: set(),
    }
    # States in which a version is still being worked on; a disclosure has at most one.
    OPEN_STATUSES = (Status.DRAFT, Status.UNDER_REVIEW, Status.PASSED)

    disclosure = models.ForeignKey(Disclosure, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveSmallIntegerField(_("版本号"), default=1)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    published_on = models.DateField(_("公开日期"), null=True, blank=True)
    change_note = models.TextField(_("更正说明"), blank=True)
    source_file = models.CharField(_("来源文件"), max_length=255, blank=True)
    # The approved workbook as uploaded, kept for the record.
    workbook = models.FileField(_("批复工作簿"), upload_to="workbooks/%Y/", blank=True)
    # The print-faithful PDF, generated once when the version is published (issue: downloads).
    pdf = models.FileField(_("PDF"), upload_to="pdf/", blank=True)
    submitted_at = models.DateTimeField(_("提交审查时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    import_report = models.JSONField(_("导入报告"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("版本")
        verbose_name_plural = _("版本")
        ordering = ["disclosure", "-number"]
        constraints = [models.UniqueConstraint(fields=["disclosure", "number"], name="version_unique_number")]

    def __str__(self):
        return f"{self.disclosure} 第 {self.number} 版"

    def delete(self, *args, **kwargs):
        if self.status == self.Status.PUBLISHED:
            raise ValueError("已公开的版本不能删除（保持长期公开状态）。")
        return super().delete(*args, **kwargs)


class Section(models.Model):
    """A narrative part of a disclosure (部门职责, 机构设置, 情况说明, 名词解释, …), stored as plain text.

    Paragraphs are separated by blank lines, "### " starts a sub-heading and "- " a list item;
    the text is always rendered escaped, never as HTML.
    """

    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="sections")
    key = models.CharField(_("栏目"), max_length=40)
    title = models.CharField(_("标题"), max_length=200)
    position = models.PositiveSmallIntegerField(default=0)
    body = models.TextField(_("内容"), blank=True)

    class Meta:
        ordering = ["position"]

    def __str__(self):
        return self.title


class DisclosureTable(models.Model):
    """One table of a version, as read from the workbook.

    ``columns`` is the column tree actually read (the definition's columns plus any extra
    ones the export carried), so the page shows the table as it was published.
    """

    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="tables")
    key = models.CharField(_("表代码"), max_length=40)
    number = models.CharField(_("表号"), max_length=10)
    title = models.CharField(_("表名"), max_length=200)
    position = models.PositiveSmallIntegerField(default=0)
    unit_label = models.CharField(_("金额单位"), max_length=20, default="万元")
    columns = models.JSONField(_("列"), default=list)
    note = models.TextField(_("表注"), blank=True)
    is_empty = models.BooleanField(_("空表"), default=False)
    source_sheet = models.CharField(_("来源工作表"), max_length=100, blank=True)

    class Meta:
        ordering = ["position"]

    def __str__(self):
        return f"表{self.number} {self.title}"

    @property
    def anchor(self):
        return f"table-{self.number}"

    @property
    def is_wide(self):
        """More columns than a phone shows at once (the page then says it scrolls sideways)."""

        def leaves(nodes):
            return sum(leaves(node["children"]) if node.get("children") else 1 for node in nodes)

        return leaves(self.columns) > 7


class TableRow(models.Model):
    """One row of a table: its code and name, level, unit, and one Decimal per amount column."""

    table = models.ForeignKey(DisclosureTable, on_delete=models.CASCADE, related_name="rows")
    position = models.PositiveIntegerField()
    kind = models.CharField(max_length=20, default="line")
    code = models.CharField(_("编码"), max_length=30, blank=True)
    name = models.CharField(_("名称"), max_length=500, blank=True)
    level = models.PositiveSmallIntegerField(default=0)
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT)
    is_total = models.BooleanField(default=False)
    # Text columns by column key (names, project descriptions, form cells).
    cells = models.JSONField(default=dict, blank=True)
    # Amount columns by leaf key, as strings with two decimals; absent means blank.
    values = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["position"]

    def __str__(self):
        return f"{self.code} {self.name}".strip()

    def amount(self, key):
        """The figure in 万元, the unit comparisons, charts, search and the drafted text speak.

        Stored figures stay as printed, in their table's unit (单位：元 or 万元); this converts exactly."""
        raw = self.values.get(key)
        if raw in (None, ""):
            return None
        value = Decimal(raw)
        unit = self.table.unit_label if self.table_id else "万元"
        if unit and unit != "万元":
            from disclosures.ingest.amounts import in_wan

            value = in_wan(value, unit)
        return value
