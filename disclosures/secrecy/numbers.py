"""Identity numbers, phone numbers and bank accounts, recognised by their own arithmetic.

A number is read whole: a run of digits that a digit, a decimal point or a thousands comma continues
(``12,345,678``, ``12345678.00``) is an amount, not a number to flag. Budget tables are full of long
digit runs that are not personal data — 科目 codes (``2080505``, 7 digits), unit codes (``060001``),
区划 codes (``210400000``), dates (``2025-12``) — so each kind asks for proof:

- 居民身份证 (GB 11643-1999): 18 characters, a region code, a real birth date, and the ISO 7064
  MOD 11-2 check character (``X`` for 10). An 18-digit number that fails the check is not reported as
  an identity number (the brief: report only those whose checksum is right). The old 15-digit number
  has no check digit, so it needs a region code and a valid 19YYMMDD date.
- 手机: ``1[3-9]`` and 9 more digits, also written ``138-0024-1234`` or ``138 0024 1234``; not when 元
  follows (an amount that happens to look like one).
- 固定电话: an area code (010, 02x, or 0 + three digits) then a 7- or 8-digit local number starting 2-9,
  written ``024-12345678``, ``(024)12345678`` or ``（0411）82345678``, optionally an extension. A bare
  local number (``23456789``) is a phone only right after 电话/联系方式/传真/热线/Tel.
- 银行账号: 16–19 digits (card numbers, also in groups of four) that pass the Luhn check, or 12–25 digits
  right after 账号/帐号/卡号/账户/开户 (company accounts at some banks are not Luhn numbers and have 12–20
  digits).
"""

from __future__ import annotations

import re
from datetime import date

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"

# Where a number starts and stops: not inside a longer run of digits or letters, not after a decimal
# point, and not followed by decimals or by a thousands group (12,345,678.00 is an amount).
_START = r"(?<![0-9A-Za-z])(?<!\d\.)"
_STOP = r"(?![0-9A-Za-z])(?!\.\d)(?!,\d{3}(?!\d))"
# A digit run that is not part of a longer number or an amount.
_RUN = re.compile(rf"{_START}(\d{{7,25}}[Xx]?){_STOP}")
# Card numbers in groups of four: 6222 0212 3456 7890 (123).
_GROUPED = re.compile(rf"{_START}(\d{{4}}(?:[ -]\d{{4}}){{3}}(?:[ -]?\d{{1,3}})?){_STOP}")
_MOBILE_FORMATTED = re.compile(
    rf"{_START}((?:\+?86[- ]?)?1[3-9]\d[- ]\d{{4}}[- ]\d{{4}}|\+?86[- ]?1[3-9]\d{{9}}){_STOP}"
)
_LANDLINE = re.compile(
    rf"{_START}("
    r"(?:[(（]0(?:10|2\d)[)）][- ]?|0(?:10|2\d)[-－—–])[2-9]\d{7}"
    r"|(?:[(（]0[3-9]\d{2}[)）][- ]?|0[3-9]\d{2}[-－—–])[2-9]\d{6,7}"
    rf")((?:-|转|ext\.?|分机)\d{{1,5}})?{_STOP}"
)

_CLAUSE_BREAK = "。；;\n！？!?"
_ACCOUNT_WORDS = re.compile(r"(账号|帐号|卡号|账户|帐户|开户|银行卡|存折|户号)")
# 024 23456789: an area code and a space, only right after 电话 (a table row has numbers side by side).
_LANDLINE_SPACED = re.compile(rf"{_START}(0(?:10|2\d) [2-9]\d{{7}}|0[3-9]\d{{2}} [2-9]\d{{6,7}}){_STOP}")
# A bare local number counts as a phone only right after the word: 电话：57651234, 传真 57651234.
_PHONE_WORDS = re.compile(r"(?:电话|手机|联系方式|传真|座机|tel)(?:号码|号)?\s*(?:为|是)?\s*[:：]?\s*$", re.I)
_AMOUNT_AFTER = re.compile(r"\s*(元|万元|亿元|万|亿|%|％|千元)")


def id_checksum_ok(number: str) -> bool:
    """GB 11643 check character of an 18-character 居民身份证号码."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], ID_WEIGHTS))
    return ID_CHECK[total % 11] == number[17].upper()


def _valid_date(year: int, month: int, day: int) -> bool:
    try:
        born = date(year, month, day)
    except ValueError:
        return False
    return date(1900, 1, 1) <= born <= date.today()


def looks_like_id(number: str) -> bool:
    """Region code, real birth date and (for 18 characters) the check character."""
    if number[0] not in "12345678":
        return False
    if len(number) == 18:
        return id_checksum_ok(number) and _valid_date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    if len(number) == 15 and number.isdigit():
        return _valid_date(1900 + int(number[6:8]), int(number[8:10]), int(number[10:12]))
    return False


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _context_before(text: str, start: int, width: int = 14) -> str:
    """The text just before ``start`` within the same clause."""
    window = text[max(0, start - width) : start]
    for ch in _CLAUSE_BREAK:
        cut = window.rfind(ch)
        if cut >= 0:
            window = window[cut + 1 :]
    return window


def _amount_follows(text: str, end: int) -> bool:
    return bool(_AMOUNT_AFTER.match(text, end))


def find_numbers(text: str) -> list[tuple[str, int, int, str]]:
    """(kind, start, end, reason) for every identity, phone or account number in ``text``."""
    found: list[tuple[str, int, int, str]] = []
    for m in _RUN.finditer(text):
        number = m.group(1)
        start, end = m.span(1)
        before = _context_before(text, start)
        account_context = bool(_ACCOUNT_WORDS.search(before))
        phone_context = bool(_PHONE_WORDS.search(before))
        kind_reason = _classify_run(number, account_context, phone_context, _amount_follows(text, end))
        if kind_reason:
            found.append((kind_reason[0], start, end, kind_reason[1]))
    for m in _GROUPED.finditer(text):
        digits = re.sub(r"\D", "", m.group(1))
        before = _context_before(text, m.start(1))
        if 16 <= len(digits) <= 19 and not _all_years(m.group(1)):
            if luhn_ok(digits):
                found.append(("bank_account", *m.span(1), "银行卡号（分组书写，Luhn 校验正确）"))
            elif _ACCOUNT_WORDS.search(before):
                found.append(("bank_account", *m.span(1), "银行账号（紧随“账号/卡号”）"))
    for m in _MOBILE_FORMATTED.finditer(text):
        if not _amount_follows(text, m.end(1)):
            found.append(("phone", *m.span(1), "手机号码"))
    for m in _LANDLINE.finditer(text):
        end = m.end(2) if m.group(2) else m.end(1)
        found.append(("phone", m.start(1), end, "固定电话号码（带区号）"))
    for m in _LANDLINE_SPACED.finditer(text):
        if _PHONE_WORDS.search(_context_before(text, m.start(1))):
            found.append(("phone", *m.span(1), "电话号码（紧随“电话”）"))
    return found


def _all_years(grouped: str) -> bool:
    """``2021 2022 2023 2024``: a row of years in a table, not a card number."""
    groups = re.split(r"[ -]", grouped)
    return all(len(g) == 4 and g[:2] in ("19", "20") for g in groups)


def _classify_run(number: str, account_context: bool, phone_context: bool, amount_follows: bool):
    n = len(number)
    digits_only = number.isdigit()
    if amount_follows and not account_context:
        return None
    if not account_context and n in (15, 18) and looks_like_id(number):
        return ("id_number", "身份证号码（校验位正确）" if n == 18 else "身份证号码（15 位旧号，出生日期有效）")
    if not digits_only:
        return None
    if account_context and 12 <= n <= 25:
        return ("bank_account", "银行账号（紧随“账号/卡号”）")
    if 16 <= n <= 19 and luhn_ok(number):
        return ("bank_account", "银行卡号（Luhn 校验正确）")
    if n == 11 and number[0] == "1" and number[1] in "3456789":
        return ("phone", "手机号码")
    if phone_context and (n in (7, 8) and number[0] in "23456789"):
        return ("phone", "电话号码（紧随“电话”）")
    if phone_context and number[0] == "0" and 10 <= n <= 12:
        return ("phone", "电话号码（区号与号码连写）")
    return None
