"""The interface language: English or Welsh, chosen by each person.

Django's LocaleMiddleware picks a language from the language cookie or the browser. Once a
person is signed in, the language they chose (User.language) wins on every device; the switch
on every page sets both the cookie and, for someone signed in, their choice.
"""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from carepath.people.forms import LanguageForm
from carepath.people.models import User


def is_available(code: str) -> bool:
    return code in dict(settings.LANGUAGES)


def other_languages(current: str) -> list[tuple[str, str]]:
    """The languages to offer on the switch: each in its own name, so a person who cannot read
    the page they are on can still find theirs."""
    offered = []
    for code, label in settings.LANGUAGES:
        if code != current:
            with translation.override(code):
                offered.append((code, str(label)))
    return offered


def user_language_set(*, user: User, language: str) -> None:
    if user.language != language:
        user.language = language
        user._change_reason = "Chose the interface language"
        user.save(update_fields=["language"])


def _safe_next(request) -> str:
    target = request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


@require_POST
def language_switch(request):
    """Switch the interface language: the control at the top of every page, and the choice on
    "Your account". Bad input changes nothing and says so."""
    form = LanguageForm(request.POST)
    response = redirect(_safe_next(request))
    if not form.is_valid():
        messages.error(request, _("That language is not available."))
        return response
    language = form.cleaned_data["language"]
    if request.user.is_authenticated:
        user_language_set(user=request.user, language=language)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


class UserLanguageMiddleware:
    """After authentication: a signed-in person's chosen language overrides the browser's.
    Place after AuthenticationMiddleware (and after LocaleMiddleware)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and is_available(user.language):
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)
