import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from carepath.sms import backends
from carepath.sms.models import Reminder, ReminderRule, SafeContact
from carepath.sms.services import reminders_dispatch
from casework.models import Appointment, InterpreterState
from casework.services import cases as case_services

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def setup(case_a, manager_a, caseworker_a, client, time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 2, 9, 0, tzinfo=LONDON), tick=False)
    for minutes in (1440, 120):
        ReminderRule.objects.get_or_create(purpose="appointment", minutes_before=minutes)
    case_services.case_accept(
        by=manager_a, case=case_a, caseworker=caseworker_a, expected_version=case_a.version
    )
    client.force_login(caseworker_a)
    backends.reset_backend()
    yield case_a
    backends.reset_backend()


def _post(client, name, args, data, expect=302):
    response = client.post(reverse(f"casework:{name}", args=args), data)
    assert response.status_code == expect, response.content.decode()[:2000]
    return response


def test_book_with_interpreter_see_reminders_send_and_see_status(
    setup, client, time_machine, caseworker_a, django_capture_on_commit_callbacks
):
    case = setup
    _post(
        client,
        "contact_new",
        [case.pk],
        {
            "number": "07700 900123",
            "label": "own mobile",
            "safe_to_text": "on",
            "sender_name": "Clinic",
            "language": "en",
            "verified_on": "2026-03-01",
        },
    )
    assert SafeContact.objects.get().number == "+447700900123"
    _post(
        client,
        "appointment_new",
        [case.pk],
        {
            "kind": "sexual_health",
            "with_whom": "Sandyford clinic",
            "booking": "booked",
            "starts_at": "2026-03-04T10:30",
            "duration_minutes": 60,
        },
    )
    appointment = Appointment.objects.get()
    _post(
        client,
        "interpreter_new",
        [case.pk, appointment.pk],
        {"language": "Tigrinya", "dialect": "", "gender_preference": "female", "mode": "in_person"},
    )
    booking = appointment.interpreters.get()
    _post(
        client,
        "interpreter_action",
        [case.pk, appointment.pk, booking.pk, "independence"],
        {
            "version": booking.version,
            "confirmed": "on",
            "notes": "Agency interpreter, no connection",
        },
    )
    booking.refresh_from_db()
    _post(
        client,
        "interpreter_action",
        [case.pk, appointment.pk, booking.pk, "confirm"],
        {"version": booking.version, "interpreter_name": "Mehret", "agency": "LanguageLine"},
    )
    booking.refresh_from_db()
    assert booking.state == InterpreterState.CONFIRMED

    page = client.get(reverse("casework:appointment", args=[case.pk, appointment.pk]))
    body = page.content.decode()
    assert "3 Mar 2026 10:30" in body and "4 Mar 2026 08:30" in body  # 24 h and 2 h before
    assert body.count("Scheduled") == 2

    time_machine.move_to(datetime.datetime(2026, 3, 3, 10, 31, tzinfo=LONDON), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_dispatch() == 1
    sent = backends.get_backend().sent
    assert len(sent) == 1
    assert sent[0].to == "+447700900123" and sent[0].sender == "Clinic"
    assert "Sandyford" not in sent[0].body and "sexual" not in sent[0].body.lower()

    client.force_login(caseworker_a)  # a day later: the idle session has ended
    case_page = client.get(reverse("casework:case", args=[case.pk])).content.decode()
    assert "Sent" in case_page and "••• 0123" in case_page


def test_bad_appointment_and_contact_input_get_form_errors(setup, client):
    case = setup
    response = _post(
        client,
        "appointment_new",
        [case.pk],
        {"kind": "gp", "with_whom": "Dr X", "booking": "booked", "duration_minutes": 30},
        expect=200,
    )
    assert "Give the date and time of a booked appointment." in response.content.decode()
    response = _post(
        client,
        "appointment_new",
        [case.pk],
        {
            "kind": "gp",
            "with_whom": "Dr X",
            "booking": "booked",
            "starts_at": "2025-01-01T10:00",
            "duration_minutes": 30,
        },
        expect=200,
    )
    assert "in the past" in response.content.decode()
    response = _post(
        client,
        "contact_new",
        [case.pk],
        {"number": "12345", "safe_to_text": "on", "language": "en", "sender_name": "<b>"},
        expect=200,
    )
    body = response.content.decode()
    assert "Enter a real phone number" in body and "letters and numbers" in body
    response = _post(
        client,
        "contact_new",
        [case.pk],
        {"number": "07700900123", "language": "en", "safe_from": "09:00"},
        expect=200,
    )
    assert "both ends of the safe hours" in response.content.decode()
    assert not Appointment.objects.exists() and not SafeContact.objects.exists()
    assert not Reminder.objects.exists()


def test_suspend_all_from_the_case_page(setup, client, caseworker_a):
    case = setup
    _post(
        client,
        "contact_new",
        [case.pk],
        {
            "number": "07700 900123",
            "safe_to_text": "on",
            "language": "en",
            "verified_on": "2026-03-01",
        },
    )
    _post(client, "contact_suspend", [case.pk], {"reason": "Exploiter may have the phone"})
    assert SafeContact.objects.get().suspended
    body = client.get(reverse("casework:case", args=[case.pk])).content.decode()
    assert "Suspended" in body
