"""Template filters for the public figures pages; every amount goes through rendering.format_amount."""

from django import template

from disclosures.rendering import format_amount

register = template.Library()


@register.filter
def amount(value):
    """1425.40 → "1,425.40"; None → "—" (the disclosure does not print this figure)."""
    return format_amount(value) or "—"


@register.filter
def signed_amount(value):
    """A change: "+58.20", "−3.62", "0.00"; None → "—"."""
    if value is None:
        return "—"
    text = format_amount(abs(value))
    return f"+{text}" if value > 0 else f"−{text}" if value < 0 else text


@register.filter
def signed_percent(value):
    if value is None:
        return "—"
    text = f"{abs(value):.2f}%"
    return f"+{text}" if value > 0 else f"−{text}" if value < 0 else text


@register.filter
def at(sequence, index):
    return sequence[index]
