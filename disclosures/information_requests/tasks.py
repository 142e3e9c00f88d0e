"""Background work of the requests side, run by Celery workers; the daily job is queued by beat
(settings.CELERY_BEAT_SCHEDULE). Its e-mails go through disclosures.tasks.send_email."""

from celery import shared_task


def expire_and_anonymise() -> list[str]:
    """What the daily job does, one line per request handled: deadlines that ran out (amendments, fees,
    consultations, registrations waiting too long; an amendment or fee notice with no delivery recorded is reported
    to the handlers, not closed), then the applicants of requests closed longer ago than the retention period
    anonymised (retention.py). Safe to run twice a day: each step looks at the state it changes."""
    from . import retention, services

    return services.expire_deadlines() + retention.anonymise_expired()


@shared_task(name="information_requests.expire_requests")
def expire_requests():
    """The daily job (as `manage.py expire_requests`); returns how many requests it handled."""
    return len(expire_and_anonymise())


# Tasks of other modules, imported here, where the worker looks for tasks, so that every worker knows them.
from . import recovery  # noqa: E402,F401
from . import delivery  # noqa: E402,F401  (notices and text messages to applicants)
