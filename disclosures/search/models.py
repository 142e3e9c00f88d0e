from django.db import models
from django.db.models import F, Lookup, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from disclosures.models import Department, Disclosure, Region, Version


class SearchEntryQuerySet(models.QuerySet):
    def visible(self):
        """Entries of current published versions, and the departments and units that have published.

        The indexer only ever writes published content (and a department entry only once the
        department has published); this re-checks disclosure entries at query time against each
        disclosure's published_version, so an entry left from a superseded or never-published
        version can never show.
        """
        return self.filter(Q(disclosure__isnull=True) | Q(version_id=F("disclosure__published_version_id")))


def visible_candidates(candidates):
    """The same rule as SearchEntryQuerySet.visible(), applied to (pk, disclosure_id, version_id, …) tuples.

    The search reads its candidates without joining the disclosures: on PostgreSQL that join makes the
    planner believe almost no entry survives it, and it then hashes all 50,000 disclosures of a
    province for every group. Checking the few hundred candidates' disclosures here costs one
    primary-key lookup.
    """
    disclosure_ids = {candidate[1] for candidate in candidates if candidate[1] is not None}
    published = dict(
        Disclosure.objects.filter(pk__in=disclosure_ids).order_by().values_list("pk", "published_version_id")
    ) if disclosure_ids else {}
    return [
        candidate
        for candidate in candidates
        if candidate[1] is None or (candidate[2] is not None and published.get(candidate[1]) == candidate[2])
    ]


class SearchEntry(models.Model):
    """One findable thing: a department or unit, a disclosure's narrative paragraph, a project, a line,
    or a row's text cells (项目内容, 绩效目标, 绩效指标 and any other text column of the tables).

    Derived data, rebuilt from the published versions (`manage.py rebuild_search_index`); never edited.
    """

    class Group(models.TextChoices):
        DEPARTMENT = "department", _("部门和单位")
        DISCLOSURE = "disclosure", _("公开文件")
        PROJECT = "project", _("项目")
        LINE = "line", _("支出科目")
        TEXT_CELL = "text_cell", _("表格内容")

    group = models.CharField(max_length=20, choices=Group.choices)
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="+")
    disclosure = models.ForeignKey(Disclosure, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(Version, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    # Denormalised for the filters, so that a search is one table and its indexes.
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")
    region_level = models.CharField(max_length=10, choices=Region.Level.choices)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    kind = models.CharField(max_length=20, choices=Disclosure.Kind.choices, blank=True)
    title = models.CharField(max_length=500)
    code = models.CharField(max_length=30, blank=True)
    # What the page says where the match is: "表9 项目支出预算表", "情况说明", a department's region.
    context = models.CharField(max_length=300, blank=True)
    text = models.TextField()
    # normalize(text): what SQLite matches with LIKE.
    normalized = models.TextField()
    # text.tsvector_literal(text): what PostgreSQL matches through its GIN index.
    tokens = models.TextField(blank=True)
    amount = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    anchor = models.CharField(max_length=100, blank=True)
    position = models.PositiveIntegerField(default=0)

    objects = SearchEntryQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["group", "-year", "disclosure", "position"], name="search_group_order"),
            models.Index(fields=["disclosure"], name="search_disclosure"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        if self.disclosure_id is None:
            return reverse("department", args=[self.department_id])
        url = reverse("disclosure", args=[self.disclosure_id])
        return f"{url}#{self.anchor}" if self.anchor else url


class TokensMatch(Lookup):
    """tokens__tsmatch=<tsquery literal>: (tokens)::tsvector @@ (…)::tsquery, the expression the GIN index is on.

    A lookup rather than raw SQL, so that the column is qualified with whatever alias the query
    gives the table (the search runs as a subquery).
    """

    lookup_name = "tsmatch"
    template = "({lhs})::tsvector @@ ({rhs})::tsquery"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return self.template.format(lhs=lhs, rhs=rhs), [*lhs_params, *rhs_params]


class TokensPhrase(TokensMatch):
    """tokens__tsphrase=<tsquery literal>: the same test written as a function call, which no index
    answers: it checks the whole phrase on candidates that the index found by a few of its tokens."""

    lookup_name = "tsphrase"
    template = "ts_match_vq(({lhs})::tsvector, ({rhs})::tsquery)"


SearchEntry._meta.get_field("tokens").register_lookup(TokensMatch)
SearchEntry._meta.get_field("tokens").register_lookup(TokensPhrase)
