from django.apps import AppConfig


class DisclosuresConfig(AppConfig):
    name = "disclosures"
    verbose_name = "预决算公开"

    def ready(self):
        # Builds derived files (the stored PDF) when a version is published.
        from disclosures.exports import receivers  # noqa: F401
        # Records role changes and admin changes in the audit trail; keeps its triggers in place.
        from disclosures import audit_signals  # noqa: F401
        # Renews the key of stored public pages when what they show changes, whichever process changed it.
        from disclosures import page_cache  # noqa: F401
        # Mails confirmed subscribers when a version is published (and registers the task that does it).
        from disclosures import subscriptions  # noqa: F401
