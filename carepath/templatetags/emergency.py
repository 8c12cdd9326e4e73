"""``{% emergency_access case as grant %}``: the grant the person is reading this case under,
or None when they read it by their usual access (no query then)."""

from django import template

from carepath import policy

register = template.Library()


@register.simple_tag(takes_context=True)
def emergency_access(context, case):
    request = context.get("request")
    if request is None or case is None:
        return None
    why = policy.basis(request.user, "case.view", case)
    if not isinstance(why, policy.EmergencyBasis):
        return None
    from casework.models import EmergencyAccess

    return EmergencyAccess.objects.filter(pk=why.emergency_access_id).first()
