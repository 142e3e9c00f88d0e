"""Signals other parts of the portal listen to.

`version_published` is sent (after the transaction commits) when a version becomes public,
so that derived artefacts — the stored PDF, the search index — are built once, at publication.
Receivers get `sender=Version, version=<Version>`.
"""

from django.dispatch import Signal

version_published = Signal()
