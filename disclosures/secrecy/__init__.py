"""Confidentiality review (保密审查) before publication: personal data (条例第十五条) and secrecy markers
(条例第十四条, 保守国家秘密法) in a disclosure's cells and paragraphs. Pure Python, no models:
``scan_text(text, terms=..., exceptions=...)`` returns the ``Flag``s a reviewer has to look at.
"""

from .scan import KINDS, Flag, scan_text

__all__ = ["Flag", "KINDS", "scan_text"]
