"""scan_text: every flag in one table cell or one paragraph, in order of position, without overlaps.

Each detector proposes (kind, start, end, reason); overlapping proposals are settled by kind (an
administrator's term, then a marker, an identity number, a bank account, a phone, an address, a name)
and then by length. Digits and ASCII letters written full-width (１３９…) are read as ordinary ones; the
offsets and the flagged text are those of the string that was passed in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from .addresses import find_addresses
from .markers import find_markers
from .names import find_names
from .numbers import find_numbers

KINDS = {
    "person_name": "个人姓名",
    "id_number": "身份证号码",
    "phone": "电话号码",
    "bank_account": "银行账号",
    "address": "详细地址",
    "marker": "密级标志",
    "term": "敏感词",
}
_PRIORITY = {"term": 7, "marker": 6, "id_number": 5, "bank_account": 4, "phone": 3, "address": 2, "person_name": 1}
_PERSONAL_NUMBERS = ("id_number", "bank_account", "phone")

# Full-width digits, letters and the few signs numbers are written with → ASCII; same length.
_HALF_WIDTH = str.maketrans(
    {chr(0xFF10 + i): chr(0x30 + i) for i in range(10)}
    | {chr(0xFF21 + i): chr(0x41 + i) for i in range(26)}
    | {chr(0xFF41 + i): chr(0x61 + i) for i in range(26)}
    | {"－": "-", "＋": "+", "．": ".", "\u3000": " "}
)


@dataclass(frozen=True)
class Flag:
    kind: str  # one of KINDS
    text: str  # the flagged text exactly as it appears in the scanned string
    start: int  # offset in the scanned text
    end: int
    reason: str  # short Chinese explanation shown to the reviewer


def scan_text(text: str, *, terms: Iterable[str] = (), exceptions: Iterable[str] = ()) -> list[Flag]:
    """Every flag in one table cell or one paragraph, in order of position, without overlaps.

    ``terms``: the administrator's sensitive terms or classification codes (literal, ASCII case ignored).
    ``exceptions``: texts the administrator says are fine; a flag whose text equals or is contained in
    one of them is not reported.
    """
    if not text or not text.strip():
        return []
    plain = text.translate(_HALF_WIDTH)
    proposals = find_markers(plain) + find_numbers(plain) + find_addresses(plain) + _find_terms(plain, terms)
    personal = [(s, e) for kind, s, e, _ in proposals if kind in _PERSONAL_NUMBERS]
    proposals += find_names(plain, personal)
    exceptions = [x for x in (x.strip() for x in exceptions) if x]
    chosen: list[tuple[str, int, int, str]] = []
    for kind, start, end, reason in sorted(proposals, key=lambda p: (-_PRIORITY[p[0]], p[1] - p[2], p[1])):
        if any(text[start:end] in x for x in exceptions):
            continue
        if all(end <= s or start >= e for _, s, e, _ in chosen):
            chosen.append((kind, start, end, reason))
    chosen.sort(key=lambda c: c[1])
    return [Flag(kind, text[start:end], start, end, reason) for kind, start, end, reason in chosen]


def _find_terms(text: str, terms: Iterable[str]) -> list[tuple[str, int, int, str]]:
    found = []
    for term in {t.strip() for t in terms if t and t.strip()}:
        for m in re.finditer(re.escape(term.translate(_HALF_WIDTH)), text, re.IGNORECASE):
            found.append(("term", m.start(), m.end(), f"管理员列出的敏感词“{term}”"))
    return found
