from django import forms
from django.utils.translation import gettext_lazy as _

from carepath.audit.models import AccessLogEntry
from carepath.forms import DateInput, Form


class AccessLogFilterForm(Form):
    actor = forms.ModelChoiceField(label=_("Person"), queryset=None, required=False)
    reference = forms.CharField(
        label=_("Case or record reference"),
        max_length=60,
        required=False,
        help_text=_("All or part of it, for example ORGA-2026-0042."),
    )
    action = forms.ChoiceField(
        label=_("Action"),
        choices=[("", _("Any"))] + list(AccessLogEntry.Action.choices),
        required=False,
    )
    emergency_only = forms.BooleanField(
        label=_("Only reads under emergency access"), required=False
    )
    grant = forms.IntegerField(
        label=_("Emergency access number"),
        min_value=1,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    since = forms.DateField(label=_("From"), required=False, widget=DateInput())
    until = forms.DateField(label=_("To"), required=False, widget=DateInput())

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["actor"].queryset = people

    def clean_reference(self):
        return self.cleaned_data["reference"].strip()

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", _("The end date must be on or after the start date."))
        return data

    def filters(self) -> dict:
        """The selector's keyword arguments, from valid data."""
        data = self.cleaned_data
        return {
            "actor_id": data["actor"].pk if data.get("actor") else None,
            "reference": data.get("reference") or "",
            "action": data.get("action") or "",
            "emergency_only": bool(data.get("emergency_only")),
            "grant_id": data.get("grant"),
            "since": data.get("since"),
            "until": data.get("until"),
        }
