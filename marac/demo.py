"""A demo MARAC for each demo organisation with a MARAC chair and partner: partner agencies, a
past meeting with approved minutes and actions, and the next meeting with a draft agenda.

Everything goes through the services, acting as the demo chair, partner and caseworker, so the
states, timeline events and history are what a real MARAC would have. The services check dates
against "now" (a new meeting must be in the future, a meeting is held on its day, an assessment
cannot be in the future), so the past is seeded by stepping "now" back to the day each thing
happened (``_as_of``) and running the real services on that day. Writing the past rows directly
would need fake states with no timeline events, history or ``reviewed_actions``; stepping the
clock keeps every timestamp in line with its date. The patch is local to this module's seeding
and never used outside it.

Dates are relative to today (T), like the rest of the demo:
T-40 area, agencies and a schedule of meetings every 28 days from T-18 (so T+10, T+38);
T-32 four cases assessed high risk and referred; T-26 listed and the agenda published;
T-22 police research; T-18 the meeting: three cases heard with actions, one deferred;
T-16 minutes approved; T-12..T-7 actions resolved (one overdue and one not yet due stay open);
T-6 a new incident on a heard case, re-assessed and referred again (a repeat);
T-3 two new referrals; today the repeat and one new case are listed for T+10, the other waits.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from unittest import mock

from django.db import transaction
from django.utils import timezone

from carepath.people.models import Organisation, Role, User
from carepath.sms.models import Reminder, ReminderState
from carepath.sms.services import reminders_cancel
from casework.models import Case
from marac.models import (
    ActionState,
    AgencyKind,
    Answer,
    AttendanceStatus,
    MaracArea,
    MaracReferral,
    RiskChecklist,
)
from marac.services import actions as action_services
from marac.services import meetings as meeting_services
from marac.services import risk as risk_services

# Organisation slug -> (MARAC name, usual meeting place, agencies as (kind, name)).
AREAS = {
    "clyde": (
        "Glasgow MARAC (demo)",
        "Video call: Glasgow MARAC room",
        (
            (AgencyKind.POLICE, "Police Scotland, Greater Glasgow (demo)"),
            (AgencyKind.CHILDRENS_SOCIAL_CARE, "Glasgow children's services (demo)"),
            (AgencyKind.HEALTH, "Glasgow health board (demo)"),
            (AgencyKind.HOUSING, "Glasgow housing options (demo)"),
            (AgencyKind.IDVA, "Clyde IDVA service (demo)"),
        ),
    ),
    "taff": (
        "Cardiff MARAC (demo)",
        "Video call: Cardiff MARAC room",
        (
            (AgencyKind.POLICE, "South Wales Police, Cardiff (demo)"),
            (AgencyKind.CHILDRENS_SOCIAL_CARE, "Cardiff children's services (demo)"),
            (AgencyKind.HEALTH, "Cardiff health board (demo)"),
            (AgencyKind.HOUSING, "Cardiff housing options (demo)"),
            (AgencyKind.IDVA, "Taff IDVA service (demo)"),
        ),
    ),
}

# Attendance at the past meeting: (agency kind, status, person, deputising for). The police
# place is taken by the demo partner user. Names are placeholders, not people.
ATTENDANCE = (
    (AgencyKind.POLICE, AttendanceStatus.PRESENT, None, ""),
    (AgencyKind.CHILDRENS_SOCIAL_CARE, AttendanceStatus.PRESENT, "Sam Example", ""),
    (AgencyKind.HEALTH, AttendanceStatus.APOLOGIES, "Jo Sample", ""),
    (AgencyKind.HOUSING, AttendanceStatus.DEPUTY, "Robin Placeholder", "Alex Example"),
    (AgencyKind.IDVA, AttendanceStatus.PRESENT, "Chris Demo", ""),
)

REFERRAL_VALUES = {
    "referring_agency": AgencyKind.IDVA,
    "survivor_knows": True,
    "survivor_consents": True,
    "safe_contact": "Only through the caseworker; never by letter to the home address.",
    "fears": "A former partner (details held by the police).",
    "perpetrators": "A former partner (details held by the police).",
    "children_in_household": 0,
}

# The heard cases: (summary, actions as (agency kind, what, who, due in days from today,
# resolved: (days from today, outcome) or None while open)).
HEARD = (
    (
        "The caseworker spoke for the person. Threats to kill and strangulation reported; the "
        "former partner knows the area. Agreed: a marker on the address, a safety plan review "
        "with an interpreter, and a check of bail conditions.",
        (
            (
                AgencyKind.POLICE,
                "Add a marker to the address so that calls get an urgent response.",
                "Duty sergeant",
                -15,
                (-12, "Marker added."),
            ),
            (
                AgencyKind.IDVA,
                "Review the safety plan with the person, with an interpreter.",
                "IDVA",
                -11,
                (-9, "Safety plan reviewed; safe word agreed."),
            ),
        ),
    ),
    (
        "Escalating control and threats since the separation. Housing to offer extra security "
        "at home; police to check the bail conditions and tell the caseworker of any change.",
        (
            (
                AgencyKind.POLICE,
                "Check the bail conditions and tell the caseworker of any change.",
                "Public protection unit",
                -4,
                None,
            ),
            (
                AgencyKind.HOUSING,
                "Offer a sanctuary scheme assessment (extra locks and a safe room).",
                "Housing options officer",
                14,
                None,
            ),
        ),
    ),
    (
        "Children in the household. Children's services and health to share what they hold "
        "and make sure appointments are offered safely.",
        (
            (
                AgencyKind.CHILDRENS_SOCIAL_CARE,
                "Check whether the children are known and share any concerns with the IDVA.",
                "Duty social worker",
                -10,
                (-8, "Known to the service; a worker is allocated."),
            ),
            (
                AgencyKind.HEALTH,
                "Tell the GP practice of the risk so appointments are offered safely.",
                "Safeguarding nurse",
                -8,
                (-7, "GP practice told; flag added to the record."),
            ),
        ),
    ),
)


@contextmanager
def _as_of(moment: datetime) -> Iterator[None]:
    """Run the services as on ``moment``: ``timezone.now`` (and so ``localdate``, auto dates and
    history) answers ``moment``. Only for seeding past demo events."""
    with mock.patch.object(timezone, "now", return_value=moment.astimezone(UTC)):
        yield


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _staff(organisation: Organisation, role: str) -> User | None:
    return (
        User.objects.filter(organisation=organisation, role_assignments__role=role)
        .order_by("pk")
        .first()
    )


def _answers(checklist: RiskChecklist, yes: int) -> dict[str, str]:
    numbers = sorted(checklist.questions.values_list("number", flat=True))
    return {
        str(n): Answer.YES if i < yes else (Answer.NO if i % 2 else Answer.NOT_KNOWN)
        for i, n in enumerate(numbers)
    }


def _refer(
    case: Case,
    *,
    area: MaracArea,
    checklist: RiskChecklist,
    on: date,
    yes: int = 15,
    judgement: str = "",
    incidents: int = 1,
    **values,
) -> MaracReferral:
    """A risk assessment by the case's caseworker, and the referral it makes eligible."""
    by = case.caseworker
    risk_services.risk_assessment_record(
        by=by,
        case=case,
        checklist=checklist,
        assessed_on=on,
        answers=_answers(checklist, yes),
        judgement_level="high" if judgement else "",
        judgement_reasons=judgement,
        police_incidents_12_months=incidents,
    )
    return risk_services.marac_referral_create(
        by=by, case=case, area=area, referred_on=on, values={**REFERRAL_VALUES, **values}
    )


@transaction.atomic
def seed_marac() -> int:
    """Adds a MARAC to each demo organisation that has a demo chair and partner and no MARAC
    yet. Returns how many were added."""
    added = 0
    checklist = RiskChecklist.objects.filter(slug="dash", active=True).order_by("-version").first()
    for slug, spec in AREAS.items():
        organisation = Organisation.objects.filter(slug=slug).first()
        if organisation is None or MaracArea.objects.filter(organisation=organisation).exists():
            continue
        chair = _staff(organisation, Role.MARAC_CHAIR)
        partner = _staff(organisation, Role.MARAC_PARTNER)
        if chair is None or partner is None or checklist is None:
            continue
        _seed_one(organisation, spec, chair=chair, partner=partner, checklist=checklist)
        added += 1
    return added


def _seed_one(organisation, spec, *, chair: User, partner: User, checklist) -> None:
    name, location, agency_specs = spec
    today = timezone.localdate()
    now = timezone.now()

    def day(offset: int) -> date:
        return today + timedelta(days=offset)

    with _as_of(_at(day(-40), 9)):
        area = meeting_services.marac_area_create(
            by=chair,
            values={
                "name": name,
                "escalation_incidents": 3,
                "agenda_days_before": 7,
                "meets_every_days": 28,
                "default_location": location,
            },
        )
        agencies = {
            kind: meeting_services.partner_agency_save(
                by=chair,
                area=area,
                name=agency_name,
                kind=kind,
                members=[partner] if kind == AgencyKind.POLICE else [],
            )
            for kind, agency_name in agency_specs
        }
        past, upcoming, *_later = meeting_services.marac_meetings_schedule(
            by=chair, area=area, first_starts_at=_at(day(-18), 10), count=3
        )

    # Open cases allocated to a caseworker, referred to the service long enough ago.
    open_cases = list(
        Case.objects.filter(organisation=organisation, caseworker__isnull=False)
        .order_by("referral_date", "pk")
        .select_related("caseworker")
    )
    open_cases = [case for case in open_cases if case.is_open]
    past_cases = [case for case in open_cases if case.referral_date <= day(-32)][:4]
    new_cases = [case for case in open_cases if case not in past_cases][:2]
    if len(past_cases) < 4:
        return  # the area, agencies and schedule alone still make a usable demo

    with _as_of(_at(day(-32), 11)):
        referrals = [
            _refer(case, area=area, checklist=checklist, on=day(-32), children_in_household=n)
            for case, n in zip(past_cases, (0, 1, 2, 0), strict=True)
        ]

    with _as_of(_at(day(-26), 9)):
        items = [
            meeting_services.marac_meeting_list_case(by=chair, meeting=past, referral=referral)
            for referral in referrals
        ]
        meeting_services.marac_meeting_publish_agenda(by=chair, meeting=past)

    with _as_of(_at(day(-22), 14)):
        meeting_services.research_record(
            by=partner,
            item=items[0],
            agency=agencies[AgencyKind.POLICE],
            nothing_held=False,
            findings="Two call-outs to the address in the last year; bail conditions in place.",
        )
        meeting_services.research_record(
            by=partner,
            item=items[2],
            agency=agencies[AgencyKind.POLICE],
            nothing_held=True,
            findings="",
        )

    resolutions = []
    with _as_of(_at(day(-18), 10, 5)):
        meeting_services.marac_meeting_hold(by=chair, meeting=past)
        for kind, status, person, deputy_for in ATTENDANCE:
            meeting_services.attendance_record(
                by=chair,
                meeting=past,
                agency=agencies[kind],
                person=person or partner.get_full_name(),
                status=status,
                deputy_for=deputy_for,
            )
        past.refresh_from_db()
        meeting_services.marac_meeting_notes_update(
            by=chair,
            meeting=past,
            notes="Introductions and the information-sharing agreement read out. "
            "No other business.",
            expected_version=past.version,
        )
        for item, (summary, actions) in zip(items[:3], HEARD, strict=True):
            meeting_services.meeting_case_hear(by=chair, item=item, summary=summary)
            for kind, description, owner, due_in, resolved in actions:
                action = meeting_services.marac_action_create(
                    by=chair,
                    item=item,
                    description=description,
                    owner_agency=agencies[kind],
                    owner_person=owner,
                    due_on=day(due_in),
                )
                if resolved:
                    resolutions.append((resolved, action))
        meeting_services.meeting_case_defer(
            by=chair,
            item=items[3],
            reason="The referrer was not briefed; to be listed again once they are.",
        )

    with _as_of(_at(day(-16), 15)):
        past.refresh_from_db()
        meeting_services.marac_meeting_approve_minutes(by=chair, meeting=past)

    for (on, outcome), action in sorted(resolutions, key=lambda r: r[0][0]):
        with _as_of(_at(day(on), 12)):
            # A member of the owning agency, or the chair for agencies with no demo user.
            by = partner if action.owner_agency.members.filter(pk=partner.pk).exists() else chair
            action_services.marac_action_resolve(
                by=by, action=action, state=ActionState.DONE, outcome=outcome
            )

    # A new incident on the first heard case: re-assessed, and referred again as a repeat.
    repeat_case = past_cases[0]
    with _as_of(_at(day(-6), 16)):
        risk_services.incident_record(
            by=repeat_case.caseworker,
            case=repeat_case,
            occurred_on=day(-7),
            police_reported=True,
            summary="A reported breach of bail conditions.",
        )
    with _as_of(_at(day(-5), 11)):
        to_list = [
            _refer(repeat_case, area=area, checklist=checklist, on=day(-5), yes=16, incidents=2)
        ]

    with _as_of(_at(day(-3), 11)):
        if new_cases:
            to_list.append(_refer(new_cases[0], area=area, checklist=checklist, on=day(-3), yes=14))
        if len(new_cases) > 1:
            # Waits to be listed: professional judgement and potential escalation.
            _refer(
                new_cases[1],
                area=area,
                checklist=checklist,
                on=day(-3),
                yes=11,
                incidents=3,
                judgement="Controlling behaviour is escalating quickly; the score understates it.",
                referring_agency=AgencyKind.POLICE,
                survivor_consents=False,
                without_consent_reason="Serious risk of harm; sharing is needed to protect them.",
            )

    # Today: the draft agenda of the next meeting (not yet published).
    for referral in to_list:
        meeting_services.marac_meeting_list_case(by=chair, meeting=upcoming, referral=referral)

    # The past agenda's emails went out before the demo existed: the outbox must not send them
    # now as if they were new.
    reminders_cancel(
        Reminder.objects.filter(
            organisation_id=organisation.pk,
            purpose__startswith="staff.marac",
            state=ReminderState.SCHEDULED,
            due_at__lt=now,
        ),
        why="Demo data: due before the demo was loaded.",
    )
