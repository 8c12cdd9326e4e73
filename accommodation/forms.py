import re

from django import forms
from django.db.models import Case, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accommodation.models import BedSpace, DeclineReason, Placement, Property, PropertyKind, Unit
from carepath.forms import DateInput, Form, ModelForm
from casework.forms import VersionedForm
from casework.models import choices as c

# --- Properties, units and bed spaces ---------------------------------------------------


class PropertyForm(ModelForm):
    class Meta:
        model = Property
        fields = [
            "name",
            "kind",
            "address",
            "postcode",
            "local_authority",
            "region",
            "specialism",
            "languages",
            "funding_source",
            "weekly_charge",
            "active",
        ]
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["address"].help_text = _(
            "Confidential: shown only to your accommodation staff and to the caseworker of a "
            "resident."
        )


class UnitForm(ModelForm):
    bed_spaces = forms.IntegerField(
        label=_("Number of bed spaces"),
        min_value=1,
        max_value=50,
        help_text=_("It cannot be lower than the bed spaces occupied, offered or accepted."),
    )

    class Meta:
        model = Unit
        fields = [
            "name",
            "women_only",
            "men_only",
            "family",
            "accessible",
            "children_accepted",
            "boys_age_limit",
            "pets_accepted",
            "nrpf_accepted",
        ]

    def clean(self):
        data = super().clean()
        if data.get("women_only") and data.get("men_only"):
            self.add_error("men_only", _("A unit cannot be both women only and men only."))
        return data


class BedSpaceUseForm(VersionedForm):
    out_of_use = forms.TypedChoiceField(
        label=_("Is this bed space in use?"),
        choices=[("no", _("In use: it can be offered")), ("yes", _("Out of use"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Why it is out of use"),
        max_length=200,
        required=False,
        help_text=_("For example: repair, void, deep clean."),
    )
    until = forms.DateField(label=_("Expected back in use"), required=False, widget=DateInput())

    def clean(self):
        data = super().clean()
        if data.get("out_of_use"):
            if not (data.get("reason") or "").strip():
                self.add_error("reason", _("Say why the bed space is out of use."))
            if data.get("until") and data["until"] < timezone.localdate():
                self.add_error("until", _("The expected date cannot be in the past."))
        return data


class BoardFilterForm(Form):
    region = forms.CharField(label=_("Region"), max_length=120, required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("Any")), *PropertyKind.choices], required=False
    )


# --- Placements -------------------------------------------------------------------------

REQUEST_FIELDS = [
    "known_as",
    "gender",
    "children_ages",
    "boys_ages",
    "access_needs",
    "needs_accessible",
    "languages",
    "risk_level",
    "has_pets",
    "nrpf",
    "specialism",
    "exclusion_areas",
]


def _ages_valid(text: str) -> bool:
    parts = [part.strip() for part in text.replace(";", ",").split(",")]
    return all(re.fullmatch(r"[0-9]{1,2}", part) and int(part) < 18 for part in parts if part)


class PlacementRequestForm(ModelForm):
    provider = forms.ModelChoiceField(label=_("Accommodation provider"), queryset=None)
    gender = forms.ChoiceField(label=_("Gender"), choices=c.Gender.choices)
    risk_level = forms.ChoiceField(
        label=_("Risk level"), choices=[("", "—"), *c.RiskLevel.choices], required=False
    )

    class Meta:
        model = Placement
        fields = REQUEST_FIELDS
        widgets = {"exclusion_areas": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, providers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = providers
        self.order_fields(["provider", *REQUEST_FIELDS])
        self.fields["known_as"].help_text = _(
            "Only this name is shared with the provider: a first name or an alias."
        )
        self.fields["exclusion_areas"].help_text = _(
            "Local authorities (for example: Cardiff) or postcode districts (for example: "
            "CF10) where the perpetrator or exploiter lives or works, one per line. Properties "
            "there are never offered."
        )

    def clean_children_ages(self):
        value = self.cleaned_data["children_ages"]
        if not _ages_valid(value):
            raise forms.ValidationError(_("Enter ages in years under 18, separated by commas."))
        return value

    def clean_boys_ages(self):
        value = self.cleaned_data["boys_ages"]
        if not _ages_valid(value):
            raise forms.ValidationError(_("Enter ages in years under 18, separated by commas."))
        return value

    def clean(self):
        data = super().clean()
        boys = Placement._ages(data.get("boys_ages") or "")
        children = Placement._ages(data.get("children_ages") or "")
        if boys and len(boys) > len(children):
            self.add_error("boys_ages", _("List every boy's age among the children's ages too."))
        return data

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in REQUEST_FIELDS}


class OfferForm(VersionedForm):
    bed_space = forms.ModelChoiceField(
        label=_("Bed space"),
        queryset=None,
        empty_label=None,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choose one of the matching bed spaces.")},
    )

    def __init__(self, *args, matches, **kwargs):
        super().__init__(*args, **kwargs)
        labels = {
            m.bed_space.pk: _("%(bed)s (fit score %(score)d)")
            % {"bed": m.bed_space, "score": m.score}
            for m in matches
        }
        field = self.fields["bed_space"]
        order = Case(*[When(pk=pk, then=n) for n, pk in enumerate(labels)], default=len(labels))
        field.queryset = BedSpace.objects.filter(pk__in=labels).order_by(order)
        field.label_from_instance = lambda bed: labels.get(bed.pk) or str(bed)
        field.help_text = (
            _("Best fit first.")
            if matches
            else _("No free bed space fits this request: the placement page says why.")
        )


class AcceptForm(VersionedForm):
    pass


class DeclineForm(VersionedForm):
    reason = forms.ChoiceField(label=_("Why declined"), choices=[("", "—"), *DeclineReason.choices])
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class WithdrawForm(VersionedForm):
    notes = forms.CharField(
        label=_("Why the request is withdrawn"), widget=forms.Textarea(attrs={"rows": 3})
    )


class MoveInForm(VersionedForm):
    on = forms.DateField(label=_("Moved in on"), widget=DateInput())
    licence_signed = forms.BooleanField(label=_("Licence agreement signed"), required=False)
    key_worker = forms.CharField(label=_("Key worker"), max_length=120)
    planned_move_out_on = forms.DateField(
        label=_("Planned move-out"), required=False, widget=DateInput()
    )


class MoveOutForm(VersionedForm):
    on = forms.DateField(label=_("Moved out on"), widget=DateInput())
    reason = forms.CharField(label=_("Why they moved out"), max_length=200)
    destination = forms.CharField(label=_("Moved on to"), max_length=200, required=False)
