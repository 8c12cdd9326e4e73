from django import forms
from django.utils.translation import gettext_lazy as _

from carepath.forms import Form
from carepath.subject_access.selectors import case_for_subject_access

NOTE_LIMIT = 2000


class SubjectAccessRequestForm(Form):
    reference = forms.CharField(
        label=_("Case reference"),
        max_length=30,
        error_messages={"required": _("Enter the case reference.")},
        help_text=_(
            "The reference of any episode of the person's support: earlier and later episodes "
            "are included."
        ),
    )
    note = forms.CharField(
        label=_("About the request"),
        max_length=NOTE_LIMIT,
        error_messages={
            "required": _(
                "Record when the request was received and how the person's identity was checked."
            )
        },
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "When the request was received and how the person's identity was checked. It is "
            "kept on the case's timeline."
        ),
    )
    confirmed = forms.BooleanField(
        label=_("I have checked the person's identity and that this is their case"),
        error_messages={"required": _("Confirm that the person's identity has been checked.")},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.case = None
        self.basis = None

    def clean_reference(self) -> str:
        reference = self.cleaned_data["reference"].strip()
        found = case_for_subject_access(self.user, reference=reference)
        # An unknown reference and a case the person may not export get the same answer.
        if found is None:
            raise forms.ValidationError(
                _("There is no case with this reference that you can export. Check the reference.")
            )
        self.case, self.basis = found
        return reference
