"""The forms behind a legal matter's transitions, one per ``custom["form"]`` of the models.

They check the shape of the input only; whether a date or an amount makes sense for the matter
is the service's to say (``casework.services.legal_transitions``)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from carepath.forms import DateInput
from casework.forms import VersionedForm

DATE_ERRORS = {
    "required": _("Enter the date."),
    "invalid": _("Enter a real date, for example 27 4 2026."),
}


def _date(label, *, required: bool = True, help_text: str = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=DateInput(),
        error_messages=DATE_ERRORS,
    )


def _text(label, *, max_length: int, required: bool = True, missing: str = "", help_text=""):
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        help_text=help_text,
        error_messages={"required": missing} if missing else None,
    )


def _long_text(label, *, missing: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": missing},
    )


class TransitionForm(VersionedForm):
    """A confirm button and the version the page was drawn from."""

    def __init__(self, *args, date_label=None, **kwargs):
        super().__init__(*args, **kwargs)
        if date_label and "on" in self.fields:
            self.fields["on"].label = date_label


class DatedForm(TransitionForm):
    on = _date(_("Date"))


class CicaApplyForm(DatedForm):
    reference = _text(_("CICA reference"), max_length=40, required=False)


class CicaDecideForm(DatedForm):
    amount = forms.DecimalField(
        label=_("Amount (£)"),
        help_text=_("In pounds: 0 if nothing was awarded."),
        decimal_places=2,
        max_digits=9,
        error_messages={
            "required": _("Enter the amount in pounds: 0 if nothing was awarded."),
            "max_digits": _("The amount must be less than £10,000,000."),
            "max_whole_digits": _("The amount must be less than £10,000,000."),
            "invalid": _("Enter the amount in pounds, for example 1250 or 1250.50."),
            "max_decimal_places": _("Enter the amount in pounds and pence, for example 1250.50."),
        },
    )


class ReasonForm(TransitionForm):
    reason = _long_text(_("Reason"), missing=_("Give the reason."))


class ImmigrationApplyForm(DatedForm):
    reference = _text(_("Home Office reference"), max_length=40, required=False)


class ImmigrationGrantForm(DatedForm):
    leave = _text(
        _("Leave granted"),
        max_length=150,
        missing=_("Say what leave was granted."),
        help_text=_("For example refugee status, TPS-VT for 12 months, limited leave."),
    )
    expires_on = _date(
        _("Leave expires on"),
        required=False,
        help_text=_("Not needed when the leave does not expire (indefinite leave to remain)."),
    )


class OutcomeForm(DatedForm):
    outcome = _long_text(_("Outcome"), missing=_("Describe the outcome."))


FORMS = {
    "": TransitionForm,
    "cica_apply": CicaApplyForm,
    "cica_decide": CicaDecideForm,
    "cica_date": DatedForm,
    "immigration_apply": ImmigrationApplyForm,
    "immigration_grant": ImmigrationGrantForm,
    "immigration_date": DatedForm,
    "justice_date": DatedForm,
    "justice_outcome": OutcomeForm,
    "civil_close": OutcomeForm,
    "reason": ReasonForm,
}

# What the date of each step is called on its form, by kind and transition name.
DATE_LABELS = {
    ("cica", "apply"): _("Date of the application"),
    ("cica", "decide"): _("Decision date"),
    ("cica", "request_review"): _("Review requested on"),
    ("cica", "record_review"): _("Review decision date"),
    ("cica", "appeal"): _("Appealed on"),
    ("cica", "record_tribunal"): _("Tribunal decision date"),
    ("immigration", "apply"): _("Date of the application"),
    ("immigration", "grant"): _("Date leave was granted"),
    ("immigration", "refuse"): _("Date of the refusal"),
    ("immigration", "appeal"): _("Appealed on"),
    ("immigration", "dismiss_appeal"): _("Date the appeal was dismissed"),
    ("criminal_justice", "charge"): _("Charged on"),
    ("criminal_justice", "conclude"): _("Date of the outcome"),
    ("criminal_justice", "no_further_action"): _("Date of the decision"),
    ("civil", "close"): _("Closed on"),
}

# The amount's label where the decision form records one.
AMOUNT_LABELS = {
    "decide": _("Amount awarded (£)"),
    "record_review": _("Amount after review (£)"),
    "record_tribunal": _("Amount after the tribunal's decision (£)"),
}


def transition_form(form: str, *, kind: str, name: str, data=None, initial=None) -> TransitionForm:
    built = FORMS[form](data, initial=initial, date_label=DATE_LABELS.get((kind, name)))
    if "amount" in built.fields and name in AMOUNT_LABELS:
        built.fields["amount"].label = AMOUNT_LABELS[name]
    return built
