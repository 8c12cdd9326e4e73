"""Twilio's callbacks: only requests signed with our auth token over the public URL count."""

from urllib.parse import urlencode

import pytest
from django.test import override_settings
from django.urls import reverse
from twilio.request_validator import RequestValidator

from carepath.sms import services
from carepath.sms.models import OptOut, Reminder, ReminderState
from tests.sms.conftest import AUTH_TOKEN, NUMBER, WEBHOOK_BASE

STATUS_URL = "/webhooks/twilio/status/"
INBOUND_URL = "/webhooks/twilio/inbound/"
SID = "SM" + "a" * 32

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("signing_settings"),
]


@pytest.fixture
def signing_settings():
    with override_settings(TWILIO_AUTH_TOKEN=AUTH_TOKEN, TWILIO_WEBHOOK_BASE_URL=WEBHOOK_BASE):
        yield


def _sign(url: str, params: dict, token: str = AUTH_TOKEN) -> str:
    return RequestValidator(token).compute_signature(url, params)


def _post(client, path: str, params: dict, *, signature: str | None = "sign", signed_url=None):
    if signature == "sign":
        signature = _sign(signed_url or f"{WEBHOOK_BASE}{path}", params)
    headers = {"X-Twilio-Signature": signature} if signature is not None else {}
    return client.post(
        path,
        urlencode(params),
        content_type="application/x-www-form-urlencoded",
        headers=headers,
    )


@pytest.fixture
def sent(reminder):
    services.reminders_claim_due()
    services.reminder_send(reminder_id=reminder.pk)
    Reminder.objects.filter(pk=reminder.pk).update(provider_id=SID)
    reminder.refresh_from_db()
    assert reminder.state == ReminderState.SENT
    return reminder


def _status(sid=SID, status="delivered", **extra) -> dict:
    return {
        "AccountSid": "AC" + "0" * 32,
        "MessageSid": sid,
        "SmsSid": sid,
        "MessageStatus": status,
        "SmsStatus": status,
        "To": NUMBER,
        "From": "Clinic",
        "ApiVersion": "2010-04-01",
        **extra,
    }


def _inbound(body: str, from_number: str = NUMBER) -> dict:
    return {
        "AccountSid": "AC" + "0" * 32,
        "MessageSid": "SM" + "b" * 32,
        "From": from_number,
        "To": "+447700900000",
        "Body": body,
        "NumMedia": "0",
    }


def test_the_urls():
    assert reverse("sms_webhooks:twilio_status") == STATUS_URL
    assert reverse("sms_webhooks:twilio_inbound") == INBOUND_URL


def test_a_signed_delivery_report_marks_the_reminder_delivered(client, sent):
    response = _post(client, STATUS_URL, _status())

    assert response.status_code == 204
    sent.refresh_from_db()
    assert sent.state == ReminderState.DELIVERED


def test_a_signed_failure_report_with_21610_fails_it_and_opts_the_number_out(client, sent):
    response = _post(client, STATUS_URL, _status(status="undelivered", ErrorCode="21610"))

    assert response.status_code == 204
    sent.refresh_from_db()
    assert sent.state == ReminderState.FAILED
    assert "21610" in sent.outcome
    assert OptOut.objects.matching(NUMBER).exists()


def test_a_report_for_an_unknown_message_is_accepted_and_changes_nothing(client, sent):
    response = _post(client, STATUS_URL, _status(sid="SM" + "f" * 32))

    assert response.status_code == 204
    sent.refresh_from_db()
    assert sent.state == ReminderState.SENT


def test_without_a_base_url_the_signature_is_over_the_address_requested(client, sent, settings):
    settings.TWILIO_WEBHOOK_BASE_URL = ""
    params = _status()

    response = _post(client, STATUS_URL, params, signed_url=f"http://testserver{STATUS_URL}")

    assert response.status_code == 204
    sent.refresh_from_db()
    assert sent.state == ReminderState.DELIVERED


@pytest.mark.parametrize(
    "signature",
    [
        None,
        "",
        "bm90IGEgc2lnbmF0dXJl",
        _sign(f"{WEBHOOK_BASE}{STATUS_URL}", _status(), token="someone-elses-token"),
        # Signed for the address as the app sees it, not the public one Twilio called.
        _sign(f"http://testserver{STATUS_URL}", _status()),
        # Signed for other fields: a delivery report replayed with a changed status.
        _sign(f"{WEBHOOK_BASE}{STATUS_URL}", _status(status="failed")),
    ],
    ids=["missing", "empty", "forged", "other-token", "wrong-url", "other-params"],
)
def test_an_unsigned_or_forged_report_is_refused_and_changes_nothing(client, sent, signature):
    response = _post(client, STATUS_URL, _status(), signature=signature)

    assert response.status_code == 403
    sent.refresh_from_db()
    assert sent.state == ReminderState.SENT


def test_without_an_auth_token_every_request_is_refused(client, sent, settings):
    settings.TWILIO_AUTH_TOKEN = ""
    params = _status()

    response = _post(
        client, STATUS_URL, params, signature=_sign(f"{WEBHOOK_BASE}{STATUS_URL}", params, token="")
    )

    assert response.status_code == 403
    sent.refresh_from_db()
    assert sent.state == ReminderState.SENT


@pytest.mark.parametrize("path", [STATUS_URL, INBOUND_URL])
def test_get_is_not_allowed(client, path):
    params = _inbound("STOP")
    signature = _sign(f"{WEBHOOK_BASE}{path}?{urlencode(params)}", {})

    response = client.get(path, params, headers={"X-Twilio-Signature": signature})

    assert response.status_code == 405
    assert not OptOut.objects.exists()


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"MessageStatus": "delivered"},
        {"MessageSid": SID},
        {"MessageSid": SID, "MessageStatus": ""},
        {"MessageSid": "SM" + "x" * 100, "MessageStatus": "delivered"},
        {"MessageSid": "SM 1", "MessageStatus": "delivered"},
        {"MessageSid": f"{SID}\n", "MessageStatus": "delivered"},
        {"MessageSid": SID, "MessageStatus": "<b>delivered</b>"},
        {"MessageSid": SID, "MessageStatus": "failed", "ErrorCode": "thirty"},
    ],
)
def test_a_signed_report_with_bad_fields_is_a_bad_request(client, sent, params):
    response = _post(client, STATUS_URL, params)

    assert response.status_code == 400
    sent.refresh_from_db()
    assert sent.state == ReminderState.SENT


def test_stop_opts_the_number_out_and_start_opts_it_back_in(client):
    response = _post(client, INBOUND_URL, _inbound("STOP"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    assert response.content.decode().endswith("<Response />")
    assert OptOut.objects.matching(NUMBER).get().source == "STOP"

    response = _post(client, INBOUND_URL, _inbound("START"))

    assert response.status_code == 200
    assert not OptOut.objects.matching(NUMBER).exists()


@pytest.mark.parametrize(
    "body", ["stop please", "  Stop", "STOPALL", "unsubscribe", "Cancel", "end", "QUIT"]
)
def test_each_opt_out_word_opts_out_whatever_the_case(client, body):
    response = _post(client, INBOUND_URL, _inbound(body))

    assert response.status_code == 200
    assert OptOut.objects.matching(NUMBER).exists()
    assert body.strip() not in response.content.decode()


@pytest.mark.parametrize("body", ["yes", "Unstop", "start"])
def test_each_opt_in_word_opts_back_in(client, body):
    OptOut.objects.create(number=NUMBER, source="STOP")

    assert _post(client, INBOUND_URL, _inbound(body)).status_code == 200
    assert not OptOut.objects.exists()


@pytest.mark.parametrize("body", ["Who is this?", "I'll be there, don't stop", "", "   "])
def test_any_other_message_is_ignored_and_not_echoed(client, body):
    OptOut.objects.create(number="+447700900999", source="STOP")

    response = _post(client, INBOUND_URL, _inbound(body))

    assert response.status_code == 200
    assert response.content.decode() == '<?xml version="1.0" encoding="UTF-8"?><Response />'
    assert list(OptOut.objects.values_list("number", flat=True)) == ["+447700900999"]


@pytest.mark.parametrize(
    "signature",
    [None, "bm90IGEgc2lnbmF0dXJl", _sign(f"{WEBHOOK_BASE}{INBOUND_URL}", _inbound("START"))],
    ids=["missing", "forged", "other-params"],
)
def test_an_unsigned_or_forged_stop_is_refused(client, signature):
    response = _post(client, INBOUND_URL, _inbound("STOP"), signature=signature)

    assert response.status_code == 403
    assert not OptOut.objects.exists()


def test_a_forged_start_does_not_undo_an_opt_out(client):
    OptOut.objects.create(number=NUMBER, source="STOP")

    response = _post(client, INBOUND_URL, _inbound("START"), signature="bm90IGEgc2lnbmF0dXJl")

    assert response.status_code == 403
    assert OptOut.objects.matching(NUMBER).exists()


@pytest.mark.parametrize(
    "params",
    [
        {"Body": "STOP"},
        {"From": NUMBER},
        {"From": "", "Body": "STOP"},
        {"From": "+" + "4" * 30, "Body": "STOP"},
        {"From": "not a number", "Body": "STOP"},
        {"From": f"{NUMBER}\n", "Body": "STOP"},
    ],
)
def test_a_signed_inbound_message_with_bad_fields_is_a_bad_request(client, params):
    response = _post(client, INBOUND_URL, params)

    assert response.status_code == 400
    assert not OptOut.objects.exists()


@override_settings(TWILIO_WEBHOOK_BASE_URL=f"{WEBHOOK_BASE}/")
def test_a_base_url_with_a_trailing_slash_still_matches(client):
    assert _post(client, INBOUND_URL, _inbound("STOP")).status_code == 200
    assert OptOut.objects.matching(NUMBER).exists()


@pytest.mark.parametrize("body", ["Stop.", "stop!", "STOP please", "  'stop'  "])
def test_stop_with_punctuation_or_more_words_opts_out(db, body):
    from carepath.sms.models import OptOut
    from carepath.sms.services import inbound_message

    assert inbound_message(from_number="+447700900123", body=body) == "opted_out"
    assert OptOut.objects.matching("+447700900123").exists()


def test_a_word_that_merely_starts_like_stop_is_ignored(db):
    from carepath.sms.services import inbound_message

    assert inbound_message(from_number="+447700900123", body="Stopping by later") == "ignored"
