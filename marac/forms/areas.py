"""Forms for the MARAC chair's settings: areas, their partner agencies and the meeting schedule."""

import datetime
from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from carepath.forms import DateInput, Form
from carepath.people.models import Role, User
from marac.models import AgencyKind, MaracArea
from marac.services.meetings import AREA_FIELDS, MAX_SCHEDULED

UK = ZoneInfo("Europe/London")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%H:%M")


class MaracAreaForm(Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    escalation_incidents = forms.IntegerField(
        label=_("Potential escalation: police-reported incidents in 12 months"),
        min_value=1,
        max_value=20,
        initial=3,
        help_text=_("A case with this many incidents or more can be referred. Usually 3."),
    )
    agenda_days_before = forms.IntegerField(
        label=_("Days before a meeting the agenda goes out"),
        min_value=1,
        max_value=28,
        initial=7,
    )
    meets_every_days = forms.IntegerField(
        label=_("Meets every (days)"),
        min_value=7,
        max_value=91,
        initial=28,
        help_text=_("Used to schedule a series of meetings. 28 is every four weeks."),
    )
    default_location = forms.CharField(
        label=_("Usual meeting place"),
        max_length=200,
        required=False,
        help_text=_("A room or a video-call name. Never a refuge."),
    )

    @classmethod
    def for_area(cls, data=None, *, area: MaracArea | None = None):
        initial = {key: getattr(area, key) for key in AREA_FIELDS} if area else None
        return cls(data, initial=initial)

    def values(self) -> dict:
        return {key: self.cleaned_data[key] for key in AREA_FIELDS}


class PartnerUserField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: User) -> str:
        name = obj.get_full_name()
        return f"{name} ({obj.username})" if name else obj.username


class PartnerAgencyForm(Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind of agency"), choices=AgencyKind.choices)
    active = forms.BooleanField(
        label=_("Sits on the MARAC"),
        required=False,
        initial=True,
        help_text=_("An agency that has left is kept for past minutes but no longer invited."),
    )
    members = PartnerUserField(
        label=_("Members"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "The people who act for this agency: they see its meetings and actions. Only "
            "active users of your organisation with the MARAC partner role are listed."
        ),
    )

    def __init__(self, data=None, *, area: MaracArea, agency=None):
        initial = None
        if agency is not None:
            initial = {
                "name": agency.name,
                "kind": agency.kind,
                "active": agency.active,
                "members": [member.pk for member in agency.members.all()],
            }
        super().__init__(data, initial=initial)
        self.fields["members"].queryset = (
            User.objects.filter(
                organisation_id=area.organisation_id,
                is_active=True,
                role_assignments__role=Role.MARAC_PARTNER,
            )
            .prefetch_related("role_assignments")
            .distinct()
            .order_by("first_name", "last_name", "username")
        )


class MeetingScheduleForm(Form):
    date = forms.DateField(label=_("Date of the first meeting"), widget=DateInput())
    time = forms.TimeField(label=_("Start time"), initial=datetime.time(10, 0), widget=TimeInput())
    location = forms.CharField(
        label=_("Where"),
        max_length=200,
        required=False,
        help_text=_("A room or a video-call name. Never a refuge."),
    )
    count = forms.IntegerField(
        label=_("How many meetings"),
        min_value=1,
        max_value=MAX_SCHEDULED,
        initial=1,
    )

    def __init__(self, data=None, *, area: MaracArea):
        super().__init__(data, initial={"location": area.default_location})
        self.fields["count"].help_text = _(
            "1 for a single meeting. More makes a series, one every %(days)s days, up to "
            "%(max)s at a time. Days that already have a meeting are skipped."
        ) % {"days": area.meets_every_days, "max": MAX_SCHEDULED}

    def clean_date(self):
        day = self.cleaned_data["date"]
        if day < timezone.localdate():
            raise forms.ValidationError(_("The first meeting cannot be in the past."))
        return day

    def starts_at(self) -> datetime.datetime:
        """The first meeting's start, in UK time whatever the time zone of the request."""
        return timezone.make_aware(
            datetime.datetime.combine(self.cleaned_data["date"], self.cleaned_data["time"]),
            UK,
        )
