import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from carepath.sms import services
from carepath.sms.backends import get_backend, reset_backend
from carepath.sms.models import MessageTemplate, SafeContact
from casework.models import Case
from tests.factories import CaseFactory

LONDON = ZoneInfo("Europe/London")
# A Monday in March: Greenwich Mean Time, so local time and UTC agree unless a test moves.
NOW = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=LONDON)
NUMBER = "+447700900123"
BODY = "Reminder: {date} at {time}. From {sender}."
ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "test-auth-token-0123456789abcdef"
WEBHOOK_BASE = "https://carepath.example"


def at(hour: int, minute: int = 0) -> datetime.datetime:
    """That time of day in London on the test's day."""
    return datetime.datetime.combine(NOW.date(), datetime.time(hour, minute), tzinfo=LONDON)


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)
    return time_machine


@pytest.fixture(autouse=True)
def memory_backend(settings):
    """The in-memory backend, fresh for each test."""
    settings.SMS_BACKEND = "memory"
    reset_backend()
    yield get_backend()
    reset_backend()


@pytest.fixture
def twilio(settings):
    """The Twilio backend with the real SDK over the fake HTTP client; yields the fake."""
    settings.SMS_BACKEND = "twilio"
    settings.TWILIO_HTTP_CLIENT = "tests.fakes.twilio.FakeTwilioHttpClient"
    settings.TWILIO_ACCOUNT_SID = ACCOUNT_SID
    settings.TWILIO_AUTH_TOKEN = AUTH_TOKEN
    settings.TWILIO_FROM_NUMBER = "+447700900000"
    settings.TWILIO_MESSAGING_SERVICE_SID = ""
    settings.TWILIO_WEBHOOK_BASE_URL = WEBHOOK_BASE
    reset_backend()
    yield get_backend().client.http_client
    reset_backend()


@pytest.fixture
def case(team_a, manager_a):
    return CaseFactory(team=team_a, by=manager_a)


@pytest.fixture
def template(db):
    template, _ = MessageTemplate.objects.update_or_create(
        key="appointment", language="en", defaults={"body": BODY}
    )
    return template


@pytest.fixture
def make_contact(case):
    def make(**values) -> SafeContact:
        values = {
            "number": NUMBER,
            "safe_to_text": True,
            "sender_name": "Clinic",
            "language": "en",
            "verified_on": timezone.localdate() - datetime.timedelta(days=7),
            **values,
        }
        return SafeContact.objects.create(
            organisation=case.organisation,
            subject_type=ContentType.objects.get_for_model(Case),
            subject_id=case.pk,
            **values,
        )

    return make


@pytest.fixture
def contact(make_contact):
    return make_contact()


@pytest.fixture
def make_reminder(case, template):
    def make(contact: SafeContact, *, due_at: datetime.datetime | None = None):
        due_at = due_at or datetime.datetime.now(tz=LONDON) - datetime.timedelta(minutes=1)
        return services.reminder_plan(
            organisation_id=case.organisation_id,
            subject=case,
            purpose="appointment",
            due_at=due_at,
            safe_contact=contact,
            context={"at": (due_at + datetime.timedelta(days=1)).isoformat()},
        )

    return make


@pytest.fixture
def reminder(make_reminder, contact):
    return make_reminder(contact)
