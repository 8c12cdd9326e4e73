"""``{% can "permission" obj as allowed %}``: ask the access policy from a template, so a
section shows only the actions the person may take."""

from django import template

from carepath import policy

register = template.Library()


@register.simple_tag(takes_context=True)
def can(context, permission: str, obj=None) -> bool:
    request = context.get("request")
    return request is not None and policy.can(request.user, permission, obj)
