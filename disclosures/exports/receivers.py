"""Receivers of disclosures.signals.version_published that build stored downloads."""

import logging

from django.dispatch import receiver

from disclosures.signals import version_published

logger = logging.getLogger(__name__)


@receiver(version_published, dispatch_uid="exports.store_pdf")
def build_pdf_on_publication(sender, version, **kwargs):
    """Build the PDF once, when the version goes public; downloads then serve the stored file.

    A failure is logged, not raised: publication has already committed, and the download view
    (or `manage.py render_pdfs`) builds a missing PDF later.
    """
    from disclosures.exports.pdf import store_pdf

    try:
        store_pdf(version)
    except Exception:
        logger.exception("生成 PDF 失败：版本 %s", version.pk)
