"""Links in e-mails: absolute when the site's address is configured (SITE_URL), so a person
can follow them from their mail; a path otherwise."""

from django.conf import settings


def absolute(path: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{path}"
