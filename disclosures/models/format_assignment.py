from django.db import models
from django.utils.translation import gettext_lazy as _


class FormatAssignment(models.Model):
    """Which table format a region uses for a year and kind (RULES A.7: it differs by region and year).

    Inherited down the region tree: a city without its own assignment uses its province's.
    """

    region = models.ForeignKey("disclosures.Region", on_delete=models.CASCADE, related_name="format_assignments")
    year = models.PositiveSmallIntegerField(_("年度"))
    kind = models.CharField(_("类别"), max_length=20, choices=[("budget", _("部门预算")), ("final_accounts", _("部门决算"))])
    format = models.CharField(_("表式"), max_length=50)

    class Meta:
        verbose_name = _("表式设定")
        verbose_name_plural = _("表式设定")
        ordering = ["region__name", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["region", "year", "kind"], name="format_assignment_one_per_region_year_kind")
        ]

    def __str__(self):
        return f"{self.region} {self.year} {self.get_kind_display()}：{self.format}"


def format_for(region, year, kind) -> str:
    """The format code assigned to the nearest region up the tree, or the kind's default format."""
    from disclosures.ingest.formats import default_format

    ancestors = region.ancestors()
    assignments = {
        a.region_id: a.format
        for a in FormatAssignment.objects.filter(region__in=ancestors, year=year, kind=kind)
    }
    for candidate in reversed(ancestors):
        if candidate.pk in assignments:
            return assignments[candidate.pk]
    return default_format(kind).code


class LayoutVariant(models.Model):
    """A region's own wording of a format's columns, saved by its administrator (no code, no format file).

    Each line of `wordings` says that a header the region's workbooks print is a column the format knows:
    {"2": {"current_unit_funds_subtotal": ["单位资金合计"]}}. The next workbook with that header is read
    by it, in this region and the regions below it, for that year and kind.
    """

    region = models.ForeignKey(
        "disclosures.Region", on_delete=models.CASCADE, related_name="layout_variants", verbose_name=_("地区")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    kind = models.CharField(_("类别"), max_length=20, choices=[("budget", _("部门预算")), ("final_accounts", _("部门决算"))])
    format = models.CharField(_("表式"), max_length=50)
    name = models.CharField(_("名称"), max_length=100)
    wordings = models.JSONField(_("列名对应"), default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("表式变体")
        verbose_name_plural = _("表式变体")
        ordering = ["region__name", "-year", "name"]

    def __str__(self):
        return f"{self.region} {self.year} {self.name}"


def saved_layouts(region, year, kind) -> dict:
    """The wordings saved for the region and the regions above it: {format: {table: {role key: [wordings]}}}."""
    layouts = {}
    for variant in LayoutVariant.objects.filter(region__in=region.ancestors(), year=year, kind=kind):
        tables = layouts.setdefault(variant.format, {})
        for number, roles in variant.wordings.items():
            for key, words in roles.items():
                tables.setdefault(str(number), {}).setdefault(key, []).extend(words)
    return layouts
