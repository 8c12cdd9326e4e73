import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from carepath.sms.models import Channel, Reminder, ReminderState
from carepath.sms.services import reminders_dispatch
from casework.models.records import SupportGoal
from casework.services import cases as case_services
from casework.services.staff_reminders import staff_reminders_plan

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def allocated(case_a, manager_a, caseworker_a, time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 2, 7, 0, tzinfo=LONDON), tick=False)
    case_services.case_accept(
        by=manager_a, case=case_a, caseworker=caseworker_a, expected_version=case_a.version
    )
    return case_a


def _goal(case, by, review):
    SupportGoal.objects.create(
        case=case,
        recorded_by=by,
        area="health",
        description="GP",
        owner="Caseworker",
        review_date=review,
    )


def test_deadlines_within_three_days_are_emailed_once(
    allocated, caseworker_a, manager_a, django_capture_on_commit_callbacks
):
    _goal(allocated, manager_a, datetime.date(2026, 3, 5))  # in three days: reminded
    _goal(allocated, manager_a, datetime.date(2026, 3, 6))  # in four days: not yet
    assert staff_reminders_plan() == 1
    assert staff_reminders_plan() == 0  # the next morning's run does not repeat it
    reminder = Reminder.objects.get()
    assert reminder.channel == Channel.EMAIL and reminder.staff == caseworker_a
    with django_capture_on_commit_callbacks(execute=True):
        reminders_dispatch()
    reminder.refresh_from_db()
    assert reminder.state == ReminderState.SENT
    assert mail.outbox[0].to == [caseworker_a.email]
    assert allocated.given_name not in mail.outbox[0].body
    assert allocated.reference not in mail.outbox[0].subject


def test_a_member_of_staff_who_chose_welsh_is_reminded_in_welsh(
    allocated, caseworker_a, manager_a, django_capture_on_commit_callbacks
):
    caseworker_a.language = "cy"
    caseworker_a.save()
    _goal(allocated, manager_a, datetime.date(2026, 3, 5))
    staff_reminders_plan()
    with django_capture_on_commit_callbacks(execute=True):
        reminders_dispatch()
    (message,) = mail.outbox
    assert message.body == "Dyddiad cau Carepath: Dydd Iau 5 Mawrth. Mewngofnodwch i'w weld."
    assert message.subject == "Nodyn atgoffa Carepath"


def test_a_missed_deadline_is_reminded_again_as_overdue(allocated, manager_a, time_machine):
    _goal(allocated, manager_a, datetime.date(2026, 3, 3))
    assert staff_reminders_plan() == 1
    time_machine.move_to(datetime.datetime(2026, 3, 4, 7, 0, tzinfo=LONDON), tick=False)
    assert staff_reminders_plan() == 1
    assert staff_reminders_plan() == 0


def test_closed_and_unallocated_cases_are_not_reminded(case_a, manager_a):
    _goal(case_a, manager_a, datetime.date(2026, 3, 3))
    assert staff_reminders_plan(today=datetime.date(2026, 3, 2)) == 0
