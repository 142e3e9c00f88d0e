"""Background work of the publishing side, run by Celery workers (`celery -A portal worker`, portal/celery.py).

A task is acknowledged only when it has finished (settings: CELERY_TASK_ACKS_LATE): a worker killed in the
middle of one hands it to another worker, which runs it again from the start. So every task here is
idempotent: the PDF build skips a version whose PDF is stored, the search index is replaced, not appended to,
a reminder is sent once per deadline (the Reminder constraint), a bulk archive whose content is unchanged is not
rewritten. Without a broker (`make run`, the tests) tasks run in-process when they are queued.
"""

import logging
import smtplib

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMessage, send_mail

logger = logging.getLogger(__name__)

# How many builds one sweep queues at most: a back-fill of thousands of versions is render_pdfs' work, and a
# version whose layout keeps failing must not fill the queue every five minutes.
SWEEP_BATCH = 200


# ---- The PDF of a published version ----


def _building_key(version_pk):
    return f"pdf-building:{version_pk}"


def has_stored_pdf(version) -> bool:
    return bool(version.pdf) and version.pdf.storage.exists(version.pdf.name)


def queue_pdf_build(version_pk):
    """Queue the build of one version's PDF, and mark it queued for the sweep.

    The mark is a cache key that lives as long as the broker keeps an unfinished task away from other workers
    (CELERY_VISIBILITY_TIMEOUT); a build done here removes it when it ends. It only spares a duplicate layout (a second
    build of the same version finds the stored PDF and stops), so a cache that is down costs nothing worse.
    """
    cache.set(_building_key(version_pk), 1, timeout=settings.CELERY_VISIBILITY_TIMEOUT)
    try:
        return build_version_pdf.delay(version_pk)
    except Exception:
        cache.delete(_building_key(version_pk))  # not queued: the next sweep may try
        raise


def pdf_build_queued(version_pk) -> bool:
    return cache.get(_building_key(version_pk)) is not None


@shared_task(
    name="disclosures.build_version_pdf",
    soft_time_limit=settings.PDF_BUILD_SOFT_TIME_LIMIT,
    time_limit=settings.PDF_BUILD_TIME_LIMIT,
)
def build_version_pdf(version_pk, force=False):
    """Build and store a published version's PDF; with force, again even if one is stored (a new layout).

    Here (no broker) store_pdf lays the parts out and stores the file. With a broker the parts are laid out
    by the workers side by side (disclosures.exports.pdf_parts) and their merge stores the file: this task
    only queues them and returns the merge's task id, which render_pdfs follows. Either way the file is
    written first and named in the database only once complete, so a build killed half-way leaves the
    version without a PDF (the next build deletes the partial file), never with half of one.
    """
    from disclosures.exports import pdf_parts
    from disclosures.exports.pdf import store_pdf
    from disclosures.models import Version

    marker_kept = False
    try:
        version = Version.objects.select_related("disclosure__department__region").filter(pk=version_pk).first()
        if version is None or version.status != Version.Status.PUBLISHED:
            logger.warning("不生成 PDF：版本 %s 不存在或未公开", version_pk)
            return "unpublished"
        if not force and has_stored_pdf(version):
            return "stored"
        logger.info("开始生成 PDF：版本 %s", version_pk)
        if pdf_parts.dispatching():
            # The marker stays until it expires: the sweep must not queue the parts again while they are laid out.
            marker_kept = True
            return {"merge": pdf_parts.dispatch(version).id}
        store_pdf(version)
        logger.info("PDF 已保存：版本 %s（%s）", version_pk, version.pdf.name)
        return "built"
    finally:
        if not marker_kept:
            cache.delete(_building_key(version_pk))


@shared_task(name="disclosures.sweep_missing_pdfs")
def sweep_missing_pdfs():
    """Queue the build of every published version that has no PDF (beat, every five minutes).

    This is what brings back a PDF whose build was lost: a web process that died before the task was queued,
    a build that failed. Only the database is read (an empty pdf column): a file missing from storage is
    rebuilt by the download that misses it. Returns how many builds were queued.
    """
    from disclosures.models import Version

    if settings.PDF_ON_PUBLISH == "off":
        return 0
    missing = Version.objects.filter(status=Version.Status.PUBLISHED, pdf="").order_by("pk").values_list("pk", flat=True)
    queued = 0
    for version_pk in missing[:SWEEP_BATCH]:
        if not pdf_build_queued(version_pk):
            queue_pdf_build(version_pk)
            queued += 1
    if queued:
        logger.info("补建 PDF：%s 份已排队", queued)
    return queued


# ---- Bulk downloads ----


@shared_task(name="disclosures.rebuild_bulk_archives")
def rebuild_bulk_archives(version_pk=None):
    """Bring the bulk downloads (disclosures.exports.bulk) up to date: those holding the version's disclosure,
    or, without a version (beat, daily), every one. Idempotent: an archive whose content is unchanged is kept
    as it is, so a task run twice, or after a later publication's, writes nothing. Returns the keys it checked."""
    from disclosures.exports import bulk
    from disclosures.models import Version

    if version_pk is None:
        return [archive.key for archive in bulk.rebuild_all()]
    version = Version.objects.select_related("disclosure__department__region").filter(pk=version_pk).first()
    if version is None or version.status != Version.Status.PUBLISHED:
        logger.warning("不更新批量下载：版本 %s 不存在或未公开", version_pk)
        return []
    return [archive.key for archive in bulk.rebuild_for(version.disclosure) if archive is not None]


# ---- The search index ----


@shared_task(name="disclosures.index_published_version")
def index_published_version(version_pk):
    """Replace the search entries of the version's disclosure with its current published version."""
    from disclosures.models import Version
    from disclosures.search.indexer import on_version_published

    version = Version.objects.select_related("disclosure").filter(pk=version_pk).first()
    if version is not None:
        on_version_published(sender=Version, version=version)


def index_on_publication(sender, version, **kwargs):
    """Receiver of version_published (connected by the search app): the index is rebuilt by a worker."""
    index_published_version.delay(version.pk)


# ---- E-mail ----

# Refused for good: the relay said no to an address or the sender. Every other failure (the relay down, busy,
# dropping the connection, a timeout: smtplib's errors are OSErrors) is worth another try.
REFUSED = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPNotSupportedError)


@shared_task(bind=True, name="disclosures.send_email", max_retries=8)
def send_email(self, subject, body, from_email, recipients, headers=None):
    """Send one message built by the caller. A relay failure is tried again after 30 s, 1, 2, 4 … minutes
    (at most 5 minutes apart: shorter than the broker's visibility timeout), eight times. `headers`: extra
    header lines (a subscriber's List-Unsubscribe)."""
    try:
        if headers:
            EmailMessage(subject, body, from_email, recipients, headers=headers).send()
        else:
            send_mail(subject, body, from_email, recipients)
    except REFUSED as exc:
        # The exception names the addresses, so it stays out of the log: an applicant's e-mail is personal data
        # (个人信息保护法第五十一条).
        logger.error("could not send %r to %d recipient(s): %s", subject, len(recipients), type(exc).__name__)
    except OSError as exc:
        if self.request.is_eager:
            # No worker to try again later (make run, tests): logged, as the step it reports has happened.
            logger.exception("could not send %r to %d recipient(s)", subject, len(recipients))
            return
        raise self.retry(exc=exc, countdown=min(300, 30 * 2**self.request.retries))


def queue_email(subject, body, recipients, from_email=None, headers=None):
    """Hand a message to a worker. The request (or the service) only builds it; a mail relay that is down
    costs it nothing. A broker that cannot be reached is logged, not raised: the message reports a step that
    has already been taken (a publication, a decision), which an outage must not undo."""
    recipients = sorted({address for address in recipients if address})
    if not recipients:
        return
    try:
        # argsrepr: the task's arguments are shown in worker logs and monitors; the message and the addresses
        # are not (personal data of applicants).
        send_email.apply_async(
            args=(subject, body, from_email or settings.DEFAULT_FROM_EMAIL, recipients),
            kwargs={"headers": headers} if headers else {},
            argsrepr=f"({subject!r}, …, {len(recipients)} recipient(s))",
        )
    except Exception:
        logger.exception("could not queue %r for %d recipient(s)", subject, len(recipients))


# ---- Daily jobs (beat, settings.CELERY_BEAT_SCHEDULE) ----


@shared_task(name="disclosures.send_reminders")
def send_reminders():
    """The deadline reminders due today (as `manage.py send_reminders`); none is sent twice."""
    from disclosures.services import send_reminders as send

    return len(send())


# The PDF's parts and their merge (disclosures/exports/pdf_parts.py) are tasks too: imported here, where the
# worker looks for tasks, so that every worker knows them.
from disclosures.exports import pdf_parts  # noqa: E402,F401
