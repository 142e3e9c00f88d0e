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

        from .indexer import on_version_published

        # Sent after the publishing transaction commits: the index only ever sees published content.
        version_published.connect(on_version_published, sender=Version, dispatch_uid="search-index-version")
