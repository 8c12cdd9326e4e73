"""A bench MARAC for each organisation: partner agencies with their partner logins, a meeting
every four weeks back to the oldest referral, agendas with research, attendance and action
plans, and the referrals of some of the cases assessed at high risk.

The meetings before today have approved minutes (a few were cancelled) except the last, held
and waiting for its minutes; the next has its agenda published and the one after is a draft.
A referral is listed at the first meeting at least a week after it was made; a case deferred
there comes back at the next meeting. Actions fall due after their meeting and are resolved
or still open; an action still open when a later agenda went out is reviewed there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from carepath.bench.base import Bench, set_state
from carepath.bench.cases import CaseFacts, Events
from carepath.bench.people import BenchOrganisation
from carepath.people.models import Role
from marac.models import (
    ActionState,
    AgencyKind,
    AgencyResearch,
    Attendance,
    AttendanceStatus,
    CaseOutcome,
    MaracAction,
    MaracArea,
    MaracMeeting,
    MaracReferral,
    MeetingCase,
    MeetingState,
    PartnerAgency,
    ReferralState,
    RiskLevel,
)

AGENCIES = (
    AgencyKind.POLICE,
    AgencyKind.IDVA,
    AgencyKind.CHILDRENS_SOCIAL_CARE,
    AgencyKind.HEALTH,
    AgencyKind.HOUSING,
    AgencyKind.ADULT_SOCIAL_CARE,
)
PARTNERS_PER_ORGANISATION = len(AGENCIES)
EVERY = timedelta(days=28)
LISTING_NOTICE = timedelta(days=7)
ESCALATION_INCIDENTS = 3
REFERRED_SHARE = 0.4


@dataclass
class Meeting:
    row: MaracMeeting
    day: date
    items: list[tuple[Referral, str]] = field(default_factory=list)  # (referral, outcome)


@dataclass
class Referral:
    row: MaracReferral
    facts: CaseFacts
    withheld: bool
    # The meetings it was listed at, with the outcome there.
    listings: list[tuple[Meeting, str]] = field(default_factory=list)


def seed_marac(
    bench: Bench, organisations: list[BenchOrganisation], cases: list[CaseFacts]
) -> None:
    by_organisation: dict[int, list[CaseFacts]] = {}
    for facts in cases:
        by_organisation.setdefault(facts.org.index, []).append(facts)
    events = Events(bench)
    for org in organisations:
        _seed_area(bench, org, by_organisation.get(org.index, []), events)
    events.flush()


def _seed_area(bench: Bench, org: BenchOrganisation, cases: list[CaseFacts], events: Events):
    rng, today = bench.rng, bench.today
    chair = org.single[Role.MARAC_CHAIR]
    area = bench.insert(
        [
            MaracArea(
                organisation=org.organisation,
                name=f"Bench MARAC {org.index}",
                default_location="Video call: MARAC room",
            )
        ]
    )[0]
    agencies = bench.insert(
        [
            PartnerAgency(area=area, name=f"{kind.label} (bench {org.index})", kind=kind)
            for kind in AGENCIES
        ]
    )
    members = dict(zip((a.pk for a in agencies), org.partners, strict=False))
    bench.insert_links(
        PartnerAgency.members.through,
        [
            PartnerAgency.members.through(partneragency_id=agency_pk, user_id=user.pk)
            for agency_pk, user in members.items()
        ],
    )
    housing = agencies[AGENCIES.index(AgencyKind.HOUSING)]

    referrals = _referrals(bench, area, cases)
    if not referrals:
        return
    first = min(r.row.referred_on for r in referrals)
    next_day = today + timedelta(days=rng.randint(3, 6))
    days = [next_day + EVERY]
    day = next_day
    while day >= first:
        days.append(day)
        day -= EVERY
    days.sort()
    meetings = [_meeting(bench, area, chair, day, days) for day in days]
    _list(bench, referrals, meetings, events)
    _only_with_business(referrals, meetings, events)
    _settle_states(bench, referrals, events)
    bench.insert([m.row for m in meetings])
    bench.insert_links(
        MaracMeeting.invited.through,
        [
            MaracMeeting.invited.through(maracmeeting_id=m.row.pk, partneragency_id=a.pk)
            for m in meetings
            for a in agencies
        ],
    )
    bench.insert([r.row for r in referrals])
    bench.insert_links(
        MaracReferral.withheld_from.through,
        [
            MaracReferral.withheld_from.through(
                maracreferral_id=r.row.pk, partneragency_id=housing.pk
            )
            for r in referrals
            if r.withheld
        ],
    )
    items = _items(bench, meetings)
    actions = _actions(bench, items, agencies, housing, chair, events)
    _close_referrals(bench, referrals, actions, events)
    _research_and_attendance(bench, org, meetings, items, agencies, housing, members)
    _reviews(bench, meetings, actions)


def _referrals(bench: Bench, area: MaracArea, cases: list[CaseFacts]):
    """A referral for each case assessed at high risk, or with escalating police incidents."""
    referrals = []
    for facts in cases:
        for assessment_pk, assessed_on, level, incidents in facts.assessments[:1]:
            escalating = incidents >= ESCALATION_INCIDENTS
            # Most people a trafficking service supports are not at risk from a partner: fewer
            # than half of those at high risk come to a MARAC (about 20 cases a meeting).
            if (level != RiskLevel.HIGH and not escalating) or not bench.chance(REFERRED_SHARE):
                continue
            criteria = []
            if level == RiskLevel.HIGH:
                criteria.append("visible_high_risk")
            if escalating:
                criteria.append("potential_escalation")
            end = min(facts.closed_on or bench.today, bench.today)
            referred_on = min(end, assessed_on + timedelta(days=bench.rng.randint(0, 5)))
            consents = bench.chance(0.7)
            row = MaracReferral(
                case_id=facts.pk,
                area=area,
                referred_on=referred_on,
                assessment_id=assessment_pk,
                criteria=criteria,
                referred_by=facts.actor,
                referring_agency=bench.weighted(
                    (
                        (AgencyKind.IDVA, 50),
                        (AgencyKind.ANTI_TRAFFICKING, 30),
                        (AgencyKind.POLICE, 20),
                    )
                ),
                survivor_knows=True,
                survivor_consents=consents,
                without_consent_reason="" if consents else "Risk of serious harm to the children.",
                safe_contact="Own mobile, after 10am; never leave a message.",
                fears="A former partner.",
                perpetrators="Named in the referral.",
                children_in_household=bench.rng.choice((0, 0, 1, 2, 3)),
            )
            referrals.append(Referral(row=row, facts=facts, withheld=bench.chance(0.03)))
    referrals.sort(key=lambda r: (r.row.referred_on, r.facts.pk))
    return referrals


def _meeting(bench: Bench, area, chair, day: date, days: list[date]) -> Meeting:
    today = bench.today
    starts_at = bench.at(day, time(10, 0))
    row = MaracMeeting(
        area=area,
        starts_at=starts_at,
        location=area.default_location,
        created_by=chair,
    )
    past = [d for d in days if d < today]
    if day > today:
        upcoming = [d for d in days if d > today]
        set_state(
            row, MeetingState.AGENDA_PUBLISHED if day == upcoming[0] else MeetingState.SCHEDULED
        )
        if row.state == MeetingState.AGENDA_PUBLISHED:
            row.agenda_published_at = bench.at(
                max(day - timedelta(days=7), today - timedelta(days=1))
            )
    elif past and day == past[-1]:
        set_state(row, MeetingState.HELD)
        row.agenda_published_at = bench.at(day - timedelta(days=7))
        row.held_at = starts_at
        row.notes = "Introductions; information-sharing agreement read."
    elif bench.chance(0.05):
        set_state(row, MeetingState.CANCELLED)
        row.cancelled_reason = "Not quorate."
    else:
        set_state(row, MeetingState.MINUTES_APPROVED)
        row.agenda_published_at = bench.at(day - timedelta(days=7))
        row.held_at = starts_at
        row.minutes_approved_at = bench.at(min(today, day + timedelta(days=5)))
        row.minutes_approved_by = chair
        row.notes = "Introductions; information-sharing agreement read."
    return Meeting(row=row, day=day)


def _list(bench: Bench, referrals: list[Referral], meetings: list[Meeting], events: Events):
    """Each referral at the first meeting a week after it was made, again after a deferral."""
    open_meetings = [m for m in meetings if m.row.state != MeetingState.CANCELLED]
    for position, referral in enumerate(referrals, start=1):
        facts = referral.facts
        events.add(facts, "marac.referred", bench.at(referral.row.referred_on))
        if position == len(referrals) and facts.closed_on is None:
            continue  # the latest waits for the chair to list it
        if bench.chance(0.02):
            set_state(referral.row, ReferralState.TRANSFERRED)
            referral.row.state_reason = "Moved to another MARAC area."
            continue
        cutoff = referral.row.referred_on + LISTING_NOTICE
        for meeting in open_meetings:
            if meeting.day < cutoff:
                continue
            state = meeting.row.state
            if state == MeetingState.SCHEDULED and bench.chance(0.5):
                break  # still waiting for the chair to list it
            if state == MeetingState.MINUTES_APPROVED:
                outcome = CaseOutcome.DEFERRED if bench.chance(0.08) else CaseOutcome.HEARD
            elif state == MeetingState.HELD:
                outcome = bench.weighted(
                    ((CaseOutcome.HEARD, 70), (CaseOutcome.DEFERRED, 10), ("", 20))
                )
            else:
                outcome = ""
            referral.listings.append((meeting, outcome))
            meeting.items.append((referral, outcome))
            events.add(
                facts, "marac.listed", bench.at(min(bench.today, meeting.day - timedelta(days=7)))
            )
            if outcome:
                kind = "marac.heard" if outcome == CaseOutcome.HEARD else "marac.deferred"
                events.add(facts, kind, meeting.row.starts_at)
            if outcome != CaseOutcome.DEFERRED or state == MeetingState.HELD:
                break


def _only_with_business(referrals, meetings: list[Meeting], events: Events):
    """An agenda goes out only with a case on it (``publish_agenda``): the next meeting takes
    the longest-waiting referral if it has none, or stays a draft; an earlier meeting with
    nothing to hear was cancelled."""
    for meeting in meetings:
        row = meeting.row
        if meeting.items or row.state in (MeetingState.SCHEDULED, MeetingState.CANCELLED):
            continue
        if row.state == MeetingState.AGENDA_PUBLISHED:
            waiting = [
                r for r in referrals if not r.listings and r.row.state != ReferralState.TRANSFERRED
            ]
            if waiting:
                referral = waiting[0]
                referral.listings.append((meeting, ""))
                meeting.items.append((referral, ""))
                events.add(referral.facts, "marac.listed", row.agenda_published_at)
            else:
                set_state(row, MeetingState.SCHEDULED)
                row.agenda_published_at = None
            continue
        set_state(row, MeetingState.CANCELLED)
        row.cancelled_reason = "No cases to hear."
        row.agenda_published_at = row.held_at = row.minutes_approved_at = None
        row.minutes_approved_by = None
        row.notes = ""


def _settle_states(bench: Bench, referrals: list[Referral], events: Events):
    for referral in referrals:
        if referral.row.state == ReferralState.TRANSFERRED:
            events.add(referral.facts, "marac.transferred", bench.at(referral.row.referred_on))
            continue
        if not referral.listings:
            set_state(referral.row, ReferralState.REFERRED)
            continue
        _meeting_, outcome = referral.listings[-1]
        set_state(
            referral.row,
            {
                CaseOutcome.HEARD: ReferralState.HEARD,
                CaseOutcome.DEFERRED: ReferralState.DEFERRED,
                "": ReferralState.LISTED,
            }[outcome],
        )
        if outcome == CaseOutcome.DEFERRED:
            referral.row.state_reason = "The referrer could not brief the meeting."


def _items(bench: Bench, meetings: list[Meeting]) -> list[tuple[MeetingCase, Meeting, Referral]]:
    rows = []
    for meeting in meetings:
        for position, (referral, outcome) in enumerate(meeting.items, start=1):
            item = MeetingCase(
                meeting=meeting.row,
                referral=referral.row,
                position=position,
                outcome=outcome,
                summary="Risks shared; safety plan agreed." if outcome == CaseOutcome.HEARD else "",
                deferred_reason=(
                    "The referrer could not brief the meeting."
                    if outcome == CaseOutcome.DEFERRED
                    else ""
                ),
            )
            rows.append((item, meeting, referral))
    bench.insert([item for item, _m, _r in rows])
    return rows


def _actions(bench: Bench, items, agencies, housing, chair, events: Events):
    rng, today = bench.rng, bench.today
    actions: list[tuple[MaracAction, Meeting, Referral]] = []
    for item, meeting, referral in items:
        if item.outcome != CaseOutcome.HEARD:
            continue
        owners = [a for a in agencies if not (referral.withheld and a.pk == housing.pk)]
        approved = meeting.row.state == MeetingState.MINUTES_APPROVED
        for owner in rng.sample(owners, rng.randint(1, 3)):
            due = meeting.day + timedelta(days=rng.randint(14, 56))
            action = MaracAction(
                meeting_case=item,
                description="Check on the person's safety and report back.",
                owner_agency=owner,
                owner_person=f"Officer {owner.pk}",
                due_on=due,
                created_by=chair,
                created_at=meeting.row.starts_at,
            )
            # Actions long overdue have all been resolved by now; recent ones mostly.
            long_overdue = due < today - timedelta(days=60)
            if approved and (
                long_overdue or (due < today and bench.chance(0.85)) or bench.chance(0.3)
            ):
                set_state(
                    action,
                    bench.weighted(
                        (
                            (ActionState.DONE, 80),
                            (ActionState.NOT_POSSIBLE, 12),
                            (ActionState.NOT_UNDERTAKEN, 8),
                        )
                    ),
                )
                action.resolved_on = bench.day_between(
                    min(today, meeting.day + timedelta(days=7)), min(today, due + timedelta(days=7))
                )
                action.resolved_by = chair
                action.outcome = "Done and reported to the chair."
                events.add(referral.facts, "marac.action_resolved", bench.at(action.resolved_on))
            events.add(referral.facts, "marac.action_set", meeting.row.starts_at)
            actions.append((action, meeting, referral))
    bench.insert([action for action, _m, _r in actions])
    return actions


def _close_referrals(bench: Bench, referrals, actions, events: Events):
    """A heard referral with every action resolved, heard long enough ago, is closed."""
    open_action = {r.row.pk for a, _m, r in actions if a.state == ActionState.OPEN}
    changed = []
    for referral in referrals:
        if referral.row.state != ReferralState.HEARD or referral.row.pk in open_action:
            continue
        meeting, _outcome = referral.listings[-1]
        if meeting.row.state != MeetingState.MINUTES_APPROVED:
            continue
        if meeting.day > bench.today - timedelta(days=90) or not bench.chance(0.7):
            continue
        set_state(referral.row, ReferralState.CLOSED)
        referral.row.closed_on = min(
            bench.today, meeting.day + timedelta(days=bench.rng.randint(30, 90))
        )
        referral.row.state_reason = "Risk reduced; actions complete."
        events.add(referral.facts, "marac.closed", bench.at(referral.row.closed_on))
        changed.append(referral.row)
    if changed:
        MaracReferral._base_manager.bulk_update(
            changed, ["state", "closed_on", "state_reason"], batch_size=bench.batch_size
        )


def _research_and_attendance(bench, org, meetings, items, agencies, housing, members):
    rng = bench.rng
    published = (MeetingState.AGENDA_PUBLISHED, MeetingState.HELD, MeetingState.MINUTES_APPROVED)
    research = []
    for item, meeting, referral in items:
        if meeting.row.state not in published:
            continue
        candidates = [a for a in agencies if not (referral.withheld and a.pk == housing.pk)]
        for agency in rng.sample(candidates, rng.randint(2, 4)):
            nothing = bench.chance(0.3)
            research.append(
                AgencyResearch(
                    meeting_case=item,
                    agency=agency,
                    nothing_held=nothing,
                    findings="" if nothing else "Two call-outs in the last year.",
                    recorded_by=members.get(agency.pk) or org.single[Role.MARAC_CHAIR],
                    recorded_at=bench.at(meeting.day - timedelta(days=2)),
                )
            )
    bench.insert(research)
    attendance = []
    for meeting in meetings:
        if meeting.row.state not in (MeetingState.HELD, MeetingState.MINUTES_APPROVED):
            continue
        for agency in agencies:
            status = bench.weighted(
                (
                    (AttendanceStatus.PRESENT, 80),
                    (AttendanceStatus.APOLOGIES, 10),
                    (AttendanceStatus.DEPUTY, 10),
                )
            )
            member = members.get(agency.pk)
            attendance.append(
                Attendance(
                    meeting=meeting.row,
                    agency=agency,
                    person=member.get_full_name() if member else f"Officer {agency.pk}",
                    status=status,
                    deputy_for="The usual representative"
                    if status == AttendanceStatus.DEPUTY
                    else "",
                )
            )
    bench.insert(attendance)


def _reviews(bench: Bench, meetings: list[Meeting], actions) -> None:
    """Actions still open when an agenda went out are reviewed at that meeting."""
    through = MaracMeeting.reviewed_actions.through
    rows = []
    agreed = [
        (action, meeting)
        for action, meeting, _r in actions
        if meeting.row.state == MeetingState.MINUTES_APPROVED
    ]
    for meeting in meetings:
        if meeting.row.state not in (
            MeetingState.AGENDA_PUBLISHED,
            MeetingState.HELD,
            MeetingState.MINUTES_APPROVED,
        ):
            continue
        published: datetime = meeting.row.agenda_published_at
        for action, earlier in agreed:
            if earlier.day >= meeting.day:
                continue
            resolved = action.resolved_on
            if resolved is None or resolved > published.date():
                rows.append(through(maracmeeting_id=meeting.row.pk, maracaction_id=action.pk))
    bench.insert_links(through, rows)
