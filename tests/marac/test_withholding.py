"""A case withheld from an agency (for example where the perpetrator works there) never reaches
it: not on agendas, not as research, not as an action. And drafts stay the chair's until the
minutes are approved."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from carepath import policy
from carepath.pathway import PathwayError
from carepath.sms.models import Reminder
from marac.models import AgencyResearch, MaracReferral, ReferralState
from marac.services import meetings as svc
from marac.services.risk import risk_assessment_record
from tests.marac.conftest import REFERRAL_VALUES, TODAY, answers_with, on_meeting_day


def _held(time_machine, chair, meeting, referral):
    item = svc.marac_meeting_list_case(by=chair, meeting=meeting, referral=referral)
    svc.marac_meeting_publish_agenda(by=chair, meeting=meeting)
    on_meeting_day(time_machine)
    svc.marac_meeting_hold(by=chair, meeting=meeting)
    return item


def test_the_referrer_chooses_agencies_that_must_not_see_the_case(
    client, case_a, manager_a, dash, area, police, health
):
    risk_assessment_record(
        by=manager_a, case=case_a, checklist=dash, assessed_on=TODAY, answers=answers_with(15)
    )
    client.force_login(manager_a)
    url = reverse("marac:referral_new", args=[case_a.pk, area.pk])
    assert "Northtown Police" in client.get(url).content.decode()
    values = {k: v for k, v in REFERRAL_VALUES.items() if k not in ("survivor_knows",)}
    response = client.post(
        url,
        {
            **values,
            "referred_on": "2026-03-02",
            "survivor_consents": "on",
            "withheld_from": [police.pk],
        },
    )
    assert response.status_code == 302
    assert list(MaracReferral.objects.get().withheld_from.all()) == [police]


def test_the_chair_changes_who_the_case_is_withheld_from(
    client, chair_a, make_referral, police, health
):
    referral = make_referral()
    client.force_login(chair_a)
    page = client.get(reverse("marac:referral", args=[referral.pk])).content.decode()
    url = reverse("marac:referral_transition", args=[referral.pk, "withhold"])
    assert url in page
    response = client.post(url, {"version": referral.version, "agencies": [health.pk]})
    assert response.status_code == 302
    assert list(referral.withheld_from.all()) == [health]
    # A stale page changes nothing.
    stale = client.post(url, {"version": referral.version, "agencies": [police.pk]})
    assert stale.status_code == 409
    assert list(referral.withheld_from.all()) == [health]


def test_an_agency_of_another_marac_cannot_be_chosen(chair_a, make_referral, org_a):
    referral = make_referral()
    elsewhere = svc.marac_area_create(by=chair_a, values={"name": "Elsewhere"})
    other = svc.partner_agency_save(by=chair_a, area=elsewhere, name="Other police", kind="police")
    with pytest.raises(PathwayError, match="agencies of this MARAC"):
        svc.marac_referral_withhold(by=chair_a, referral=referral, agencies=[other])


def test_a_member_of_two_agencies_cannot_research_as_the_one_withheld_from(
    chair_a, meeting, make_referral, police, health, police_officer
):
    health.members.add(police_officer)
    referral = make_referral()
    referral.withheld_from.add(health)
    item = svc.marac_meeting_list_case(by=chair_a, meeting=meeting, referral=referral)
    svc.marac_meeting_publish_agenda(by=chair_a, meeting=meeting)
    with pytest.raises(policy.PolicyDenied):
        svc.research_record(
            by=police_officer, item=item, agency=health, nothing_held=True, findings=""
        )
    svc.research_record(by=police_officer, item=item, agency=police, nothing_held=True, findings="")
    assert list(AgencyResearch.objects.values_list("agency", flat=True)) == [police.pk]


def test_actions_only_for_invited_agencies_the_case_is_shared_with(
    client, time_machine, chair_a, meeting, make_referral, police, health
):
    referral = make_referral()
    referral.withheld_from.add(police)
    item = _held(time_machine, chair_a, meeting, referral)
    svc.meeting_case_hear(by=chair_a, item=item, summary="Discussed")
    client.force_login(chair_a)
    form = client.get(reverse("marac:item", args=[item.pk])).content.decode()
    form = form[form.index('name="owner_agency"') :].split("</select>")[0]
    assert "Northtown Health" in form and "Northtown Police" not in form
    response = client.post(
        reverse("marac:action_new", args=[item.pk]),
        {
            "description": "Visit her at home",
            "owner_agency": police.pk,
            "owner_person": "DS Ray",
            "due_on": "2026-03-20",
        },
    )
    assert response.status_code == 200
    assert not item.actions.exists()


def test_partners_and_caseworkers_see_no_draft_minutes(
    client, time_machine, chair_a, manager_a, meeting, make_referral, police, police_officer
):
    item = _held(time_machine, chair_a, meeting, make_referral())
    svc.meeting_case_hear(by=chair_a, item=item, summary="Draft summary text")
    action = svc.marac_action_create(
        by=chair_a,
        item=item,
        description="Draft action text",
        owner_agency=police,
        owner_person="DS Ray",
        due_on=datetime.date(2026, 3, 20),
    )
    client.force_login(police_officer)
    assert "Draft action text" not in client.get(reverse("marac:actions")).content.decode()
    assert client.get(reverse("marac:action", args=[action.pk])).status_code == 404
    client.force_login(manager_a)
    page = client.get(reverse("marac:referral", args=[item.referral.pk])).content.decode()
    assert "Draft summary text" not in page and "Draft action text" not in page
    assert "not yet approved" in page
    client.force_login(chair_a)
    page = client.get(reverse("marac:referral", args=[item.referral.pk])).content.decode()
    assert "Draft summary text" in page and "Draft action text" in page


def test_a_mistaken_deferral_is_turned_into_a_hearing_at_the_same_meeting(
    time_machine, chair_a, meeting, make_referral
):
    referral = make_referral()
    item = _held(time_machine, chair_a, meeting, referral)
    svc.meeting_case_defer(by=chair_a, item=item, reason="Referrer not briefed")
    svc.meeting_case_hear(by=chair_a, item=item, summary="Heard after all")
    referral.refresh_from_db()
    item.refresh_from_db()
    assert referral.state == ReferralState.HEARD
    assert (item.outcome, item.deferred_reason) == ("heard", "")


def _scheduled_later(chair, area):
    return svc.marac_meetings_schedule(by=chair, area=area, first_starts_at=_at(2026, 4, 6))[0]


def _at(year, month, day):
    return datetime.datetime(year, month, day, 10, tzinfo=ZoneInfo("Europe/London"))


def test_an_earlier_meeting_cannot_hear_a_case_now_listed_later(
    time_machine, chair_a, meeting, make_referral, area
):
    referral = make_referral()
    first = _held(time_machine, chair_a, meeting, referral)
    svc.meeting_case_defer(by=chair_a, item=first, reason="Referrer not briefed")
    later = _scheduled_later(chair_a, area)
    svc.marac_meeting_list_case(by=chair_a, meeting=later, referral=referral)
    with pytest.raises(PathwayError, match="later meeting"):
        svc.meeting_case_hear(by=chair_a, item=first, summary="Heard here after all")
    referral.refresh_from_db()
    assert referral.state == ReferralState.LISTED


def test_a_referral_does_not_close_or_move_while_its_meeting_is_under_way(
    time_machine, chair_a, meeting, make_referral
):
    item = _held(time_machine, chair_a, meeting, make_referral())
    svc.meeting_case_hear(by=chair_a, item=item, summary="Discussed")
    other = svc.marac_area_create(by=chair_a, values={"name": "Southtown"})
    with pytest.raises(PathwayError, match="under way"):
        svc.marac_referral_close(by=chair_a, referral=item.referral, reason="Done")
    with pytest.raises(PathwayError, match="under way"):
        svc.marac_referral_transfer(by=chair_a, referral=item.referral, area=other, reason="Moved")


def test_a_transfer_refuses_a_marac_where_the_case_already_waits(
    chair_a, make_referral, case_a, area
):
    other = svc.marac_area_create(by=chair_a, values={"name": "Southtown"})
    make_referral(case_a, to=other)
    referral = make_referral(case_a)
    with pytest.raises(PathwayError, match="already waiting"):
        svc.marac_referral_transfer(by=chair_a, referral=referral, area=other, reason="Moved")


def test_meetings_are_scheduled_within_two_years_and_one_a_day(client, chair_a, area, meeting):
    client.force_login(chair_a)
    response = client.post(
        reverse("marac:meeting_new", args=[area.pk]),
        {"date": "9999-12-31", "time": "23:30", "location": "", "count": "2"},
    )
    assert response.status_code == 200
    assert area.meetings.count() == 1
    later = _scheduled_later(chair_a, area)
    with pytest.raises(PathwayError, match="already meets"):
        svc.marac_meeting_update(
            by=chair_a,
            meeting=later,
            expected_version=later.version,
            starts_at=_at(2026, 3, 9).replace(hour=14),
            location="",
        )


def test_the_agenda_email_goes_to_partners_of_agencies_still_sitting(
    chair_a, meeting, make_referral, police, health, police_officer, health_visitor
):
    health.active = False
    health.save()
    svc.marac_meeting_list_case(by=chair_a, meeting=meeting, referral=make_referral())
    svc.marac_meeting_publish_agenda(by=chair_a, meeting=meeting)
    notified = set(
        Reminder.objects.filter(purpose="staff.marac_agenda").values_list("staff", flat=True)
    )
    assert notified == {police_officer.pk}
