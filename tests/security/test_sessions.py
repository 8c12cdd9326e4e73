"""Where you're signed in: sessions recorded at sign-in, listed, ended one by one or all but
this one; idle expiry."""

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from carepath.audit.models import TimelineEvent
from carepath.people import user_sessions
from carepath.people.models import UserSession
from tests.people.helpers import PASSWORD, authenticator_for, password_step, sign_in

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0"
PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_5 like Mac OS X) Mobile/15E148 Safari/604.1"


def _browser(user, agent, address) -> Client:
    client = Client(HTTP_USER_AGENT=agent, REMOTE_ADDR=address)
    assert password_step(client, user).status_code == 302
    return client


def _signed_in(client) -> bool:
    return client.get(reverse("people:profile")).status_code == 200


def _row_of(client) -> UserSession:
    return UserSession.objects.get(session_key=client.cookies["sessionid"].value)


def test_signing_in_records_the_session_under_its_rotated_key(worker, clock):
    client = Client(HTTP_USER_AGENT=FIREFOX, REMOTE_ADDR="203.0.113.45")
    client.get(reverse("login"))
    before = client.cookies.get("sessionid")
    password_step(client, worker)
    row = UserSession.objects.get(user=worker)
    assert row.session_key == client.cookies["sessionid"].value
    assert before is None or before.value != row.session_key
    assert row.user_agent == FIREFOX
    assert row.network == "203.0.113.0/24"


def test_the_list_shows_each_session_marks_this_one_and_never_a_full_address(worker, clock):
    laptop = _browser(worker, FIREFOX, "203.0.113.45")
    _browser(worker, PHONE, "2001:db8:1234:5678::1")
    body = laptop.get(reverse("people:sessions")).content.decode()
    assert "Firefox/140.0" in body and "iPhone" in body
    assert "203.0.113.0/24" in body and "2001:db8:1234::/48" in body
    assert "203.0.113.45" not in body and "5678" not in body
    assert body.count("This browser") == 1
    this_row = body.split("This browser")[0].rsplit("<tr>", 1)[1]
    assert "Firefox" in this_row
    assert body.count("End this session") == 1
    assert "Sign out everywhere else" in body


def test_ending_another_session_signs_that_browser_out(worker, clock):
    laptop = _browser(worker, FIREFOX, "203.0.113.45")
    phone = _browser(worker, PHONE, "198.51.100.20")
    phone_row = _row_of(phone)
    response = laptop.post(reverse("people:session_end", args=[phone_row.pk]))
    assert response.status_code == 302
    assert not UserSession.objects.filter(pk=phone_row.pk).exists()
    assert not Session.objects.filter(session_key=phone_row.session_key).exists()
    assert phone.get(reverse("people:profile"))["Location"].startswith(reverse("login"))
    assert _signed_in(laptop)
    event = TimelineEvent.objects.get(subject_id=worker.pk, kind="session.ended")
    assert event.actor == worker


def test_someone_elses_session_is_a_404(worker, caseworker_b, clock):
    mine = _browser(worker, FIREFOX, "203.0.113.45")
    theirs = _browser(caseworker_b, PHONE, "198.51.100.20")
    their_row = _row_of(theirs)
    assert mine.post(reverse("people:session_end", args=[their_row.pk])).status_code == 404
    assert "iPhone" not in mine.get(reverse("people:sessions")).content.decode()
    assert _signed_in(theirs)
    assert UserSession.objects.filter(pk=their_row.pk).exists()


def test_this_session_cannot_be_ended_from_the_list_and_ending_needs_a_post(worker, clock):
    laptop = _browser(worker, FIREFOX, "203.0.113.45")
    row = _row_of(laptop)
    assert laptop.post(reverse("people:session_end", args=[row.pk])).status_code == 404
    assert laptop.get(reverse("people:session_end", args=[row.pk])).status_code == 405
    assert _signed_in(laptop)


def test_signing_out_everywhere_else_keeps_only_this_browser(worker, clock):
    laptop = _browser(worker, FIREFOX, "203.0.113.45")
    others = [_browser(worker, PHONE, f"198.51.100.{n}") for n in (1, 2)]
    response = laptop.post(reverse("people:sessions_end_others"), follow=True)
    assert "signed out of 2 other sessions" in response.content.decode()
    assert not any(_signed_in(other) for other in others)
    assert _signed_in(laptop)
    assert list(UserSession.objects.filter(user=worker)) == [_row_of(laptop)]


def test_signing_out_removes_the_row(worker, clock):
    laptop = _browser(worker, FIREFOX, "203.0.113.45")
    laptop.post(reverse("logout"))
    assert not UserSession.objects.filter(user=worker).exists()


def test_changing_the_password_ends_the_other_sessions_and_keeps_this_one(worker, clock):
    laptop = _browser(worker, FIREFOX, "203.0.113.45")
    phone = _browser(worker, PHONE, "198.51.100.20")
    response = laptop.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "another sturdy passphrase 7",
            "new_password2": "another sturdy passphrase 7",
        },
    )
    assert response.status_code == 302
    assert _signed_in(laptop)
    assert not _signed_in(phone)
    row = UserSession.objects.get(user=worker)
    assert row.session_key == laptop.cookies["sessionid"].value
    assert "This browser" in laptop.get(reverse("people:sessions")).content.decode()


def test_setting_a_password_from_a_reset_link_ends_every_session(worker, clock):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    laptop = _browser(worker, FIREFOX, "203.0.113.45")
    worker.refresh_from_db()  # the token covers the last sign-in time
    visitor = Client()
    uid = urlsafe_base64_encode(force_bytes(worker.pk))
    link = reverse(
        "password_reset_confirm",
        kwargs={"uidb64": uid, "token": default_token_generator.make_token(worker)},
    )
    form_url = visitor.get(link)["Location"]
    response = visitor.post(
        form_url,
        {
            "new_password1": "another sturdy passphrase 7",
            "new_password2": "another sturdy passphrase 7",
        },
    )
    assert response.status_code == 302
    assert not _signed_in(laptop)
    assert not UserSession.objects.filter(user=worker).exists()


def test_last_active_is_written_at_most_once_a_minute(worker, clock):
    laptop = _browser(worker, FIREFOX, "203.0.113.45")
    row = _row_of(laptop)
    clock.shift(30)
    laptop.get(reverse("people:profile"))
    row.refresh_from_db()
    assert row.last_seen_at.isoformat() == "2026-03-02T09:00:00+00:00"
    clock.shift(31)
    laptop.get(reverse("people:profile"))
    row.refresh_from_db()
    assert row.last_seen_at.isoformat() == "2026-03-02T09:01:01+00:00"


def test_sessions_expire_after_inactivity(settings):
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_COOKIE_AGE == 30 * 60


def test_an_idle_session_is_no_longer_listed_and_is_cleaned_away(worker, clock):
    laptop = _browser(worker, FIREFOX, "203.0.113.45")
    phone = _browser(worker, PHONE, "198.51.100.20")
    for _ in range(4):  # the laptop stays in use, the phone lies idle
        clock.shift(10 * 60)
        assert _signed_in(laptop)
    assert not _signed_in(phone)
    body = laptop.get(reverse("people:sessions")).content.decode()
    assert "iPhone" not in body
    assert user_sessions.user_sessions_prune() == 1
    assert list(UserSession.objects.filter(user=worker)) == [_row_of(laptop)]


def test_the_pages_need_a_complete_sign_in_when_mfa_is_required(worker, clock, settings):
    settings.MFA_REQUIRED = True
    device = authenticator_for(worker)
    pending = _browser(worker, PHONE, "198.51.100.20")
    assert pending.get(reverse("people:sessions"))["Location"].startswith(
        reverse("people:mfa_verify")
    )
    laptop = Client(HTTP_USER_AGENT=FIREFOX, REMOTE_ADDR="203.0.113.45")
    clock.shift(31)
    sign_in(laptop, worker, device)
    body = laptop.get(reverse("people:sessions")).content.decode()
    assert "iPhone" in body  # a password-only sign-in shows too: it may not be theirs
    laptop.post(reverse("people:sessions_end_others"))
    assert pending.get(reverse("people:mfa_verify"))["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("address", "network"),
    [
        ("203.0.113.45", "203.0.113.0/24"),
        ("2001:db8:1234:5678::1", "2001:db8:1234::/48"),
        ("::ffff:198.51.100.7", "198.51.100.0/24"),
        ("not an address", ""),
        (None, ""),
    ],
)
def test_only_the_network_of_an_address_is_kept(address, network):
    assert user_sessions.network_of(address) == network
