from django import template

from disclosures.rendering import format_amount

register = template.Library()


@register.filter
def amount(value):
    """Thousands separators and two decimals; blank for no figure (one formatting rule, rendering.py)."""
    return format_amount(value)
