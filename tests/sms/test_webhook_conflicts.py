"""A delivery report that keeps losing the race for its reminder is refused with a 409, so
Twilio tries again later, instead of failing with a 500."""

import pytest

from carepath.pathway import ConflictError
from carepath.sms import services
from carepath.sms.models import Reminder, ReminderState
from tests.sms.conftest import AUTH_TOKEN, WEBHOOK_BASE
from tests.sms.test_webhooks import SID, STATUS_URL, _post, _status

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("signing_settings")]


@pytest.fixture
def signing_settings(settings):
    settings.TWILIO_AUTH_TOKEN = AUTH_TOKEN
    settings.TWILIO_WEBHOOK_BASE_URL = WEBHOOK_BASE


@pytest.fixture
def sent(reminder):
    services.reminders_claim_due()
    services.reminder_send(reminder_id=reminder.pk)
    Reminder.objects.filter(pk=reminder.pk).update(provider_id=SID)
    reminder.refresh_from_db()
    assert reminder.state == ReminderState.SENT
    return reminder


@pytest.fixture
def conflicts(monkeypatch):
    """Make the next ``n`` status updates lose their race; count every call."""
    real = services.reminder_status_update
    calls = []

    def arrange(n: int) -> list:
        def update(**kwargs):
            calls.append(kwargs)
            if len(calls) <= n:
                raise ConflictError()
            return real(**kwargs)

        monkeypatch.setattr(services, "reminder_status_update", update)
        return calls

    return arrange


def test_one_lost_race_is_retried_at_once(client, sent, conflicts):
    calls = conflicts(1)
    response = _post(client, STATUS_URL, _status())
    assert response.status_code == 204
    assert len(calls) == 2
    sent.refresh_from_db()
    assert sent.state == ReminderState.DELIVERED


def test_two_lost_races_ask_twilio_to_retry(client, sent, conflicts):
    calls = conflicts(2)
    response = _post(client, STATUS_URL, _status())
    assert response.status_code == 409
    assert len(calls) == 2
    sent.refresh_from_db()
    assert sent.state == ReminderState.SENT

    # Twilio's retry lands.
    assert _post(client, STATUS_URL, _status()).status_code == 204
    sent.refresh_from_db()
    assert sent.state == ReminderState.DELIVERED
