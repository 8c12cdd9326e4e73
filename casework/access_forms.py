"""Forms of emergency access, its review, and sealed cases."""

from django import forms
from django.utils.translation import gettext_lazy as _

from carepath.forms import Form
from casework.models import EmergencyAccess
from casework.services.access import REASON_MIN_LENGTH


class EmergencyAccessForm(Form):
    reference = forms.CharField(
        label=_("Case reference"),
        max_length=30,
        error_messages={"required": _("Enter the reference of the case.")},
        help_text=_("For example ORGA-2026-0042."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    reason = forms.CharField(
        label=_("Why do you need to open this case now?"),
        min_length=REASON_MIN_LENGTH,
        max_length=2000,
        error_messages={
            "required": _("Give the reason you need to open the case."),
            "min_length": _("Give the reason in at least %(limit_value)d characters."),
        },
        help_text=_(
            "A service manager reads this when they review the access. Say what has happened "
            "and why it cannot wait for the person's caseworker."
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    confirm = forms.BooleanField(
        label=_(
            "I understand that emergency access is logged, that every page of the case I open "
            "is recorded, and that a service manager is told now and reviews it afterwards."
        ),
        error_messages={
            "required": _("Confirm that you understand the access is logged and reviewed.")
        },
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if len(reason) < REASON_MIN_LENGTH:
            raise forms.ValidationError(
                _("Give the reason in at least %(n)d characters.") % {"n": REASON_MIN_LENGTH}
            )
        return reason


class EmergencyReviewForm(Form):
    outcome = forms.ChoiceField(
        label=_("Was the access justified?"),
        choices=EmergencyAccess.Review.choices,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        help_text=_("Required when the access was not justified. It is kept with the review."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        data = super().clean()
        if (
            data.get("outcome") == EmergencyAccess.Review.NOT_JUSTIFIED
            and not (data.get("note") or "").strip()
        ):
            self.add_error("note", _("Say why the access was not justified."))
        return data


class _PeopleField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj} ({', '.join(str(label) for label in obj.role_labels)})"


class SealForm(Form):
    members = _PeopleField(
        label=_("Who else may open the case"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "You are named and can always open it. Nobody else can, not even a service manager, "
            "and emergency access cannot open it."
        ),
    )
    reason = forms.CharField(
        label=_("Why is the case sealed?"),
        max_length=500,
        help_text=_("For example: the person is known to staff. Shown on the case's timeline."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = candidates


class _PersonField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj} ({', '.join(str(label) for label in obj.role_labels)})"


class SealMemberForm(Form):
    person = _PersonField(label=_("Name another person"), queryset=None)

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = candidates


class UnsealForm(Form):
    reason = forms.CharField(
        label=_("Why is the case unsealed?"),
        max_length=500,
        help_text=_("Its usual team and the service managers will be able to open it again."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
