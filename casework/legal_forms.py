"""Forms for legal matters and their steps. The fields come from the models; the rules about
dates, extensions and amounts live in ``casework.services.legal`` and come back as form errors."""

from django import forms
from django.db import models
from django.forms.models import fields_for_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from carepath.forms import DateInput, Form, ModelForm
from casework.models import LegalMatter, LegalStep, MatterKind
from casework.services.legal import (
    DETAIL_MODELS,
    EDITABLE_FIELDS,
    OPENING_FIELDS,
    REPRESENTATIVE_FIELDS,
)

DEFAULT_TITLES = {
    MatterKind.CICA: _("Criminal injuries compensation claim"),
    MatterKind.IMMIGRATION: _("Immigration application"),
    MatterKind.CRIMINAL_JUSTICE: _("Police investigation"),
    MatterKind.CIVIL: _("Civil claim"),
}


def _formfield(field: models.Field, **kwargs):
    if isinstance(field, models.DateField):
        kwargs["widget"] = DateInput()
    elif isinstance(field, models.TextField):
        kwargs["widget"] = forms.Textarea(attrs={"rows": 3})
    return field.formfield(**kwargs)


def _fields(model, names) -> dict:
    return fields_for_model(model, fields=list(names), formfield_callback=_formfield)


class MatterOpenForm(Form):
    """The fields common to every kind; ``matter_open_form`` adds the kind's own."""

    def split(self) -> dict:
        """The cleaned data as ``legal_matter_open`` takes it."""
        data = self.cleaned_data
        return {
            "title": data["title"],
            "opened_on": data["opened_on"],
            "representative": {name: data[name] for name in REPRESENTATIVE_FIELDS},
            "details": {name: data[name] for name in OPENING_FIELDS[self.kind]},
        }


def matter_open_form(kind: str) -> type[MatterOpenForm]:
    matter_fields = _fields(LegalMatter, ("title", "opened_on"))
    return type(
        f"{kind.title().replace('_', '')}OpenForm",
        (MatterOpenForm,),
        {
            "kind": kind,
            **matter_fields,
            **_fields(DETAIL_MODELS[kind], OPENING_FIELDS[kind]),
            **_fields(LegalMatter, REPRESENTATIVE_FIELDS),
        },
    )


def matter_open_initial(kind: str) -> dict:
    return {"title": DEFAULT_TITLES[kind], "opened_on": timezone.localdate()}


class MatterEditForm(Form):
    """The representative and the kind's details that change without a transition."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def split(self) -> dict:
        data = self.cleaned_data
        return {
            "expected_version": data["version"],
            "representative": {name: data[name] for name in REPRESENTATIVE_FIELDS},
            "details": {name: data[name] for name in EDITABLE_FIELDS[self.kind]},
        }


def matter_edit_form(kind: str) -> type[MatterEditForm]:
    return type(
        f"{kind.title().replace('_', '')}EditForm",
        (MatterEditForm,),
        {
            "kind": kind,
            **_fields(DETAIL_MODELS[kind], EDITABLE_FIELDS[kind]),
            **_fields(LegalMatter, REPRESENTATIVE_FIELDS),
        },
    )


def matter_edit_initial(matter: LegalMatter) -> dict:
    detail = matter.detail
    return {
        "version": detail.version,
        **{name: getattr(matter, name) for name in REPRESENTATIVE_FIELDS},
        **{name: getattr(detail, name) for name in EDITABLE_FIELDS[matter.kind]},
    }


class StepForm(ModelForm):
    class Meta:
        model = LegalStep
        fields = ["kind", "description", "due_on", "done_on", "joint", "notes"]
        widgets = {
            "due_on": DateInput(),
            "done_on": DateInput(),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "due_on": _("Give this, the date it was done, or both."),
        }


class StepDoneForm(Form):
    done_on = forms.DateField(label=_("Done on"), widget=DateInput())
