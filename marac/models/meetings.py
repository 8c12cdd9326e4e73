"""MARACs: areas and their partner agencies, referrals, meetings, agendas, minutes and actions.

A referral moves `referred` -> `listed` (on a meeting's agenda) -> `heard` -> `closed`, with
`deferred` (referrer not briefed) and `transferred` (the person moved to another MARAC area; the
new referral keeps a link back, so earlier minutes and actions go with it). A meeting moves
`scheduled` -> `agenda_published` -> `held` -> `minutes_approved`, or `cancelled`. Approved
minutes are locked. An action moves `open` -> `done` | `not_possible` | `not_undertaken`.
"""

from datetime import timedelta

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition
from simple_history.models import HistoricalRecords

from carepath import crypto
from carepath.pathway import VersionedModel, condition


class AgencyKind(models.TextChoices):
    POLICE = "police", _("Police")
    IDVA = "idva", _("IDVA or specialist domestic abuse service")
    ANTI_TRAFFICKING = "anti_trafficking", _("Anti-trafficking or modern slavery service")
    CHILDRENS_SOCIAL_CARE = "childrens_social_care", _("Children's social care")
    ADULT_SOCIAL_CARE = "adult_social_care", _("Adult social care")
    HEALTH = "health", _("Health")
    MENTAL_HEALTH = "mental_health", _("Mental health")
    HOUSING = "housing", _("Housing")
    PROBATION = "probation", _("Probation")
    EDUCATION = "education", _("Education")
    SUBSTANCE_MISUSE = "substance_misuse", _("Drug and alcohol service")
    OTHER = "other", _("Other")


class MaracArea(models.Model):
    """One MARAC's settings."""

    organisation = models.ForeignKey(
        "people.Organisation", on_delete=models.PROTECT, related_name="marac_areas"
    )
    name = models.CharField(_("name"), max_length=120)
    escalation_incidents = models.PositiveSmallIntegerField(
        _("potential escalation: police-reported incidents in 12 months"), default=3
    )
    agenda_days_before = models.PositiveSmallIntegerField(
        _("agenda goes out this many days before a meeting"), default=7
    )
    meets_every_days = models.PositiveSmallIntegerField(_("meets every (days)"), default=28)
    default_location = models.CharField(
        _("usual meeting place"),
        max_length=200,
        blank=True,
        help_text=_("A room or a video-call name. Never a refuge."),
    )
    retention_years = models.PositiveSmallIntegerField(
        _("keep referrals for (years after the last meeting)"),
        null=True,
        blank=True,
        help_text=_("Leave blank to use the organisation's default retention schedule."),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PartnerAgency(models.Model):
    """An agency that sits on a MARAC. Its members are the partner users who act for it."""

    area = models.ForeignKey(MaracArea, on_delete=models.PROTECT, related_name="agencies")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind of agency"), max_length=30, choices=AgencyKind.choices)
    members = models.ManyToManyField(
        "people.User", related_name="marac_agencies", blank=True, verbose_name=_("members")
    )
    active = models.BooleanField(
        _("sits on the MARAC"),
        default=True,
        help_text=_("An agency that has left is kept for past minutes but no longer invited."),
    )
    history = HistoricalRecords(m2m_fields=[members])

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "partner agencies"
        constraints = [
            models.UniqueConstraint(fields=["area", "name"], name="partner_agency_name_unique")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def organisation_id(self):
        return self.area.organisation_id


CRITERIA_LABELS = {
    "visible_high_risk": _("Visible high risk"),
    "professional_judgement": _("Professional judgement"),
    "potential_escalation": _("Potential escalation"),
    "repeat": _("Repeat"),
}


class ReferralState(models.TextChoices):
    REFERRED = "referred", _("Referred")
    LISTED = "listed", _("Listed for a meeting")
    HEARD = "heard", _("Heard")
    DEFERRED = "deferred", _("Deferred")
    TRANSFERRED = "transferred", _("Transferred")
    CLOSED = "closed", _("Closed")


# A referral in these states is still to be heard: the case is not referred there again.
AWAITING_HEARING = (ReferralState.REFERRED, ReferralState.LISTED, ReferralState.DEFERRED)


def _no_open_actions(referral) -> bool:
    return not MaracAction.objects.filter(
        meeting_case__referral=referral, state=ActionState.OPEN
    ).exists()


def _not_at_a_meeting_under_way(referral) -> bool:
    return not referral.listings.filter(meeting__state=MeetingState.HELD).exists()


class MaracReferral(VersionedModel):
    """A case referred to a MARAC, with the criteria it met when referred."""

    case = models.ForeignKey(
        "casework.Case", on_delete=models.PROTECT, related_name="marac_referrals"
    )
    area = models.ForeignKey(MaracArea, on_delete=models.PROTECT, related_name="referrals")
    state = FSMField(
        _("state"), default=ReferralState.REFERRED, choices=ReferralState.choices, protected=True
    )
    referred_on = models.DateField(_("referred on"))
    assessment = models.ForeignKey(
        "marac.RiskAssessment", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    criteria = models.JSONField(_("criteria met"), default=list)
    is_repeat = models.BooleanField(_("repeat referral"), default=False)
    referred_by = models.ForeignKey("people.User", on_delete=models.PROTECT, related_name="+")
    referring_agency = models.CharField(
        _("referring agency"), max_length=30, choices=AgencyKind.choices
    )
    survivor_knows = models.BooleanField(_("the person knows of the referral"), default=False)
    survivor_consents = models.BooleanField(_("the person consents to the referral"), default=False)
    without_consent_reason = models.TextField(
        _("why it is shared without consent"),
        blank=True,
        help_text=_("Needed when the person has not consented: the risk that justifies it."),
    )
    safe_contact = crypto.EncryptedTextField(
        _("how to contact the person safely"),
        blank=True,
        help_text=_("Shared with the MARAC: only what partners need to reach them safely."),
    )
    fears = models.TextField(_("who the person fears"), blank=True)
    perpetrators = models.TextField(_("perpetrator(s)"), blank=True)
    children_in_household = models.PositiveSmallIntegerField(
        _("children in the household"), default=0
    )
    withheld_from = models.ManyToManyField(
        PartnerAgency,
        blank=True,
        related_name="withheld_referrals",
        verbose_name=_("not shared with"),
        help_text=_(
            "Agencies that must not see this case, for example where the perpetrator works."
        ),
    )
    transferred_from = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transfers",
        verbose_name=_("transferred from"),
    )
    state_reason = models.TextField(_("reason"), blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-referred_on", "-pk"]
        indexes = [models.Index(fields=["area", "state"])]

    def __str__(self) -> str:
        return f"MARAC referral #{self.pk}"

    @property
    def audit_label(self) -> str:
        return f"MARAC referral #{self.pk}"

    @property
    def organisation_id(self):
        return self.area.organisation_id

    @property
    def criteria_labels(self) -> list[str]:
        return [str(CRITERIA_LABELS.get(c, c)) for c in self.criteria]

    @transition(
        field=state,
        source=[ReferralState.REFERRED, ReferralState.DEFERRED],
        target=ReferralState.LISTED,
        custom={"label": _("List for a meeting"), "hidden": True},
    )
    def list_for_meeting(self):
        self.state_reason = ""

    @transition(
        field=state,
        source=ReferralState.LISTED,
        target=ReferralState.REFERRED,
        custom={"label": _("Take off the agenda"), "hidden": True},
    )
    def unlist(self):
        pass

    @transition(
        field=state,
        # From deferred only at the same meeting, when the deferral was a mistake.
        source=[ReferralState.LISTED, ReferralState.DEFERRED],
        target=ReferralState.HEARD,
        custom={"label": _("Heard"), "hidden": True},
    )
    def hear(self):
        pass

    @transition(
        field=state,
        source=[ReferralState.REFERRED, ReferralState.LISTED],
        target=ReferralState.DEFERRED,
        custom={"label": _("Defer"), "form": "reason"},
    )
    def defer(self, *, reason: str):
        self.state_reason = reason

    @transition(
        field=state,
        source=ReferralState.HEARD,
        target=ReferralState.CLOSED,
        conditions=[
            condition(_("Every action on this case must be resolved before it closes."))(
                _no_open_actions
            ),
            condition(_("Wait until the minutes of the meeting under way are approved."))(
                _not_at_a_meeting_under_way
            ),
        ],
        custom={"label": _("Close"), "form": "reason"},
    )
    def close(self, *, reason: str, on):
        self.state_reason = reason
        self.closed_on = on

    @transition(
        field=state,
        # A case on an agenda is taken off it (or deferred at the meeting) before it moves.
        source=[ReferralState.REFERRED, ReferralState.DEFERRED, ReferralState.HEARD],
        target=ReferralState.TRANSFERRED,
        conditions=[
            condition(_("Wait until the minutes of the meeting under way are approved."))(
                _not_at_a_meeting_under_way
            )
        ],
        custom={"label": _("Transfer to another MARAC"), "form": "transfer"},
    )
    def transfer(self, *, reason: str):
        self.state_reason = reason


class MeetingState(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    AGENDA_PUBLISHED = "agenda_published", _("Agenda published")
    HELD = "held", _("Held")
    MINUTES_APPROVED = "minutes_approved", _("Minutes approved")
    CANCELLED = "cancelled", _("Cancelled")


# Partners see a meeting from the moment its agenda is circulated.
PUBLISHED_STATES = (
    MeetingState.AGENDA_PUBLISHED,
    MeetingState.HELD,
    MeetingState.MINUTES_APPROVED,
)


def _has_business(meeting) -> bool:
    return meeting.cases.exists()


def _has_started(meeting) -> bool:
    return timezone.localdate() >= timezone.localtime(meeting.starts_at).date()


def _attendance_recorded(meeting) -> bool:
    return meeting.attendance.exists()


def _every_case_decided(meeting) -> bool:
    return not meeting.cases.filter(outcome="").exists()


class MaracMeeting(VersionedModel):
    area = models.ForeignKey(MaracArea, on_delete=models.PROTECT, related_name="meetings")
    starts_at = models.DateTimeField(_("date and time"))
    location = models.CharField(_("where"), max_length=200, blank=True)
    state = FSMField(
        _("state"), default=MeetingState.SCHEDULED, choices=MeetingState.choices, protected=True
    )
    invited = models.ManyToManyField(
        PartnerAgency, related_name="meetings", blank=True, verbose_name=_("invited agencies")
    )
    # Open actions from earlier meetings, fixed when the agenda is published so that the
    # agenda and the minutes show what was reviewed even after the actions change.
    reviewed_actions = models.ManyToManyField(
        "marac.MaracAction", related_name="reviewed_at", blank=True
    )
    notes = models.TextField(
        _("general minutes"),
        blank=True,
        help_text=_("Introductions, information-sharing reminders, any other business."),
    )
    agenda_published_at = models.DateTimeField(null=True, blank=True)
    held_at = models.DateTimeField(null=True, blank=True)
    minutes_approved_at = models.DateTimeField(null=True, blank=True)
    minutes_approved_by = models.ForeignKey(
        "people.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cancelled_reason = models.TextField(_("why cancelled"), blank=True)
    created_by = models.ForeignKey("people.User", on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords(m2m_fields=[invited])

    class Meta:
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["area", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.area} {timezone.localtime(self.starts_at):%-d %b %Y}"

    @property
    def audit_label(self) -> str:
        return f"MARAC meeting #{self.pk}"

    @property
    def organisation_id(self):
        return self.area.organisation_id

    @property
    def agenda_due_on(self):
        """The day the agenda should go out by, from the area's setting."""
        return timezone.localtime(self.starts_at).date() - timedelta(
            days=self.area.agenda_days_before
        )

    @property
    def minutes_locked(self) -> bool:
        return self.state in (MeetingState.MINUTES_APPROVED, MeetingState.CANCELLED)

    @transition(
        field=state,
        source=MeetingState.SCHEDULED,
        target=MeetingState.AGENDA_PUBLISHED,
        conditions=[condition(_("List at least one case first."))(_has_business)],
        custom={"label": _("Publish the agenda")},
    )
    def publish_agenda(self):
        self.agenda_published_at = timezone.now()

    @transition(
        field=state,
        source=MeetingState.AGENDA_PUBLISHED,
        target=MeetingState.HELD,
        conditions=[condition(_("The meeting has not started yet."))(_has_started)],
        custom={"label": _("Start the meeting")},
    )
    def hold(self):
        self.held_at = timezone.now()

    @transition(
        field=state,
        source=MeetingState.HELD,
        target=MeetingState.MINUTES_APPROVED,
        conditions=[
            condition(_("Record who attended first."))(_attendance_recorded),
            condition(_("Every case on the agenda must be heard or deferred first."))(
                _every_case_decided
            ),
        ],
        custom={"label": _("Approve the minutes")},
    )
    def approve_minutes(self, *, approver):
        self.minutes_approved_at = timezone.now()
        self.minutes_approved_by = approver

    @transition(
        field=state,
        source=[MeetingState.SCHEDULED, MeetingState.AGENDA_PUBLISHED],
        target=MeetingState.CANCELLED,
        custom={"label": _("Cancel the meeting"), "form": "reason"},
    )
    def cancel(self, *, reason: str):
        self.cancelled_reason = reason


class CaseOutcome(models.TextChoices):
    HEARD = "heard", _("Heard")
    DEFERRED = "deferred", _("Deferred")


class MeetingCase(models.Model):
    """A referral on a meeting's agenda, and what the meeting said about it."""

    meeting = models.ForeignKey(MaracMeeting, on_delete=models.PROTECT, related_name="cases")
    referral = models.ForeignKey(MaracReferral, on_delete=models.PROTECT, related_name="listings")
    position = models.PositiveSmallIntegerField(_("order on the agenda"), default=0)
    outcome = models.CharField(_("outcome"), max_length=10, choices=CaseOutcome.choices, blank=True)
    summary = models.TextField(
        _("discussion summary"),
        blank=True,
        help_text=_(
            "What the meeting shared and agreed. The person and the perpetrator do not "
            "attend: the caseworker or IDVA speaks for the person."
        ),
    )
    deferred_reason = models.TextField(_("why deferred"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "referral"], name="meeting_case_unique")
        ]

    def __str__(self) -> str:
        return f"agenda item #{self.pk}"

    @property
    def audit_label(self) -> str:
        return f"MARAC agenda item #{self.pk}"

    @property
    def organisation_id(self):
        return self.meeting.organisation_id


class AgencyResearch(models.Model):
    """What one agency found about one case before the meeting. The chair sees all of it; an
    agency sees its own."""

    meeting_case = models.ForeignKey(MeetingCase, on_delete=models.PROTECT, related_name="research")
    agency = models.ForeignKey(PartnerAgency, on_delete=models.PROTECT, related_name="research")
    nothing_held = models.BooleanField(_("this agency holds no information"), default=False)
    findings = models.TextField(_("what this agency knows"), blank=True)
    recorded_by = models.ForeignKey("people.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["agency__name", "pk"]
        verbose_name_plural = "agency research"
        constraints = [
            models.UniqueConstraint(
                fields=["meeting_case", "agency"], name="agency_research_unique"
            )
        ]

    def __str__(self) -> str:
        return f"research #{self.pk}"

    @property
    def organisation_id(self):
        return self.agency.organisation_id


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Present")
    APOLOGIES = "apologies", _("Apologies")
    DEPUTY = "deputy", _("Deputy")


class Attendance(models.Model):
    meeting = models.ForeignKey(MaracMeeting, on_delete=models.PROTECT, related_name="attendance")
    agency = models.ForeignKey(PartnerAgency, on_delete=models.PROTECT, related_name="+")
    person = models.CharField(_("name"), max_length=150)
    status = models.CharField(_("attendance"), max_length=10, choices=AttendanceStatus.choices)
    deputy_for = models.CharField(
        _("deputising for"),
        max_length=150,
        blank=True,
        help_text=_("When someone attends in place of the agency's usual representative."),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["agency__name", "person", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "agency", "person"], name="attendance_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.agency})"

    @property
    def organisation_id(self):
        return self.meeting.organisation_id


class ActionState(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    NOT_POSSIBLE = "not_possible", _("Not possible (change in circumstance)")
    NOT_UNDERTAKEN = "not_undertaken", _("Not undertaken")


@condition(_("The action is resolved once the minutes that set it are approved."))
def _agreed(action) -> bool:
    return action.agreed


class MaracAction(VersionedModel):
    """An action from a case's action plan, owned by one agency and person."""

    meeting_case = models.ForeignKey(MeetingCase, on_delete=models.PROTECT, related_name="actions")
    description = models.TextField(_("action"))
    owner_agency = models.ForeignKey(
        PartnerAgency, on_delete=models.PROTECT, related_name="actions", verbose_name=_("agency")
    )
    owner_person = models.CharField(_("person responsible"), max_length=150)
    due_on = models.DateField(_("due by"))
    state = FSMField(
        _("state"), default=ActionState.OPEN, choices=ActionState.choices, protected=True
    )
    outcome = models.TextField(_("outcome or reason"), blank=True)
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        "people.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey("people.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["owner_agency", "state"])]

    def __str__(self) -> str:
        return f"MARAC action #{self.pk}"

    @property
    def audit_label(self) -> str:
        return f"MARAC action #{self.pk}"

    @property
    def organisation_id(self):
        return self.owner_agency.organisation_id

    def is_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.state == ActionState.OPEN and self.due_on < today

    @property
    def agreed(self) -> bool:
        """Set at a meeting whose minutes are approved: until then it is a draft the chair may
        still take back, and nobody else sees it."""
        return self.meeting_case.meeting.state == MeetingState.MINUTES_APPROVED

    def _resolve(self, *, resolver, outcome: str, on):
        self.outcome = outcome
        self.resolved_by = resolver
        self.resolved_on = on

    @transition(
        field=state,
        source=ActionState.OPEN,
        target=ActionState.DONE,
        conditions=[_agreed],
        custom={"label": _("Done"), "form": "outcome"},
    )
    def complete(self, *, resolver, outcome: str, on):
        self._resolve(resolver=resolver, outcome=outcome, on=on)

    @transition(
        field=state,
        source=ActionState.OPEN,
        target=ActionState.NOT_POSSIBLE,
        conditions=[_agreed],
        custom={"label": _("Not possible"), "form": "reason"},
    )
    def mark_not_possible(self, *, resolver, outcome: str, on):
        self._resolve(resolver=resolver, outcome=outcome, on=on)

    @transition(
        field=state,
        source=ActionState.OPEN,
        target=ActionState.NOT_UNDERTAKEN,
        conditions=[_agreed],
        custom={"label": _("Not undertaken"), "form": "reason"},
    )
    def mark_not_undertaken(self, *, resolver, outcome: str, on):
        self._resolve(resolver=resolver, outcome=outcome, on=on)
