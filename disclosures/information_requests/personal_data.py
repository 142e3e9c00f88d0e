"""Applicants' personal data: encrypted at rest, a keyed hash for the checks that need equality, and the
masks every page shows by default.

个人信息保护法第五十一条 asks for 加密、去标识化 and access control; 等保 2.0 三级 (数据保密性, 8.1.4.8)
asks that important personal data be stored encrypted. The keys live outside the database (settings:
PERSONAL_DATA_KEYS, PERSONAL_DATA_HASH_KEY), so a copy of the database alone reveals no ID number or phone.
"""

import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

HIDDEN = "（已隐去）"
ANONYMISED = "（已匿名化）"


class UndecryptableError(RuntimeError):
    """A stored value no key in PERSONAL_DATA_KEYS opens: a key was dropped before the rows were rotated."""


@lru_cache(maxsize=8)
def _fernet(keys: tuple) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys])


def fernet() -> MultiFernet:
    """The first key encrypts; every key decrypts (key rotation)."""
    return _fernet(tuple(settings.PERSONAL_DATA_KEYS))


def encrypt(text: str) -> str:
    # An empty value stays empty: "no e-mail given" is not a secret, and blank checks keep working.
    if not text:
        return ""
    return fernet().encrypt(text.encode()).decode("ascii")


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return fernet().decrypt(token.encode("ascii")).decode()
    except InvalidToken:
        raise UndecryptableError(
            "个人信息无法解密：PERSONAL_DATA_KEYS 中没有加密它的密钥（轮换密钥时须先运行 rotate_personal_data_key，再删除旧密钥）。"
        ) from None


def rotate(token: str) -> str:
    """The same value encrypted with the first key (decrypting with whichever key opens it)."""
    if not token:
        return ""
    try:
        return fernet().rotate(token.encode("ascii")).decode("ascii")
    except InvalidToken:
        raise UndecryptableError("个人信息无法解密：PERSONAL_DATA_KEYS 中没有加密它的密钥。") from None


def is_encrypted(value: str) -> bool:
    """Whether a stored value is a token one of the keys opens (the data migration and its test use it)."""
    try:
        fernet().decrypt(value.encode("ascii"))
    except (InvalidToken, UnicodeEncodeError):
        return False
    return True


def normalize_identifier(value: str) -> str:
    return "".join(str(value or "").split()).upper()


def keyed_hash(purpose: str, value: str) -> str:
    """HMAC-SHA256 under PERSONAL_DATA_HASH_KEY: equal inputs give equal hashes, and without the key a list
    of all 18-digit ID numbers cannot be hashed to find one (a plain hash of an ID number could)."""
    message = f"{purpose}:{value}".encode()
    return hmac.new(settings.PERSONAL_DATA_HASH_KEY.encode(), message, hashlib.sha256).hexdigest()


def id_number_hash(id_number: str) -> str:
    normalized = normalize_identifier(id_number)
    return keyed_hash("id", normalized) if normalized else ""


def lookup_hash(tracking_code: str, phone_suffix: str) -> str:
    """What the status lookup compares: the code and the last four digits of the phone, together."""
    return keyed_hash("lookup", f"{tracking_code}:{phone_suffix}")


def normalize_phone(value: str) -> str:
    """Digits only, without the country code: "+86 139-1234-5678" and "13912345678" are one phone."""
    digits = "".join(ch for ch in str(value or "") if ch.isdigit())
    if digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits


def phone_hash(phone: str) -> str:
    normalized = normalize_phone(phone)
    return keyed_hash("phone", normalized) if normalized else ""


def email_hash(email: str) -> str:
    normalized = str(email or "").strip().lower()
    return keyed_hash("email", normalized) if normalized else ""


# —— Masks (个人信息保护法第六条: no more than the task needs) ————————————————————————


def mask_id_number(value: str) -> str:
    """2104**********1233: the first four and the last four characters."""
    value = value or ""
    if len(value) <= 8:
        return value[:1] + "*" * max(len(value) - 2, 0) + value[-1:]
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str) -> str:
    """138****5678: the first three and the last four digits."""
    value = value or ""
    if len(value) <= 7:
        return "*" * max(len(value) - 2, 0) + value[-2:]
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_email(value: str) -> str:
    """w***@example.com"""
    if not value:
        return ""
    local, _, domain = value.partition("@")
    return f"{local[:1]}***@{domain}"


def mask_address(value: str) -> str:
    """The first six characters (province and city, as a rule), the rest hidden."""
    if not value:
        return ""
    return value[:6] + "****"
