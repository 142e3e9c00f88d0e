"""{{ notice|delivery_deadline }}: the last day of a period that counts from the notice's delivery (the 补正
period, the fee period), or None while no delivery is recorded — the page then says 待送达后计算."""

from django import template

from .. import delivery
from ..models import Amendment, FeeNotice

register = template.Library()


@register.filter
def delivery_deadline(notice):
    if isinstance(notice, Amendment):
        return delivery.amendment_deadline(notice)
    if isinstance(notice, FeeNotice):
        return delivery.fee_deadline(notice)
    return None
