"""The MARAC part of the case page: what the case's caseworker and service manager see of its
referrals, meetings, approved discussion summaries and actions."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from casework.services import cases as case_services
from marac.models import MaracArea
from marac.selectors.risk import marac_referrals_of
from marac.services import meetings as svc
from tests.marac.conftest import on_meeting_day

LONDON = ZoneInfo("Europe/London")
SUMMARY = "Escalating threats; the caseworker spoke for her. Police to mark the address."


@pytest.fixture
def referral(make_referral, case_a, manager_a, caseworker_a):
    case_services.case_accept(
        by=manager_a, case=case_a, caseworker=caseworker_a, expected_version=case_a.version
    )
    return make_referral(case_a)


def _page(client, user, case) -> str:
    client.force_login(user)
    response = client.get(reverse("casework:case", args=[case.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _hold_and_hear(time_machine, chair, meeting, referral, police):
    item = svc.marac_meeting_list_case(by=chair, meeting=meeting, referral=referral)
    svc.marac_meeting_publish_agenda(by=chair, meeting=meeting)
    on_meeting_day(time_machine)
    svc.marac_meeting_hold(by=chair, meeting=meeting)
    svc.attendance_record(
        by=chair, meeting=meeting, agency=police, person="Pat Example", status="present"
    )
    svc.meeting_case_hear(by=chair, item=item, summary=SUMMARY)
    svc.marac_action_create(
        by=chair,
        item=item,
        description="Add a marker to the address",
        owner_agency=police,
        owner_person="Duty sergeant",
        due_on=datetime.date(2026, 3, 12),
    )
    svc.marac_action_create(
        by=chair,
        item=item,
        description="Check the bail conditions",
        owner_agency=police,
        owner_person="Public protection unit",
        due_on=datetime.date(2026, 4, 30),
    )
    return item


def test_a_waiting_referral_shows_its_state_criteria_and_link(client, referral, caseworker_a):
    page = _page(client, caseworker_a, referral.case)
    assert 'id="marac-title"' in page
    assert "Northtown MARAC: referred on 2 Mar 2026" in page
    assert "Referred" in page and "Visible high risk" in page
    assert "Not yet listed for a meeting" in page
    assert reverse("marac:referral", args=[referral.pk]) in page
    # The eligibility part and its "Refer" link are still there.
    assert reverse("marac:referral_new", args=[referral.case.pk, referral.area.pk]) in page


def test_a_listed_referral_shows_the_meeting_date(
    client, referral, chair_a, meeting, manager_a, caseworker_a
):
    svc.marac_meeting_list_case(by=chair_a, meeting=meeting, referral=referral)
    for user in (caseworker_a, manager_a):
        page = _page(client, user, referral.case)
        assert "Listed for a meeting" in page  # the referral's state
        assert "Listed for the meeting on 9 Mar 2026" in page


def test_the_summary_shows_only_once_the_minutes_are_approved(
    client, time_machine, referral, chair_a, meeting, police, caseworker_a, manager_a
):
    _hold_and_hear(time_machine, chair_a, meeting, referral, police)

    page = _page(client, caseworker_a, referral.case)
    assert "Heard at the meeting on 9 Mar 2026" in page
    assert SUMMARY not in page
    assert "Add a marker to the address" not in page
    assert "The minutes of the meeting on 9 Mar 2026 are not yet approved." in page

    meeting.refresh_from_db()
    svc.marac_meeting_approve_minutes(by=chair_a, meeting=meeting)
    time_machine.move_to(datetime.datetime(2026, 3, 20, 9, 0, tzinfo=LONDON), tick=False)
    for user in (caseworker_a, manager_a):
        page = _page(client, user, referral.case)
        assert SUMMARY in page
        assert "not yet approved" not in page
        assert "Add a marker to the address" in page
        assert "Northtown Police · Duty sergeant" in page
        assert '<time datetime="2026-03-12">12 Mar 2026</time> <strong class="tag' in page
        assert page.count(">Overdue<") == 1  # the one due 30 Apr is not
        assert "Check the bail conditions" in page


def test_a_deferred_case_shows_the_reason_once_approved(
    client, time_machine, referral, chair_a, meeting, police, caseworker_a
):
    item = svc.marac_meeting_list_case(by=chair_a, meeting=meeting, referral=referral)
    svc.marac_meeting_publish_agenda(by=chair_a, meeting=meeting)
    on_meeting_day(time_machine)
    svc.marac_meeting_hold(by=chair_a, meeting=meeting)
    svc.attendance_record(by=chair_a, meeting=meeting, agency=police, person="P", status="present")
    svc.meeting_case_defer(by=chair_a, item=item, reason="The referrer was not briefed.")
    meeting.refresh_from_db()
    svc.marac_meeting_approve_minutes(by=chair_a, meeting=meeting)
    page = _page(client, caseworker_a, referral.case)
    assert "Deferred at the meeting on 9 Mar 2026" in page
    assert "The referrer was not briefed." in page


def test_the_marac_part_takes_a_fixed_number_of_queries(
    time_machine,
    referral,
    chair_a,
    meeting,
    police,
    make_referral,
    org_a,
    django_assert_num_queries,
):
    _hold_and_hear(time_machine, chair_a, meeting, referral, police)
    with django_assert_num_queries(3):
        one = marac_referrals_of(referral.case)
    other = MaracArea.objects.create(organisation=org_a, name="Southtown MARAC")
    make_referral(referral.case, to=other)
    with django_assert_num_queries(3):
        two = marac_referrals_of(referral.case)
    assert len(one) == 1 and len(two) == 2
    assert sum(len(item.actions.all()) for r in two for item in r.listings.all()) == 2
