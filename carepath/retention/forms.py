from django import forms
from django.utils.translation import gettext_lazy as _

from carepath.forms import Form


class CaseReferenceForm(Form):
    reference = forms.CharField(
        label=_("Case reference"),
        max_length=30,
        help_text=_("For example ABCD-2024-0012. Only cases of your organisation are found."),
    )


class LegalHoldForm(Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "For example a claim, an inquiry or a request to keep the records. Name no one: "
            "say what the hold is for."
        ),
    )
