"""Multi-factor sign-in: enforced after the password, codes, recovery codes, enrolment, the
Security page and an administrator's reset."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from carepath import demo
from carepath.audit.models import TimelineEvent
from carepath.people import account_views, mfa
from carepath.people.models import Role, User
from tests.factories import CaseFactory
from tests.people.helpers import (
    authenticator_for,
    code_now,
    code_step,
    password_step,
    recovery_codes_for,
    sign_in,
)


@pytest.fixture(autouse=True)
def mfa_on(settings):
    settings.MFA_REQUIRED = True


@pytest.fixture
def case(worker, team_a):
    return CaseFactory(team=team_a)


def _is_code_step(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(
        reverse("people:mfa_verify")
    )


def _events(user, kind):
    return TimelineEvent.objects.filter(subject_id=user.pk, kind=kind)


# --- Enforced at sign-in ---------------------------------------------------------------------


def test_a_password_alone_reaches_no_case_page(client, worker, case, clock):
    authenticator_for(worker)
    response = password_step(client, worker)
    assert response.status_code == 302
    case_url = reverse("casework:case", args=[case.pk])
    for url in (case_url, reverse("casework:caseload"), reverse("home")):
        response = client.get(url)
        assert _is_code_step(response), url
    assert f"next={case_url.replace('/', '%2F')}" in client.get(case_url)["Location"]
    # A POST is sent to the code step as well, and changes nothing.
    assert _is_code_step(client.post(reverse("people:mfa_recovery_codes_renew"), {"code": "x"}))


def test_the_code_step_asks_for_a_code_and_hides_the_navigation(client, worker, clock):
    authenticator_for(worker)
    password_step(client, worker)
    body = client.get(reverse("people:mfa_verify")).content.decode()
    assert "Enter the code from your authenticator app" in body
    assert 'autocomplete="one-time-code"' in body
    assert reverse("casework:caseload") not in body


def test_a_wrong_code_is_refused_with_a_clear_error(client, worker, case, clock):
    device = authenticator_for(worker)
    password_step(client, worker)
    right = code_now(device)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    response = code_step(client, wrong)
    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem" in body
    assert "That code is not right" in body
    assert 'aria-invalid="true"' in body
    assert _is_code_step(client.get(reverse("casework:case", args=[case.pk])))


def test_the_right_code_lets_the_person_in_and_on_to_the_page_they_asked_for(
    client, worker, case, clock
):
    device = authenticator_for(worker)
    password_step(client, worker)
    case_url = reverse("casework:case", args=[case.pk])
    response = client.post(
        f"{reverse('people:mfa_verify')}?next={case_url}", {"code": code_now(device)}
    )
    assert response.status_code == 302 and response["Location"] == case_url
    assert client.get(case_url).status_code == 200
    assert client.get(reverse("people:mfa_verify")).status_code == 302  # nothing left to do


def test_a_code_is_accepted_once_only(client, worker, clock):
    device = authenticator_for(worker)
    sign_in(client, worker, device)
    client.post(reverse("logout"))
    clock.shift(5)  # past the throttle, still the same 30-second step
    password_step(client, worker)
    assert code_step(client, code_now(device)).status_code == 200
    clock.shift(30)
    assert code_step(client, code_now(device)).status_code == 302


def test_an_offsite_next_address_is_ignored(client, worker, clock):
    device = authenticator_for(worker)
    password_step(client, worker)
    response = client.post(
        f"{reverse('people:mfa_verify')}?next=https://evil.example/", {"code": code_now(device)}
    )
    assert response["Location"] == reverse("home")


def test_a_recovery_code_works_once(client, worker, clock):
    authenticator_for(worker)
    first, second = recovery_codes_for(worker)
    password_step(client, worker)
    response = code_step(client, first.upper()[:4] + "-" + first[4:], follow=True)
    assert response.status_code == 200
    assert "You used a recovery code. You have 1 left" in response.content.decode()
    client.post(reverse("logout"))

    clock.shift(5)
    password_step(client, worker)
    assert code_step(client, first).status_code == 200
    clock.shift(5)
    assert code_step(client, second).status_code == 302
    assert not StaticToken.objects.filter(device__user=worker).exists()


def test_a_person_with_no_authenticator_is_taken_to_set_one_up(client, worker, case, clock):
    password_step(client, worker)
    response = client.get(reverse("casework:case", args=[case.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("people:mfa_enrol"))
    # Only a confirmed authenticator counts: an unconfirmed one does not open the code step.
    TOTPDevice.objects.create(user=worker, name="half set up", confirmed=False)
    assert client.get(reverse("people:mfa_verify"))["Location"].startswith(
        reverse("people:mfa_enrol")
    )


def test_enrolment_shows_a_qr_code_and_the_key_then_ten_recovery_codes_once(
    client, worker, case, clock
):
    password_step(client, worker)
    case_url = reverse("casework:case", args=[case.pk])
    page = client.get(f"{reverse('people:mfa_enrol')}?next={case_url}")
    assert page.status_code == 200
    body = page.content.decode()
    assert '<svg role="img" width="' in body and 'class="qr-code"' in body
    assert "<script" not in body.split("</head>")[1]
    assert "data:" not in body
    secret = client.session[account_views.PENDING_SECRET_KEY]
    key_text = mfa.secret_for_display(secret)
    assert key_text in body
    assert re.fullmatch(r"([A-Z2-7]{4} ){7}[A-Z2-7]{4}", key_text)
    # Reloading keeps the same key (someone may have scanned it already).
    client.get(reverse("people:mfa_enrol"))
    assert client.session[account_views.PENDING_SECRET_KEY] == secret

    key = bytes.fromhex(secret)
    wrong = f"{(int(code_now(key)) + 1) % 1_000_000:06d}"
    refused = client.post(reverse("people:mfa_enrol"), {"code": wrong, "next": case_url})
    assert refused.status_code == 200
    assert "That code is not right" in refused.content.decode()
    assert not TOTPDevice.objects.filter(user=worker).exists()

    done = client.post(reverse("people:mfa_enrol"), {"code": code_now(key), "next": case_url})
    assert done.status_code == 302
    assert done["Location"].startswith(reverse("people:mfa_recovery_codes"))
    device = TOTPDevice.objects.get(user=worker)
    assert device.confirmed and device.key == secret
    assert _events(worker, "mfa.enrolled").count() == 1

    codes_page = client.get(done["Location"])
    codes = re.findall(r"<code>([a-z2-7]{4}-[a-z2-7]{4})</code>", codes_page.content.decode())
    assert len(codes) == len(set(codes)) == 10
    assert f'href="{case_url}"' in codes_page.content.decode()
    assert codes_page["Cache-Control"].startswith("max-age=0")
    # Shown once only.
    again = client.get(reverse("people:mfa_recovery_codes"))
    assert again.status_code == 302 and again["Location"] == reverse("people:security")
    # Signed in in full now.
    assert client.get(case_url).status_code == 200

    client.post(reverse("logout"))
    password_step(client, worker)
    assert code_step(client, codes[3]).status_code == 302


def test_a_person_already_set_up_cannot_enrol_a_second_authenticator(client, worker, clock):
    device = authenticator_for(worker)
    password_step(client, worker)
    response = client.get(reverse("people:mfa_enrol"))
    assert response["Location"].startswith(reverse("people:mfa_verify"))
    with pytest.raises(mfa.MfaError):
        mfa.mfa_enrol(user=worker, secret_hex=mfa.secret_new(), code=code_now(device))
    assert TOTPDevice.objects.filter(user=worker).count() == 1


def test_a_pending_sign_in_from_htmx_is_sent_to_the_code_step_as_a_whole_page(
    client, worker, clock
):
    authenticator_for(worker)
    password_step(client, worker)
    response = client.get(reverse("casework:caseload"), headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(reverse("people:mfa_verify"))


# --- What a pending sign-in may still reach --------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        reverse("login"),
        reverse("password_reset"),
        reverse("password_reset_done"),
        reverse("password_reset_complete"),
        reverse("password_reset_confirm", kwargs={"uidb64": "MQ", "token": "x-y"}),
        reverse("people:mfa_verify"),
    ],
)
def test_sign_in_pages_stay_open_before_the_code(client, worker, url, clock):
    authenticator_for(worker)
    password_step(client, worker)
    response = client.get(url)
    assert not _is_code_step(response)
    assert response.status_code in (200, 302)


def test_webhooks_the_calendar_feed_and_static_files_are_not_sent_to_the_code_step(
    client, worker, clock
):
    authenticator_for(worker)
    password_step(client, worker)
    feed = reverse("calendar:feed", kwargs={"token": "x" * 43})
    assert client.get(feed).status_code == 404  # its own token decides, not the session
    webhook = client.post(reverse("sms_webhooks:twilio_status"), {})
    assert webhook.status_code in (400, 403)
    assert not _is_code_step(client.get("/static/css/carepath.css"))


def test_signing_out_works_before_the_code(client, worker, clock):
    authenticator_for(worker)
    password_step(client, worker)
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("home"))["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    "name",
    ["people:profile", "people:security", "people:sessions", "password_change", "people:users"],
)
def test_account_pages_need_the_code_too(client, make_user, org_a, name, clock):
    person = make_user(org_a, Role.ADMINISTRATOR)
    authenticator_for(person)
    password_step(client, person)
    assert _is_code_step(client.get(reverse(name)))


def test_with_mfa_off_a_password_is_enough(client, worker, settings):
    settings.MFA_REQUIRED = False
    authenticator_for(worker)
    password_step(client, worker)
    assert client.get(reverse("casework:caseload")).status_code == 200


# --- The Security page -----------------------------------------------------------------------


def test_the_security_page_shows_the_status_and_codes_left(client, worker, clock):
    device = authenticator_for(worker)
    recovery_codes_for(worker)
    sign_in(client, worker, device)
    body = client.get(reverse("people:security")).content.decode()
    assert "Set up (2 Mar 2026)" in body
    assert "2 unused codes" in body
    assert reverse("people:mfa_recovery_codes_renew") in body
    assert reverse("people:mfa_reset") in body
    assert reverse("people:security") in client.get(reverse("people:profile")).content.decode()


def test_new_recovery_codes_need_a_current_code_and_replace_the_old_ones(client, worker, clock):
    device = authenticator_for(worker)
    old = recovery_codes_for(worker)
    sign_in(client, worker, device)
    url = reverse("people:mfa_recovery_codes_renew")
    clock.shift(31)
    refused = client.post(url, {"code": "000000" if code_now(device) != "000000" else "111111"})
    assert "That code is not right" in refused.content.decode()
    assert StaticToken.objects.filter(device__user=worker).count() == 2

    clock.shift(5)
    response = client.post(url, {"code": code_now(device)}, follow=True)
    codes = re.findall(r"<code>([a-z2-7]{4}-[a-z2-7]{4})</code>", response.content.decode())
    assert len(codes) == 10
    tokens = set(StaticToken.objects.filter(device__user=worker).values_list("token", flat=True))
    assert tokens == {code.replace("-", "") for code in codes}
    assert not tokens & set(old)
    assert _events(worker, "mfa.recovery_codes_renewed").count() == 1


def test_resetting_your_authenticator_needs_a_code_and_leads_to_setting_up_a_new_one(
    client, worker, clock
):
    device = authenticator_for(worker)
    recovery_codes_for(worker)
    sign_in(client, worker, device)
    url = reverse("people:mfa_reset")
    clock.shift(31)
    assert client.post(url, {"code": "nonsense"}).status_code == 200
    assert TOTPDevice.objects.filter(user=worker).exists()

    clock.shift(5)
    response = client.post(url, {"code": code_now(device)})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("people:mfa_enrol"))
    assert not TOTPDevice.objects.filter(user=worker).exists()
    assert not StaticDevice.objects.filter(user=worker).exists()
    assert _events(worker, "mfa.reset").count() == 1
    assert client.get(reverse("people:mfa_enrol")).status_code == 200
    assert client.get(reverse("casework:caseload"))["Location"].startswith(
        reverse("people:mfa_enrol")
    )


# --- An administrator's reset ----------------------------------------------------------------


def test_an_administrator_resets_a_members_mfa_and_they_must_set_it_up_again(
    client, admin_a, worker, clock, django_user_model
):
    admin_device = authenticator_for(admin_a)
    device = authenticator_for(worker)
    recovery_codes_for(worker)
    worker_client = client.__class__()
    sign_in(worker_client, worker, device)
    sign_in(client, admin_a, admin_device)

    page = client.get(reverse("people:user", args=[worker.pk])).content.decode()
    assert reverse("people:user_mfa_reset", args=[worker.pk]) in page
    response = client.post(reverse("people:user_mfa_reset", args=[worker.pk]), follow=True)
    assert "Multi-factor sign-in was reset" in response.content.decode()

    assert not TOTPDevice.objects.filter(user=worker).exists()
    assert not StaticDevice.objects.filter(user=worker).exists()
    event = _events(worker, "mfa.reset_by_administrator").get()
    assert event.actor == admin_a and event.organisation_id == worker.organisation_id
    # Their session has ended; at the next sign-in they set up a new authenticator.
    assert worker_client.get(reverse("casework:caseload"))["Location"].startswith(reverse("login"))
    clock.shift(31)
    password_step(worker_client, worker)
    assert worker_client.get(reverse("casework:caseload"))["Location"].startswith(
        reverse("people:mfa_enrol")
    )


def test_an_administrator_of_another_organisation_cannot_reset_a_members_mfa(
    client, admin_b, worker, clock
):
    authenticator_for(worker)
    sign_in(client, admin_b, authenticator_for(admin_b))
    assert client.post(reverse("people:user_mfa_reset", args=[worker.pk])).status_code == 404
    assert TOTPDevice.objects.filter(user=worker).exists()
    assert not _events(worker, "mfa.reset_by_administrator").exists()


def test_only_administrators_reset_mfa_and_not_their_own_here(
    client, admin_a, manager_a, worker, clock
):
    authenticator_for(worker)
    admin_device = authenticator_for(admin_a)
    sign_in(client, manager_a, authenticator_for(manager_a))
    assert client.post(reverse("people:user_mfa_reset", args=[worker.pk])).status_code == 404
    client.post(reverse("logout"))

    sign_in(client, admin_a, admin_device)
    assert client.get(reverse("people:user_mfa_reset", args=[worker.pk])).status_code == 405
    response = client.post(reverse("people:user_mfa_reset", args=[admin_a.pk]), follow=True)
    assert "Use your Security page" in response.content.decode()
    assert TOTPDevice.objects.filter(user=admin_a).exists()


# --- The demo --------------------------------------------------------------------------------


def test_demo_staff_sign_in_with_the_documented_demo_code(client, db, settings, clock):
    call_command("seed_demo", stdout=StringIO())
    user = User.objects.get(username=demo.username_for(Role.CASEWORKER, "clyde"))
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    assert mfa.secret_for_display(device.key).replace(" ", "") == demo.DEMO_TOTP_SECRET

    settings.DEBUG = True
    out = StringIO()
    call_command("demo_mfa_code", stdout=out, stderr=StringIO())
    code = out.getvalue().strip()
    assert re.fullmatch(r"\d{6}", code)
    response = client.post(
        reverse("login"), {"username": user.username, "password": demo.DEMO_PASSWORD}
    )
    assert response.status_code == 302
    assert code_step(client, code).status_code == 302
    assert client.get(reverse("casework:caseload")).status_code == 200


def test_the_demo_code_command_refuses_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("demo_mfa_code", stdout=StringIO(), stderr=StringIO())


def test_seeding_the_demo_again_keeps_the_demo_authenticators(db):
    call_command("seed_demo", stdout=StringIO())
    keys = dict(TOTPDevice.objects.values_list("user_id", "key"))
    call_command("seed_demo", stdout=StringIO())
    assert dict(TOTPDevice.objects.values_list("user_id", "key")) == keys
    assert len(keys) == User.objects.count() == len(demo.STAFF) * len(demo.ORGANISATIONS)
