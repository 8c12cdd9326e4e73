"""The demo MARAC that seed_demo adds: an area with its agencies, a past meeting with approved
minutes and actions, and the next meeting with a draft agenda."""

from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from carepath import policy
from carepath.audit.models import TimelineEvent
from carepath.people.models import User
from carepath.sms.models import Reminder, ReminderState
from marac.models import (
    ActionState,
    AgencyKind,
    Attendance,
    CaseOutcome,
    MaracAction,
    MaracArea,
    MaracMeeting,
    MaracReferral,
    MeetingState,
    ReferralState,
    RiskAssessment,
)
from tests.marac.conftest import NOW

pytestmark = pytest.mark.django_db

MODELS = (MaracArea, MaracMeeting, MaracReferral, MaracAction, Attendance, RiskAssessment)


@pytest.fixture(scope="module")
def seeded(module_transaction):
    with time_machine.travel(NOW, tick=False):
        _seed_twice()


def _seed_twice():
    call_command("seed_demo", stdout=StringIO())
    counts = {model: model.objects.count() for model in MODELS}
    events = TimelineEvent.objects.count()
    call_command("seed_demo", stdout=StringIO())
    assert {model: model.objects.count() for model in MODELS} == counts
    assert TimelineEvent.objects.count() == events


def test_each_demo_organisation_gets_one_area_with_its_partner_agencies(seeded):
    areas = list(MaracArea.objects.select_related("organisation"))
    assert sorted(a.organisation.slug for a in areas) == ["clyde", "taff"]
    for area in areas:
        kinds = set(area.agencies.values_list("kind", flat=True))
        assert {
            AgencyKind.POLICE,
            AgencyKind.CHILDRENS_SOCIAL_CARE,
            AgencyKind.HEALTH,
            AgencyKind.HOUSING,
            AgencyKind.IDVA,
        } <= kinds
        partner = User.objects.get(username=f"marac.partner.{area.organisation.slug}")
        police = area.agencies.get(kind=AgencyKind.POLICE)
        assert list(police.members.all()) == [partner]


def test_the_past_meeting_has_approved_minutes_attendance_and_actions(seeded):
    today = timezone.localdate()
    for area in MaracArea.objects.all():
        past = area.meetings.get(state=MeetingState.MINUTES_APPROVED)
        assert timezone.localtime(past.starts_at).date() < today
        assert past.held_at and past.minutes_approved_at > past.held_at > past.agenda_published_at
        assert set(past.attendance.values_list("status", flat=True)) == {
            "present",
            "apologies",
            "deputy",
        }
        outcomes = sorted(past.cases.values_list("outcome", flat=True))
        assert outcomes.count(CaseOutcome.HEARD) in (2, 3)
        assert outcomes.count(CaseOutcome.DEFERRED) == 1
        for item in past.cases.select_related("referral"):
            if item.outcome == CaseOutcome.HEARD:
                assert item.summary and item.actions.exists()
            else:
                assert item.referral.state == ReferralState.DEFERRED
        actions = list(MaracAction.objects.filter(meeting_case__meeting=past))
        states = [a.state for a in actions]
        assert ActionState.DONE in states
        assert any(a.is_overdue() for a in actions)
        assert any(a.state == ActionState.OPEN and a.due_on >= today for a in actions)
        assert all(a.resolved_on and a.resolved_on <= today for a in actions if a.state != "open")
    # The past agenda's emails are not sent now as if they were new.
    assert not Reminder.objects.filter(
        purpose__startswith="staff.marac", state=ReminderState.SCHEDULED
    ).exists()


def test_the_next_meeting_has_a_draft_agenda_and_a_referral_still_waits(seeded):
    today = timezone.localdate()
    for area in MaracArea.objects.all():
        upcoming = (
            area.meetings.filter(state=MeetingState.SCHEDULED, starts_at__gt=timezone.now())
            .order_by("starts_at")
            .first()
        )
        days = (timezone.localtime(upcoming.starts_at).date() - today).days
        assert 7 <= days <= 14
        listed = [item.referral for item in upcoming.cases.select_related("referral")]
        assert 1 <= len(listed) <= 2
        assert all(r.state == ReferralState.LISTED for r in listed)
        assert any(r.is_repeat for r in listed)
        assert area.referrals.filter(state=ReferralState.REFERRED).exists()


def test_the_demo_partner_sees_the_past_meeting_and_only_police_actions(seeded):
    for slug in ("clyde", "taff"):
        partner = User.objects.get(username=f"marac.partner.{slug}")
        meetings = policy.visible(partner, "marac.meeting.view", MaracMeeting.objects.all())
        past = MaracMeeting.objects.get(
            area__organisation__slug=slug, state=MeetingState.MINUTES_APPROVED
        )
        assert list(meetings) == [past]  # the draft agenda is not circulated yet
        actions = policy.visible(partner, "marac.action.view", MaracAction.objects.all())
        kinds = set(actions.values_list("owner_agency__kind", flat=True))
        assert kinds == {AgencyKind.POLICE}
        assert set(actions.values_list("owner_agency__area__organisation__slug", flat=True)) == {
            slug
        }
        assert actions.filter(state=ActionState.OPEN).exists()
