from itertools import groupby

from django import forms
from django.core.validators import MaxValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from carepath.forms import DateInput, Form, ModelForm
from marac.models import Answer, MaracReferral, RiskChecklist, RiskLevel


class RiskAssessmentForm(Form):
    """One radio question per checklist question, in order, then professional judgement."""

    checklist = forms.IntegerField(widget=forms.HiddenInput)
    assessed_on = forms.DateField(label=_("Date of the assessment"), widget=DateInput())
    police_incidents_12_months = forms.IntegerField(
        label=_("Police-reported incidents in the last 12 months"),
        min_value=0,
        max_value=999,
        initial=0,
    )
    judgement_level = forms.ChoiceField(
        label=_("Professional judgement"),
        choices=[("", _("No change: the score's level stands")), *RiskLevel.choices],
        required=False,
        help_text=_("Judgement can raise the level from the score, never lower it."),
    )
    judgement_reasons = forms.CharField(
        label=_("Reasons for your professional judgement"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, checklist: RiskChecklist, **kwargs):
        super().__init__(*args, **kwargs)
        self.checklist = checklist
        # Templates look up form["checklist"] (the hidden field) first: this name is free.
        self.risk_checklist = checklist
        self.fields["checklist"].initial = checklist.pk
        self.fields["assessed_on"].initial = timezone.localdate()
        self.questions = list(checklist.questions.order_by("number"))
        for question in self.questions:
            self.fields[self.question_field(question.number)] = forms.ChoiceField(
                label=f"{question.number}. {question.text}",
                choices=Answer.choices,
                widget=forms.RadioSelect,
                error_messages={"required": _("Answer yes, no or not known.")},
            )

    @staticmethod
    def question_field(number: int) -> str:
        return f"q{number}"

    def topic_groups(self):
        """The questions' bound fields grouped under their topic, in question order."""
        return [
            (topic, [self[self.question_field(q.number)] for q in questions])
            for topic, questions in groupby(self.questions, key=lambda q: q.topic)
        ]

    def detail_fields(self):
        return [
            self[name]
            for name in (
                "assessed_on",
                "police_incidents_12_months",
                "judgement_level",
                "judgement_reasons",
                "notes",
            )
        ]

    def answers(self) -> dict[str, str]:
        return {
            str(q.number): self.cleaned_data[self.question_field(q.number)] for q in self.questions
        }


class IncidentForm(Form):
    occurred_on = forms.DateField(label=_("Date of the incident"), widget=DateInput())
    police_reported = forms.BooleanField(label=_("Reported to the police"), required=False)
    summary = forms.CharField(
        label=_("What happened"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )


class MaracReferralForm(ModelForm):
    class Meta:
        model = MaracReferral
        fields = [
            "referred_on",
            "referring_agency",
            "survivor_knows",
            "survivor_consents",
            "without_consent_reason",
            "safe_contact",
            "fears",
            "perpetrators",
            "children_in_household",
            "withheld_from",
        ]
        widgets = {
            "referred_on": DateInput(),
            "without_consent_reason": forms.Textarea(attrs={"rows": 2}),
            "safe_contact": forms.Textarea(attrs={"rows": 2}),
            "fears": forms.Textarea(attrs={"rows": 2}),
            "perpetrators": forms.Textarea(attrs={"rows": 2}),
            "withheld_from": forms.CheckboxSelectMultiple(),
        }

    def __init__(self, *args, area, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["withheld_from"].queryset = area.agencies.filter(active=True).order_by("name")
        self.fields["referring_agency"].required = True
        self.fields["children_in_household"].max_value = 30
        self.fields["children_in_household"].validators.append(MaxValueValidator(30))

    def values(self) -> dict:
        return {
            k: v for k, v in self.cleaned_data.items() if k not in ("referred_on", "withheld_from")
        }
