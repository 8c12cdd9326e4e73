"""What every report is filtered by: a period (both days included), the organisations the
reader may report on, and optionally a team, a jurisdiction, a region and a local authority."""

from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django import forms
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from carepath.forms import DateInput, Form
from carepath.people.models import Jurisdiction


@dataclass(frozen=True)
class ReportFilter:
    since: date
    until: date
    organisations: tuple[int, ...]
    team: int | None = None
    jurisdiction: str = ""
    region: str = ""
    local_authority: str = ""

    def cases_q(self, prefix: str = "") -> Q:
        """The cases the report is about (not yet limited to the period), as a Q on the case
        fields behind ``prefix`` (for example ``"case__"``)."""
        wanted = {"organisation_id__in": self.organisations}
        if self.team:
            wanted["team_id"] = self.team
        if self.jurisdiction:
            wanted["jurisdiction"] = self.jurisdiction
        if self.region:
            wanted["region__iexact"] = self.region
        if self.local_authority:
            wanted["local_authority__iexact"] = self.local_authority
        return Q(**{prefix + key: value for key, value in wanted.items()})

    def period_q(self, field: str) -> Q:
        return Q(**{f"{field}__gte": self.since, f"{field}__lte": self.until})

    @property
    def days(self) -> int:
        return (self.until - self.since).days + 1

    def contains(self, day: date | None) -> bool:
        return day is not None and self.since <= day <= self.until


EARLIEST = date(1900, 1, 1)
LONGEST_YEARS = 10


def period_problem(since: date, until: date, *, today: date) -> str:
    """Why a period cannot be reported on, or "" when it can."""
    latest = today + relativedelta(years=5)
    if since > until:
        return gettext("The end date must be on or after the start date.")
    if since < EARLIEST or until > latest:
        return gettext("Choose dates from %(earliest)s to %(latest)s.") % {
            "earliest": EARLIEST.isoformat(),
            "latest": latest.isoformat(),
        }
    if until >= since + relativedelta(years=LONGEST_YEARS):
        return gettext("Choose a period of at most %(years)d years.") % {"years": LONGEST_YEARS}
    return ""


def default_period(today: date) -> tuple[date, date]:
    """The twelve months up to and including today."""
    return today - relativedelta(years=1) + timedelta(days=1), today


class ReportFilterForm(Form):
    """The filter of a report page. Organisations and teams are those the reader may report
    on; regions and local authorities are those found in their records."""

    organisation = forms.TypedChoiceField(label=_("Organisation"), coerce=int, required=False)
    team = forms.TypedChoiceField(label=_("Team"), coerce=int, required=False, empty_value=None)
    jurisdiction = forms.ChoiceField(label=_("Jurisdiction"), required=False)
    region = forms.ChoiceField(label=_("Region"), required=False)
    local_authority = forms.ChoiceField(label=_("Local authority"), required=False)

    def __init__(self, *args, organisations, teams, regions, local_authorities, today, **kwargs):
        super().__init__(*args, **kwargs)
        since, until = default_period(today)
        # "from" is a Python keyword: the date fields are added here.
        self.fields = {
            "from": forms.DateField(
                label=_("From"), widget=DateInput(), initial=since, required=False
            ),
            "to": forms.DateField(label=_("To"), widget=DateInput(), initial=until, required=False),
            **self.fields,
        }
        self.default_period = (since, until)
        self.today = today
        self._organisations = list(organisations)
        self.fields["organisation"].choices = [
            (organisation.pk, organisation.name) for organisation in self._organisations
        ]
        if len(self._organisations) > 1:
            self.fields["organisation"].choices.insert(0, ("", _("Every organisation")))
        self.fields["team"].choices = [
            ("", _("Every team")),
            *((team.pk, team.name) for team in teams),
        ]
        self.fields["jurisdiction"].choices = [("", _("Every jurisdiction")), *Jurisdiction.choices]
        self.fields["region"].choices = [("", _("Every region")), *((r, r) for r in regions)]
        self.fields["local_authority"].choices = [
            ("", _("Every local authority")),
            *((la, la) for la in local_authorities),
        ]
        self._team_organisation = {team.pk: team.organisation_id for team in teams}

    def clean(self):
        data = super().clean()
        since = data.get("from") or self.default_period[0]
        until = data.get("to") or self.default_period[1]
        problem = period_problem(since, until, today=self.today)
        if problem:
            self.add_error("to", problem)
        team = data.get("team")
        organisation = data.get("organisation")
        if team and organisation and self._team_organisation.get(team) != organisation:
            self.add_error("team", gettext("That team is not in the organisation chosen."))
        data["from"], data["to"] = since, until
        return data

    def report_filter(self) -> ReportFilter:
        """The filter asked for; the default one when the form was not filled in."""
        data = self.cleaned_data if self.is_bound else {}
        since = data.get("from") or self.default_period[0]
        until = data.get("to") or self.default_period[1]
        chosen = data.get("organisation")
        organisations = tuple(
            organisation.pk
            for organisation in self._organisations
            if not chosen or organisation.pk == chosen
        )
        return ReportFilter(
            since=since,
            until=until,
            organisations=organisations,
            team=data.get("team"),
            jurisdiction=data.get("jurisdiction", ""),
            region=data.get("region", ""),
            local_authority=data.get("local_authority", ""),
        )
