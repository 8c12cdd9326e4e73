"""A due reminder is claimed, sent once, and its delivery recorded from the provider's reports."""

import datetime

import pytest
from django.test import override_settings

from carepath.sms import services
from carepath.sms.backends import OutcomeUnknown, Rejected, Retryable
from carepath.sms.models import OptOut, Reminder, ReminderState
from tests.sms.conftest import NOW, NUMBER

MINUTE = datetime.timedelta(minutes=1)


def _sent(reminder):
    services.reminders_dispatch()
    reminder.refresh_from_db()
    assert reminder.state == ReminderState.SENT
    return reminder


def test_a_due_reminder_is_sent_once_in_the_persons_words(reminder, memory_backend):
    assert services.reminders_dispatch() == 1
    assert services.reminders_dispatch() == 0

    reminder.refresh_from_db()
    assert reminder.state == ReminderState.SENT
    assert reminder.provider_id == "memory-1"
    assert reminder.sent_at == NOW
    assert reminder.attempts == 1
    (text,) = memory_backend.sent
    assert text.to == NUMBER
    assert text.sender == "Clinic"
    assert text.body == "Reminder: Tuesday 3 March at 09:59. From Clinic."


def test_a_reminder_not_yet_due_waits(make_reminder, contact, memory_backend):
    reminder = make_reminder(contact, due_at=NOW + MINUTE)

    assert services.reminders_dispatch() == 0
    reminder.refresh_from_db()
    assert reminder.state == ReminderState.SCHEDULED
    assert memory_backend.sent == []


def test_the_status_callback_url_is_the_public_webhook(settings, reminder, memory_backend):
    settings.TWILIO_WEBHOOK_BASE_URL = "https://carepath.example/"
    services.reminders_dispatch()
    assert memory_backend.sent[0].status_callback == (
        "https://carepath.example/webhooks/twilio/status/"
    )


def test_delivered_report(reminder, frozen):
    reminder = _sent(reminder)
    frozen.shift(datetime.timedelta(seconds=30))

    assert services.reminder_status_update(provider_id="memory-1", status="delivered")

    reminder.refresh_from_db()
    assert reminder.state == ReminderState.DELIVERED
    assert reminder.finished_at == NOW + datetime.timedelta(seconds=30)


@pytest.mark.parametrize("status", ["failed", "undelivered"])
def test_failed_report(reminder, status):
    reminder = _sent(reminder)

    assert services.reminder_status_update(
        provider_id="memory-1", status=status, error_code="30003"
    )

    reminder.refresh_from_db()
    assert reminder.state == ReminderState.FAILED
    assert "30003" in reminder.outcome


@pytest.mark.parametrize(
    ("first", "then"),
    [
        ("delivered", "delivered"),
        ("delivered", "failed"),
        ("delivered", "sent"),
        ("failed", "delivered"),
        ("undelivered", "failed"),
    ],
)
def test_repeated_and_late_reports_change_nothing(reminder, first, then):
    reminder = _sent(reminder)
    services.reminder_status_update(provider_id="memory-1", status=first, error_code="30003")
    reminder.refresh_from_db()
    before = (reminder.state, reminder.outcome, reminder.finished_at, reminder.version)

    assert not services.reminder_status_update(provider_id="memory-1", status=then)

    reminder.refresh_from_db()
    assert (reminder.state, reminder.outcome, reminder.finished_at, reminder.version) == before


def test_intermediate_reports_leave_a_sent_reminder_sent(reminder):
    reminder = _sent(reminder)
    for status in ("queued", "sending", "sent"):
        assert not services.reminder_status_update(provider_id="memory-1", status=status)
    reminder.refresh_from_db()
    assert reminder.state == ReminderState.SENT


def test_a_report_for_an_unknown_message_changes_nothing(reminder):
    reminder = _sent(reminder)

    assert not services.reminder_status_update(provider_id="SMunknown", status="failed")
    assert not services.reminder_status_update(provider_id="", status="delivered")

    reminder.refresh_from_db()
    assert reminder.state == ReminderState.SENT


def test_an_opted_out_report_opts_the_number_out(reminder):
    _sent(reminder)
    services.reminder_status_update(provider_id="memory-1", status="failed", error_code="21610")
    assert OptOut.objects.matching(NUMBER).exists()


@override_settings(REMINDER_MAX_ATTEMPTS=3)
def test_a_retryable_error_backs_off_then_fails_after_the_last_attempt(
    reminder, memory_backend, frozen
):
    memory_backend.fail_with = Retryable("Rate limited by the provider", code="20429")

    services.reminders_dispatch()
    reminder.refresh_from_db()
    assert reminder.state == ReminderState.SCHEDULED
    assert reminder.due_at == NOW + 2 * MINUTE
    assert reminder.attempts == 1
    assert reminder.attempt_started_at is None
    assert "Rate limited" in reminder.outcome

    # Not due again until the backoff has passed.
    frozen.shift(MINUTE)
    assert services.reminders_dispatch() == 0
    frozen.shift(MINUTE)
    assert services.reminders_dispatch() == 1
    reminder.refresh_from_db()
    assert reminder.state == ReminderState.SCHEDULED
    assert reminder.attempts == 2
    assert reminder.due_at == NOW + 2 * MINUTE + 4 * MINUTE

    frozen.shift(4 * MINUTE)
    assert services.reminders_dispatch() == 1
    reminder.refresh_from_db()
    assert reminder.state == ReminderState.FAILED
    assert reminder.attempts == 3
    assert memory_backend.sent == []


def test_a_retried_reminder_goes_when_the_provider_recovers(reminder, memory_backend, frozen):
    memory_backend.fail_with = Retryable("Could not reach the provider")
    services.reminders_dispatch()
    memory_backend.fail_with = None
    frozen.shift(2 * MINUTE)

    services.reminders_dispatch()

    reminder.refresh_from_db()
    assert reminder.state == ReminderState.SENT
    assert reminder.attempts == 2
    assert len(memory_backend.sent) == 1


def test_opted_out_at_the_provider_opts_out_and_suppresses(
    reminder, make_reminder, contact, memory_backend
):
    memory_backend.fail_with = Rejected("The number has opted out", code="21610", opted_out=True)

    services.reminders_dispatch()

    reminder.refresh_from_db()
    assert reminder.state == ReminderState.SUPPRESSED
    assert "opted out" in reminder.outcome
    assert OptOut.objects.matching(NUMBER).get().source == "provider 21610"
    # The next reminder to the number is not even attempted.
    memory_backend.fail_with = None
    later = make_reminder(contact)
    services.reminders_dispatch()
    later.refresh_from_db()
    assert later.state == ReminderState.SUPPRESSED
    assert memory_backend.sent == []


def test_refused_by_the_provider_fails_without_retrying(reminder, memory_backend):
    memory_backend.fail_with = Rejected("Refused by the provider (21211)", code="21211")

    services.reminders_dispatch()

    reminder.refresh_from_db()
    assert reminder.state == ReminderState.FAILED
    assert "21211" in reminder.outcome
    assert not OptOut.objects.exists()


def test_an_unknown_outcome_is_flagged_and_never_resent(reminder, memory_backend, frozen):
    memory_backend.fail_with = OutcomeUnknown("No answer from the provider")

    services.reminders_dispatch()
    memory_backend.fail_with = None
    frozen.shift(datetime.timedelta(hours=1))
    services.reminders_sweep_stuck()
    services.reminders_dispatch()
    assert services.reminder_send(reminder_id=reminder.pk) == "skipped"

    reminder.refresh_from_db()
    assert reminder.state == ReminderState.SENDING
    assert reminder.needs_review
    assert "Outcome unknown" in reminder.outcome
    assert memory_backend.sent == []


def test_through_twilio_a_sent_reminder_records_the_message_sid(twilio, reminder):
    services.reminders_dispatch()

    reminder.refresh_from_db()
    assert reminder.state == ReminderState.SENT
    assert reminder.provider_id == twilio.messages[0]["sid"]
    assert twilio.requests[0].data["StatusCallback"] == (
        "https://carepath.example/webhooks/twilio/status/"
    )


def test_through_twilio_error_21610_opts_the_number_out(twilio, reminder):
    twilio.fail_with(400, 21610)

    services.reminders_dispatch()

    reminder.refresh_from_db()
    assert reminder.state == ReminderState.SUPPRESSED
    assert OptOut.objects.matching(NUMBER).exists()
    assert Reminder.objects.get(pk=reminder.pk).provider_id == ""
