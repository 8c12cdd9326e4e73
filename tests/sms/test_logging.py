"""A phone may be watched: numbers and message text never go into the logs, at any level."""

import logging

import pytest
from requests.exceptions import ReadTimeout
from twilio.request_validator import RequestValidator

from carepath.sms import services
from carepath.sms.models import ReminderState
from tests.sms.conftest import AUTH_TOKEN, NUMBER, WEBHOOK_BASE


@pytest.fixture
def everything(caplog):
    caplog.set_level(logging.DEBUG)
    # The SDK's own logger is kept at WARNING by settings.LOGGING; open it up here too.
    caplog.set_level(logging.DEBUG, logger="twilio")
    return caplog


def _assert_nothing_personal(caplog, *secrets):
    assert caplog.records, "nothing was logged: the test would prove nothing"
    for record in caplog.records:
        logged = record.getMessage() + (record.exc_text or "")
        for secret in secrets:
            assert secret not in logged, f"{record.name} logged personal data"
    for secret in secrets:
        assert secret not in caplog.text


def _body(twilio) -> str:
    return twilio.requests[-1].data["Body"]


def test_sending_through_twilio_logs_no_number_and_no_text(twilio, reminder, everything):
    services.reminders_dispatch()

    reminder.refresh_from_db()
    assert reminder.state == ReminderState.SENT
    _assert_nothing_personal(everything, NUMBER, _body(twilio), "Clinic")


@pytest.mark.parametrize(
    "failure",
    [
        lambda fake: fake.fail_with(400, 21211, message=f"The 'To' number {NUMBER} is not valid"),
        lambda fake: fake.fail_with(400, 21610),
        lambda fake: fake.fail_with(500),
        lambda fake: fake.raise_with(ReadTimeout(f"POST to {NUMBER} timed out")),
    ],
    ids=["invalid-number", "opted-out", "server-error", "timeout"],
)
def test_failed_sends_log_no_number_and_no_text(twilio, reminder, everything, failure):
    failure(twilio)

    services.reminders_dispatch()

    reminder.refresh_from_db()
    assert reminder.state != ReminderState.SENT
    assert NUMBER not in reminder.outcome
    _assert_nothing_personal(everything, NUMBER, _body(twilio))


def test_webhooks_log_no_number_and_no_text(client, twilio, reminder, everything):
    services.reminders_dispatch()
    reminder.refresh_from_db()
    sign = RequestValidator(AUTH_TOKEN).compute_signature
    status_url, inbound_url = "/webhooks/twilio/status/", "/webhooks/twilio/inbound/"
    status = {"MessageSid": reminder.provider_id, "MessageStatus": "delivered", "To": NUMBER}
    inbound = {"From": NUMBER, "Body": "STOP I am at Flat 2 with Sam"}
    forged = {"From": NUMBER, "Body": "START forged"}

    client.post(
        status_url, status, headers={"X-Twilio-Signature": sign(WEBHOOK_BASE + status_url, status)}
    )
    client.post(
        inbound_url,
        inbound,
        headers={"X-Twilio-Signature": sign(WEBHOOK_BASE + inbound_url, inbound)},
    )
    refused = client.post(
        inbound_url,
        forged,
        headers={"X-Twilio-Signature": sign(WEBHOOK_BASE + inbound_url, inbound)},
    )

    assert refused.status_code == 403
    reminder.refresh_from_db()
    assert reminder.state == ReminderState.DELIVERED
    _assert_nothing_personal(everything, NUMBER, _body(twilio), "Flat 2 with Sam", "forged")
