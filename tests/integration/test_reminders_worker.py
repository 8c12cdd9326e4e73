"""An appointment reminder end to end: booked through the service, dispatched, sent by a real
worker through the Twilio SDK (fake transport), and confirmed by a signed delivery report."""

import datetime
import importlib
from urllib.parse import urlencode, urlsplit

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from twilio.request_validator import RequestValidator

from carepath.sms import services as sms_services
from carepath.sms.models import MessageTemplate, Reminder, ReminderRule, ReminderState
from carepath.sms.tasks import reminder_send
from casework.services import appointments, cases, contact
from tests.factories import CaseFactory
from tests.integration.conftest import wait_for

pytestmark = pytest.mark.integration

NUMBER = "+447700900321"
GIVEN_NAME, FAMILY_NAME = "Marta", "Kowalczyk"
WITH_WHOM, LOCATION = "Dr Okonkwo, Riverside Sexual Health", "12 Canal Street, Glasgow"

shipped = importlib.import_module("carepath.sms.migrations.0002_default_templates_and_rules")


@pytest.fixture
def shipped_defaults():
    """The shipped texts and rules: a transactional test's flush empties their tables."""
    for key, language, body in shipped.TEMPLATES:
        MessageTemplate.objects.get_or_create(key=key, language=language, defaults={"body": body})
    for purpose, minutes in shipped.RULES:
        ReminderRule.objects.get_or_create(purpose=purpose, minutes_before=minutes)


@pytest.fixture
def case(team_a, manager_a, caseworker_a):
    case = CaseFactory(team=team_a, by=manager_a, given_name=GIVEN_NAME, family_name=FAMILY_NAME)
    return cases.case_accept(
        by=manager_a, case=case, caseworker=caseworker_a, expected_version=case.version
    )


def _post_status(client, url: str, params: dict, *, token: str):
    signature = RequestValidator(token).compute_signature(url, params)
    return client.post(
        urlsplit(url).path,
        urlencode(params),
        content_type="application/x-www-form-urlencoded",
        headers={"X-Twilio-Signature": signature},
    )


def test_a_booked_reminder_is_sent_once_by_a_real_worker_and_its_delivery_recorded(
    start_celery_worker, fake_twilio, shipped_defaults, case, caseworker_a, client
):
    worker = start_celery_worker(env=fake_twilio.env)
    contact.safe_contact_add(
        by=caseworker_a,
        case=case,
        values={
            "number": NUMBER,
            "safe_to_text": True,
            "sender_name": "Clinic",
            "language": "en",
            "verified_on": timezone.localdate() - datetime.timedelta(days=3),
        },
    )
    # The shipped 120-minute rule makes the reminder due a few seconds from now; the day-before
    # one is already past and is not planned.
    starts_at = timezone.now() + datetime.timedelta(minutes=120, seconds=5)
    appointment = appointments.appointment_create(
        by=caseworker_a,
        case=case,
        values={
            "kind": "sexual_health",
            "with_whom": WITH_WHOM,
            "location": LOCATION,
            "starts_at": starts_at,
        },
        book=True,
    )
    (reminder,) = sms_services.reminders_of(appointment)
    assert reminder.state == ReminderState.SCHEDULED
    assert reminder.due_at == starts_at - datetime.timedelta(minutes=120)

    # What beat does every minute: claim what is due and publish one send task per reminder.
    claimed = []

    def dispatched():
        claimed.append(sms_services.reminders_dispatch())
        return sum(claimed) > 0

    assert wait_for(dispatched, timeout=30), "the reminder never fell due"
    assert sum(claimed) == 1

    def sent():
        reminder.refresh_from_db()
        return reminder.state != ReminderState.SENDING

    assert wait_for(sent, worker=worker), "the worker never sent the reminder"
    assert reminder.state == ReminderState.SENT, reminder.outcome
    assert reminder.provider_id.startswith("SM")
    assert reminder.attempts == 1 and not reminder.needs_review

    # A second delivery of the same task (a broker redelivery, a second beat) sends nothing.
    duplicate = reminder_send.delay(reminder.pk)
    done = f"reminder_send[{duplicate.id}] succeeded"
    assert wait_for(lambda: done in worker.log_path.read_text(), worker=worker)
    assert "'skipped'" in worker.log_path.read_text().split(done)[1].splitlines()[0]
    assert sms_services.reminders_dispatch() == 0

    (message,) = fake_twilio.messages()
    assert message["to"] == NUMBER
    assert message["sid"] == reminder.provider_id
    assert message["from"] == "Clinic"
    expected = sms_services.fill_template(
        MessageTemplate.objects.get(key="appointment", language="en").body,
        {"at": starts_at.isoformat()},
        language="en",
    )
    assert message["body"] == expected
    log = worker.log_path.read_text()
    assert NUMBER not in log and NUMBER[-6:] not in log and message["body"] not in log
    for secret in (
        GIVEN_NAME,
        FAMILY_NAME,
        case.reference,
        case.organisation.name,
        case.team.name,
        WITH_WHOM,
        "Riverside",
        LOCATION,
        "Glasgow",
        "sexual",
        "health",
    ):
        assert secret.lower() not in message["body"].lower()

    # Twilio calls the StatusCallback the worker gave it, signed over that public URL.
    status_url = fake_twilio.webhook_base_url + reverse("sms_webhooks:twilio_status")
    assert message["status_callback"] == status_url
    report = {
        "AccountSid": fake_twilio.account_sid,
        "MessageSid": message["sid"],
        "SmsSid": message["sid"],
        "To": NUMBER,
        "From": "Clinic",
        "ApiVersion": "2010-04-01",
    }
    with override_settings(
        TWILIO_AUTH_TOKEN=fake_twilio.auth_token,
        TWILIO_WEBHOOK_BASE_URL=fake_twilio.webhook_base_url,
    ):
        before = (reminder.state, reminder.version, reminder.outcome, reminder.finished_at)
        forged = {**report, "MessageStatus": "failed", "ErrorCode": "30003"}
        response = _post_status(client, status_url, forged, token="not-our-auth-token")
        assert response.status_code == 403
        unsigned = client.post(
            urlsplit(status_url).path,
            urlencode(forged),
            content_type="application/x-www-form-urlencoded",
        )
        assert unsigned.status_code == 403
        reminder.refresh_from_db()
        assert (reminder.state, reminder.version, reminder.outcome, reminder.finished_at) == before

        delivered = {**report, "MessageStatus": "delivered"}
        response = _post_status(client, status_url, delivered, token=fake_twilio.auth_token)
        assert response.status_code == 204

    reminder.refresh_from_db()
    assert reminder.state == ReminderState.DELIVERED
    assert reminder.finished_at is not None
    assert len(fake_twilio.messages()) == 1
    assert Reminder.objects.count() == 1
