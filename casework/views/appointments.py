from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from carepath import policy
from carepath.decorators import role_required
from carepath.pathway import available_transitions
from carepath.sms.services import reminders_of
from casework import forms
from casework.selectors import cases as case_selectors
from casework.services import appointments as services
from casework.views.actions import action_page, editable_case
from casework.views.cases import CASE_READ_ROLES, CASE_ROLES


def _appointment(request, pk, appointment_pk, *, edit: bool = True):
    """The case and one of its appointments; reading needs only the case, changing needs the
    right to edit it (someone else is told neither exists)."""
    case = (
        editable_case(request, pk)
        if edit
        else case_selectors.case_for(request.user, pk=pk, path=request.path)
    )
    return case, get_object_or_404(case.appointments, pk=appointment_pk)


@role_required(*CASE_ROLES)
def appointment_new(request, pk: int):
    case = editable_case(request, pk)
    form = forms.AppointmentForm(request.POST or None, case=case)

    def save(data):
        values = {k: v for k, v in data.items() if k != "booking"}
        return services.appointment_create(
            by=request.user, case=case, values=values, book=data["booking"] == "booked"
        )

    return action_page(
        request,
        case=case,
        form=form,
        title=_("Add an appointment"),
        done=_("Appointment recorded."),
        save=save,
        to=lambda appointment: reverse("casework:appointment", args=[case.pk, appointment.pk]),
    )


@role_required(*CASE_READ_ROLES)
def appointment_detail(request, pk: int, appointment_pk: int):
    case, appointment = _appointment(request, pk, appointment_pk, edit=False)
    return render(
        request,
        "casework/appointment_detail.html",
        {
            "case": case,
            "appointment": appointment,
            "actions": available_transitions(
                appointment, request.user, permission="appointment.edit"
            ),
            "interpreters": [
                (
                    booking,
                    available_transitions(booking, request.user, permission="appointment.edit"),
                )
                for booking in appointment.interpreters.select_related("independence_checked_by")
            ],
            "reminders": reminders_of(appointment).select_related("safe_contact"),
            "can_edit": policy.can(request.user, "case.edit", case),
        },
    )


APPOINTMENT_ACTIONS = {
    "book": (
        forms.AppointmentTimeForm,
        gettext_lazy("Book a time"),
        lambda by, a, d: services.appointment_book(
            by=by, appointment=a, starts_at=d["starts_at"], expected_version=d["version"]
        ),
    ),
    "reschedule": (
        forms.AppointmentTimeForm,
        gettext_lazy("Move the appointment"),
        lambda by, a, d: services.appointment_reschedule(
            by=by,
            appointment=a,
            starts_at=d["starts_at"],
            expected_version=d["version"],
            reason=d["reason"],
        ),
    ),
    "attend": (
        forms.AppointmentEndForm,
        gettext_lazy("Record as attended"),
        lambda by, a, d: services.appointment_attend(
            by=by, appointment=a, expected_version=d["version"], notes=d["notes"]
        ),
    ),
    "miss": (
        forms.AppointmentEndForm,
        gettext_lazy("Record as not attended"),
        lambda by, a, d: services.appointment_miss(
            by=by, appointment=a, expected_version=d["version"], notes=d["notes"]
        ),
    ),
    "cancel": (
        forms.AppointmentEndForm,
        gettext_lazy("Cancel the appointment"),
        lambda by, a, d: services.appointment_cancel(
            by=by, appointment=a, expected_version=d["version"], notes=d["notes"]
        ),
    ),
}


@role_required(*CASE_ROLES)
def appointment_action(request, pk: int, appointment_pk: int, name: str):
    case, appointment = _appointment(request, pk, appointment_pk)
    if name not in APPOINTMENT_ACTIONS:
        raise Http404
    form_class, title, run = APPOINTMENT_ACTIONS[name]
    form = form_class(
        request.POST or None,
        initial={"version": appointment.version, "starts_at": appointment.starts_at},
    )
    return action_page(
        request,
        case=case,
        form=form,
        title=title,
        save=lambda data: run(request.user, appointment, data),
        done=lambda _result: (
            _("Appointment updated: %(state)s.") % {"state": appointment.get_state_display()}
        ),
        to=reverse("casework:appointment", args=[case.pk, appointment.pk]),
    )


@role_required(*CASE_ROLES)
def interpreter_new(request, pk: int, appointment_pk: int):
    case, appointment = _appointment(request, pk, appointment_pk)
    form = forms.InterpreterForm(
        request.POST or None,
        initial={
            "language": case.interpreter_language or case.main_language,
            "dialect": case.interpreter_dialect,
            "gender_preference": case.interpreter_gender,
        },
    )
    return action_page(
        request,
        case=case,
        form=form,
        title=_("Book an interpreter"),
        done=_("Interpreter requested."),
        save=lambda data: services.interpreter_request(
            by=request.user, appointment=appointment, values=data
        ),
        to=reverse("casework:appointment", args=[case.pk, appointment.pk]),
    )


INTERPRETER_ACTIONS = {
    "independence": (
        forms.IndependenceForm,
        gettext_lazy("Record the independence check"),
        lambda by, b, d: services.interpreter_record_independence(
            by=by,
            booking=b,
            expected_version=d["version"],
            confirmed=d["confirmed"],
            notes=d["notes"],
        ),
    ),
    "confirm": (
        forms.InterpreterConfirmForm,
        gettext_lazy("Confirm the interpreter"),
        lambda by, b, d: services.interpreter_confirm(
            by=by,
            booking=b,
            expected_version=d["version"],
            interpreter_name=d["interpreter_name"],
            agency=d["agency"],
        ),
    ),
    "complete": (
        forms.VersionedForm,
        gettext_lazy("Record as interpreted"),
        lambda by, b, d: services.interpreter_complete(
            by=by, booking=b, expected_version=d["version"]
        ),
    ),
    "no_show": (
        forms.VersionedForm,
        gettext_lazy("Record that the interpreter did not come"),
        lambda by, b, d: services.interpreter_no_show(
            by=by, booking=b, expected_version=d["version"]
        ),
    ),
    "cancel": (
        forms.VersionedForm,
        gettext_lazy("Cancel the interpreter"),
        lambda by, b, d: services.interpreter_cancel(
            by=by, booking=b, expected_version=d["version"]
        ),
    ),
}


@role_required(*CASE_ROLES)
def interpreter_action(request, pk: int, appointment_pk: int, booking_pk: int, name: str):
    case, appointment = _appointment(request, pk, appointment_pk)
    booking = get_object_or_404(appointment.interpreters, pk=booking_pk)
    if name not in INTERPRETER_ACTIONS:
        raise Http404
    form_class, title, run = INTERPRETER_ACTIONS[name]
    form = form_class(
        request.POST or None,
        initial={
            "version": booking.version,
            "confirmed": booking.independence_confirmed,
            "notes": booking.independence_notes,
            "interpreter_name": booking.interpreter_name,
            "agency": booking.agency,
        },
    )
    return action_page(
        request,
        case=case,
        form=form,
        title=title,
        save=lambda data: run(request.user, booking, data),
        done=_("Interpreter booking updated."),
        to=reverse("casework:appointment", args=[case.pk, appointment.pk]),
    )
