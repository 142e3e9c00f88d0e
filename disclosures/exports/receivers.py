"""Receivers of disclosures.signals.version_published that build stored downloads."""

import logging
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.db import close_old_connections, connection
from django.dispatch import receiver

from disclosures.signals import version_published

logger = logging.getLogger(__name__)

# One worker: WeasyPrint takes seconds per disclosure, and layouts should not compete with each
# other for the CPU. The interpreter waits for queued builds at exit, so a management command that
# publishes (load_demo, import_disclosure) ends with its PDFs stored.
executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pdf")


def build_pdf(version_pk):
    """Build and store one published version's PDF. A failure is logged, not raised: publication has
    already committed, and the download view (or `manage.py render_pdfs --missing`) builds it later."""
    from disclosures.exports.pdf import store_pdf
    from disclosures.models import Version

    try:
        store_pdf(Version.objects.select_related("disclosure__department").get(pk=version_pk))
    except Exception:
        logger.exception("生成 PDF 失败：版本 %s", version_pk)


def _build_in_worker(version_pk):
    close_old_connections()
    try:
        build_pdf(version_pk)
    finally:
        connection.close()


@receiver(version_published, dispatch_uid="exports.store_pdf")
def build_pdf_on_publication(sender, version, **kwargs):
    """Build the PDF once, when the version goes public; downloads then serve the stored file.

    settings.PDF_ON_PUBLISH chooses where: a worker thread (so the reviewer's "公开" click returns at
    once instead of waiting seconds for the layout), the publishing request itself, or nowhere.
    """
    mode = settings.PDF_ON_PUBLISH
    if mode == "inline":
        build_pdf(version.pk)
    elif mode == "background":
        executor.submit(_build_in_worker, version.pk)
