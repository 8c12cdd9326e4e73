import datetime
from zoneinfo import ZoneInfo

import pytest

from carepath.pathway import PathwayError
from carepath.people.models import Role
from carepath.policy import PolicyDenied
from carepath.sms.models import Reminder, ReminderRule, ReminderState
from casework.models import AppointmentState, InterpreterState
from casework.services import appointments as services
from casework.services import cases as case_services
from casework.services import contact as contact_services

LONDON = ZoneInfo("Europe/London")
NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def rules(db):
    for minutes in (1440, 120):
        ReminderRule.objects.get_or_create(purpose="appointment", minutes_before=minutes)


@pytest.fixture
def case(case_a, manager_a, caseworker_a):
    case_services.case_accept(
        by=manager_a, case=case_a, caseworker=caseworker_a, expected_version=case_a.version
    )
    return case_a


def _contact(case, by, number="+447700900123", **extra):
    values = {
        "number": number,
        "safe_to_text": True,
        "language": "en",
        "verified_on": datetime.date(2026, 3, 1),
        **extra,
    }
    return contact_services.safe_contact_add(by=by, case=case, values=values)


def _book(case, by, when=datetime.datetime(2026, 3, 5, 14, 0, tzinfo=LONDON), **extra):
    values = {"kind": "gp", "with_whom": "Dr Patel", "starts_at": when, **extra}
    return services.appointment_create(by=by, case=case, values=values, book=True)


def _scheduled(appointment):
    return sorted(
        r.due_at
        for r in Reminder.objects.filter(source_id=appointment.pk, state=ReminderState.SCHEDULED)
    )


def test_booking_plans_a_reminder_per_rule_for_each_safe_number(case, caseworker_a, rules):
    _contact(case, caseworker_a)
    _contact(case, caseworker_a, number="+447700900999", safe_to_text=False)
    appointment = _book(case, caseworker_a)
    assert appointment.state == AppointmentState.BOOKED
    assert _scheduled(appointment) == [
        datetime.datetime(2026, 3, 4, 14, 0, tzinfo=LONDON),
        datetime.datetime(2026, 3, 5, 12, 0, tzinfo=LONDON),
    ]


def test_kind_specific_rules_replace_the_defaults_and_past_times_are_skipped(
    case, caseworker_a, rules
):
    ReminderRule.objects.create(purpose="appointment.court", minutes_before=4320)
    ReminderRule.objects.create(purpose="appointment.court", minutes_before=60)
    _contact(case, caseworker_a)
    soon = datetime.datetime(2026, 3, 3, 10, 0, tzinfo=LONDON)  # three days before is past
    appointment = _book(case, caseworker_a, when=soon, kind="court")
    assert _scheduled(appointment) == [datetime.datetime(2026, 3, 3, 9, 0, tzinfo=LONDON)]


def test_rescheduling_cancels_pending_reminders_and_plans_new_ones(case, caseworker_a, rules):
    _contact(case, caseworker_a)
    appointment = _book(case, caseworker_a)
    later = datetime.datetime(2026, 3, 10, 9, 30, tzinfo=LONDON)
    services.appointment_reschedule(
        by=caseworker_a,
        appointment=appointment,
        starts_at=later,
        expected_version=appointment.version,
        reason="Clinic moved",
    )
    assert _scheduled(appointment) == [
        datetime.datetime(2026, 3, 9, 9, 30, tzinfo=LONDON),
        datetime.datetime(2026, 3, 10, 7, 30, tzinfo=LONDON),
    ]
    assert (
        Reminder.objects.filter(source_id=appointment.pk, state=ReminderState.CANCELLED).count()
        == 2
    )


def test_a_sent_reminder_is_not_cancelled_by_a_move(case, caseworker_a, rules):
    _contact(case, caseworker_a)
    appointment = _book(case, caseworker_a)
    first = Reminder.objects.filter(source_id=appointment.pk).order_by("due_at").first()
    first.claim(at=NOW)
    first.save()
    services.appointment_reschedule(
        by=caseworker_a,
        appointment=appointment,
        starts_at=datetime.datetime(2026, 3, 12, 9, 0, tzinfo=LONDON),
        expected_version=appointment.version,
    )
    first.refresh_from_db()
    assert first.state == ReminderState.SENDING


@pytest.mark.parametrize("end", ["cancel", "attend", "miss"])
def test_ending_an_appointment_cancels_what_is_left(case, caseworker_a, rules, end):
    _contact(case, caseworker_a)
    appointment = _book(case, caseworker_a)
    getattr(services, f"appointment_{end}")(
        by=caseworker_a, appointment=appointment, expected_version=appointment.version
    )
    assert _scheduled(appointment) == []


def test_wrong_state_wrong_role_and_bad_times_are_refused(
    case, caseworker_a, caseworker_b, make_user, org_a, rules
):
    appointment = _book(case, caseworker_a)
    services.appointment_attend(
        by=caseworker_a, appointment=appointment, expected_version=appointment.version
    )
    with pytest.raises(PathwayError):
        services.appointment_cancel(
            by=caseworker_a, appointment=appointment, expected_version=appointment.version
        )
    with pytest.raises(PathwayError):
        services.appointment_reschedule(
            by=caseworker_a,
            appointment=appointment,
            starts_at=datetime.datetime(2026, 3, 20, 9, 0, tzinfo=LONDON),
            expected_version=appointment.version,
        )
    with pytest.raises(PolicyDenied):
        _book(case, caseworker_b)
    with pytest.raises(PolicyDenied):
        _book(case, make_user(org_a, Role.ACCOMMODATION_MANAGER))
    with pytest.raises(PathwayError, match="past"):
        _book(case, caseworker_a, when=datetime.datetime(2026, 2, 1, 9, 0, tzinfo=LONDON))


def test_a_requested_appointment_is_booked_later(case, caseworker_a, rules):
    _contact(case, caseworker_a)
    appointment = services.appointment_create(
        by=caseworker_a,
        case=case,
        values={"kind": "dental", "with_whom": "Dental clinic"},
        book=False,
    )
    assert appointment.state == AppointmentState.REQUESTED and _scheduled(appointment) == []
    services.appointment_book(
        by=caseworker_a,
        appointment=appointment,
        starts_at=datetime.datetime(2026, 3, 6, 11, 0, tzinfo=LONDON),
        expected_version=appointment.version,
    )
    assert len(_scheduled(appointment)) == 2


class TestInterpreter:
    def test_confirming_needs_a_recorded_independence_check(self, case, caseworker_a):
        appointment = _book(case, caseworker_a)
        booking = services.interpreter_request(
            by=caseworker_a,
            appointment=appointment,
            values={
                "language": "Tigrinya",
                "dialect": "",
                "gender_preference": "female",
                "mode": "in_person",
            },
        )
        with pytest.raises(PathwayError, match="independence"):
            services.interpreter_confirm(
                by=caseworker_a,
                booking=booking,
                expected_version=booking.version,
                interpreter_name="A. Tesfay",
                agency="LangLine",
            )
        with pytest.raises(PathwayError, match="how independence"):
            services.interpreter_record_independence(
                by=caseworker_a,
                booking=booking,
                expected_version=booking.version,
                confirmed=True,
                notes=" ",
            )
        services.interpreter_record_independence(
            by=caseworker_a,
            booking=booking,
            expected_version=booking.version,
            confirmed=True,
            notes="Agency interpreter; asked the person, no link",
        )
        services.interpreter_confirm(
            by=caseworker_a,
            booking=booking,
            expected_version=booking.version,
            interpreter_name="A. Tesfay",
            agency="LangLine",
        )
        assert booking.state == InterpreterState.CONFIRMED
        assert booking.independence_checked_by == caseworker_a
        services.interpreter_complete(
            by=caseworker_a, booking=booking, expected_version=booking.version
        )
        assert booking.state == InterpreterState.COMPLETED

    def test_a_check_that_finds_a_link_blocks_confirmation(self, case, caseworker_a):
        appointment = _book(case, caseworker_a)
        booking = services.interpreter_request(
            by=caseworker_a,
            appointment=appointment,
            values={"language": "Vietnamese", "mode": "phone"},
        )
        services.interpreter_record_independence(
            by=caseworker_a,
            booking=booking,
            expected_version=booking.version,
            confirmed=False,
            notes="Offered interpreter is the employer's cousin",
        )
        with pytest.raises(PathwayError):
            services.interpreter_confirm(
                by=caseworker_a,
                booking=booking,
                expected_version=booking.version,
                interpreter_name="X",
                agency="",
            )

    def test_no_interpreter_for_an_appointment_that_is_over(self, case, caseworker_a):
        appointment = _book(case, caseworker_a)
        services.appointment_cancel(
            by=caseworker_a, appointment=appointment, expected_version=appointment.version
        )
        with pytest.raises(PathwayError):
            services.interpreter_request(
                by=caseworker_a,
                appointment=appointment,
                values={"language": "Polish", "mode": "video"},
            )

    def test_another_team_cannot_touch_it(self, case, caseworker_a, caseworker_b):
        appointment = _book(case, caseworker_a)
        with pytest.raises(PolicyDenied):
            services.interpreter_request(
                by=caseworker_b,
                appointment=appointment,
                values={"language": "Polish", "mode": "video"},
            )


class TestSafeContact:
    def test_suspend_all_cancels_every_pending_text_and_stops_planning(
        self, case, caseworker_a, rules
    ):
        _contact(case, caseworker_a)
        _contact(case, caseworker_a, number="+447700900456")
        appointment = _book(case, caseworker_a)
        assert len(_scheduled(appointment)) == 4
        cancelled = contact_services.contact_suspend_all(
            by=caseworker_a, case=case, reason="Phone may be seen"
        )
        assert cancelled == 4 and _scheduled(appointment) == []
        second = _book(case, caseworker_a, when=datetime.datetime(2026, 3, 9, 10, 0, tzinfo=LONDON))
        assert _scheduled(second) == []

    def test_resume_needs_a_reason_and_records_a_fresh_check(self, case, caseworker_a):
        contact = _contact(case, caseworker_a, verified_on=datetime.date(2025, 1, 1))
        contact_services.contact_suspend_all(by=caseworker_a, case=case, reason="Unsafe")
        contact.refresh_from_db()
        with pytest.raises(PathwayError):
            contact_services.contact_resume(
                by=caseworker_a, contact=contact, expected_version=contact.version, reason=""
            )
        contact_services.contact_resume(
            by=caseworker_a,
            contact=contact,
            expected_version=contact.version,
            reason="Checked in person: new phone",
        )
        assert not contact.suspended and contact.verified_on == datetime.date(2026, 3, 2)

    def test_bad_rules_are_refused(self, case, caseworker_a):
        _contact(case, caseworker_a)
        with pytest.raises(PathwayError, match="already recorded"):
            _contact(case, caseworker_a)
        with pytest.raises(PathwayError, match="both ends"):
            _contact(case, caseworker_a, number="+447700900777", safe_from=datetime.time(9, 0))


def test_a_number_added_later_gets_reminders_for_coming_appointments(case, caseworker_a, rules):
    appointment = _book(case, caseworker_a)
    assert _scheduled(appointment) == []
    contact = _contact(case, caseworker_a)
    assert len(_scheduled(appointment)) == 2
    contact_services.safe_contact_update(
        by=caseworker_a,
        contact=contact,
        expected_version=contact.version,
        values={"safe_to_text": False},
    )
    assert _scheduled(appointment) == []
    contact.refresh_from_db()
    contact_services.safe_contact_update(
        by=caseworker_a,
        contact=contact,
        expected_version=contact.version,
        values={"safe_to_text": True},
    )
    assert len(_scheduled(appointment)) == 2


def test_resuming_contact_plans_reminders_again(case, caseworker_a, rules):
    contact = _contact(case, caseworker_a)
    appointment = _book(case, caseworker_a)
    contact_services.contact_suspend_all(by=caseworker_a, case=case, reason="Unsafe")
    assert _scheduled(appointment) == []
    contact.refresh_from_db()
    contact_services.contact_resume(
        by=caseworker_a, contact=contact, expected_version=contact.version, reason="New phone"
    )
    assert len(_scheduled(appointment)) == 2


def test_cancelling_stands_the_interpreter_down(case, caseworker_a):
    appointment = _book(case, caseworker_a)
    booking = services.interpreter_request(
        by=caseworker_a, appointment=appointment, values={"language": "Polish", "mode": "phone"}
    )
    services.appointment_cancel(
        by=caseworker_a, appointment=appointment, expected_version=appointment.version
    )
    booking.refresh_from_db()
    assert booking.state == InterpreterState.CANCELLED


@pytest.mark.parametrize(
    "when, minutes, message",
    [
        (datetime.datetime(2040, 1, 1, 9, 0, tzinfo=LONDON), 60, "five years"),
        (datetime.datetime(2026, 3, 5, 9, 0, tzinfo=LONDON), 0, "24 hours"),
        (datetime.datetime(2026, 3, 5, 9, 0, tzinfo=LONDON), 1441, "24 hours"),
    ],
)
def test_far_future_and_odd_lengths_are_refused(case, caseworker_a, when, minutes, message):
    with pytest.raises(PathwayError, match=message):
        _book(case, caseworker_a, when=when, duration_minutes=minutes)
