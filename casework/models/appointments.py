"""Appointments on a case, and the interpreters booked for them."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition
from simple_history.models import HistoricalRecords

from carepath import crypto
from carepath.pathway import VersionedModel, condition


class AppointmentKind(models.TextChoices):
    GP = "gp", _("GP")
    SEXUAL_HEALTH = "sexual_health", _("Sexual health")
    MENTAL_HEALTH = "mental_health", _("Mental health")
    PSYCHOLOGY = "psychology", _("Psychology")
    DENTAL = "dental", _("Dental")
    LEGAL = "legal", _("Legal")
    POLICE_INTERVIEW = "police_interview", _("Police interview")
    COURT = "court", _("Court")
    HOME_OFFICE = "home_office", _("Home Office")
    RETURN_SERVICE = "return_service", _("Return service")
    ACCOMMODATION_VIEWING = "accommodation_viewing", _("Accommodation viewing")
    EDUCATION = "education", _("Education")
    OTHER = "other", _("Other")


class AppointmentState(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    BOOKED = "booked", _("Booked")
    ATTENDED = "attended", _("Attended")
    DID_NOT_ATTEND = "did_not_attend", _("Did not attend")
    CANCELLED = "cancelled", _("Cancelled")


class Appointment(VersionedModel):
    case = models.ForeignKey("casework.Case", on_delete=models.CASCADE, related_name="appointments")
    kind = models.CharField(_("kind"), max_length=30, choices=AppointmentKind.choices)
    state = FSMField(
        _("state"),
        default=AppointmentState.REQUESTED,
        choices=AppointmentState.choices,
        protected=True,
    )
    starts_at = models.DateTimeField(_("starts at"), null=True, blank=True)
    duration_minutes = models.PositiveIntegerField(_("length (minutes)"), default=60)
    with_whom = models.CharField(_("with (service or professional)"), max_length=200)
    # It can be the person's safe address (a home visit): encrypted like other addresses.
    location = crypto.EncryptedCharField(
        _("where"),
        max_length=300,
        blank=True,
        help_text=_("Never included in text messages."),
    )
    accompanied_by = models.CharField(_("accompanied by"), max_length=200, blank=True)
    transport_needed = models.BooleanField(_("transport needed"), default=False)
    escort_needed = models.BooleanField(_("escort needed"), default=False)
    transport_notes = models.CharField(_("transport and escort notes"), max_length=300, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    legal_matter = models.ForeignKey(
        "casework.LegalMatter",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="appointments",
        verbose_name=_("legal matter"),
        help_text=_("A court date or a solicitor's meeting belongs to its matter."),
    )
    outcome_notes = models.TextField(_("what happened"), blank=True)
    created_by = models.ForeignKey("people.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["starts_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.case.reference})"

    @property
    def organisation_id(self):
        return self.case.organisation_id

    @transition(
        field=state,
        source=AppointmentState.REQUESTED,
        target=AppointmentState.BOOKED,
        custom={"label": _("Book a time"), "form": "book"},
    )
    def book(self, *, starts_at) -> None:
        self.starts_at = starts_at

    @transition(
        field=state,
        source=AppointmentState.BOOKED,
        target=AppointmentState.ATTENDED,
        custom={"label": _("Attended"), "form": "attend"},
    )
    def attend(self, *, notes: str = "") -> None:
        self.outcome_notes = notes

    @transition(
        field=state,
        source=AppointmentState.BOOKED,
        target=AppointmentState.DID_NOT_ATTEND,
        custom={"label": _("Did not attend"), "form": "miss"},
    )
    def miss(self, *, notes: str = "") -> None:
        self.outcome_notes = notes

    @transition(
        field=state,
        source=[AppointmentState.REQUESTED, AppointmentState.BOOKED],
        target=AppointmentState.CANCELLED,
        custom={"label": _("Cancel"), "form": "cancel"},
    )
    def cancel(self, *, notes: str = "") -> None:
        self.outcome_notes = notes


class InterpreterMode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    PHONE = "phone", _("Phone")
    VIDEO = "video", _("Video")


class InterpreterState(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    CONFIRMED = "confirmed", _("Confirmed")
    COMPLETED = "completed", _("Interpreted")
    CANCELLED = "cancelled", _("Cancelled")
    NO_SHOW = "no_show", _("Interpreter did not come")


@condition(
    _(
        "Record the independence check first: the interpreter must not be a relative, "
        "a friend or anyone linked to the exploiter."
    )
)
def independence_checked(booking: "InterpreterBooking") -> bool:
    return booking.independence_confirmed


class InterpreterBooking(VersionedModel):
    appointment = models.ForeignKey(
        Appointment, on_delete=models.CASCADE, related_name="interpreters"
    )
    state = FSMField(
        _("state"),
        default=InterpreterState.REQUESTED,
        choices=InterpreterState.choices,
        protected=True,
    )
    language = models.CharField(_("language"), max_length=80)
    dialect = models.CharField(_("dialect"), max_length=80, blank=True)
    gender_preference = models.CharField(
        _("gender preference"),
        max_length=10,
        choices=[("any", _("No preference")), ("female", _("Female")), ("male", _("Male"))],
        default="any",
    )
    mode = models.CharField(_("how"), max_length=10, choices=InterpreterMode.choices)
    agency = models.CharField(_("agency"), max_length=200, blank=True)
    interpreter_name = models.CharField(_("interpreter"), max_length=200, blank=True)
    independence_confirmed = models.BooleanField(
        _("confirmed independent: not a relative, friend or anyone linked to the exploiter"),
        default=False,
    )
    independence_checked_by = models.ForeignKey(
        "people.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    independence_checked_at = models.DateTimeField(null=True, blank=True)
    independence_notes = models.CharField(_("how it was checked"), max_length=300, blank=True)
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"{self.language} interpreter"

    @property
    def organisation_id(self):
        return self.appointment.case.organisation_id

    @transition(
        field=state,
        source=InterpreterState.REQUESTED,
        target=InterpreterState.CONFIRMED,
        conditions=[independence_checked],
        custom={"label": _("Confirm the interpreter"), "form": "confirm"},
    )
    def confirm(self, *, interpreter_name: str, agency: str) -> None:
        self.interpreter_name = interpreter_name
        self.agency = agency

    @transition(
        field=state,
        source=InterpreterState.CONFIRMED,
        target=InterpreterState.COMPLETED,
        custom={"label": _("Interpreted"), "form": "complete"},
    )
    def complete(self) -> None:
        pass

    @transition(
        field=state,
        source=InterpreterState.CONFIRMED,
        target=InterpreterState.NO_SHOW,
        custom={"label": _("Interpreter did not come"), "form": "no_show"},
    )
    def no_show(self) -> None:
        pass

    @transition(
        field=state,
        source=[InterpreterState.REQUESTED, InterpreterState.CONFIRMED],
        target=InterpreterState.CANCELLED,
        custom={"label": _("Cancel the interpreter"), "form": "cancel"},
    )
    def cancel(self) -> None:
        pass
