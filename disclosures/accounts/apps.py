from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Signing in: lockout, second factor, password rules and expiry, idle timeout (等保 2.0 身份鉴别)."""

    name = "disclosures.accounts"
    label = "accounts"
    verbose_name = "账号安全"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from disclosures.accounts import signals  # noqa: F401
