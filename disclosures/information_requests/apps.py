from django.apps import AppConfig


class InformationRequestsConfig(AppConfig):
    """依申请公开: requests for government information under 《政府信息公开条例》(2019)."""

    name = "disclosures.information_requests"
    label = "information_requests"
    verbose_name = "依申请公开"
    default_auto_field = "django.db.models.BigAutoField"
