from django.conf import settings
from django.utils import translation

from carepath import navigation
from carepath.people import language


def shell(request) -> dict:
    user = getattr(request, "user", None)
    items = navigation.items_for(user)
    current = request.resolver_match.view_name if request.resolver_match else ""
    for item in items:
        item["current"] = item["name"] == current
    return {
        "nav_items": items,
        "terminology": settings.CAREPATH_TERMINOLOGY,
        "other_languages": language.other_languages(translation.get_language()),
    }
