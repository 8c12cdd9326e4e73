import datetime
from zoneinfo import ZoneInfo

import pytest

from carepath import policy
from carepath.pathway import PathwayError
from carepath.sms.models import Reminder
from marac.models import (
    ActionState,
    MaracAction,
    MaracMeeting,
    MaracReferral,
    MeetingCase,
    MeetingState,
    ReferralState,
)
from marac.selectors.meetings import actions_to_review, referral_lineage
from marac.services import meetings as svc
from marac.services.actions import marac_action_resolve
from tests.marac.conftest import on_meeting_day

LONDON = ZoneInfo("Europe/London")


def _run_meeting(time_machine, chair, meeting, referral, police, *, due_on):
    item = svc.marac_meeting_list_case(by=chair, meeting=meeting, referral=referral)
    svc.marac_meeting_publish_agenda(by=chair, meeting=meeting)
    on_meeting_day(time_machine)
    svc.marac_meeting_hold(by=chair, meeting=meeting)
    svc.attendance_record(
        by=chair, meeting=meeting, agency=police, person="DS Ray", status="present"
    )
    svc.meeting_case_hear(by=chair, item=item, summary="Risk from ex-partner; police to visit.")
    action = svc.marac_action_create(
        by=chair,
        item=item,
        description="Flag the address for urgent response",
        owner_agency=police,
        owner_person="DS Ray",
        due_on=due_on,
    )
    svc.marac_meeting_approve_minutes(by=chair, meeting=meeting)
    return item, action


def test_a_whole_meeting_moves_the_referral_and_locks_the_minutes(
    time_machine, chair_a, meeting, make_referral, police
):
    referral = make_referral()
    item, action = _run_meeting(
        time_machine, chair_a, meeting, referral, police, due_on=datetime.date(2026, 3, 20)
    )
    meeting.refresh_from_db()
    referral.refresh_from_db()
    assert meeting.state == MeetingState.MINUTES_APPROVED
    assert meeting.minutes_approved_by == chair_a
    assert referral.state == ReferralState.HEARD
    with pytest.raises(PathwayError, match="locked"):
        svc.meeting_case_hear(by=chair_a, item=item, summary="Changed afterwards")
    with pytest.raises(PathwayError, match="locked"):
        svc.marac_action_create(
            by=chair_a,
            item=item,
            description="Late",
            owner_agency=police,
            owner_person="X",
            due_on=datetime.date(2026, 4, 1),
        )
    item.refresh_from_db()
    assert item.summary.startswith("Risk from ex-partner")
    # The referral cannot close while the action is open.
    with pytest.raises(PathwayError, match="resolved"):
        svc.marac_referral_close(by=chair_a, referral=referral, reason="Risk reduced")
    marac_action_resolve(by=chair_a, action=action, state=ActionState.DONE, outcome="Flagged")
    svc.marac_referral_close(by=chair_a, referral=referral, reason="Risk reduced")
    referral.refresh_from_db()
    assert referral.state == ReferralState.CLOSED


def test_publishing_needs_a_case_and_notifies_invited_members(
    chair_a, meeting, make_referral, police_officer, health_visitor
):
    with pytest.raises(PathwayError, match="List at least one case"):
        svc.marac_meeting_publish_agenda(by=chair_a, meeting=meeting)
    svc.marac_meeting_list_case(by=chair_a, meeting=meeting, referral=make_referral())
    svc.marac_meeting_publish_agenda(by=chair_a, meeting=meeting)
    notified = set(
        Reminder.objects.filter(purpose="staff.marac_agenda").values_list("staff", flat=True)
    )
    assert notified == {police_officer.pk, health_visitor.pk}


def test_the_meeting_cannot_start_before_its_day(chair_a, meeting, make_referral):
    svc.marac_meeting_list_case(by=chair_a, meeting=meeting, referral=make_referral())
    svc.marac_meeting_publish_agenda(by=chair_a, meeting=meeting)
    with pytest.raises(PathwayError, match="not started"):
        svc.marac_meeting_hold(by=chair_a, meeting=meeting)


def test_minutes_need_attendance_and_every_case_decided(
    time_machine, chair_a, meeting, make_referral, police
):
    first = svc.marac_meeting_list_case(by=chair_a, meeting=meeting, referral=make_referral())
    second = svc.marac_meeting_list_case(by=chair_a, meeting=meeting, referral=make_referral())
    svc.marac_meeting_publish_agenda(by=chair_a, meeting=meeting)
    on_meeting_day(time_machine)
    svc.marac_meeting_hold(by=chair_a, meeting=meeting)
    with pytest.raises(PathwayError, match="attended"):
        svc.marac_meeting_approve_minutes(by=chair_a, meeting=meeting)
    svc.attendance_record(
        by=chair_a, meeting=meeting, agency=police, person="PC Lee", status="apologies"
    )
    svc.meeting_case_hear(by=chair_a, item=first, summary="Discussed")
    with pytest.raises(PathwayError, match="heard or deferred"):
        svc.marac_meeting_approve_minutes(by=chair_a, meeting=meeting)
    svc.meeting_case_defer(by=chair_a, item=second, reason="Referrer not briefed")
    svc.marac_meeting_approve_minutes(by=chair_a, meeting=meeting)
    second.referral.refresh_from_db()
    assert second.referral.state == ReferralState.DEFERRED


def test_a_deferred_case_is_listed_again_and_open_actions_come_back(
    time_machine, chair_a, meeting, make_referral, police, area
):
    referral = make_referral()
    _, action = _run_meeting(
        time_machine, chair_a, meeting, referral, police, due_on=datetime.date(2026, 3, 20)
    )
    later = svc.marac_meetings_schedule(
        by=chair_a, area=area, first_starts_at=datetime.datetime(2026, 4, 6, 10, tzinfo=LONDON)
    )[0]
    svc.marac_meeting_list_case(by=chair_a, meeting=later, referral=make_referral())
    assert list(actions_to_review(later)) == [action]
    svc.marac_meeting_publish_agenda(by=chair_a, meeting=later)
    marac_action_resolve(by=chair_a, action=action, state=ActionState.DONE, outcome="Done")
    # The agenda keeps what was open when it went out.
    assert list(later.reviewed_actions.all()) == [action]
    assert not actions_to_review(later).exists()


def test_a_recurring_schedule_skips_days_already_taken(chair_a, area, meeting):
    created = svc.marac_meetings_schedule(
        by=chair_a,
        area=area,
        first_starts_at=datetime.datetime(2026, 3, 9, 14, tzinfo=LONDON),
        count=3,
    )
    days = sorted(m.starts_at.astimezone(LONDON).date() for m in MaracMeeting.objects.all())
    assert days == [datetime.date(2026, 3, 9), datetime.date(2026, 4, 6), datetime.date(2026, 5, 4)]
    assert len(created) == 2
    assert all(set(m.invited.all()) == set(area.agencies.all()) for m in created)


def test_cancelling_returns_listed_cases_to_waiting(chair_a, meeting, make_referral):
    referral = make_referral()
    svc.marac_meeting_list_case(by=chair_a, meeting=meeting, referral=referral)
    svc.marac_meeting_cancel(by=chair_a, meeting=meeting, reason="Room unavailable")
    referral.refresh_from_db()
    assert referral.state == ReferralState.REFERRED


def test_a_transfer_takes_the_minutes_and_actions_along(
    time_machine, chair_a, meeting, make_referral, police, org_a
):
    referral = make_referral()
    _, action = _run_meeting(
        time_machine, chair_a, meeting, referral, police, due_on=datetime.date(2026, 3, 20)
    )
    other = svc.marac_area_create(by=chair_a, values={"name": "Southtown MARAC"})
    moved = svc.marac_referral_transfer(
        by=chair_a, referral=referral, area=other, reason="Moved to Southtown"
    )
    referral.refresh_from_db()
    assert referral.state == ReferralState.TRANSFERRED
    assert moved.state == ReferralState.REFERRED and moved.area == other
    assert referral_lineage(moved) == [moved, referral]
    next_meeting = svc.marac_meetings_schedule(
        by=chair_a, area=other, first_starts_at=datetime.datetime(2026, 3, 16, 10, tzinfo=LONDON)
    )[0]
    assert list(actions_to_review(next_meeting)) == [action]


def test_partners_see_only_invited_published_meetings_and_their_own_actions(
    time_machine, chair_a, meeting, make_referral, police, health, police_officer, health_visitor
):
    referral = make_referral()
    item = svc.marac_meeting_list_case(by=chair_a, meeting=meeting, referral=referral)
    # Before the agenda goes out partners see nothing.
    assert not policy.visible(police_officer, "marac.meeting.view", MaracMeeting.objects).exists()
    svc.marac_meeting_publish_agenda(by=chair_a, meeting=meeting)
    assert (
        policy.visible(police_officer, "marac.meeting.view", MaracMeeting.objects).get() == meeting
    )
    referral.withheld_from.add(health)
    assert list(policy.visible(police_officer, "marac.meeting_case.view", MeetingCase.objects)) == [
        item
    ]
    assert not policy.visible(health_visitor, "marac.meeting_case.view", MeetingCase.objects)
    assert not policy.can(health_visitor, "marac.meeting_case.view", item)
    # Partners never see referrals or cases themselves.
    assert not policy.visible(police_officer, "marac.referral.view", MaracReferral.objects)
    assert not policy.can(police_officer, "case.view", referral.case)
    on_meeting_day(time_machine)
    svc.marac_meeting_hold(by=chair_a, meeting=meeting)
    svc.meeting_case_hear(by=chair_a, item=item, summary="Discussed")
    # No action for an agency the case is withheld from.
    with pytest.raises(PathwayError, match="shared with"):
        svc.marac_action_create(
            by=chair_a,
            item=item,
            description="GP check",
            owner_agency=health,
            owner_person="Dr Khan",
            due_on=datetime.date(2026, 3, 20),
        )
    referral.withheld_from.remove(health)
    police_action = svc.marac_action_create(
        by=chair_a,
        item=item,
        description="Visit",
        owner_agency=police,
        owner_person="DS Ray",
        due_on=datetime.date(2026, 3, 20),
    )
    svc.marac_action_create(
        by=chair_a,
        item=item,
        description="GP check",
        owner_agency=health,
        owner_person="Dr Khan",
        due_on=datetime.date(2026, 3, 20),
    )
    # Until the minutes are approved the actions are the chair's draft.
    assert not policy.visible(police_officer, "marac.action.view", MaracAction.objects).exists()
    with pytest.raises(PathwayError, match="minutes that set it are approved"):
        marac_action_resolve(by=chair_a, action=police_action, state=ActionState.DONE, outcome="")
    svc.attendance_record(
        by=chair_a, meeting=meeting, agency=police, person="DS Ray", status="present"
    )
    svc.marac_meeting_approve_minutes(by=chair_a, meeting=meeting)
    police_action.refresh_from_db()
    assert list(policy.visible(police_officer, "marac.action.view", MaracAction.objects)) == [
        police_action
    ]
    with pytest.raises(policy.PolicyDenied):
        marac_action_resolve(
            by=health_visitor, action=police_action, state=ActionState.DONE, outcome=""
        )
    marac_action_resolve(
        by=police_officer, action=police_action, state=ActionState.NOT_POSSIBLE, outcome="Moved"
    )


def test_research_only_by_the_agency_while_the_agenda_is_out(
    time_machine, chair_a, meeting, make_referral, police, health, police_officer
):
    item = svc.marac_meeting_list_case(by=chair_a, meeting=meeting, referral=make_referral())
    with pytest.raises(policy.PolicyDenied):
        svc.research_record(
            by=police_officer, item=item, agency=police, nothing_held=True, findings=""
        )
    svc.marac_meeting_publish_agenda(by=chair_a, meeting=meeting)
    with pytest.raises(policy.PolicyDenied):
        svc.research_record(
            by=police_officer, item=item, agency=health, nothing_held=True, findings=""
        )
    with pytest.raises(PathwayError, match="holds nothing"):
        svc.research_record(
            by=police_officer, item=item, agency=police, nothing_held=False, findings=" "
        )
    svc.research_record(
        by=police_officer, item=item, agency=police, nothing_held=False, findings="2 callouts"
    )
    svc.research_record(
        by=police_officer, item=item, agency=police, nothing_held=False, findings="3 callouts"
    )
    assert item.research.get().findings == "3 callouts"
    on_meeting_day(time_machine)
    svc.marac_meeting_hold(by=chair_a, meeting=meeting)
    with pytest.raises(PathwayError, match="between the agenda"):
        svc.research_record(
            by=police_officer, item=item, agency=police, nothing_held=True, findings=""
        )
