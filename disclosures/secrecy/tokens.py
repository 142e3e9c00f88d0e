"""jieba, loaded once and only when a text needs it (loading costs about a second).

jieba 0.42.1 ships its dictionary inside the package, so nothing is downloaded; on first load it writes a
cache file to the system temporary folder. Its logger is set to WARNING so that it prints nothing.
"""

from __future__ import annotations

import logging
import threading
from typing import NamedTuple

_lock = threading.Lock()
_posseg = None


class Token(NamedTuple):
    word: str
    flag: str
    start: int
    end: int


def posseg():
    global _posseg
    if _posseg is None:
        with _lock:
            if _posseg is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                jieba.initialize()
                import jieba.posseg

                _posseg = jieba.posseg
    return _posseg


def is_word(word: str) -> tuple[bool, str]:
    """Whether jieba's dictionary holds ``word``, and its tag there."""
    pseg = posseg()
    freq = pseg.dt.tokenizer.FREQ.get(word)
    return bool(freq), pseg.dt.word_tag_tab.get(word, "")


def tokens(text: str) -> list[Token]:
    """Words with part-of-speech tags and their offsets in ``text``."""
    out = []
    pos = 0
    for pair in posseg().cut(text):
        word = pair.word
        start = pos if text.startswith(word, pos) else text.find(word, pos)
        if start < 0:  # jieba keeps every character; stay safe if it ever does not
            continue
        out.append(Token(word, pair.flag, start, start + len(word)))
        pos = start + len(word)
    return out
