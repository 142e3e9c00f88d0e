"""依申请公开转主动公开 (条例第四十四条) on the department's public page."""

from django import template

from .. import proactive

register = template.Library()


@register.inclusion_tag("information_requests/_proactive_list.html")
def proactive_disclosures_for_department(department):
    return {"items": proactive.published_for(department)}
