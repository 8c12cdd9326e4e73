import re

import phonenumbers
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_countries.fields import LazyTypedChoiceField

from carepath.forms import DateInput, Form, ModelForm
from carepath.sms.models import SafeContact
from casework.models import (
    Appointment,
    Case,
    CaseNote,
    CompetentAuthority,
    InterpreterBooking,
    ReferringAgency,
)
from casework.models import choices as c
from casework.models.records import (
    Charge,
    ConsentRecord,
    Dependant,
    Disclosure,
    GoalStatus,
    Need,
    NeedStatus,
    SupportGoal,
)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class VersionedForm(Form):
    """Carries the version of the record the form was drawn from (optimistic locking)."""

    version = forms.IntegerField(widget=forms.HiddenInput)


def _multi(label, choices, **kwargs):
    return forms.MultipleChoiceField(
        label=label,
        choices=choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        **kwargs,
    )


CASE_GROUPS = [
    (
        _("Referral"),
        [
            "referral_date",
            "referral_source",
            "referring_agency",
            "referrer_contact",
            "knows_of_referral",
            "consents_to_referral",
            "risk_at_intake",
            "referral_notes",
        ],
    ),
    (
        _("Identity"),
        [
            "given_name",
            "family_name",
            "aliases",
            "gender",
            "date_of_birth",
            "date_of_birth_estimated",
            "claimed_nationality",
            "nationality_group",
            "immigration_status",
            "identity_documents",
        ],
    ),
    (
        _("Verified identity"),
        [
            "verified_given_name",
            "verified_family_name",
            "verified_date_of_birth",
            "verified_nationality",
        ],
    ),
    (
        _("Language"),
        [
            "main_language",
            "other_languages",
            "interpreter_needed",
            "interpreter_language",
            "interpreter_dialect",
            "interpreter_gender",
        ],
    ),
    (
        _("Exploitation"),
        [
            "exploitation_types",
            "exploitation_sectors",
            "first_exploitation_date",
            "first_exploitation_date_estimated",
            "exploitation_country",
        ],
    ),
    (_("Where"), ["jurisdiction", "local_authority", "police_force_area", "region"]),
    (
        _("Equality monitoring (all optional)"),
        ["ethnicity", "disability", "sexual_orientation", "transgender", "religion"],
    ),
    (_("Needs"), ["needs_summary"]),
]


class CaseForm(ModelForm):
    """The case's details, used for intake and for later edits."""

    exploitation_types = _multi(
        _("Exploitation types"),
        c.ExploitationType.choices,
        help_text=_("Choose all that apply, or Not known."),
    )
    exploitation_sectors = _multi(_("Sectors"), c.Sector.choices)
    date_fields = (
        "referral_date",
        "date_of_birth",
        "verified_date_of_birth",
        "first_exploitation_date",
    )

    class Meta:
        model = Case
        fields = [name for _label, names in CASE_GROUPS for name in names]
        widgets = {
            "referral_notes": forms.Textarea(attrs={"rows": 3}),
            "aliases": forms.Textarea(attrs={"rows": 2}),
            "needs_summary": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.date_fields:
            self.fields[name].widget = DateInput()
        self.fields["referring_agency"].queryset = ReferringAgency.objects.order_by("name")
        for name in ("claimed_nationality", "verified_nationality", "exploitation_country"):
            self.fields[name].required = False

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        for name in self.date_fields:
            if data.get(name) and data[name] > today:
                self.add_error(name, _("This date cannot be in the future."))
        born, first = data.get("date_of_birth"), data.get("first_exploitation_date")
        if born and first and first < born:
            self.add_error(
                "first_exploitation_date",
                _("Exploitation cannot have started before the date of birth."),
            )
        types = data.get("exploitation_types") or []
        if "unknown" in types and len(types) > 1:
            self.add_error(
                "exploitation_types", _("Choose Not known on its own, or the types that apply.")
            )
        return data

    def groups(self):
        return [(label, [self[name] for name in names]) for label, names in CASE_GROUPS]

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class IntakeForm(CaseForm):
    team = forms.ModelChoiceField(label=_("Team"), queryset=None)
    immediate_needs = _multi(
        _("Immediate needs"), Need.choices, help_text=_("What the person needs straight away.")
    )

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        if teams.count() == 1:
            self.fields["team"].initial = teams.first()

    def groups(self):
        return [
            (_("Team"), [self["team"]]),
            *super().groups(),
            (_("Immediate needs"), [self["immediate_needs"]]),
        ]


class CaseEditForm(CaseForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class BatchForm(Form):
    team = forms.ModelChoiceField(label=_("Team"), queryset=None)
    operation_name = forms.CharField(label=_("Operation name"), max_length=200)
    referral_date = forms.DateField(label=_("Referral date"), widget=DateInput())
    referring_agency = forms.ModelChoiceField(
        label=_("Referring agency"), queryset=ReferringAgency.objects.order_by("name")
    )
    local_authority = forms.CharField(label=_("Local authority"), required=False)
    police_force_area = forms.CharField(label=_("Police force area"), required=False)
    notes = forms.CharField(
        label=_("Shared notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams

    def clean_referral_date(self):
        value = self.cleaned_data["referral_date"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("The referral date cannot be in the future."))
        return value


class BatchPersonForm(Form):
    given_name = forms.CharField(label=_("Given name or name used"), max_length=150)
    family_name = forms.CharField(label=_("Family name"), max_length=150, required=False)
    gender = forms.ChoiceField(label=_("Gender"), choices=c.Gender.choices)
    date_of_birth = forms.DateField(label=_("Date of birth"), required=False, widget=DateInput())
    date_of_birth_estimated = forms.BooleanField(label=_("Estimated"), required=False)
    claimed_nationality = LazyTypedChoiceField(
        label=_("Nationality"), choices=[("", "—"), *countries], required=False
    )
    main_language = forms.CharField(label=_("Main language"), max_length=80, required=False)
    interpreter_needed = forms.BooleanField(label=_("Needs an interpreter"), required=False)

    def clean_date_of_birth(self):
        value = self.cleaned_data.get("date_of_birth")
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("A date of birth cannot be in the future."))
        return value


BatchPeopleFormSet = forms.formset_factory(
    BatchPersonForm, extra=3, min_num=1, validate_min=True, max_num=200
)


# --- Transitions ------------------------------------------------------------------------


class ReasonForm(VersionedForm):
    reason = forms.CharField(
        label=_("Reason or note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class AllocateForm(ReasonForm):
    caseworker = forms.ModelChoiceField(label=_("Caseworker"), queryset=None)

    def __init__(self, *args, caseworkers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["caseworker"].queryset = caseworkers


class DeclineForm(VersionedForm):
    decline_reason = forms.ChoiceField(label=_("Why not taken on"), choices=c.DeclineReason.choices)
    reason = forms.CharField(
        label=_("Explain, and where the person was signposted"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class MissingForm(VersionedForm):
    since = forms.DateTimeField(label=_("Missing since"), widget=DateTimeInput())
    reason = forms.CharField(label=_("What is known"), widget=forms.Textarea(attrs={"rows": 3}))


class MissingNotifiedForm(VersionedForm):
    police_at = forms.DateTimeField(
        label=_("Police notified at"), required=False, widget=DateTimeInput()
    )
    local_authority_at = forms.DateTimeField(
        label=_("Local authority notified at"), required=False, widget=DateTimeInput()
    )

    def clean(self):
        data = super().clean()
        if not data.get("police_at") and not data.get("local_authority_at"):
            raise forms.ValidationError(_("Enter at least one notification time."))
        return data


class CloseForm(VersionedForm):
    closure_reason = forms.ChoiceField(
        label=_("Closure reason"), choices=[("", "—"), *c.ClosureReason.choices]
    )
    outcomes = _multi(_("Outcomes achieved"), c.Outcome.choices)
    no_outcomes = forms.BooleanField(label=_("None of these outcomes was achieved"), required=False)
    closed_on = forms.DateField(label=_("Closed on"), widget=DateInput())
    reason = forms.CharField(
        label=_("Closing summary"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean(self):
        data = super().clean()
        if data.get("outcomes") and data.get("no_outcomes"):
            self.add_error("no_outcomes", _("Untick this, or untick the outcomes above."))
        elif not data.get("outcomes") and not data.get("no_outcomes"):
            self.add_error("outcomes", _("Record the outcomes achieved, or tick none."))
        return data


class ReopenForm(Form):
    reason = forms.CharField(
        label=_("Why the case is re-opened"), widget=forms.Textarea(attrs={"rows": 3})
    )


# --- NRM --------------------------------------------------------------------------------


class NrmSubmitForm(VersionedForm):
    submitted_on = forms.DateField(label=_("Submitted on"), widget=DateInput())
    first_responder = forms.ModelChoiceField(
        label=_("First responder organisation"),
        queryset=ReferringAgency.objects.filter(first_responder_from__isnull=False),
        required=False,
    )


class NrmDecisionForm(VersionedForm):
    positive = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("yes", _("Positive")), ("no", _("Negative"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    decided_on = forms.DateField(label=_("Decision date"), widget=DateInput())
    authority = forms.ChoiceField(
        label=_("Who decided"), choices=[("", "—"), *CompetentAuthority.choices], required=False
    )
    reason = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class NrmReconsiderationForm(VersionedForm):
    requested_on = forms.DateField(label=_("Requested on"), widget=DateInput())
    reason = forms.CharField(label=_("Grounds"), widget=forms.Textarea(attrs={"rows": 3}))


class NrmDutyToNotifyForm(VersionedForm):
    notified_on = forms.DateField(label=_("Duty to Notify report sent on"), widget=DateInput())
    reason = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class NrmWithdrawForm(VersionedForm):
    withdrawn_on = forms.DateField(label=_("Withdrawn on"), widget=DateInput())
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class NrmLocalAuthorityForm(VersionedForm):
    notified_on = forms.DateField(label=_("Local authority notified on"), widget=DateInput())


class RecoveryAdjustForm(VersionedForm):
    # A year at a time (it can be extended again): an unbounded number overflows every date
    # derived from it, and the case page could no longer be drawn.
    extend_by_days = forms.IntegerField(
        label=_("Extend by (days)"), min_value=1, max_value=365, required=False
    )
    curtail_to = forms.DateField(label=_("Or curtail to"), required=False, widget=DateInput())
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        data = super().clean()
        if bool(data.get("extend_by_days")) == bool(data.get("curtail_to")):
            raise forms.ValidationError(
                _("Either extend by a number of days or curtail to a date, not both.")
            )
        return data


# --- Records ----------------------------------------------------------------------------


def _record_form(model, fields, date_fields=(), textareas=()):
    widgets = {name: DateInput() for name in date_fields}
    widgets.update({name: forms.Textarea(attrs={"rows": 3}) for name in textareas})
    return forms.modelform_factory(model, form=ModelForm, fields=fields, widgets=widgets)


RECORD_FORMS = {
    "consent": _record_form(
        ConsentRecord, ["scope", "given_on", "method", "notes"], ["given_on"], ["notes"]
    ),
    "disclosure": _record_form(
        Disclosure,
        [
            "disclosed_on",
            "recipient",
            "information",
            "purpose",
            "with_consent",
            "basis_without_consent",
        ],
        ["disclosed_on"],
        ["information", "purpose", "basis_without_consent"],
    ),
    "charge": _record_form(
        Charge,
        ["offence", "status", "status_date", "statutory_defence_raised", "notes"],
        ["status_date"],
        ["notes"],
    ),
    "dependant": _record_form(
        Dependant,
        ["relationship", "first_name", "date_of_birth", "lives_with_person", "in_uk", "notes"],
        ["date_of_birth"],
        ["notes"],
    ),
    "goal": _record_form(
        SupportGoal,
        ["area", "description", "owner", "review_date"],
        ["review_date"],
        ["description"],
    ),
    "note": _record_form(CaseNote, ["body"], (), ["body"]),
}


class ConsentWithdrawForm(Form):
    withdrawn_on = forms.DateField(label=_("Withdrawn on"), widget=DateInput())
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class GoalStatusForm(Form):
    status = forms.ChoiceField(label=_("Status"), choices=GoalStatus.choices)
    review_date = forms.DateField(label=_("Next review"), required=False, widget=DateInput())


class ImmediateNeedsForm(Form):
    def __init__(self, *args, current: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        for value, label in Need.choices:
            self.fields[value] = forms.ChoiceField(
                label=label,
                choices=NeedStatus.choices,
                widget=forms.RadioSelect,
                initial=current.get(value, NeedStatus.NOT_NEEDED),
            )


class SearchForm(Form):
    q = forms.CharField(label=_("Reference, name or alias"), required=False, max_length=100)
    dob = forms.DateField(label=_("Date of birth"), required=False, widget=DateInput())


# --- Appointments and interpreters ------------------------------------------------------


class AppointmentForm(ModelForm):
    booking = forms.ChoiceField(
        label=_("Is the time fixed?"),
        choices=[("booked", _("Yes: booked")), ("requested", _("No: requested, time to follow"))],
        widget=forms.RadioSelect,
        initial="booked",
    )

    class Meta:
        model = Appointment
        fields = [
            "kind",
            "with_whom",
            "booking",
            "starts_at",
            "duration_minutes",
            "location",
            "accompanied_by",
            "transport_needed",
            "escort_needed",
            "transport_notes",
            "legal_matter",
            "notes",
        ]
        widgets = {"starts_at": DateTimeInput(), "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, case: Case | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # Only this case's matters may be chosen; with none to choose from, the question is not
        # asked at all.
        matters = case.legal_matters.order_by("-opened_on", "-pk") if case else None
        if matters is None or not matters.exists():
            del self.fields["legal_matter"]
            return
        field = self.fields["legal_matter"]
        field.queryset = matters
        field.required = False
        field.empty_label = _("Not about a legal matter")

    def clean(self):
        data = super().clean()
        if data.get("booking") == "booked" and not data.get("starts_at"):
            self.add_error("starts_at", _("Give the date and time of a booked appointment."))
        return data


class AppointmentTimeForm(VersionedForm):
    starts_at = forms.DateTimeField(label=_("New date and time"), widget=DateTimeInput())
    reason = forms.CharField(
        label=_("Why"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class AppointmentEndForm(VersionedForm):
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class InterpreterForm(ModelForm):
    class Meta:
        model = InterpreterBooking
        fields = ["language", "dialect", "gender_preference", "mode"]


class IndependenceForm(VersionedForm):
    confirmed = forms.BooleanField(
        label=_("The interpreter is not a relative, a friend or anyone linked to the exploiter"),
        required=False,
    )
    notes = forms.CharField(
        label=_("How this was checked"), max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )


class InterpreterConfirmForm(VersionedForm):
    interpreter_name = forms.CharField(label=_("Interpreter"), max_length=200)
    agency = forms.CharField(label=_("Agency"), max_length=200, required=False)


# --- Safe contact -----------------------------------------------------------------------


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%H:%M")


TEXT_LANGUAGES = [("en", _("English")), ("cy", _("Welsh"))]


class SafeContactForm(ModelForm):
    class Meta:
        model = SafeContact
        fields = [
            "number",
            "label",
            "safe_to_text",
            "safe_from",
            "safe_until",
            "voicemail_allowed",
            "sender_name",
            "language",
            "verified_on",
        ]
        widgets = {"safe_from": TimeInput(), "safe_until": TimeInput(), "verified_on": DateInput()}

    def __init__(self, *args, languages=TEXT_LANGUAGES, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"] = forms.ChoiceField(
            label=_("Language for texts"), choices=languages
        )
        self.fields["number"].help_text = _("A UK mobile, or an international number with +.")
        self.fields["verified_on"].help_text = _(
            "When you last checked with the person that texting this number is safe."
        )

    def clean_number(self):
        value = self.cleaned_data["number"]
        # The phone library reads letters as keypad digits ("0770O" as 07706): a typo would be
        # a stranger's number, so only digits, spaces, brackets, dashes and a leading + pass.
        if not re.fullmatch(r"\+?[\d\s().-]+", value):
            raise forms.ValidationError(
                _("Use only digits, spaces and a leading +, like 07700 900123.")
            )
        try:
            parsed = phonenumbers.parse(value, "GB")
        except phonenumbers.NumberParseException:
            parsed = None
        if parsed is None or (
            phonenumbers.is_possible_number_with_reason(parsed)
            != phonenumbers.ValidationResult.IS_POSSIBLE
        ):
            raise forms.ValidationError(_("Enter a real phone number, like 07700 900123."))
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)

    def clean_sender_name(self):
        value = self.cleaned_data["sender_name"].strip()
        if value and not value.replace(" ", "").isalnum():
            raise forms.ValidationError(_("Use letters and numbers only."))
        if value and not any(ch.isalpha() for ch in value):
            raise forms.ValidationError(_("A sender name needs at least one letter."))
        return value

    def clean(self):
        data = super().clean()
        if bool(data.get("safe_from")) != bool(data.get("safe_until")):
            self.add_error("safe_until", _("Give both ends of the safe hours, or neither."))
        if data.get("verified_on") and data["verified_on"] > timezone.localdate():
            self.add_error("verified_on", _("This date cannot be in the future."))
        return data

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class SafeContactEditForm(SafeContactForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class SuspendContactForm(Form):
    reason = forms.CharField(
        label=_("Why contact must stop"), widget=forms.Textarea(attrs={"rows": 2})
    )


class ResumeContactForm(VersionedForm):
    reason = forms.CharField(
        label=_("Why it is safe again (checked with the person)"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReminderResolveForm(VersionedForm):
    outcome = forms.ChoiceField(
        label=_("What happened to the text"),
        choices=[
            ("sent", _("The person received it")),
            ("failed", _("It did not arrive")),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("How you checked"),
        help_text=_("For example: asked the person at their appointment. It is never resent."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
