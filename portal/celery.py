"""The Celery app: `celery -A portal worker` runs the portal's background work (PDF builds, e-mails, the
search index), `celery -A portal beat` queues the daily jobs and the sweep for missing PDFs.

Its configuration is Django's: the CELERY_* settings in portal/settings.py. Without CELERY_BROKER_URL
(`make run`, the tests) tasks run in-process when they are queued, so nothing else has to be started.
The tasks live in the apps' `tasks` modules (disclosures/tasks.py, disclosures/information_requests/tasks.py).
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _in_process_without_a_broker(sender, **kwargs):
    """Eager tasks still take a producer (to check their arguments serialise) though nothing is sent: without
    a broker, give them the in-memory transport rather than an AMQP connection to localhost that is never used."""
    if not sender.conf.broker_url:
        sender.conf.broker_url = "memory://localhost/"
