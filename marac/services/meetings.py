"""Writes for running a MARAC: areas and agencies, the meeting schedule, agendas, attendance,
case discussions, minutes, and referrals moving through them."""

from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from carepath import policy
from carepath.audit import timeline
from carepath.pathway import PathwayError, lock, run_transition
from carepath.people.models import Role, User
from carepath.sms.services import reminders_cancel_for
from marac.models import (
    AWAITING_HEARING,
    ActionState,
    AgencyResearch,
    Attendance,
    CaseOutcome,
    MaracAction,
    MaracArea,
    MaracMeeting,
    MaracReferral,
    MeetingCase,
    MeetingState,
    PartnerAgency,
    ReferralState,
)
from marac.selectors.meetings import action_agencies_for, actions_to_review
from marac.services.risk import withheld_set

AREA_FIELDS = (
    "name",
    "escalation_incidents",
    "agenda_days_before",
    "meets_every_days",
    "default_location",
)
# At most a year of meetings is scheduled at once, starting within two years.
MAX_SCHEDULED = 26
HORIZON = timedelta(days=2 * 366)


def _save(obj, by: User) -> None:
    obj._history_user = by
    obj.save()


# --- Areas and partner agencies -----------------------------------------------------------------


def _area_values(values: dict) -> dict:
    values = {key: values[key] for key in AREA_FIELDS if key in values}
    if "name" in values:
        values["name"] = values["name"].strip()
        if not values["name"]:
            raise PathwayError(_("Give the MARAC a name."))
    if values.get("escalation_incidents") is not None and values["escalation_incidents"] < 1:
        raise PathwayError(_("Potential escalation needs at least one incident."))
    if values.get("meets_every_days") is not None and values["meets_every_days"] < 7:
        raise PathwayError(_("A MARAC meets at most once a week."))
    return values


@transaction.atomic
def marac_area_create(*, by: User, values: dict) -> MaracArea:
    policy.require(by, "marac.area.manage")
    area = MaracArea(organisation_id=by.organisation_id, **_area_values(values))
    _save(area, by)
    return area


@transaction.atomic
def marac_area_update(*, by: User, area: MaracArea, values: dict) -> MaracArea:
    policy.require(by, "marac.area.manage", area)
    for key, value in _area_values(values).items():
        setattr(area, key, value)
    _save(area, by)
    return area


def _check_members(area: MaracArea, members) -> list[User]:
    members = list(members)
    for member in members:
        if member.organisation_id != area.organisation_id or not member.has_role(
            Role.MARAC_PARTNER
        ):
            raise PathwayError(
                _("%(name)s is not a MARAC partner user of this organisation.") % {"name": member}
            )
    return members


@transaction.atomic
def partner_agency_save(
    *,
    by: User,
    area: MaracArea,
    agency: PartnerAgency | None = None,
    name: str,
    kind: str,
    active: bool = True,
    members=(),
) -> PartnerAgency:
    """Add an agency to a MARAC, or change one: its name, kind, whether it still sits on the
    MARAC, and the partner users who act for it."""
    policy.require(by, "marac.area.manage", area)
    name = name.strip()
    if not name:
        raise PathwayError(_("Give the agency a name."))
    if agency is not None and agency.area_id != area.pk:
        raise PathwayError(_("This agency sits on another MARAC."))
    if (
        PartnerAgency.objects.filter(area=area, name__iexact=name)
        .exclude(pk=getattr(agency, "pk", None))
        .exists()
    ):
        raise PathwayError(_("This MARAC already has an agency of that name."))
    members = _check_members(area, members)
    agency = agency or PartnerAgency(area=area)
    agency.name, agency.kind, agency.active = name, kind, active
    _save(agency, by)
    agency.members.set(members)
    return agency


# --- The schedule ---------------------------------------------------------------------------


def _check_when(starts_at: datetime) -> None:
    now = timezone.now()
    if starts_at <= now:
        raise PathwayError(_("A meeting must be in the future."))
    if starts_at > now + HORIZON:
        raise PathwayError(_("A meeting can be scheduled up to two years ahead."))


def _days_taken(area: MaracArea, *, leaving_out: MaracMeeting | None = None) -> set[date]:
    meetings = area.meetings.exclude(state=MeetingState.CANCELLED)
    if leaving_out is not None:
        meetings = meetings.exclude(pk=leaving_out.pk)
    return {
        timezone.localtime(starts_at).date()
        for starts_at in meetings.values_list("starts_at", flat=True)
    }


@transaction.atomic
def marac_meetings_schedule(
    *,
    by: User,
    area: MaracArea,
    first_starts_at: datetime,
    count: int = 1,
    location: str = "",
) -> list[MaracMeeting]:
    """Schedule a meeting, or a series at the area's interval. Every agency sitting on the MARAC
    is invited. A day that already has a meeting of this MARAC is skipped."""
    policy.require(by, "marac.meeting.manage", area)
    if not 1 <= count <= MAX_SCHEDULED:
        raise PathwayError(
            _("Schedule from 1 to %(max)s meetings at a time.") % {"max": MAX_SCHEDULED}
        )
    _check_when(first_starts_at)
    location = location.strip() or area.default_location
    agencies = list(area.agencies.filter(active=True))
    taken = _days_taken(area)
    created = []
    for number in range(count):
        starts_at = first_starts_at + timedelta(days=area.meets_every_days * number)
        if timezone.localtime(starts_at).date() in taken:
            continue
        meeting = MaracMeeting(area=area, starts_at=starts_at, location=location, created_by=by)
        _save(meeting, by)
        meeting.invited.set(agencies)
        created.append(meeting)
    if not created:
        raise PathwayError(_("This MARAC already meets on each of those days."))
    return created


@transaction.atomic
def marac_meeting_update(
    *, by: User, meeting: MaracMeeting, expected_version: int, starts_at: datetime, location: str
) -> MaracMeeting:
    """Move a meeting or change where it is held, before it is held."""
    policy.require(by, "marac.meeting.manage", meeting)
    lock(meeting, expected_version=expected_version, by=by)
    if meeting.state not in (MeetingState.SCHEDULED, MeetingState.AGENDA_PUBLISHED):
        raise PathwayError(_("Only a meeting that has not been held can be moved."))
    _check_when(starts_at)
    if timezone.localtime(starts_at).date() in _days_taken(meeting.area, leaving_out=meeting):
        raise PathwayError(_("This MARAC already meets on that day."))
    meeting.starts_at, meeting.location = starts_at, location.strip()
    meeting.save()
    return meeting


@transaction.atomic
def marac_meeting_invite(
    *, by: User, meeting: MaracMeeting, agencies, expected_version: int
) -> MaracMeeting:
    policy.require(by, "marac.meeting.manage", meeting)
    lock(meeting, expected_version=expected_version, by=by)
    if meeting.minutes_locked or meeting.state == MeetingState.HELD:
        raise PathwayError(_("Invitations can only change before the meeting."))
    agencies = list(agencies)
    if any(agency.area_id != meeting.area_id for agency in agencies):
        raise PathwayError(_("Only agencies of this MARAC can be invited."))
    meeting.invited.set(agencies)
    meeting.save()
    return meeting


# --- The agenda --------------------------------------------------------------------------------


def _case_event(referral: MaracReferral, *, by: User, kind: str, **detail) -> None:
    timeline.record(referral.case, by=by, kind=kind, detail={"referral": referral.pk, **detail})


@transaction.atomic
def marac_meeting_list_case(
    *, by: User, meeting: MaracMeeting, referral: MaracReferral
) -> MeetingCase:
    """Put a waiting referral on a meeting's agenda. A case added after the agenda went out is a
    late item: the invited agencies see it at once."""
    policy.require(by, "marac.meeting.manage", meeting)
    if referral.area_id != meeting.area_id:
        raise PathwayError(_("The case was referred to another MARAC."))
    if meeting.state not in (MeetingState.SCHEDULED, MeetingState.AGENDA_PUBLISHED):
        raise PathwayError(_("Cases can only be listed before the meeting is held."))
    run_transition(referral, "list_for_meeting", by=by, permission="marac.referral.manage")
    position = (meeting.cases.aggregate(last=Max("position"))["last"] or 0) + 1
    try:
        with transaction.atomic():
            item = MeetingCase(meeting=meeting, referral=referral, position=position)
            _save(item, by)
    except IntegrityError as error:
        raise PathwayError(_("This case is already on this meeting's agenda.")) from error
    _case_event(referral, by=by, kind="marac.listed", meeting=meeting.pk)
    return item


@transaction.atomic
def marac_meeting_unlist_case(*, by: User, item: MeetingCase) -> None:
    """Take a case off an agenda before the meeting; it waits for the next one."""
    meeting = item.meeting
    policy.require(by, "marac.meeting.manage", meeting)
    if meeting.state not in (MeetingState.SCHEDULED, MeetingState.AGENDA_PUBLISHED):
        raise PathwayError(_("A case can only be taken off the agenda before the meeting."))
    if item.research.exists():
        raise PathwayError(
            _("Agencies have recorded research on this case: defer it at the meeting instead.")
        )
    referral = item.referral
    run_transition(referral, "unlist", by=by, permission="marac.referral.manage")
    item.delete()
    _case_event(referral, by=by, kind="marac.unlisted", meeting=meeting.pk)


@transaction.atomic
def marac_meeting_publish_agenda(
    *, by: User, meeting: MaracMeeting, expected_version: int | None = None
) -> MaracMeeting:
    """Circulate the case list to the invited agencies. Open actions from earlier meetings are
    fixed on the agenda for review."""
    run_transition(
        meeting,
        "publish_agenda",
        by=by,
        permission="marac.meeting.manage",
        expected_version=expected_version,
    )
    meeting.reviewed_actions.set(actions_to_review(meeting))
    for item in meeting.cases.select_related("referral__case"):
        _case_event(item.referral, by=by, kind="marac.agenda_published", meeting=meeting.pk)
    from marac.services.actions import agenda_published_notify

    agenda_published_notify(meeting=meeting)
    return meeting


@transaction.atomic
def marac_meeting_hold(
    *, by: User, meeting: MaracMeeting, expected_version: int | None = None
) -> MaracMeeting:
    run_transition(
        meeting, "hold", by=by, permission="marac.meeting.manage", expected_version=expected_version
    )
    return meeting


@transaction.atomic
def marac_meeting_cancel(
    *, by: User, meeting: MaracMeeting, reason: str, expected_version: int | None = None
) -> MaracMeeting:
    """Cancel a meeting; its cases wait for the next one."""
    reason = reason.strip()
    if not reason:
        raise PathwayError(_("Say why the meeting is cancelled."))
    run_transition(
        meeting,
        "cancel",
        by=by,
        permission="marac.meeting.manage",
        expected_version=expected_version,
        reason=reason,
    )
    for item in meeting.cases.filter(referral__state=ReferralState.LISTED).select_related(
        "referral__case"
    ):
        run_transition(item.referral, "unlist", by=by, permission="marac.referral.manage")
        _case_event(item.referral, by=by, kind="marac.unlisted", meeting=meeting.pk)
    return meeting


@transaction.atomic
def marac_meeting_approve_minutes(
    *, by: User, meeting: MaracMeeting, expected_version: int | None = None
) -> MaracMeeting:
    """Approve the minutes. From now on they are locked."""
    run_transition(
        meeting,
        "approve_minutes",
        by=by,
        permission="marac.meeting.manage",
        expected_version=expected_version,
        approver=by,
    )
    return meeting


def _editable_minutes(by: User, meeting: MaracMeeting) -> None:
    policy.require(by, "marac.meeting.manage", meeting)
    if meeting.state != MeetingState.HELD:
        if meeting.minutes_locked:
            raise PathwayError(_("The minutes are approved and locked."))
        raise PathwayError(_("Start the meeting first."))


@transaction.atomic
def marac_meeting_notes_update(
    *, by: User, meeting: MaracMeeting, notes: str, expected_version: int
) -> MaracMeeting:
    _editable_minutes(by, meeting)
    lock(meeting, expected_version=expected_version, by=by)
    meeting.notes = notes.strip()
    meeting.save()
    return meeting


# --- At the meeting -----------------------------------------------------------------------------


@transaction.atomic
def attendance_record(
    *,
    by: User,
    meeting: MaracMeeting,
    agency: PartnerAgency,
    person: str,
    status: str,
    deputy_for: str = "",
) -> Attendance:
    """Who came, who sent apologies, and who deputised. Recorded on the day, until the minutes
    are approved."""
    policy.require(by, "marac.meeting.manage", meeting)
    if meeting.state not in (MeetingState.AGENDA_PUBLISHED, MeetingState.HELD):
        raise PathwayError(_("Attendance is recorded once the agenda is out, until approval."))
    if agency.area_id != meeting.area_id:
        raise PathwayError(_("Choose an agency of this MARAC."))
    person = person.strip()
    if not person:
        raise PathwayError(_("Give the person's name."))
    if status == "deputy" and not deputy_for.strip():
        raise PathwayError(_("Say whom the deputy stands in for."))
    if status != "deputy":
        deputy_for = ""
    existing = Attendance.objects.filter(
        meeting=meeting, agency=agency, person__iexact=person
    ).first()
    attendance = existing or Attendance(meeting=meeting, agency=agency)
    attendance.person, attendance.status, attendance.deputy_for = person, status, deputy_for.strip()
    _save(attendance, by)
    return attendance


@transaction.atomic
def attendance_remove(*, by: User, attendance: Attendance) -> None:
    meeting = attendance.meeting
    policy.require(by, "marac.meeting.manage", meeting)
    if meeting.state not in (MeetingState.AGENDA_PUBLISHED, MeetingState.HELD):
        raise PathwayError(_("The minutes are approved and locked."))
    attendance.delete()


def _latest_listing(item: MeetingCase) -> None:
    """A case listed again at a later meeting is decided there, not here."""
    later = item.referral.listings.exclude(pk=item.pk).filter(
        meeting__starts_at__gte=item.meeting.starts_at
    )
    if later.exclude(meeting__state=MeetingState.CANCELLED).exists():
        raise PathwayError(_("This case is on a later meeting's agenda: it is decided there."))


@transaction.atomic
def meeting_case_hear(*, by: User, item: MeetingCase, summary: str) -> MeetingCase:
    """Record the discussion of a case at the meeting. The referral becomes heard; the summary
    can be corrected until the minutes are approved."""
    _editable_minutes(by, item.meeting)
    summary = summary.strip()
    if not summary:
        raise PathwayError(_("Write a summary of the discussion."))
    referral = item.referral
    _latest_listing(item)
    if item.outcome != CaseOutcome.HEARD:
        if referral.state not in (ReferralState.LISTED, ReferralState.DEFERRED):
            raise PathwayError(
                _("This case is no longer waiting to be heard (it is “%(state)s”).")
                % {"state": referral.get_state_display()}
            )
        run_transition(referral, "hear", by=by, permission="marac.referral.manage")
        _case_event(referral, by=by, kind="marac.heard", meeting=item.meeting_id)
    item.outcome, item.summary, item.deferred_reason = CaseOutcome.HEARD, summary, ""
    _save(item, by)
    return item


@transaction.atomic
def meeting_case_defer(*, by: User, item: MeetingCase, reason: str) -> MeetingCase:
    """Defer a case at the meeting (for example, the referrer was not briefed). It can be listed
    again for a later meeting."""
    _editable_minutes(by, item.meeting)
    reason = reason.strip()
    if not reason:
        raise PathwayError(_("Say why the case is deferred."))
    if item.outcome == CaseOutcome.HEARD:
        raise PathwayError(_("This case has been heard; correct its summary instead."))
    if item.actions.exists():
        raise PathwayError(_("This case has actions: it was heard, not deferred."))
    _latest_listing(item)
    referral = item.referral
    if item.outcome != CaseOutcome.DEFERRED:
        run_transition(referral, "defer", by=by, permission="marac.referral.manage", reason=reason)
        _case_event(referral, by=by, kind="marac.deferred", meeting=item.meeting_id)
    item.outcome, item.deferred_reason = CaseOutcome.DEFERRED, reason
    _save(item, by)
    return item


@transaction.atomic
def marac_action_create(
    *,
    by: User,
    item: MeetingCase,
    description: str,
    owner_agency: PartnerAgency,
    owner_person: str,
    due_on: date,
) -> MaracAction:
    """Add an action to a heard case's action plan."""
    _editable_minutes(by, item.meeting)
    if item.outcome != CaseOutcome.HEARD:
        raise PathwayError(_("Record the discussion of the case before its actions."))
    if item.referral.state != ReferralState.HEARD:
        raise PathwayError(
            _("The referral is “%(state)s”: actions are set on a heard case.")
            % {"state": item.referral.get_state_display()}
        )
    if owner_agency not in action_agencies_for(item):
        raise PathwayError(
            _("Choose an agency invited to this meeting that the case is shared with.")
        )
    description, owner_person = description.strip(), owner_person.strip()
    if not description or not owner_person:
        raise PathwayError(_("Say what is to be done and who will do it."))
    if due_on < timezone.localtime(item.meeting.starts_at).date():
        raise PathwayError(_("An action cannot be due before the meeting that set it."))
    action = MaracAction(
        meeting_case=item,
        description=description,
        owner_agency=owner_agency,
        owner_person=owner_person,
        due_on=due_on,
        created_by=by,
    )
    _save(action, by)
    _case_event(item.referral, by=by, kind="marac.action_set", action=action.pk)
    return action


@transaction.atomic
def marac_action_remove(*, by: User, action: MaracAction) -> None:
    """Take back an action set by mistake, before the minutes are approved."""
    _editable_minutes(by, action.meeting_case.meeting)
    if action.state != ActionState.OPEN:
        raise PathwayError(_("This action has been resolved; it stays in the record."))
    reminders_cancel_for(action, why="The action was taken back before the minutes were approved")
    action.delete()


# --- Before the meeting: research ----------------------------------------------------------------


@transaction.atomic
def research_record(
    *,
    by: User,
    item: MeetingCase,
    agency: PartnerAgency,
    nothing_held: bool,
    findings: str,
) -> AgencyResearch:
    """An agency's research on a case, from the agenda going out until the meeting is held."""
    research = AgencyResearch.objects.filter(meeting_case=item, agency=agency).first()
    research = research or AgencyResearch(meeting_case=item, agency=agency)
    policy.require(by, "marac.research.edit", research)
    if item.meeting.state != MeetingState.AGENDA_PUBLISHED:
        raise PathwayError(_("Research is recorded between the agenda going out and the meeting."))
    findings = findings.strip()
    if nothing_held and findings:
        raise PathwayError(_("Either say the agency holds nothing, or record what it holds."))
    if not nothing_held and not findings:
        raise PathwayError(_("Record what the agency holds, or that it holds nothing."))
    research.nothing_held, research.findings, research.recorded_by = nothing_held, findings, by
    _save(research, by)
    return research


# --- Referrals ---------------------------------------------------------------------------------


@transaction.atomic
def marac_referral_defer(
    *, by: User, referral: MaracReferral, reason: str, expected_version: int | None = None
) -> MaracReferral:
    """Defer a referral that waits for a meeting (for example, the referrer is not briefed)."""
    reason = reason.strip()
    if not reason:
        raise PathwayError(_("Say why the referral is deferred."))
    if referral.state == ReferralState.LISTED:
        raise PathwayError(_("This case is on an agenda: defer it at the meeting."))
    run_transition(
        referral,
        "defer",
        by=by,
        permission="marac.referral.manage",
        expected_version=expected_version,
        reason=reason,
    )
    _case_event(referral, by=by, kind="marac.deferred")
    return referral


@transaction.atomic
def marac_referral_withhold(
    *, by: User, referral: MaracReferral, agencies, expected_version: int | None = None
) -> MaracReferral:
    """Choose the agencies of this MARAC that must not see the case."""
    policy.require(by, "marac.referral.manage", referral)
    lock(referral, expected_version=expected_version, by=by)
    if referral.state not in (*AWAITING_HEARING, ReferralState.HEARD):
        raise PathwayError(_("This referral is closed or transferred."))
    withheld_set(referral, agencies)
    referral.save()
    _case_event(
        referral,
        by=by,
        kind="marac.withheld",
        agencies=sorted(agency.pk for agency in agencies),
    )
    return referral


@transaction.atomic
def marac_referral_close(
    *, by: User, referral: MaracReferral, reason: str, expected_version: int | None = None
) -> MaracReferral:
    run_transition(
        referral,
        "close",
        by=by,
        permission="marac.referral.manage",
        expected_version=expected_version,
        reason=reason.strip(),
        on=timezone.localdate(),
    )
    _case_event(referral, by=by, kind="marac.closed")
    return referral


@transaction.atomic
def marac_referral_transfer(
    *,
    by: User,
    referral: MaracReferral,
    area: MaracArea,
    reason: str,
    expected_version: int | None = None,
) -> MaracReferral:
    """The person has moved to another MARAC's area. The new MARAC gets a referral that links
    back to this one, so the earlier minutes and actions go with it."""
    reason = reason.strip()
    if not reason:
        raise PathwayError(_("Say why the case is transferred."))
    if area.pk == referral.area_id:
        raise PathwayError(_("Choose another MARAC."))
    if area.organisation_id != referral.area.organisation_id:
        raise PathwayError(_("Choose a MARAC run by this organisation."))
    if MaracReferral.objects.filter(
        case_id=referral.case_id, area=area, state__in=AWAITING_HEARING
    ).exists():
        raise PathwayError(_("The case is already waiting to be heard at that MARAC."))
    run_transition(
        referral,
        "transfer",
        by=by,
        permission="marac.referral.manage",
        expected_version=expected_version,
        reason=reason,
    )
    moved = MaracReferral(
        case=referral.case,
        area=area,
        referred_on=timezone.localdate(),
        assessment=referral.assessment,
        criteria=referral.criteria,
        is_repeat=referral.is_repeat,
        referred_by=by,
        transferred_from=referral,
        **{
            field: getattr(referral, field)
            for field in (
                "referring_agency",
                "survivor_knows",
                "survivor_consents",
                "without_consent_reason",
                "safe_contact",
                "fears",
                "perpetrators",
                "children_in_household",
            )
        },
    )
    _save(moved, by)
    _case_event(referral, by=by, kind="marac.transferred", to=moved.pk, area=area.pk)
    return moved
