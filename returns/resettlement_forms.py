"""The forms of a resettlement: starting one, and one per ``custom["form"]`` of its steps.

They check the shape of the input only; whether a date makes sense for the plan is the
service's to say (``returns.services.resettlement``)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from carepath.forms import DateInput, Form
from casework.forms import VersionedForm
from casework.models.choices import Outcome

DATE_ERRORS = {
    "required": _("Enter the date."),
    "invalid": _("Enter a real date, for example 27 4 2026."),
}


def _date(label, *, help_text: str = "") -> forms.DateField:
    return forms.DateField(
        label=label, help_text=help_text, widget=DateInput(), error_messages=DATE_ERRORS
    )


class StartForm(Form):
    leave_applied_on = _date(
        _("Leave to remain applied for on"),
        help_text=_("The date the application for leave was made."),
    )


class TransitionForm(VersionedForm):
    """A confirm button and the version the page was drawn from."""

    def __init__(self, *args, date_label=None, **kwargs):
        super().__init__(*args, **kwargs)
        if date_label and "on" in self.fields:
            self.fields["on"].label = date_label


class DatedForm(TransitionForm):
    on = _date(_("Date"))


class HousingForm(DatedForm):
    housing = forms.CharField(
        label=_("Housing"),
        max_length=200,
        help_text=_("For example a housing association tenancy, or private rented with a lease."),
        error_messages={"required": _("Say what housing the person has.")},
    )


class IncomeForm(DatedForm):
    income = forms.CharField(
        label=_("Income, work or study"),
        max_length=200,
        help_text=_("For example Universal Credit, a job as a care assistant, a college course."),
        error_messages={"required": _("Say what income, work or study the person has.")},
    )


class SettledForm(DatedForm):
    outcomes = forms.MultipleChoiceField(
        label=_("Outcomes achieved"),
        help_text=_("The case closes with these outcomes and the reason “moved on”."),
        choices=Outcome.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one outcome the person achieved.")},
    )


class ReasonForm(TransitionForm):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give the reason.")},
    )


FORMS = {
    "dated": DatedForm,
    "housing": HousingForm,
    "income": IncomeForm,
    "settled": SettledForm,
    "reason": ReasonForm,
}

# What the date of each step is called on its form.
DATE_LABELS = {
    "grant_leave": _("Leave granted on"),
    "secure_housing": _("Housing secured on"),
    "secure_income": _("In place since"),
    "settle": _("Settled on"),
}


def transition_form(form: str, *, name: str, data=None, initial=None) -> TransitionForm:
    return FORMS[form](data, initial=initial, date_label=DATE_LABELS.get(name))
