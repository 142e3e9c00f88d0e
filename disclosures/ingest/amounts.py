"""Amounts as printed: numbers or text ("1,425.40", "1,425.40 ", "-"), and the unit each table states."""

import re
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
BLANK_MARKS = {"", "-", "－", "—", "--", "/"}
# How many 元 one unit holds. A table's unit comes from its own title block (单位：元 / 金额单位：万元).
UNIT_FACTORS = {"元": Decimal(1), "千元": Decimal(1000), "万元": Decimal(10000), "亿元": Decimal(100000000)}
_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def parse_amount(value):
    """A cell's amount as a Decimal with two places; None for blank. Raises ValueError for non-numbers."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, (int, float, Decimal)):
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    else:
        text = re.sub(r"[,，\s\u3000\u00a0]", "", str(value))
        if text in BLANK_MARKS:
            return None
        if not _NUMBER.fullmatch(text):
            raise ValueError(value)
        number = Decimal(text)
    if not number.is_finite():
        raise ValueError(value)
    return number.quantize(CENT, rounding=ROUND_HALF_UP)


def parse_figure(value):
    """A score, rate or weight as printed (绩效自评表): "93.13%" -> 93.13, "0.416" -> 0.416, kept unrounded.

    None for blank; ValueError for text that is not a figure."""
    if value is None:
        return None
    text = re.sub(r"[,\s\u3000\u00a0]", "", str(value))
    if text in BLANK_MARKS:
        return None
    text = text.removesuffix("%")
    if not _NUMBER.fullmatch(text):
        raise ValueError(value)
    return Decimal(text)


def convert(value, from_unit, to_unit):
    """An amount in another unit, exactly (元 → 万元 keeps every digit)."""
    if value is None or from_unit == to_unit:
        return value
    return Decimal(value) * UNIT_FACTORS.get(from_unit, 1) / UNIT_FACTORS.get(to_unit, 1)


def in_wan(value, unit_label):
    """An amount in 万元, the unit comparisons, search and charts speak."""
    return convert(value, unit_label or "万元", "万元")
