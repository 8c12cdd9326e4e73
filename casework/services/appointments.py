"""Appointments, their interpreters, and the reminders they plan."""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from carepath import policy
from carepath.audit import timeline
from carepath.pathway import PathwayError, lock, run_transition
from carepath.people.models import User
from carepath.sms.models import ReminderRule
from carepath.sms.services import reminder_plan, reminders_cancel_for, reminders_of
from casework.models import (
    Appointment,
    AppointmentState,
    Case,
    InterpreterBooking,
    InterpreterState,
)
from casework.selectors.contact import contacts_of

REMINDER_PURPOSE = "appointment"


def _rules_for(appointment: Appointment) -> list[int]:
    """Minutes before the appointment to remind: the rules for its kind, else the defaults."""
    rules = ReminderRule.objects.filter(
        purpose__in=[f"{REMINDER_PURPOSE}.{appointment.kind}", REMINDER_PURPOSE]
    )
    specific = [r.minutes_before for r in rules if r.purpose != REMINDER_PURPOSE]
    return specific or [r.minutes_before for r in rules if r.purpose == REMINDER_PURPOSE]


def _plan_reminders(appointment: Appointment, contacts=None) -> int:
    """One reminder per rule per number the person has said is safe to text (all the case's
    numbers, or just ``contacts``). Whether it is still safe is checked when each text goes."""
    now = timezone.now()
    planned = 0
    if contacts is None:
        contacts = contacts_of(appointment.case)
    for contact in contacts.filter(safe_to_text=True, suspended=False):
        for minutes in _rules_for(appointment):
            due = appointment.starts_at - timedelta(minutes=minutes)
            if due <= now:
                continue
            reminder_plan(
                organisation_id=appointment.case.organisation_id,
                subject=appointment.case,
                source=appointment,
                purpose=REMINDER_PURPOSE,
                due_at=due,
                safe_contact=contact,
                context={"at": appointment.starts_at.isoformat()},
            )
            planned += 1
    return planned


MAX_AHEAD = timedelta(days=5 * 366)
MAX_MINUTES = 24 * 60


def _check_time(starts_at: datetime | None, duration_minutes: int = 60) -> None:
    if starts_at is None:
        raise PathwayError(_("Give the date and time of the appointment."))
    if starts_at < timezone.now() - timedelta(days=1):
        raise PathwayError(_("An appointment cannot be booked in the past."))
    if starts_at > timezone.now() + MAX_AHEAD:
        raise PathwayError(_("An appointment can be booked up to five years ahead."))
    if not 1 <= duration_minutes <= MAX_MINUTES:
        raise PathwayError(_("An appointment lasts between 1 minute and 24 hours."))


@transaction.atomic
def appointment_create(*, by: User, case: Case, values: dict, book: bool) -> Appointment:
    """Record an appointment: requested (time not fixed yet) or booked straight away. It may
    belong to one of the case's legal matters (a court date, a meeting with the solicitor)."""
    policy.require(by, "case.edit", case)
    if not case.is_open:
        raise PathwayError(_("Appointments can only be added to an open case."))
    matter = values.get("legal_matter")
    if matter is not None and matter.case_id != case.pk:
        raise PathwayError(_("Choose a legal matter of this case."))
    starts_at = values.pop("starts_at", None)
    appointment = Appointment(case=case, created_by=by, **values)
    if not 1 <= appointment.duration_minutes <= MAX_MINUTES:
        raise PathwayError(_("An appointment lasts between 1 minute and 24 hours."))
    if not book and starts_at:
        appointment.starts_at = starts_at
    appointment._history_user = by
    appointment.save()
    timeline.record(
        case,
        by=by,
        kind="appointment.requested",
        detail={
            "appointment": appointment.pk,
            "kind": appointment.kind,
            "legal_matter": appointment.legal_matter_id,
        },
    )
    if book:
        appointment_book(
            by=by,
            appointment=appointment,
            starts_at=starts_at,
            expected_version=appointment.version,
        )
    return appointment


@transaction.atomic
def appointment_book(
    *, by: User, appointment: Appointment, starts_at: datetime, expected_version: int
) -> Appointment:
    _check_time(starts_at)
    run_transition(
        appointment,
        "book",
        by=by,
        permission="appointment.edit",
        expected_version=expected_version,
        starts_at=starts_at,
    )
    planned = _plan_reminders(appointment)
    timeline.record(
        appointment.case,
        by=by,
        kind="appointment.booked",
        detail={"appointment": appointment.pk, "reminders": planned},
    )
    return appointment


@transaction.atomic
def appointment_reschedule(
    *,
    by: User,
    appointment: Appointment,
    starts_at: datetime,
    expected_version: int,
    reason: str = "",
) -> Appointment:
    """Move a booked appointment: its pending reminders are cancelled and planned again."""
    policy.require(by, "appointment.edit", appointment)
    lock(appointment, expected_version=expected_version, by=by)
    if appointment.state != AppointmentState.BOOKED:
        raise PathwayError(_("Only a booked appointment can be moved."))
    _check_time(starts_at, appointment.duration_minutes)
    if starts_at == appointment.starts_at:
        raise PathwayError(_("That is the time it is already booked for."))
    appointment.starts_at = starts_at
    appointment.save()
    cancelled = reminders_cancel_for(appointment, why=_("Appointment moved"))
    planned = _plan_reminders(appointment)
    timeline.record(
        appointment.case,
        by=by,
        kind="appointment.rescheduled",
        reason=reason,
        detail={"appointment": appointment.pk, "cancelled": cancelled, "planned": planned},
    )
    return appointment


def _end(name: str, kind: str):
    @transaction.atomic
    def service(
        *, by: User, appointment: Appointment, expected_version: int, notes: str = ""
    ) -> Appointment:
        run_transition(
            appointment,
            name,
            by=by,
            permission="appointment.edit",
            expected_version=expected_version,
            notes=notes,
        )
        reminders_cancel_for(
            appointment,
            why=_("Appointment %(state)s") % {"state": appointment.get_state_display().lower()},
        )
        if name == "cancel":
            # An interpreter booked for a cancelled appointment is stood down with it.
            for booking in appointment.interpreters.filter(
                state__in=[InterpreterState.REQUESTED, InterpreterState.CONFIRMED]
            ):
                booking.cancel()
                booking._history_user = by
                booking.save()
        timeline.record(
            appointment.case, by=by, kind=kind, reason=notes, detail={"appointment": appointment.pk}
        )
        return appointment

    service.__name__ = f"appointment_{name}"
    return service


def replan_for_contact(contact) -> int:
    """After a number is added, marked safe or resumed: plan its reminders for the case's
    appointments still to come (those already planned for it are left alone)."""
    planned = 0
    upcoming = contact.subject.appointments.filter(
        state=AppointmentState.BOOKED, starts_at__gt=timezone.now()
    )
    contacts = contacts_of(contact.subject).filter(pk=contact.pk)
    for appointment in upcoming:
        if not reminders_of(appointment).filter(safe_contact=contact, state="scheduled").exists():
            planned += _plan_reminders(appointment, contacts)
    return planned


appointment_attend = _end("attend", "appointment.attended")
appointment_miss = _end("miss", "appointment.did_not_attend")
appointment_cancel = _end("cancel", "appointment.cancelled")


# --- Interpreters ----------------------------------------------------------------------


@transaction.atomic
def interpreter_request(*, by: User, appointment: Appointment, values: dict) -> InterpreterBooking:
    policy.require(by, "appointment.edit", appointment)
    if appointment.state not in (AppointmentState.REQUESTED, AppointmentState.BOOKED):
        raise PathwayError(_("An interpreter can only be booked for a coming appointment."))
    booking = InterpreterBooking(appointment=appointment, **values)
    booking._history_user = by
    booking.save()
    timeline.record(
        appointment.case,
        by=by,
        kind="interpreter.requested",
        detail={"appointment": appointment.pk, "language": booking.language},
    )
    return booking


@transaction.atomic
def interpreter_record_independence(
    *, by: User, booking: InterpreterBooking, expected_version: int, confirmed: bool, notes: str
) -> InterpreterBooking:
    """The check that the interpreter is not a relative, friend or anyone linked to the
    exploiter: who checked, when and how."""
    policy.require(by, "appointment.edit", booking.appointment)
    lock(booking, expected_version=expected_version, by=by)
    if not notes.strip():
        raise PathwayError(_("Say how independence was checked."))
    booking.independence_confirmed = confirmed
    booking.independence_checked_by = by
    booking.independence_checked_at = timezone.now()
    booking.independence_notes = notes
    booking.save()
    timeline.record(
        booking.appointment.case,
        by=by,
        kind="interpreter.independence_checked",
        detail={"booking": booking.pk, "confirmed": confirmed},
    )
    return booking


def _interpreter(name: str, kind: str):
    @transaction.atomic
    def service(
        *, by: User, booking: InterpreterBooking, expected_version: int, **kwargs
    ) -> InterpreterBooking:
        policy.require(by, "appointment.edit", booking.appointment)
        run_transition(
            booking,
            name,
            by=by,
            permission="appointment.edit",
            expected_version=expected_version,
            **kwargs,
        )
        timeline.record(booking.appointment.case, by=by, kind=kind, detail={"booking": booking.pk})
        return booking

    service.__name__ = f"interpreter_{name}"
    return service


interpreter_confirm = _interpreter("confirm", "interpreter.confirmed")
interpreter_complete = _interpreter("complete", "interpreter.completed")
interpreter_no_show = _interpreter("no_show", "interpreter.no_show")
interpreter_cancel = _interpreter("cancel", "interpreter.cancelled")
