"""Forms for the work around a meeting: an agency's research before it, the actions after it."""

from django import forms
from django.utils.translation import gettext_lazy as _

from carepath.forms import Form
from marac.models import ActionState
from marac.selectors.actions import ANY_STATE


class ResearchForm(Form):
    nothing_held = forms.BooleanField(label=_("This agency holds no information"), required=False)
    findings = forms.CharField(
        label=_("What this agency knows"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "What your agency's records show that the meeting needs to know: recent contact, "
            "risks, other people involved. Leave it empty if your agency holds nothing."
        ),
    )

    def clean(self):
        data = super().clean()
        findings = (data.get("findings") or "").strip()
        if data.get("nothing_held") and findings:
            self.add_error(
                "findings",
                _("Either say the agency holds nothing, or record what it holds."),
            )
        elif not data.get("nothing_held") and not findings:
            self.add_error(
                "findings", _("Record what the agency holds, or tick that it holds nothing.")
            )
        return data


RESOLVED_STATES = [
    (ActionState.DONE, ActionState.DONE.label),
    (ActionState.NOT_POSSIBLE, ActionState.NOT_POSSIBLE.label),
    (ActionState.NOT_UNDERTAKEN, ActionState.NOT_UNDERTAKEN.label),
]


class ActionResolveForm(Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    state = forms.ChoiceField(
        label=_("What became of the action"), choices=RESOLVED_STATES, widget=forms.RadioSelect
    )
    outcome = forms.CharField(
        label=_("Outcome, or why it was not done"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "What was done. If the action was not possible or not undertaken, say why: "
            "this is required."
        ),
    )

    def clean(self):
        data = super().clean()
        state = data.get("state")
        if state and state != ActionState.DONE and not (data.get("outcome") or "").strip():
            self.add_error("outcome", _("Give the reason the action was not done."))
        return data


class ActionFilterForm(Form):
    """The action list's filters (GET). Open actions unless another state is asked for."""

    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[*ActionState.choices, (ANY_STATE, _("Any state"))],
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    agency = forms.ModelChoiceField(
        label=_("Agency"), required=False, queryset=None, empty_label=_("Every agency")
    )
    area = forms.ModelChoiceField(
        label=_("MARAC"), required=False, queryset=None, empty_label=_("Every MARAC")
    )

    def __init__(self, *args, agencies, areas, show_agency: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies
        self.fields["area"].queryset = areas
        if not show_agency:
            del self.fields["agency"]

    def filters(self) -> dict:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return {
            "state": data.get("state") or ActionState.OPEN,
            "overdue_only": bool(data.get("overdue")),
            "agency": data.get("agency"),
            "area": data.get("area"),
        }
