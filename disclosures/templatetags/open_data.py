from django import template

from disclosures.api.open_data import licence

register = template.Library()


@register.simple_tag
def open_data_licence():
    """The licence of the published data (settings OPEN_DATA_LICENSE_*), for the footer."""
    return licence()
