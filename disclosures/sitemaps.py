"""/sitemap.xml: the published disclosures (and their earlier published versions), departments, regions.

Built from Disclosure.objects.published() only: a draft, or a department with nothing published,
is never listed.
"""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from disclosures.models import Department, Disclosure, Region, Version


class DisclosureSitemap(Sitemap):
    changefreq = "yearly"
    priority = 0.8
    limit = 10_000

    def items(self):
        return Disclosure.objects.published().select_related("published_version").order_by("pk")

    def lastmod(self, disclosure):
        return disclosure.published_version.published_on or disclosure.published_on


class VersionSitemap(Sitemap):
    """Earlier published versions stay reachable (RULES.md A.5), so they are listed too."""

    changefreq = "never"
    priority = 0.3
    limit = 10_000

    def items(self):
        return (
            Version.objects.filter(status=Version.Status.PUBLISHED, disclosure__in=Disclosure.objects.published())
            .exclude(pk__in=Disclosure.objects.published().values("published_version"))
            .order_by("pk")
        )

    def location(self, version):
        return reverse("disclosure_version", args=[version.disclosure_id, version.number])

    def lastmod(self, version):
        return version.published_on


class DepartmentSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.6
    limit = 10_000

    def items(self):
        return Department.objects.filter(pk__in=Disclosure.objects.published().values("department")).order_by("pk")


class RegionSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.5

    def items(self):
        return Region.objects.order_by("pk")


SITEMAPS = {
    "disclosures": DisclosureSitemap,
    "versions": VersionSitemap,
    "departments": DepartmentSitemap,
    "regions": RegionSitemap,
}
