from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .organisation import Region


class BulkArchive(models.Model):
    """A zip of published data to download at once: everything, or one region (with the regions below it) and
    one year. Built by disclosures.exports.bulk whenever a version is published; `state` says what it holds
    (which published versions, in which layout), so that a rebuild that would write the same is skipped."""

    ALL = "all"

    key = models.CharField(_("范围代码"), max_length=40, unique=True)
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"), null=True, blank=True)
    file = models.FileField(_("文件"), upload_to="bulk/", max_length=200)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    disclosures_count = models.PositiveIntegerField(_("所含预决算数"))
    state = models.CharField(max_length=64)
    built_at = models.DateTimeField(_("生成时间"))

    class Meta:
        verbose_name = _("批量下载文件")
        verbose_name_plural = _("批量下载文件")

    def __str__(self):
        return self.scope_label

    @staticmethod
    def key_for(region, year) -> str:
        return BulkArchive.ALL if region is None else f"region-{region.pk}-{year}"

    @property
    def scope_label(self) -> str:
        if self.region_id is None:
            return "全部已公开数据"
        return f"{self.region.path} {self.year} 年"

    @property
    def download_name(self) -> str:
        if self.region_id is None:
            return "预决算公开数据_全部.zip"
        return f"预决算公开数据_{self.region.path.replace('/', '_')}_{self.year}年.zip"

    def get_absolute_url(self):
        return reverse("exports:bulk", args=[self.key])
