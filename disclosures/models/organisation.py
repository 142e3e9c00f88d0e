from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Region(models.Model):
    """A node of the region tree: province → city → county."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("省")
        CITY = "city", _("市")
        COUNTY = "county", _("县（区）")

    DEPTH_LEVELS = [Level.PROVINCE, Level.CITY, Level.COUNTY]

    name = models.CharField(_("名称"), max_length=100)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    level = models.CharField(_("层级"), max_length=10, choices=Level.choices)

    class Meta:
        verbose_name = _("地区")
        verbose_name_plural = _("地区")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["parent", "name"], name="region_unique_name_under_parent")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("region", args=[self.pk])

    def ancestors(self):
        """From the root down to this region, inclusive."""
        chain, node = [], self
        while node is not None:
            chain.append(node)
            node = node.parent
        return chain[::-1]

    @property
    def path(self):
        return "/".join(r.name for r in self.ancestors())

    def descendant_ids(self):
        ids, frontier = [self.pk], [self.pk]
        while frontier:
            frontier = list(Region.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
            ids.extend(frontier)
        return ids

    @classmethod
    def get_or_create_path(cls, path):
        """Find or create every region of "辽宁省/抚顺市"; the level follows the depth."""
        names = [part.strip() for part in path.split("/") if part.strip()]
        if not names or len(names) > len(cls.DEPTH_LEVELS):
            raise ValueError(f"地区路径应为 1–{len(cls.DEPTH_LEVELS)} 级，如“辽宁省/抚顺市”：{path!r}")
        parent = None
        for depth, name in enumerate(names):
            parent, _created = cls.objects.get_or_create(
                parent=parent, name=name, defaults={"level": cls.DEPTH_LEVELS[depth]}
            )
        return parent


class Department(models.Model):
    """A 一级预算单位 that publishes one disclosure per year and kind."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="departments")
    name = models.CharField(_("部门名称"), max_length=200)
    code = models.CharField(_("部门编码"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="department_unique_name_in_region")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("department", args=[self.pk])


class Unit(models.Model):
    """A budget unit inside a department (本级 or 二级单位), with its 6-digit code."""

    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="units")
    code = models.CharField(_("单位编码"), max_length=6, blank=True)
    name = models.CharField(_("单位名称"), max_length=200)

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["code", "name"]
        constraints = [models.UniqueConstraint(fields=["department", "name"], name="unit_unique_name_in_department")]

    def __str__(self):
        return f"{self.code} {self.name}".strip()
