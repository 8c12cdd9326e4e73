"""Lockout after repeated failed sign-ins (passwords and codes), and unlocking by an
administrator of the same organisation."""

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from carepath.audit.models import TimelineEvent
from carepath.people import lockout
from carepath.people.models import Role
from tests.people.helpers import (
    authenticator_for,
    code_now,
    code_step,
    password_step,
    sign_in,
)


@pytest.fixture(autouse=True)
def limit(settings):
    settings.AXES_FAILURE_LIMIT = 5
    return 5


def _fail(client, user, times, **extra):
    # From an address of its own unless told, so the administrator's address is not locked.
    extra.setdefault("REMOTE_ADDR", "198.51.100.7")
    responses = [password_step(client, user, password="not the password", **extra)]
    for _ in range(times - 1):
        responses.append(password_step(client, user, password="not the password", **extra))
    return responses


def _signed_in(client) -> bool:
    return client.get(reverse("people:profile")).status_code == 200


def _wrong(device) -> str:
    return f"{(int(code_now(device)) + 1) % 1_000_000:06d}"


def test_wrong_passwords_up_to_the_limit_lock_the_account(client, worker, limit, clock):
    responses = _fail(client, worker, limit - 1)
    assert all(r.status_code == 200 for r in responses)
    assert "Please enter a correct username and password" in responses[-1].content.decode()

    locked = password_step(client, worker, password="not the password", REMOTE_ADDR="192.0.2.1")
    assert locked.status_code == 429
    body = locked.content.decode()
    assert "<h1>Signing in is paused</h1>" in body
    assert 'role="alert"' in body
    assert 'href="#main"' in body  # the site's own page, with its skip link
    assert "You can try again in 30 minutes" in body
    assert "ask an administrator of your organisation to unlock" in body


def test_the_right_password_is_refused_while_locked(client, worker, limit, clock):
    _fail(client, worker, limit)
    response = password_step(client, worker, REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 429
    assert not _signed_in(client)


def test_the_lock_is_on_the_account_not_only_the_address(worker, limit, clock):
    _fail(Client(), worker, limit, REMOTE_ADDR="198.51.100.7")
    elsewhere = Client()
    assert password_step(elsewhere, worker, REMOTE_ADDR="203.0.113.9").status_code == 429
    assert not _signed_in(elsewhere)


def test_the_lock_lifts_after_the_cool_off_period(client, worker, limit, clock, settings):
    settings.MFA_REQUIRED = False
    _fail(client, worker, limit)
    clock.shift(31 * 60)
    assert password_step(client, worker).status_code == 302
    assert _signed_in(client)


def test_a_complete_sign_in_clears_the_count(client, worker, limit, clock, settings):
    settings.MFA_REQUIRED = False
    _fail(client, worker, limit - 1)
    assert password_step(client, worker).status_code == 302
    assert not AccessAttempt.objects.filter(username=worker.username).exists()


def test_wrong_codes_count_toward_the_lockout(client, worker, limit, clock, settings):
    settings.MFA_REQUIRED = True
    device = authenticator_for(worker)
    assert password_step(client, worker).status_code == 302
    for _ in range(limit - 1):
        clock.shift(20)  # past django-otp's growing wait between tries
        response = code_step(client, _wrong(device))
        assert response.status_code == 200
        assert "That code is not right" in response.content.decode()
    clock.shift(20)
    response = code_step(client, _wrong(device))
    assert response.status_code == 429
    assert "Signing in is paused" in response.content.decode()
    assert not _signed_in(client)  # the half-finished sign-in has ended
    assert password_step(client, worker).status_code == 429


def test_a_right_password_does_not_wipe_earlier_failures(client, worker, limit, clock, settings):
    # Otherwise someone who knows the password could guess codes without end.
    settings.MFA_REQUIRED = True
    device = authenticator_for(worker)
    _fail(client, worker, limit - 1)
    assert password_step(client, worker).status_code == 302
    clock.shift(5)
    assert code_step(client, _wrong(device)).status_code == 429


def test_a_code_sent_too_soon_after_a_wrong_one_is_not_checked(client, worker, clock, settings):
    settings.MFA_REQUIRED = True
    device = authenticator_for(worker)
    password_step(client, worker)
    code_step(client, _wrong(device))
    too_soon = code_step(client, code_now(device))
    assert too_soon.status_code == 200
    assert "Wait a few seconds" in too_soon.content.decode()
    clock.shift(3)
    assert code_step(client, code_now(device)).status_code == 302


# --- Unlocking -------------------------------------------------------------------------------


def test_an_administrator_sees_locked_accounts_and_unlocks_one(
    client, admin_a, worker, limit, clock, settings
):
    settings.MFA_REQUIRED = True
    device = authenticator_for(worker)
    _fail(Client(), worker, limit)
    sign_in(client, admin_a, authenticator_for(admin_a))

    users_page = client.get(reverse("people:users")).content.decode()
    assert "Locked accounts" in users_page
    assert worker.username in users_page.split("Locked accounts")[1].split("</div>")[0]
    detail = client.get(reverse("people:user", args=[worker.pk])).content.decode()
    assert reverse("people:user_unlock", args=[worker.pk]) in detail

    response = client.post(reverse("people:user_unlock", args=[worker.pk]), follow=True)
    assert f"{worker} can sign in again." in response.content.decode()
    assert not lockout.is_user_locked_out(worker)
    event = TimelineEvent.objects.get(subject_id=worker.pk, kind="user.unlocked")
    assert event.actor == admin_a
    assert event.detail["attempts_cleared"] >= 1
    detail = client.get(reverse("people:user", args=[worker.pk])).content.decode()
    assert "Sign-in unlocked" in detail
    assert "Locked accounts" not in client.get(reverse("people:users")).content.decode()

    worker_client = Client()
    sign_in(worker_client, worker, device)
    assert _signed_in(worker_client)


def test_an_administrator_of_another_organisation_cannot_unlock(
    client, admin_b, worker, limit, clock
):
    _fail(Client(), worker, limit)
    client.force_login(admin_b)
    assert worker.username not in client.get(reverse("people:users")).content.decode()
    assert client.get(reverse("people:user", args=[worker.pk])).status_code == 404
    assert client.post(reverse("people:user_unlock", args=[worker.pk])).status_code == 404
    assert lockout.is_user_locked_out(worker)
    assert not TimelineEvent.objects.filter(subject_id=worker.pk, kind="user.unlocked").exists()


@pytest.mark.parametrize("role", [r for r in Role.values if r != Role.ADMINISTRATOR])
def test_only_administrators_unlock(client, make_user, org_a, worker, limit, clock, role):
    _fail(Client(), worker, limit)
    client.force_login(make_user(org_a, role))
    assert client.post(reverse("people:user_unlock", args=[worker.pk])).status_code == 404
    assert lockout.is_user_locked_out(worker)


def test_unlocking_also_lifts_the_wait_between_codes(client, admin_a, worker, clock, settings):
    settings.MFA_REQUIRED = True
    device = authenticator_for(worker)
    worker_client = Client()
    password_step(worker_client, worker)
    code_step(worker_client, _wrong(device))
    sign_in(client, admin_a, authenticator_for(admin_a))
    client.post(reverse("people:user_unlock", args=[worker.pk]))
    assert code_step(worker_client, code_now(device)).status_code == 302


@pytest.mark.parametrize(
    ("proxies", "meta", "expected"),
    [
        (0, {"REMOTE_ADDR": "10.0.0.9", "HTTP_X_FORWARDED_FOR": "203.0.113.7"}, "10.0.0.9"),
        (1, {"REMOTE_ADDR": "10.0.0.9", "HTTP_X_FORWARDED_FOR": "203.0.113.7"}, "203.0.113.7"),
        # A client's own X-Forwarded-For is kept at the left by the proxy: not believed.
        (
            1,
            {"REMOTE_ADDR": "10.0.0.9", "HTTP_X_FORWARDED_FOR": "198.51.100.1, 203.0.113.7"},
            "203.0.113.7",
        ),
        (2, {"REMOTE_ADDR": "10.0.0.9", "HTTP_X_FORWARDED_FOR": "203.0.113.7"}, "10.0.0.9"),
        (1, {"REMOTE_ADDR": "10.0.0.9"}, "10.0.0.9"),
    ],
)
def test_the_client_address_is_the_one_the_nearest_trusted_proxy_saw(
    rf, settings, proxies, meta, expected
):
    settings.TRUSTED_PROXY_COUNT = proxies
    assert lockout.client_address(rf.get("/", **meta)) == expected


@pytest.mark.parametrize(("proxies", "status"), [(1, 302), (0, 429)])
def test_behind_a_proxy_failures_from_one_client_do_not_lock_another(
    client, settings, worker, proxies, status
):
    """Without the proxy counted, every sign-in seems to come from the proxy's address."""
    settings.TRUSTED_PROXY_COUNT = proxies
    for n in range(5):
        password_step(
            client,
            type(worker)(username=f"nobody-{n}"),
            password="wrong",
            REMOTE_ADDR="10.0.0.9",
            HTTP_X_FORWARDED_FOR="203.0.113.7",
        )
    response = password_step(
        client, worker, REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="198.51.100.20"
    )
    assert response.status_code == status
