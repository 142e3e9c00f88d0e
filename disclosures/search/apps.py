from django.apps import AppConfig


class SearchConfig(AppConfig):
    """Search over published disclosures only."""

    name = "disclosures.search"
    label = "search"
    verbose_name = "检索"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from disclosures.models import Version
        from disclosures.signals import version_published

        from disclosures.tasks import index_on_publication

        # Sent after the publishing transaction commits: the index only ever sees published content. A worker
        # updates it (disclosures.tasks.index_published_version; in-process without a broker).
        version_published.connect(index_on_publication, sender=Version, dispatch_uid="search-index-version")
