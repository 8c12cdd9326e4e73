from pathlib import PurePath

from django import forms
from django.conf import settings
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from carepath import uploads
from carepath.forms import Form
from carepath.people.models import Jurisdiction
from casework.models.choices import ClosureReason, ExploitationType, Gender
from casework.models.nrm import CompetentAuthority
from casework.services.imports import MAX_GENERATED_NUMBER, NO, YES


def _codes(choices) -> str:
    return ", ".join(choices.values)


# What the page tells a service manager about each column: (name, required, what goes in it).
COLUMN_HELP = (
    (
        "reference",
        True,
        format_lazy(
            _(
                "The case's reference in the earlier system; unique (capitals and spaces do not "
                "count: “A 1” and “a1” are the same reference). A reference shaped like those "
                "Carepath gives out (e.g. ABCD-2026-0042) may have a number up to {limit}."
            ),
            limit=MAX_GENERATED_NUMBER,
        ),
    ),
    ("referral_date", True, _("YYYY-MM-DD.")),
    ("gender", True, _codes(Gender)),
    ("nationality", True, _("The two-letter ISO 3166 country code, e.g. GB, AL, VN.")),
    ("date_of_birth", True, _("YYYY-MM-DD, on or before the referral date.")),
    (
        "date_of_birth_estimated",
        False,
        format_lazy(
            _("Whether the date of birth is an estimate: {codes}; if left empty, no."),
            codes=", ".join(YES + NO),
        ),
    ),
    (
        "first_exploitation_date",
        True,
        _("YYYY-MM-DD, between the date of birth and the referral date."),
    ),
    (
        "exploitation_types",
        True,
        format_lazy(_("{codes} (separate several with “;”)"), codes=_codes(ExploitationType)),
    ),
    ("referring_agency", True, _("A name; a name not known yet is added as a new agency.")),
    ("given_name", False, _("If left empty, the reference is shown in its place.")),
    ("family_name", False, ""),
    ("aliases", False, ""),
    (
        "jurisdiction",
        False,
        format_lazy(_("{codes} (default: the organisation's)"), codes=_codes(Jurisdiction)),
    ),
    ("local_authority", False, ""),
    ("competent_authority", False, _codes(CompetentAuthority)),
    ("nrm_submitted_date", False, _("YYYY-MM-DD, on or after the referral date.")),
    ("rg_decision", False, _("positive, negative (needs rg_decision_date)")),
    ("rg_decision_date", False, _("YYYY-MM-DD, on or after nrm_submitted_date.")),
    ("cg_decision", False, _("positive, negative (needs a positive rg_decision)")),
    ("cg_decision_date", False, _("YYYY-MM-DD, on or after rg_decision_date.")),
    (
        "closure_reason",
        False,
        format_lazy(_("{codes} (the case is imported closed)"), codes=_codes(ClosureReason)),
    ),
    (
        "closed_date",
        False,
        _("YYYY-MM-DD; if left empty, a closed case closes on the latest date in its row."),
    ),
)


class ImportForm(Form):
    team = forms.ModelChoiceField(
        label=_("Team"),
        queryset=None,
        help_text=_("The team the imported cases will belong to."),
    )
    file = forms.FileField(
        label=_("CSV file"),
        widget=forms.FileInput(attrs={"accept": ".csv,text/csv"}),
        help_text=_(
            "Saved from your spreadsheet as “CSV UTF-8”, with the column names in the first row."
        ),
    )

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        self.source_name = ""

    def clean_file(self) -> str:
        """The file's text, once it is known to be CSV-like UTF-8 of an acceptable size."""
        upload = self.cleaned_data["file"]
        text = uploads.read_csv(upload, limit=settings.CASE_IMPORT_MAX_BYTES)
        self.source_name = PurePath(upload.name or "upload.csv").name[:100]
        return text
