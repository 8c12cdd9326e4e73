"""Each reminder is sent at most once, whatever crashes or races: an attempt that began is
never made again automatically; one that never began is safely requeued."""

import datetime

import pytest
from django.db import OperationalError

from carepath.pathway import ConflictError
from carepath.sms import services
from carepath.sms.models import Reminder, ReminderState
from tests.sms.conftest import NOW

TIMEOUT = datetime.timedelta(minutes=10)
SECOND = datetime.timedelta(seconds=1)
pytestmark = pytest.mark.usefixtures("template")


@pytest.fixture(autouse=True)
def sending_timeout(settings):
    settings.REMINDER_SENDING_TIMEOUT_MINUTES = 10


@pytest.fixture
def due(make_reminder, make_contact):
    return [make_reminder(make_contact(number=f"+44770090010{i}")) for i in range(3)]


def _crash_when_saving_sent(monkeypatch):
    save = Reminder.save

    def crashing_save(self, *args, **kwargs):
        if self.state == ReminderState.SENT:
            raise OperationalError("server closed the connection unexpectedly")
        return save(self, *args, **kwargs)

    monkeypatch.setattr(Reminder, "save", crashing_save)


def test_a_crash_after_sending_never_leads_to_a_second_text(
    reminder, memory_backend, monkeypatch, frozen
):
    assert services.reminders_claim_due() == [reminder.pk]
    _crash_when_saving_sent(monkeypatch)
    with pytest.raises(OperationalError):
        services.reminder_send(reminder_id=reminder.pk)
    monkeypatch.undo()
    assert len(memory_backend.sent) == 1

    # The worker's task is redelivered, the dispatcher and the sweep run again.
    assert services.reminder_send(reminder_id=reminder.pk) == "skipped"
    assert services.reminders_dispatch() == 0
    assert services.reminders_sweep_stuck() == {"requeued": 0, "flagged": 0}
    frozen.shift(TIMEOUT)
    assert services.reminders_sweep_stuck() == {"requeued": 0, "flagged": 0}
    reminder.refresh_from_db()
    assert not reminder.needs_review

    frozen.shift(SECOND)
    assert services.reminders_sweep_stuck() == {"requeued": 0, "flagged": 1}
    reminder.refresh_from_db()
    assert reminder.state == ReminderState.SENDING
    assert reminder.needs_review
    assert "Outcome unknown" in reminder.outcome

    frozen.shift(datetime.timedelta(days=1))
    assert services.reminders_sweep_stuck() == {"requeued": 0, "flagged": 0}
    assert services.reminders_dispatch() == 0
    assert services.reminder_send(reminder_id=reminder.pk) == "skipped"
    assert len(memory_backend.sent) == 1


def test_two_dispatchers_claim_each_reminder_once(due):
    first = services.reminders_claim_due()
    second = services.reminders_claim_due()

    assert sorted(first) == sorted(r.pk for r in due)
    assert second == []


def test_a_dispatcher_holding_stale_rows_claims_none_of_them(due, monkeypatch):
    """The second dispatcher read the due rows, then the first claimed them all before the
    second saved its claims (no row locks on SQLite: optimistic locking keeps them apart)."""
    claim = Reminder.claim
    other: list[int] = []
    interleaved = []

    def claim_after_the_other_dispatcher(self, **kwargs):
        if not interleaved:
            interleaved.append(True)
            other.extend(services.reminders_claim_due())
        return claim(self, **kwargs)

    monkeypatch.setattr(Reminder, "claim", claim_after_the_other_dispatcher)
    mine = services.reminders_claim_due()

    assert sorted(other) == sorted(r.pk for r in due)
    assert mine == []
    assert Reminder.objects.filter(state=ReminderState.SENDING).count() == 3


def test_a_stale_instance_cannot_claim_a_claimed_reminder(reminder):
    stale = Reminder.objects.get(pk=reminder.pk)
    services.reminders_claim_due()

    stale.claim(at=NOW)
    with pytest.raises(ConflictError):
        stale.save()


def test_two_workers_sending_the_same_reminder_send_it_once(reminder, memory_backend):
    services.reminders_claim_due()

    assert services.reminder_send(reminder_id=reminder.pk) == ReminderState.SENT
    assert services.reminder_send(reminder_id=reminder.pk) == "skipped"
    assert len(memory_backend.sent) == 1


def test_dispatching_twice_sends_each_reminder_once(due, memory_backend):
    assert services.reminders_dispatch() == 3
    assert services.reminders_dispatch() == 0
    assert sorted(text.to for text in memory_backend.sent) == sorted(
        r.safe_contact.number for r in due
    )


def test_a_claimed_reminder_whose_task_was_lost_is_requeued_unsent(
    reminder, memory_backend, frozen
):
    services.reminders_claim_due()  # the task was never published, or lost with its worker

    frozen.shift(TIMEOUT)
    assert services.reminders_sweep_stuck() == {"requeued": 0, "flagged": 0}
    frozen.shift(SECOND)
    assert services.reminders_sweep_stuck() == {"requeued": 1, "flagged": 0}

    reminder.refresh_from_db()
    assert reminder.state == ReminderState.SCHEDULED
    assert reminder.claimed_at is None
    assert reminder.attempts == 0
    assert memory_backend.sent == []

    assert services.reminders_dispatch() == 1
    reminder.refresh_from_db()
    assert reminder.state == ReminderState.SENT
    assert len(memory_backend.sent) == 1


def test_a_late_task_after_a_requeue_does_not_send_twice(reminder, memory_backend, frozen):
    """The first task sat in a backlog past the timeout: the sweep requeued the reminder and the
    dispatcher published a second task. Whichever runs first sends; the other skips."""
    services.reminders_claim_due()
    frozen.shift(TIMEOUT + SECOND)
    services.reminders_sweep_stuck()
    services.reminders_claim_due()

    assert services.reminder_send(reminder_id=reminder.pk) == ReminderState.SENT
    assert services.reminder_send(reminder_id=reminder.pk) == "skipped"
    assert len(memory_backend.sent) == 1


def test_a_sweep_racing_a_worker_does_not_requeue_a_text_already_sent(
    reminder, memory_backend, frozen, monkeypatch
):
    """The sweep read the reminder as claimed and never attempted; before it saved the requeue,
    the late worker began the attempt, sent the text and crashed before recording it. The
    requeue must lose, or the next dispatch would send the text again."""
    services.reminders_claim_due()
    frozen.shift(TIMEOUT + SECOND)
    retry_later = Reminder.retry_later

    def worker_sends_first(self, **kwargs):
        with pytest.raises(OperationalError):
            services.reminder_send(reminder_id=self.pk)
        return retry_later(self, **kwargs)

    _crash_when_saving_sent(monkeypatch)
    monkeypatch.setattr(Reminder, "retry_later", worker_sends_first)
    assert services.reminders_sweep_stuck()["requeued"] == 0
    monkeypatch.undo()
    assert len(memory_backend.sent) == 1

    reminder.refresh_from_db()
    assert reminder.state == ReminderState.SENDING
    assert reminder.attempt_started_at is not None
    assert services.reminders_dispatch() == 0
    frozen.shift(TIMEOUT + SECOND)
    assert services.reminders_sweep_stuck() == {"requeued": 0, "flagged": 1}
    assert services.reminders_dispatch() == 0
    assert len(memory_backend.sent) == 1
