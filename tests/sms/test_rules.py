"""Safe contact is checked when each text goes, not only when it was planned: every rule on
its own suppresses the reminder, records why, and nothing is sent."""

import datetime

import pytest
from django.test import override_settings
from django.utils import timezone

from carepath.sms import services
from carepath.sms.models import OptOut, ReminderState
from tests.sms.conftest import LONDON, NOW, NUMBER, at


def _dispatch_and_reload(reminder):
    services.reminders_dispatch()
    reminder.refresh_from_db()
    return reminder


def _assert_suppressed(reminder, memory_backend, why: str):
    assert reminder.state == ReminderState.SUPPRESSED
    assert why in reminder.outcome
    assert reminder.finished_at == timezone.now()
    assert reminder.provider_id == ""
    assert memory_backend.sent == []


def _assert_sent(reminder, memory_backend):
    assert reminder.state == ReminderState.SENT
    assert [text.to for text in memory_backend.sent] == [NUMBER]


def test_a_number_that_is_not_safe_to_text(make_contact, make_reminder, memory_backend):
    reminder = make_reminder(make_contact(safe_to_text=False))
    _assert_suppressed(_dispatch_and_reload(reminder), memory_backend, "Not safe to text")


def test_a_number_suspended_after_the_reminder_was_planned(contact, reminder, memory_backend):
    contact.suspended = True
    contact.save()
    _assert_suppressed(_dispatch_and_reload(reminder), memory_backend, "suspended")


def test_a_number_that_opted_out(contact, reminder, memory_backend):
    OptOut.objects.create(number=NUMBER, source="STOP")
    _assert_suppressed(_dispatch_and_reload(reminder), memory_backend, "opted out")


def test_a_number_never_checked(make_contact, make_reminder, memory_backend):
    reminder = make_reminder(make_contact(verified_on=None))
    _assert_suppressed(_dispatch_and_reload(reminder), memory_backend, "never been checked")


@override_settings(SAFE_CONTACT_MAX_AGE_DAYS=90)
def test_a_check_older_than_the_limit_is_stale(make_contact, make_reminder, memory_backend):
    checked = NOW.date() - datetime.timedelta(days=91)
    reminder = make_reminder(make_contact(verified_on=checked))
    _assert_suppressed(
        _dispatch_and_reload(reminder), memory_backend, "not checked since 01/12/2025"
    )


@override_settings(SAFE_CONTACT_MAX_AGE_DAYS=90)
def test_a_check_exactly_the_limit_ago_still_counts(make_contact, make_reminder, memory_backend):
    reminder = make_reminder(make_contact(verified_on=NOW.date() - datetime.timedelta(days=90)))
    _assert_sent(_dispatch_and_reload(reminder), memory_backend)


@override_settings(SAFE_CONTACT_MAX_AGE_DAYS=90)
def test_staleness_counts_days_in_london_not_utc(
    frozen, make_contact, make_reminder, memory_backend
):
    # 00:30 on 1 June in London (BST) is still 31 May in UTC: the check is 91 London days old.
    frozen.move_to(datetime.datetime(2026, 6, 1, 0, 30, tzinfo=LONDON), tick=False)
    reminder = make_reminder(make_contact(verified_on=datetime.date(2026, 3, 2)))
    reminder = _dispatch_and_reload(reminder)
    assert reminder.state == ReminderState.SUPPRESSED
    assert "not checked since 02/03/2026" in reminder.outcome
    assert memory_backend.sent == []


DAYTIME = (datetime.time(9, 0), datetime.time(17, 0))
# Safe in the evening and overnight (e.g. when the person is away from the people they live
# with): a window across midnight.
OVERNIGHT = (datetime.time(20, 0), datetime.time(8, 0))


@pytest.mark.parametrize(
    ("window", "now", "allowed"),
    [
        (DAYTIME, at(8, 59), False),
        (DAYTIME, at(9, 0), True),
        (DAYTIME, at(16, 59), True),
        (DAYTIME, at(17, 0), False),
        (OVERNIGHT, at(19, 59), False),
        (OVERNIGHT, at(20, 0), True),
        (OVERNIGHT, at(23, 59), True),
        (OVERNIGHT, at(0, 0), True),
        (OVERNIGHT, at(7, 59), True),
        (OVERNIGHT, at(8, 0), False),
        (OVERNIGHT, at(12, 0), False),
    ],
    ids=lambda value: value.strftime("%H:%M") if isinstance(value, datetime.datetime) else None,
)
def test_safe_hours_are_checked_at_send_time(
    frozen, make_contact, make_reminder, memory_backend, window, now, allowed
):
    frozen.move_to(now, tick=False)
    reminder = make_reminder(make_contact(safe_from=window[0], safe_until=window[1]))

    reminder = _dispatch_and_reload(reminder)

    if allowed:
        _assert_sent(reminder, memory_backend)
    else:
        assert reminder.state == ReminderState.SUPPRESSED
        assert "Outside the safe hours" in reminder.outcome
        assert memory_backend.sent == []


@pytest.mark.parametrize(("hour", "allowed"), [(7, False), (8, True)])
def test_safe_hours_are_london_time_in_summer(
    frozen, make_contact, make_reminder, memory_backend, hour, allowed
):
    # 08:00 BST is 07:00 UTC: a 08:00-17:00 window opens at 08:00 on the person's clock.
    frozen.move_to(datetime.datetime(2026, 6, 1, hour, 0, tzinfo=LONDON), tick=False)
    reminder = make_reminder(
        make_contact(safe_from=datetime.time(8, 0), safe_until=datetime.time(17, 0))
    )

    reminder = _dispatch_and_reload(reminder)

    assert (reminder.state == ReminderState.SENT) is allowed
    assert len(memory_backend.sent) == int(allowed)
