"""Receivers of disclosures.signals.version_published that build stored downloads: the PDF, the bulk archives."""

import logging
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.db import close_old_connections, connection
from django.dispatch import receiver

from disclosures.signals import version_published
from disclosures.tasks import build_version_pdf, queue_pdf_build, rebuild_bulk_archives

logger = logging.getLogger(__name__)

# Without a broker (`make run`) there is no worker, and a task queued runs eagerly, in the caller: the
# reviewer's "公开" click would wait seconds for the layout. So there the build task runs on this one
# thread of the web process instead. That is the in-process stand-in it looks like: a process killed
# mid-build loses the build (the download, or `render_pdfs --missing`, makes it later). The interpreter
# waits for queued builds at exit, so a management command that publishes (load_demo, import_disclosure)
# ends with its PDFs stored. One thread: layouts should not compete with each other for the CPU.
executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pdf")


def build_pdf(version_pk):
    """Build one published version's PDF here and now. A failure is logged, not raised: publication has
    already committed, and the sweep, the download view or `render_pdfs --missing` builds it later."""
    try:
        build_version_pdf(version_pk)
    except Exception:
        logger.exception("生成 PDF 失败：版本 %s", version_pk)


def _build_in_thread(version_pk):
    close_old_connections()
    try:
        build_pdf(version_pk)
    finally:
        connection.close()


@receiver(version_published, dispatch_uid="exports.store_pdf")
def build_pdf_on_publication(sender, version, **kwargs):
    """Build the PDF once, when the version goes public; downloads then serve the stored file.

    version_published is sent once publication has committed, so a worker that takes the task at once
    finds the version published. settings.PDF_ON_PUBLISH chooses where: a Celery task ("task": a worker
    builds it, and if that worker dies another one does; without a broker, the thread above), the
    publishing request itself ("inline"), or nowhere ("off").
    """
    mode = settings.PDF_ON_PUBLISH
    if mode == "inline":
        build_pdf(version.pk)
    elif mode == "task":
        if build_version_pdf.app.conf.task_always_eager:
            executor.submit(_build_in_thread, version.pk)
        else:
            try:
                queue_pdf_build(version.pk)
            except Exception:  # the broker is unreachable: the sweep queues it once it is back
                logger.exception("PDF 生成任务未能排队：版本 %s", version.pk)


def rebuild_bulk(version_pk):
    """Bring the bulk archives holding the version's disclosure up to date here and now. A failure is logged:
    the next publication, the daily sweep or `build_bulk_archives` rebuilds them."""
    try:
        rebuild_bulk_archives(version_pk)
    except Exception:
        logger.exception("更新批量下载失败：版本 %s", version_pk)


def _rebuild_bulk_in_thread(version_pk):
    close_old_connections()
    try:
        rebuild_bulk(version_pk)
    finally:
        connection.close()


@receiver(version_published, dispatch_uid="exports.bulk_archives")
def rebuild_bulk_on_publication(sender, version, **kwargs):
    """A publication (a first one or a correction) changes the bulk archives holding its disclosure.
    settings.BULK_ARCHIVES_ON_PUBLISH: "task" (a worker; without a broker, the build thread above, after
    the PDF), "inline" (in the publishing request) or "off" (`manage.py build_bulk_archives`, the daily sweep)."""
    mode = settings.BULK_ARCHIVES_ON_PUBLISH
    if mode == "inline":
        rebuild_bulk(version.pk)
    elif mode == "task":
        if rebuild_bulk_archives.app.conf.task_always_eager:
            executor.submit(_rebuild_bulk_in_thread, version.pk)
        else:
            try:
                rebuild_bulk_archives.delay(version.pk)
            except Exception:  # the broker is unreachable: the daily sweep brings them up to date
                logger.exception("批量下载更新任务未能排队：版本 %s", version.pk)
