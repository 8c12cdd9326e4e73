"""The Twilio backend: the real SDK builds each request and parses each answer; only the HTTP
transport is the fake one."""

from http.client import RemoteDisconnected

import pytest
import requests
from urllib3.exceptions import MaxRetryError, NewConnectionError, ProtocolError

from carepath.sms.backends import (
    OutcomeUnknown,
    OutgoingText,
    Rejected,
    Retryable,
    TwilioBackend,
)
from tests.fakes.twilio import FakeTwilioHttpClient
from tests.sms.conftest import ACCOUNT_SID, AUTH_TOKEN, NUMBER

CALLBACK = "https://carepath.example/webhooks/twilio/status/"
TEXT = OutgoingText(
    to=NUMBER, body="Reminder: Tuesday 3 March at 10:00.", sender="Clinic", status_callback=CALLBACK
)


@pytest.fixture
def fake():
    return FakeTwilioHttpClient()


@pytest.fixture
def backend(fake):
    return TwilioBackend(
        account_sid=ACCOUNT_SID,
        auth_token=AUTH_TOKEN,
        from_number="+447700900000",
        http_client=fake,
    )


def test_the_sdk_posts_the_message_with_the_neutral_sender_and_callback(backend, fake):
    sid = backend.send(TEXT)

    assert sid.startswith("SM") and len(sid) == 34
    assert sid == fake.messages[0]["sid"]
    (request,) = fake.requests
    assert request.method == "POST"
    assert request.url == f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    assert request.data == {
        "To": NUMBER,
        "Body": "Reminder: Tuesday 3 March at 10:00.",
        "From": "Clinic",
        "StatusCallback": CALLBACK,
    }


def test_without_a_sender_name_the_configured_number_sends(backend, fake):
    backend.send(OutgoingText(to=NUMBER, body="Reminder"))

    assert fake.requests[0].data == {"To": NUMBER, "Body": "Reminder", "From": "+447700900000"}


def test_a_messaging_service_is_named_when_configured(fake):
    backend = TwilioBackend(
        account_sid=ACCOUNT_SID,
        auth_token=AUTH_TOKEN,
        messaging_service_sid="MG" + "1" * 32,
        http_client=fake,
    )
    backend.send(TEXT)

    assert fake.requests[0].data["MessagingServiceSid"] == "MG" + "1" * 32
    assert fake.requests[0].data["From"] == "Clinic"


@pytest.mark.parametrize(
    ("status", "code", "error", "opted_out"),
    [
        (400, 21610, Rejected, True),
        (400, 21211, Rejected, False),
        (429, None, Retryable, None),
        (500, None, OutcomeUnknown, None),
        (503, None, OutcomeUnknown, None),
    ],
)
def test_provider_errors_are_mapped_to_what_the_dispatcher_may_do(
    backend, fake, status, code, error, opted_out
):
    fake.fail_with(status, code)

    with pytest.raises(error) as raised:
        backend.send(TEXT)

    assert type(raised.value) is error
    if opted_out is not None:
        assert raised.value.opted_out is opted_out
    if code:
        assert raised.value.code == str(code)
    assert fake.messages == []


def test_an_error_is_only_for_the_requests_it_was_scripted_for(backend, fake):
    fake.fail_with(429, times=1)

    with pytest.raises(Retryable):
        backend.send(TEXT)
    assert backend.send(TEXT).startswith("SM")
    assert len(fake.requests) == 2 and len(fake.messages) == 1


@pytest.mark.parametrize(
    ("raised", "error"),
    [
        # The request went out and no answer came: Twilio may have taken it.
        (requests.exceptions.ReadTimeout("read timed out"), OutcomeUnknown),
        # No connection was ever made: nothing can have been sent.
        (requests.exceptions.ConnectTimeout("connect timed out"), Retryable),
        (
            requests.exceptions.ConnectionError(
                MaxRetryError(None, "/Messages.json", NewConnectionError(None, "refused"))
            ),
            Retryable,
        ),
        # The connection was dropped after the request was written: it may have been taken.
        (
            requests.exceptions.ConnectionError(
                ProtocolError("Connection aborted.", RemoteDisconnected("closed"))
            ),
            OutcomeUnknown,
        ),
    ],
)
def test_transport_failures_are_retried_only_when_nothing_can_have_been_sent(
    backend, fake, raised, error
):
    fake.raise_with(raised)

    with pytest.raises(error) as caught:
        backend.send(TEXT)

    assert type(caught.value) is error


class _Redis:
    def __init__(self):
        self.lists: dict[str, list[str]] = {}

    def rpush(self, key, value):
        self.lists.setdefault(key, []).append(value)


def test_a_worker_process_fake_records_its_sends_in_redis_when_asked(monkeypatch):
    import json

    import redis

    server = _Redis()
    monkeypatch.setattr(redis.Redis, "from_url", lambda url: server)
    monkeypatch.setenv("FAKE_TWILIO_REDIS_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.setenv("FAKE_TWILIO_REDIS_KEY", "fake-twilio:sent")
    backend = TwilioBackend(
        account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN, http_client=FakeTwilioHttpClient()
    )

    sid = backend.send(TEXT)

    (recorded,) = server.lists["fake-twilio:sent"]
    assert json.loads(recorded) == {
        "sid": sid,
        "to": NUMBER,
        "from": "Clinic",
        "body": TEXT.body,
        "status_callback": CALLBACK,
    }


def test_without_the_redis_settings_nothing_is_recorded_outside(monkeypatch):
    import redis

    monkeypatch.delenv("FAKE_TWILIO_REDIS_URL", raising=False)
    monkeypatch.delenv("FAKE_TWILIO_REDIS_KEY", raising=False)
    monkeypatch.setattr(redis.Redis, "from_url", lambda url: pytest.fail("Redis was used"))
    backend = TwilioBackend(
        account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN, http_client=FakeTwilioHttpClient()
    )

    assert backend.send(TEXT).startswith("SM")


def test_the_console_prints_a_masked_number_and_counts_as_delivered(db, capsys, settings):
    import datetime

    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from carepath.people.models import Organisation
    from carepath.sms import backends as sms_backends
    from carepath.sms.models import Reminder, ReminderState, SafeContact
    from carepath.sms.services import reminder_send

    settings.SMS_BACKEND = "console"
    sms_backends.reset_backend()
    try:
        organisation = Organisation.objects.create(name="O", slug="o", jurisdiction="scotland")
        subject_type = ContentType.objects.get_for_model(Organisation)
        contact = SafeContact.objects.create(
            organisation=organisation,
            subject_type=subject_type,
            subject_id=organisation.pk,
            number="+447700900555",
            safe_to_text=True,
            verified_on=timezone.localdate(),
        )
        reminder = Reminder.objects.create(
            organisation=organisation,
            subject_type=subject_type,
            subject_id=organisation.pk,
            purpose="appointment",
            safe_contact=contact,
            state=ReminderState.SENDING,
            due_at=timezone.now() - datetime.timedelta(minutes=1),
            context={"at": timezone.now().isoformat()},
        )
        assert reminder_send(reminder_id=reminder.pk) == ReminderState.DELIVERED
    finally:
        sms_backends.reset_backend()
    printed = capsys.readouterr().out
    assert "•••0555" in printed and "+447700900555" not in printed
