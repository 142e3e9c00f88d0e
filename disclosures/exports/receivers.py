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


def _run_logged(build, version_pk, failure):
    """Run one build here and now. A failure is logged, not raised: publication has already committed, and
    a sweep or a management command builds it later."""
    try:
        build(version_pk)
    except Exception:
        logger.exception(failure, version_pk)


def _run_in_thread(build, version_pk, failure):
    close_old_connections()
    try:
        _run_logged(build, version_pk, failure)
    finally:
        connection.close()


def _after_publication(mode, task, queue, version_pk, *, failure, not_queued):
    """Where a build that follows a publication runs, by `mode`: "inline" (the publishing request), "task" (a
    Celery worker; without a broker, the one build thread above) or "off" (nowhere; a sweep or a command)."""
    if mode == "inline":
        _run_logged(task, version_pk, failure)
    elif mode == "task":
        if task.app.conf.task_always_eager:
            executor.submit(_run_in_thread, task, version_pk, failure)
        else:
            try:
                queue(version_pk)
            except Exception:  # the broker is unreachable: the sweep catches up once it is back
                logger.exception(not_queued, version_pk)


@receiver(version_published, dispatch_uid="exports.store_pdf")
def build_pdf_on_publication(sender, version, **kwargs):
    """Build the PDF once, when the version goes public; downloads then serve the stored file.

    version_published is sent once publication has committed, so a worker that takes the task at once
    finds the version published. settings.PDF_ON_PUBLISH chooses where (see _after_publication); if a
    worker dies, another one builds it.
    """
    _after_publication(
        settings.PDF_ON_PUBLISH, build_version_pdf, queue_pdf_build, version.pk,
        failure="生成 PDF 失败：版本 %s", not_queued="PDF 生成任务未能排队：版本 %s",
    )  # fmt: skip


@receiver(version_published, dispatch_uid="exports.bulk_archives")
def rebuild_bulk_on_publication(sender, version, **kwargs):
    """A publication (a first one or a correction) changes the bulk archives holding its disclosure.
    settings.BULK_ARCHIVES_ON_PUBLISH chooses where (see _after_publication); with "off", the daily sweep
    and `manage.py build_bulk_archives` bring them up to date."""
    _after_publication(
        settings.BULK_ARCHIVES_ON_PUBLISH, rebuild_bulk_archives, rebuild_bulk_archives.delay, version.pk,
        failure="更新批量下载失败：版本 %s", not_queued="批量下载更新任务未能排队：版本 %s",
    )  # fmt: skip
