"""The forms of a voluntary return: starting one, its details, one per step
(``custom["form"]`` of ``ReturnPlan``'s transitions) and a follow-up contact.

They check the shape of the input only; whether a date makes sense for the return (in the
future, before the step it follows) is the service's to say (``returns.services.returns``)."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_countries.fields import LazyTypedChoiceField

from carepath.forms import DateInput, Form
from casework.forms import VersionedForm
from returns.models import Programme, RiskLevel, TravelDocument, YesNoUnknown

DATE_ERRORS = {
    "required": _("Enter the date."),
    "invalid": _("Enter a real date, for example 27 4 2026."),
}


def _date(label, *, required: bool = True, help_text: str = "", missing: str = ""):
    errors = dict(DATE_ERRORS)
    if missing:
        errors["required"] = missing
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=DateInput(),
        error_messages=errors,
    )


def _text(label, *, max_length: int, required: bool = False, help_text: str = ""):
    return forms.CharField(
        label=label, max_length=max_length, required=required, help_text=help_text
    )


def _long_text(label, *, required: bool = False, missing: str = "", help_text: str = ""):
    return forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": missing} if missing else None,
    )


def _choice(label, choices, *, required: bool = False, missing: str = "", help_text: str = ""):
    return forms.ChoiceField(
        label=label,
        choices=[("", "—"), *choices],
        required=required,
        help_text=help_text,
        error_messages={"required": missing} if missing else None,
    )


class ReturnStartForm(Form):
    country = LazyTypedChoiceField(
        label=_("Country of return"),
        choices=[("", "—"), *((code, name) for code, name in countries if code != "GB")],
        error_messages={"required": _("Choose the country of return.")},
    )
    wishes = _long_text(
        _("The person's wishes"),
        help_text=_("In their words where you can: what they want from a return, and when."),
    )


class ReturnPlanForm(VersionedForm):
    wishes = _long_text(_("The person's wishes"))
    risk_assessed_on = _date(
        _("Risk of return assessed on"),
        required=False,
        help_text=_("Required before applying. Give the three answers below with it."),
    )
    retrafficking_risk = _choice(_("Risk of re-trafficking"), RiskLevel.choices)
    exploiters_can_reach = _choice(
        _("Can the exploiters reach them or their family?"), YesNoUnknown.choices
    )
    safety_on_arrival = _long_text(_("Safety on arrival"))
    best_interests_decided_on = _date(
        _("Best-interests decision made on"),
        required=False,
        help_text=_("For a child: required before applying."),
    )
    best_interests_by = _text(_("Best-interests decision by (local authority)"), max_length=150)
    passport_held_by = _text(_("Where the passport is held"), max_length=150)
    follow_up_consent = forms.BooleanField(
        label=_("Consents to follow-up contact after return"),
        required=False,
        help_text=_(
            "With consent, follow-up contacts are planned at departure and the case closes "
            "when the last one is recorded."
        ),
    )


class TransitionForm(VersionedForm):
    """A confirm button and the version the page was drawn from."""

    def __init__(self, *args, date_label=None, **kwargs):
        super().__init__(*args, **kwargs)
        if date_label and "on" in self.fields:
            self.fields["on"].label = date_label


class DatedForm(TransitionForm):
    on = _date(_("Date"))


class ApplyForm(DatedForm):
    programme = _choice(
        _("Programme"),
        Programme.choices,
        required=True,
        missing=_("Choose the programme the return was applied to."),
    )


class DecisionForm(DatedForm):
    reasons = _long_text(
        _("Reasons for the decision"),
        required=True,
        missing=_("Give the reasons for the decision."),
    )


class DocumentsForm(TransitionForm):
    travel_document = _choice(
        _("Travel document"),
        [(value, label) for value, label in TravelDocument.choices if value in ("issued", "held")],
        required=True,
        missing=_("Say whether the travel document is issued or held by the person."),
    )
    passport_held_by = _text(_("Where the passport is held"), max_length=150)


class BookingForm(TransitionForm):
    booked_on = _date(_("Travel booked on"), missing=_("Enter the date the travel was booked."))
    departs_on = _date(
        _("Departure date"),
        missing=_("Enter the departure date."),
        help_text=_("The booked date of travel: it may be in the future."),
    )
    flight = _text(_("Flight"), max_length=100, help_text=_("Or other means of travel."))
    departure_point = _text(_("Departure point"), max_length=150)
    escort = _text(_("Escort"), max_length=150)
    arrival_reception = _text(_("Reception on arrival"), max_length=200)


class ArrivalForm(DatedForm):
    partner_organisation = _text(_("Partner organisation in the country of return"), max_length=200)


class ReintegrationForm(TransitionForm):
    grant_amount = forms.DecimalField(
        label=_("Reintegration grant (£)"),
        required=False,
        min_value=0,
        decimal_places=2,
        max_digits=9,
        error_messages={
            "min_value": _("The grant cannot be less than £0."),
            "max_digits": _("The grant must be less than £10,000,000."),
            "max_whole_digits": _("The grant must be less than £10,000,000."),
            "invalid": _("Enter the grant in pounds, for example 1250 or 1250.50."),
            "max_decimal_places": _("Enter the grant in pounds and pence, for example 1250.50."),
        },
    )
    business_start_up = forms.BooleanField(label=_("Business start-up support"), required=False)
    vocational_training = forms.BooleanField(label=_("Vocational training"), required=False)
    education = forms.BooleanField(label=_("Education"), required=False)
    notes = _long_text(_("Reintegration support notes"))


class ReasonForm(TransitionForm):
    reason = _long_text(_("Reason"), required=True, missing=_("Give the reason."))


FORMS = {
    "apply": ApplyForm,
    "decision": DecisionForm,
    "documents": DocumentsForm,
    "booking": BookingForm,
    "dated": DatedForm,
    "arrival": ArrivalForm,
    "reintegration": ReintegrationForm,
    "reason": ReasonForm,
}

# What the date of each step is called on its form.
DATE_LABELS = {
    "apply": _("Date of the application"),
    "find_eligible": _("Date of the eligibility decision"),
    "find_ineligible": _("Date of the eligibility decision"),
    "depart": _("Departed on"),
    "arrive": _("Arrived on"),
}


def transition_form(form: str, *, name: str, data=None, initial=None) -> TransitionForm:
    return FORMS[form](data, initial=initial, date_label=DATE_LABELS.get(name))


class FollowUpForm(Form):
    done_on = _date(_("Date of the contact"), missing=_("Enter the date of the follow-up."))
    contact_made = forms.BooleanField(
        label=_("Contact made"),
        required=False,
        help_text=_("Leave unticked when you tried but could not reach the person."),
    )
    outcome = _long_text(
        _("Outcome"),
        required=True,
        missing=_("Describe the outcome of the follow-up."),
        help_text=_("How the person is, and anything they asked for."),
    )
