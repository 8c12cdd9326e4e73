"""Lockout after repeated failed sign-ins (django-axes), and unlocking by an administrator.

A wrong password and a wrong multi-factor code both count as a failed sign-in: the code step
sends Django's user_login_failed signal, which django-axes records like a wrong password. The
count is cleared only when a sign-in is complete (code accepted, or password accepted where
multi-factor sign-in is not required), so a known password does not buy fresh code guesses.
"""

import math

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.db.models import QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from carepath import policy
from carepath.audit import timeline
from carepath.people.models import User


def client_address(request: HttpRequest) -> str | None:
    """The address a request came from (AXES_CLIENT_IP_CALLABLE). Behind TRUSTED_PROXY_COUNT
    reverse proxies it is the one the nearest proxy saw, taken from the right of
    X-Forwarded-For (a client can write anything at the left); with no proxy it is the
    connection's address, and the header is ignored."""
    count = settings.TRUSTED_PROXY_COUNT
    if count:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        hops = [hop for hop in hops if hop]
        if len(hops) >= count:
            return hops[-count]
    return request.META.get("REMOTE_ADDR")


def _credentials(user: User) -> dict:
    return {"username": user.get_username()}


def lockout_response(
    request: HttpRequest, original_response=None, credentials=None
) -> HttpResponse:
    """The page django-axes answers with once an account or address is locked
    (AXES_LOCKOUT_CALLABLE)."""
    cool_off = get_cool_off(request)
    minutes = math.ceil(cool_off.total_seconds() / 60) if cool_off else None
    return render(
        request,
        "registration/locked_out.html",
        {"minutes": minutes, "nav_items": []},
        status=429,
    )


def is_locked(request: HttpRequest, user: User) -> bool:
    return AxesProxyHandler.is_locked(request, _credentials(user))


def code_failure_record(request: HttpRequest, user: User) -> bool:
    """Count a wrong code as a failed sign-in. True if it locks the account."""
    user_login_failed.send(sender=__name__, credentials=_credentials(user), request=request)
    return bool(getattr(request, "axes_locked_out", False))


def failures_clear(user: User) -> int:
    """A complete sign-in clears the person's failed attempts."""
    return axes_reset(username=user.get_username())


def _locked_usernames() -> QuerySet:
    # The same count django-axes keeps for the username parameter: failures within the
    # cool-off period, summed over every address and browser.
    cool_off = get_cool_off()
    attempts = AccessAttempt.objects.all()
    if cool_off:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cool_off)
    return (
        attempts.values("username")
        .annotate(failures=Sum("failures_since_start"))
        .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
        .values("username")
    )


def users_locked_out(users: QuerySet[User]) -> QuerySet[User]:
    """Of these people (already scoped to the viewer), those whose sign-in is locked."""
    return users.filter(username__in=_locked_usernames())


def is_user_locked_out(user: User) -> bool:
    return User.objects.filter(pk=user.pk, username__in=_locked_usernames()).exists()


@transaction.atomic
def user_unlock(*, by: User, user: User) -> int:
    """An administrator lets a locked-out member of their organisation sign in again."""
    policy.require(by, "people.user.manage", user)
    cleared = axes_reset(username=user.get_username())
    for model in (TOTPDevice, StaticDevice):
        model.objects.filter(user=user).update(
            throttling_failure_count=0, throttling_failure_timestamp=None
        )
    timeline.record(user, by=by, kind="user.unlocked", detail={"attempts_cleared": cleared})
    return cleared
