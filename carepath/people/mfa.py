"""Multi-factor sign-in: a code from an authenticator app (TOTP) or a one-time recovery code
(django-otp static tokens).

A wrong code is slowed down by django-otp (1, 2, 4... seconds between tries on a device) and is
counted as a failed sign-in by django-axes (carepath.people.lockout), so passwords and codes
share one lockout limit.
"""

import base64
import re
import secrets
import time

import segno
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.models import Device
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from carepath import policy
from carepath.audit import timeline
from carepath.people import user_sessions
from carepath.people.models import User
from carepath.people.services import PeopleError

RECOVERY_CODE_COUNT = 10
AUTHENTICATOR_NAME = "Authenticator app"
RECOVERY_CODES_NAME = "Recovery codes"
# A code accepted at the step before or after the current one allows for a phone's clock
# being up to 30 seconds out.
TOLERANCE_STEPS = 1


class MfaError(Exception):
    """A code was not accepted; the message tells the person what to do."""


class MfaThrottled(MfaError):
    """Wrong codes came too fast: no code is checked until the wait is over."""


def _wrong_code() -> MfaError:
    return MfaError(
        _(
            "That code is not right. Enter the newest 6-digit code from your authenticator "
            "app, or a recovery code you have not used before."
        )
    )


def normalise_code(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "").lower()


def format_recovery_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


# --- Reading ---------------------------------------------------------------------------------


def authenticator_of(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def is_enrolled(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


# --- Enrolment -------------------------------------------------------------------------------


def secret_new() -> str:
    """A new TOTP secret (20 random bytes, hex), kept in the session until confirmed."""
    return secrets.token_hex(20)


def secret_for_display(secret_hex: str) -> str:
    """The secret as an authenticator app asks for it: base32, in groups of four."""
    text = base64.b32encode(bytes.fromhex(secret_hex)).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def provisioning_uri(*, user: User, secret_hex: str) -> str:
    return TOTPDevice(user=user, key=secret_hex).config_url


def qr_code_svg(uri: str) -> str:
    """The otpauth URI as inline SVG markup (no script, no image request)."""
    svg = segno.make(uri, error="m").svg_inline(
        scale=5,
        dark="#000",
        light="#fff",
        svgclass="qr-code",
        title=_("QR code for your authenticator app"),
    )
    return svg.replace("<svg ", '<svg role="img" ', 1)


def _recovery_codes_replace(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_CODES_NAME, confirmed=True)
    codes: set[str] = set()
    while len(codes) < RECOVERY_CODE_COUNT:
        codes.add(StaticToken.random_token())
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return sorted(codes)


@transaction.atomic
def mfa_enrol(*, user: User, secret_hex: str, code: str) -> tuple[TOTPDevice, list[str]]:
    """Confirm a new authenticator with a code from it. Returns the device and a new set of
    recovery codes, to be shown once."""
    User.objects.select_for_update().get(pk=user.pk)
    if is_enrolled(user):
        raise MfaError(_("An authenticator app is already set up for your account."))
    code = normalise_code(code)
    totp = TOTP(bytes.fromhex(secret_hex))
    totp.time = time.time()
    if not re.fullmatch(r"\d{6}", code) or not totp.verify(int(code), tolerance=TOLERANCE_STEPS):
        raise MfaError(
            _(
                "That code is not right. Check that the time on your phone is set "
                "automatically, then enter the newest 6-digit code the app shows."
            )
        )
    TOTPDevice.objects.filter(user=user).delete()
    # The code just used cannot be used again to sign in.
    device = TOTPDevice.objects.create(
        user=user, name=AUTHENTICATOR_NAME, key=secret_hex, confirmed=True, last_t=totp.t()
    )
    codes = _recovery_codes_replace(user)
    timeline.record(user, by=user, kind="mfa.enrolled")
    return device, codes


# --- Checking a code -------------------------------------------------------------------------


def _match(user: User, code: str) -> tuple[Device | None, bool]:
    if re.fullmatch(r"\d{6}", code):
        devices = TOTPDevice.objects.filter(user=user, confirmed=True)
    elif re.fullmatch(r"[a-z2-7]{8}", code):
        devices = StaticDevice.objects.filter(user=user, confirmed=True)
    else:
        return None, False
    throttled = False
    for device in devices.select_for_update():
        allowed, _info = device.verify_is_allowed()
        if not allowed:
            throttled = True
        elif device.verify_token(code):
            return device, False
    return None, throttled


def mfa_check(*, user: User, code: str) -> Device:
    """The device that accepts the code (a used recovery code is spent). Raises MfaError."""
    # The transaction commits a failure's throttle count before the error is raised.
    with transaction.atomic():
        device, throttled = _match(user, normalise_code(code))
    if device is not None:
        return device
    if throttled:
        raise MfaThrottled(
            _("Too many wrong codes in a row. Wait a few seconds, then enter the newest code.")
        )
    raise _wrong_code()


# --- Changing --------------------------------------------------------------------------------


def mfa_recovery_codes_renew(*, user: User, code: str) -> list[str]:
    """New recovery codes for a person who proves they hold a current code; the old ones stop
    working."""
    mfa_check(user=user, code=code)
    with transaction.atomic():
        codes = _recovery_codes_replace(user)
        timeline.record(user, by=user, kind="mfa.recovery_codes_renewed")
    return codes


def _devices_delete(user: User) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


def mfa_reset(*, user: User, code: str, current_row: int | None) -> None:
    """Remove a person's own authenticator and recovery codes so they can set up a new one;
    their other sessions end, since those were verified with the old authenticator."""
    mfa_check(user=user, code=code)
    with transaction.atomic():
        _devices_delete(user)
        ended = user_sessions.user_sessions_end(user=user, keep_row=current_row)
        timeline.record(user, by=user, kind="mfa.reset", detail={"sessions_ended": ended})


@transaction.atomic
def mfa_reset_by_administrator(*, by: User, user: User) -> None:
    """An administrator removes a member's authenticator (a lost phone): every session of theirs
    ends and they set up a new authenticator at their next sign-in."""
    policy.require(by, "people.user.manage", user)
    if user.pk == by.pk:
        raise PeopleError(
            _("You cannot reset your own multi-factor sign-in here. Use your Security page.")
        )
    _devices_delete(user)
    ended = user_sessions.user_sessions_end(user=user)
    timeline.record(
        user, by=by, kind="mfa.reset_by_administrator", detail={"sessions_ended": ended}
    )
