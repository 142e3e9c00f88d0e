from django.apps import AppConfig


class DisclosuresConfig(AppConfig):
    name = "disclosures"
    verbose_name = "预决算公开"

    def ready(self):
        # Builds derived files (the stored PDF) when a version is published.
        from disclosures.exports import receivers  # noqa: F401
