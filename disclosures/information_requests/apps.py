from django.apps import AppConfig


class InformationRequestsConfig(AppConfig):
    """依申请公开: requests for government information under 《政府信息公开条例》(2019)."""

    name = "disclosures.information_requests"
    label = "information_requests"
    verbose_name = "依申请公开"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from disclosures.models import CalendarDay, CalendarYear

        from . import services

        def day_changed(sender, instance, **kwargs):
            services.recompute_due_dates({instance.date.year})

        def year_changed(sender, instance, **kwargs):
            services.recompute_due_dates({instance.year})

        # A holiday schedule entered or corrected moves the deadlines that count through it.
        for name, signal in (("save", post_save), ("delete", post_delete)):
            signal.connect(day_changed, sender=CalendarDay, dispatch_uid=f"requests-calendar-day-{name}")
            signal.connect(year_changed, sender=CalendarYear, dispatch_uid=f"requests-calendar-year-{name}")
