"""Signing in as staff do, for the multi-factor, lockout and session tests."""

from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

PASSWORD = "a-long-test-password"  # tests/factories.py UserFactory
# The moment the sign-in tests happen at (the clock fixture of tests/security/conftest.py).
NOW = "2026-03-02 09:00Z"


def authenticator_for(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def recovery_codes_for(user, codes=("aaaabbbb", "ccccdddd")) -> list[str]:
    device = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    for code in codes:
        StaticToken.objects.create(device=device, token=code)
    return list(codes)


def code_now(device_or_key) -> str:
    """The code an authenticator app would show now (time-machine moves it)."""
    if isinstance(device_or_key, TOTPDevice):
        totp = TOTP(device_or_key.bin_key, drift=device_or_key.drift)
    else:
        totp = TOTP(device_or_key)
    return f"{totp.token():06d}"


def password_step(client, user, password=PASSWORD, **extra):
    return client.post(reverse("login"), {"username": user.username, "password": password}, **extra)


def code_step(client, code, **extra):
    return client.post(reverse("people:mfa_verify"), {"code": code}, **extra)


def sign_in(client, user, device, **extra):
    """Password and code: a complete sign-in."""
    response = password_step(client, user, **extra)
    assert response.status_code == 302, response.status_code
    response = code_step(client, code_now(device), **extra)
    assert response.status_code == 302, response.content.decode()[:2000]
    return response
