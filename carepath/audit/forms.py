from django import forms
from django.utils.translation import gettext_lazy as _

from carepath.forms import DateInput, Form


class AccessLogFilterForm(Form):
    actor = forms.ModelChoiceField(label=_("Person"), queryset=None, required=False)
    since = forms.DateField(label=_("From"), required=False, widget=DateInput())
    until = forms.DateField(label=_("To"), required=False, widget=DateInput())

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["actor"].queryset = people

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", _("The end date must be on or after the start date."))
        return data
