"""Checks of the identity fields of an application (条例第二十九条: name, proof of identity, contact)."""

import re

from django.core.exceptions import ValidationError

# GB 11643-1999: 17 digits and a check character (0-9 or X) computed with ISO 7064 MOD 11-2.
ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
ID_CHECK = "10X98765432"


def resident_id_checksum(first17: str) -> str:
    return ID_CHECK[sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS)) % 11]


def validate_resident_id(value: str) -> str:
    value = value.strip().upper()
    if not re.fullmatch(r"\d{17}[\dX]", value):
        raise ValidationError("居民身份证号码应为18位，前17位为数字，最后一位为数字或X。")
    if resident_id_checksum(value[:17]) != value[17]:
        raise ValidationError("居民身份证号码校验位不正确，请核对。")
    return value


# GB 32100-2015: 18 characters from 0-9 and 23 capital letters (no I, O, Z, S, V); the last is a
# check character over the first 17 with these weights, modulo 31.
CREDIT_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def credit_code_checksum(first17: str) -> str:
    total = sum(CREDIT_CODE_CHARS.index(ch) * w for ch, w in zip(first17, CREDIT_CODE_WEIGHTS))
    return CREDIT_CODE_CHARS[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> str:
    value = value.strip().upper()
    if not re.fullmatch(r"[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}", value):
        raise ValidationError("统一社会信用代码应为18位数字或大写字母（不含I、O、Z、S、V），请核对。")
    if credit_code_checksum(value[:17]) != value[17]:
        raise ValidationError("统一社会信用代码校验位不正确，请核对。")
    return value


def validate_phone(value: str) -> str:
    digits = re.sub(r"[\s\-()（）]", "", value)
    national = re.fullmatch(r"(?:\+|00)86(\d{9,12})", digits)  # with the country code: +86, 0086
    if national:
        digits = national.group(1)
        if not digits.startswith(("1", "0")):
            digits = "0" + digits  # +86 24 … is 024 … at home
    if not (re.fullmatch(r"1[3-9]\d{9}", digits) or re.fullmatch(r"0\d{2,3}\d{7,8}", digits)):
        raise ValidationError("请填写11位手机号码或带区号的固定电话号码。")
    return digits
