"""Forms for running a meeting: its agenda, attendance, the discussion of each case, its actions,
and a referral's own steps. Validation of input only: the services decide what is allowed."""

import datetime
from zoneinfo import ZoneInfo

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from carepath.forms import DateInput, Form
from marac.models import AttendanceStatus, MaracArea, MaracMeeting, MaracReferral, PartnerAgency

UK = ZoneInfo("Europe/London")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%H:%M")


class VersionForm(Form):
    """A step on a record: the version the page was drawn from, so a lost race is refused."""

    version = forms.IntegerField(widget=forms.HiddenInput)


class ReasonForm(VersionForm):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class CancelForm(VersionForm):
    reason = forms.CharField(
        label=_("Why is the meeting cancelled?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The cases on its agenda go back to the waiting list."),
    )


class ReferralChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: MaracReferral) -> str:
        name = obj.case.display_name or obj.case.reference
        return _("%(name)s, referred %(date)s") % {
            "name": name,
            "date": obj.referred_on.strftime("%-d %b %Y"),
        }


class ListCaseForm(Form):
    """Choose a waiting referral for the agenda. Any referral the chair may see is accepted, so
    that one of another MARAC gets the service's own explanation rather than a bare refusal."""

    referral = ReferralChoiceField(
        label=_("Referral waiting for a meeting"),
        queryset=MaracReferral.objects.none(),
        empty_label=_("Choose a referral"),
        error_messages={
            "invalid_choice": _("Choose a referral from the list: that one was not found."),
            "required": _("Choose a referral to list."),
        },
    )

    def __init__(self, data=None, *, referrals, waiting, **kwargs):
        super().__init__(data, **kwargs)
        field = self.fields["referral"]
        field.queryset = referrals.select_related("case")
        field.widget.choices = [("", field.empty_label)] + [
            (referral.pk, field.label_from_instance(referral)) for referral in waiting
        ]


class MeetingEditForm(VersionForm):
    date = forms.DateField(label=_("Date"), widget=DateInput())
    time = forms.TimeField(label=_("Start time"), widget=TimeInput())
    location = forms.CharField(
        label=_("Where"),
        max_length=200,
        required=False,
        help_text=_("A room or a video-call name. Never a refuge."),
    )
    invited = forms.ModelMultipleChoiceField(
        label=_("Invited agencies"),
        queryset=PartnerAgency.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Invited agencies see the agenda once it is published."),
    )

    def __init__(self, data=None, *, meeting: MaracMeeting):
        starts = timezone.localtime(meeting.starts_at, UK)
        invited = list(meeting.invited.all())
        super().__init__(
            data,
            initial={
                "version": meeting.version,
                "date": starts.date(),
                "time": starts.time().replace(second=0, microsecond=0),
                "location": meeting.location,
                "invited": [agency.pk for agency in invited],
            },
        )
        # An agency that has left the MARAC is only listed while it is still invited.
        self.fields["invited"].queryset = PartnerAgency.objects.filter(
            Q(active=True) | Q(pk__in=[agency.pk for agency in invited]),
            area_id=meeting.area_id,
        )

    def starts_at(self) -> datetime.datetime:
        """In UK time, whatever the time zone of the request."""
        return timezone.make_aware(
            datetime.datetime.combine(self.cleaned_data["date"], self.cleaned_data["time"]), UK
        )


class AttendanceForm(Form):
    agency = forms.ModelChoiceField(
        label=_("Agency"), queryset=PartnerAgency.objects.none(), empty_label=_("Choose an agency")
    )
    person = forms.CharField(label=_("Name"), max_length=150)
    status = forms.ChoiceField(
        label=_("Attendance"),
        choices=AttendanceStatus.choices,
        widget=forms.RadioSelect,
        initial=AttendanceStatus.PRESENT,
    )
    deputy_for = forms.CharField(
        label=_("Deputising for"),
        max_length=150,
        required=False,
        help_text=_("Only for a deputy: the usual representative they stand in for."),
    )

    def __init__(self, data=None, *, area: MaracArea, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["agency"].queryset = area.agencies.all()

    def clean(self):
        data = super().clean()
        if data.get("status") == AttendanceStatus.DEPUTY and not data.get("deputy_for", "").strip():
            self.add_error("deputy_for", _("Say whom the deputy stands in for."))
        return data


class NotesForm(VersionForm):
    notes = forms.CharField(
        label=_("General minutes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Introductions, information-sharing reminders, any other business."),
    )


class DiscussionForm(Form):
    summary = forms.CharField(
        label=_("Discussion summary"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "What the meeting shared and agreed. The person and the perpetrator do not "
            "attend: the caseworker or IDVA speaks for the person."
        ),
    )


class DeferForm(Form):
    reason = forms.CharField(
        label=_("Why is the case deferred?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example, the referrer was not briefed. It can be listed again."),
    )


class ActionForm(Form):
    description = forms.CharField(label=_("Action"), widget=forms.Textarea(attrs={"rows": 3}))
    owner_agency = forms.ModelChoiceField(
        label=_("Agency"), queryset=PartnerAgency.objects.none(), empty_label=_("Choose an agency")
    )
    owner_person = forms.CharField(label=_("Person responsible"), max_length=150)
    due_on = forms.DateField(label=_("Due by"), widget=DateInput())

    def __init__(self, data=None, *, agencies, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["owner_agency"].queryset = agencies


class WithholdForm(VersionForm):
    agencies = forms.ModelMultipleChoiceField(
        label=_("Not shared with"),
        queryset=PartnerAgency.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Agencies that must not see this case on agendas and minutes, for example where "
            "the perpetrator works. Their actions and research on it stay in the record."
        ),
    )

    def __init__(self, data=None, *, agencies, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["agencies"].queryset = agencies


class TransferForm(VersionForm):
    area = forms.ModelChoiceField(
        label=_("Transfer to"), queryset=MaracArea.objects.none(), empty_label=_("Choose a MARAC")
    )
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The earlier minutes and actions go with the case to the new MARAC."),
    )

    def __init__(self, data=None, *, areas, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["area"].queryset = areas
