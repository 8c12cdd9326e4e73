"""The meeting pages: the chair runs a whole meeting in the browser; a partner reads the agendas
and minutes of the meetings their agency is invited to, and nothing else."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from carepath.audit.models import AccessLogEntry
from marac.models import (
    Attendance,
    MaracAction,
    MaracReferral,
    MeetingCase,
    MeetingState,
    ReferralState,
)
from marac.services import meetings as svc
from tests.marac.conftest import on_meeting_day

LONDON = ZoneInfo("Europe/London")


def _url(name: str, *args) -> str:
    return reverse(f"marac:{name}", args=args)


def _page(response) -> str:
    return response.content.decode()


def _read_cases(user, *, after: int = 0) -> set[int]:
    return set(
        AccessLogEntry.objects.filter(
            actor=user, action=AccessLogEntry.Action.VIEW, pk__gt=after
        ).values_list("object_id", flat=True)
    )


def _last_entry() -> int:
    return AccessLogEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


@pytest.fixture
def approved(time_machine, chair_a, meeting, make_referral, police, health, police_officer):
    """An approved meeting with one heard case and an action for each agency."""
    referral = make_referral()
    item = svc.marac_meeting_list_case(by=chair_a, meeting=meeting, referral=referral)
    svc.marac_meeting_publish_agenda(by=chair_a, meeting=meeting)
    svc.research_record(
        by=police_officer, item=item, agency=police, nothing_held=False, findings="2 callouts"
    )
    on_meeting_day(time_machine)
    svc.marac_meeting_hold(by=chair_a, meeting=meeting)
    svc.attendance_record(
        by=chair_a, meeting=meeting, agency=police, person="DS Ray", status="present"
    )
    svc.meeting_case_hear(by=chair_a, item=item, summary="Discussed the risk from the ex-partner")
    for agency, text in ((police, "Flag the address"), (health, "Tell the GP surgery")):
        svc.marac_action_create(
            by=chair_a,
            item=item,
            description=text,
            owner_agency=agency,
            owner_person="Someone",
            due_on=datetime.date(2026, 3, 20),
        )
    svc.marac_meeting_approve_minutes(by=chair_a, meeting=meeting)
    return item


# --- The chair ------------------------------------------------------------------------------


def test_a_marac_chair_can_run_a_whole_meeting_in_the_browser(
    client, time_machine, chair_a, meeting, make_referral, police, health
):
    referral = make_referral()
    name = referral.case.display_name
    client.force_login(chair_a)
    meeting_url = _url("meeting", meeting.pk)

    page = _page(client.get(meeting_url))
    assert "Draft agenda" in page
    assert "List at least one case first." in page  # why the agenda cannot be published yet
    assert name in page  # waiting to be listed

    response = client.post(_url("meeting_list_case", meeting.pk), {"referral": referral.pk})
    assert response.status_code == 302
    item = MeetingCase.objects.get(meeting=meeting)
    page = _page(client.get(meeting_url))
    assert _url("item", item.pk) in page and "High" in page

    meeting.refresh_from_db()
    response = client.post(
        _url("meeting_transition", meeting.pk, "publish_agenda"), {"version": meeting.version}
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.AGENDA_PUBLISHED
    page = _page(client.get(meeting_url))
    assert "Northtown Police: not yet" in page
    assert "The meeting has not started yet." in page

    on_meeting_day(time_machine)
    client.force_login(chair_a)  # a week later: a new session
    response = client.post(
        _url("meeting_transition", meeting.pk, "hold"), {"version": meeting.version}
    )
    assert response.status_code == 302 and response.url == meeting_url
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.HELD

    attendance_url = _url("attendance", meeting.pk)
    assert (
        client.post(
            attendance_url, {"agency": police.pk, "person": "DS Ray", "status": "present"}
        ).status_code
        == 302
    )
    response = client.post(
        attendance_url, {"agency": health.pk, "person": "Nurse Kay", "status": "deputy"}
    )
    assert response.status_code == 200
    assert "Say whom the deputy stands in for." in _page(response)
    response = client.post(
        attendance_url,
        {"agency": health.pk, "person": "Nurse Kay", "status": "deputy", "deputy_for": "Dr Ali"},
    )
    assert response.status_code == 302
    assert Attendance.objects.filter(meeting=meeting).count() == 2

    item_page = _page(client.get(_url("item", item.pk)))
    assert "Through her caseworker only" in item_page  # safe contact, for the chair
    assert "Save the summary" in item_page
    response = client.post(
        _url("item_discussion", item.pk),
        {"decision": "hear", "summary": "Risk from ex-partner; police to visit."},
    )
    assert response.status_code == 302
    response = client.post(
        _url("action_new", item.pk),
        {
            "description": "Flag the address for urgent response",
            "owner_agency": police.pk,
            "owner_person": "DS Ray",
            "due_on": "2026-03-20",
        },
    )
    assert response.status_code == 302, _page(response)
    # An action set by mistake is taken back.
    item.refresh_from_db()
    mistake = svc.marac_action_create(
        by=chair_a,
        item=item,
        description="Wrong one",
        owner_agency=health,
        owner_person="X",
        due_on=datetime.date(2026, 3, 20),
    )
    assert client.post(_url("action_new", item.pk), {"remove": mistake.pk}).status_code == 302
    assert not MaracAction.objects.filter(pk=mistake.pk).exists()

    meeting.refresh_from_db()
    response = client.post(
        _url("meeting_notes", meeting.pk),
        {"version": meeting.version, "notes": "Information-sharing reminder given."},
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    response = client.post(
        _url("meeting_transition", meeting.pk, "approve_minutes"), {"version": meeting.version}
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    referral.refresh_from_db()
    assert meeting.state == MeetingState.MINUTES_APPROVED
    assert meeting.minutes_approved_by == chair_a
    assert referral.state == ReferralState.HEARD

    printed = _page(client.get(_url("meeting_print", meeting.pk)))
    assert "MARAC minutes" in printed
    assert "Risk from ex-partner; police to visit." in printed
    assert "Flag the address for urgent response" in printed
    assert "Nurse Kay" in printed and "Dr Ali" in printed
    assert "Information-sharing reminder given." in printed
    assert printed.count("OFFICIAL-SENSITIVE") == 2

    # The minutes are locked: a late change is refused, with a reason, and changes nothing.
    response = client.post(
        _url("item_discussion", item.pk), {"decision": "hear", "summary": "Changed afterwards"}
    )
    assert response.status_code == 200
    assert "The minutes are approved and locked." in _page(response)
    item.refresh_from_db()
    assert item.summary == "Risk from ex-partner; police to visit."


def test_the_chair_defers_a_case_at_the_meeting(
    client, time_machine, chair_a, meeting, make_referral
):
    item = svc.marac_meeting_list_case(by=chair_a, meeting=meeting, referral=make_referral())
    svc.marac_meeting_publish_agenda(by=chair_a, meeting=meeting)
    on_meeting_day(time_machine)
    svc.marac_meeting_hold(by=chair_a, meeting=meeting)
    client.force_login(chair_a)
    response = client.post(_url("item_discussion", item.pk), {"decision": "defer", "reason": ""})
    assert response.status_code == 200 and "error-summary" in _page(response)
    response = client.post(
        _url("item_discussion", item.pk), {"decision": "defer", "reason": "Referrer not briefed"}
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.outcome, item.deferred_reason) == ("deferred", "Referrer not briefed")


def test_the_chair_takes_a_case_off_the_agenda(client, chair_a, meeting, make_referral):
    referral = make_referral()
    item = svc.marac_meeting_list_case(by=chair_a, meeting=meeting, referral=referral)
    client.force_login(chair_a)
    assert client.get(_url("item_unlist", item.pk)).status_code == 200
    assert client.post(_url("item_unlist", item.pk)).status_code == 302
    referral.refresh_from_db()
    assert referral.state == ReferralState.REFERRED
    assert not MeetingCase.objects.exists()


def test_the_chair_moves_a_meeting_and_changes_invitations(client, chair_a, meeting, police):
    client.force_login(chair_a)
    url = _url("meeting_edit", meeting.pk)
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "version": meeting.version,
            "date": "2026-03-10",
            "time": "14:00",
            "location": "Room 2",
            "invited": [police.pk],
        },
    )
    assert response.status_code == 302, _page(response)
    meeting.refresh_from_db()
    assert meeting.starts_at == datetime.datetime(2026, 3, 10, 14, 0, tzinfo=LONDON)
    assert meeting.location == "Room 2"
    assert list(meeting.invited.all()) == [police]


def test_the_chair_cancels_a_meeting_with_a_reason(client, chair_a, meeting, make_referral):
    referral = make_referral()
    svc.marac_meeting_list_case(by=chair_a, meeting=meeting, referral=referral)
    client.force_login(chair_a)
    url = _url("meeting_transition", meeting.pk, "cancel")
    assert "Why is the meeting cancelled?" in _page(client.get(url))
    response = client.post(url, {"version": meeting.version, "reason": ""})
    assert response.status_code == 200
    meeting.refresh_from_db()
    response = client.post(url, {"version": meeting.version, "reason": "Chair unwell"})
    assert response.status_code == 302
    meeting.refresh_from_db()
    referral.refresh_from_db()
    assert meeting.state == MeetingState.CANCELLED
    assert referral.state == ReferralState.REFERRED


# --- Bad input -------------------------------------------------------------------------------


def test_a_referral_of_another_marac_cannot_be_listed(
    client, chair_a, meeting, make_referral, org_a
):
    other = svc.marac_area_create(by=chair_a, values={"name": "Southtown MARAC"})
    referral = make_referral(to=other)
    client.force_login(chair_a)
    response = client.post(_url("meeting_list_case", meeting.pk), {"referral": referral.pk})
    assert response.status_code == 200
    assert "The case was referred to another MARAC." in _page(response)
    referral.refresh_from_db()
    assert referral.state == ReferralState.REFERRED
    assert not MeetingCase.objects.exists()


@pytest.mark.parametrize("value", ["abc", "999999", ""])
def test_an_unknown_referral_is_a_form_error(client, chair_a, meeting, make_referral, value):
    make_referral()
    client.force_login(chair_a)
    response = client.post(_url("meeting_list_case", meeting.pk), {"referral": value})
    assert response.status_code == 200
    assert "error-summary" in _page(response)
    assert not MeetingCase.objects.exists()


def test_an_expired_version_is_refused_and_changes_nothing(client, chair_a, meeting, make_referral):
    svc.marac_meeting_list_case(by=chair_a, meeting=meeting, referral=make_referral())
    client.force_login(chair_a)
    stale = meeting.version
    meeting.refresh_from_db()
    # Someone else changed the meeting since this page was drawn.
    svc.marac_meeting_update(
        by=chair_a,
        meeting=meeting,
        expected_version=meeting.version,
        starts_at=meeting.starts_at,
        location="Room 9",
    )
    response = client.post(
        _url("meeting_transition", meeting.pk, "publish_agenda"), {"version": stale}
    )
    assert response.status_code == 409
    assert "Someone else changed this record" in _page(response)
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.SCHEDULED
    response = client.post(_url("meeting_transition", meeting.pk, "publish_agenda"), {})
    assert response.status_code == 200 and "error-summary" in _page(response)
    assert client.post(_url("meeting_transition", meeting.pk, "no_such_step")).status_code == 404


def test_a_stale_notes_form_is_refused(client, time_machine, chair_a, meeting, make_referral):
    svc.marac_meeting_list_case(by=chair_a, meeting=meeting, referral=make_referral())
    svc.marac_meeting_publish_agenda(by=chair_a, meeting=meeting)
    on_meeting_day(time_machine)
    svc.marac_meeting_hold(by=chair_a, meeting=meeting)
    client.force_login(chair_a)
    meeting.refresh_from_db()
    response = client.post(
        _url("meeting_notes", meeting.pk), {"version": meeting.version - 1, "notes": "Late"}
    )
    assert response.status_code == 409
    meeting.refresh_from_db()
    assert meeting.notes == ""


def test_a_meeting_step_that_is_blocked_says_why(client, chair_a, meeting):
    client.force_login(chair_a)
    page = _page(client.get(_url("meeting_transition", meeting.pk, "publish_agenda")))
    assert "List at least one case first." in page
    response = client.post(
        _url("meeting_transition", meeting.pk, "publish_agenda"), {"version": meeting.version}
    )
    assert response.status_code == 200
    assert "List at least one case first." in _page(response)
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.SCHEDULED


def test_bad_removals_change_nothing(client, time_machine, chair_a, meeting, make_referral):
    item = svc.marac_meeting_list_case(by=chair_a, meeting=meeting, referral=make_referral())
    client.force_login(chair_a)
    response = client.post(_url("attendance", meeting.pk), {"remove": "abc"}, follow=True)
    assert "That attendance record was not found" in _page(response)
    response = client.post(_url("action_new", item.pk), {"remove": "99999"}, follow=True)
    assert "That action was not found" in _page(response)


# --- Referrals ------------------------------------------------------------------------------


def test_the_chair_defers_closes_and_transfers_a_referral(client, chair_a, make_referral):
    referral = make_referral()
    other = svc.marac_area_create(by=chair_a, values={"name": "Southtown MARAC"})
    client.force_login(chair_a)
    page = _page(client.get(_url("referral", referral.pk)))
    assert "Through her caseworker only" in page
    assert _url("referral_transition", referral.pk, "defer") in page
    assert _url("referral_transition", referral.pk, "close") not in page  # not heard yet

    url = _url("referral_transition", referral.pk, "defer")
    response = client.post(url, {"version": referral.version, "reason": "Referrer not briefed"})
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.state == ReferralState.DEFERRED

    url = _url("referral_transition", referral.pk, "transfer")
    response = client.post(url, {"version": referral.version, "area": "x", "reason": "Moved"})
    assert response.status_code == 200
    response = client.post(url, {"version": referral.version, "area": other.pk, "reason": "Moved"})
    assert response.status_code == 302
    referral.refresh_from_db()
    moved = MaracReferral.objects.get(transferred_from=referral)
    assert referral.state == ReferralState.TRANSFERRED and moved.area == other
    page = _page(client.get(_url("referral", moved.pk)))
    assert "Transferred from Northtown MARAC" in page


def test_a_referral_with_open_actions_cannot_close(client, chair_a, approved):
    referral = approved.referral
    client.force_login(chair_a)
    page = _page(client.get(_url("referral", referral.pk)))
    assert "Every action on this case must be resolved before it closes." in page
    assert "Discussed the risk from the ex-partner" in page
    referral.refresh_from_db()
    response = client.post(
        _url("referral_transition", referral.pk, "close"),
        {"version": referral.version, "reason": "Risk reduced"},
    )
    assert response.status_code == 200
    assert "must be resolved" in _page(response)
    referral.refresh_from_db()
    assert referral.state == ReferralState.HEARD


def test_a_caseworker_reads_the_referral_of_their_case(
    client, caseworker_a, chair_a, make_referral, team_a, manager_a
):
    from tests.factories import CaseFactory

    case = CaseFactory(team=team_a, by=manager_a, caseworker=None)
    referral = make_referral(case)
    client.force_login(caseworker_a)
    response = client.get(_url("referral", referral.pk))
    assert response.status_code == 200
    page = _page(response)
    assert reverse("casework:case", args=[case.pk]) in page
    assert "referral_transition" not in page and "/transition/" not in page
    response = client.post(
        _url("referral_transition", referral.pk, "defer"),
        {"version": referral.version, "reason": "x"},
    )
    assert response.status_code == 404
    referral.refresh_from_db()
    assert referral.state == ReferralState.REFERRED


# --- Partners -------------------------------------------------------------------------------


def test_a_partner_sees_only_published_meetings_of_their_agency(
    client, chair_a, meeting, make_referral, police_officer, health, area
):
    referral = make_referral()
    item = svc.marac_meeting_list_case(by=chair_a, meeting=meeting, referral=referral)
    client.force_login(police_officer)
    # Scheduled: the agenda is not out yet.
    for url in (_url("meeting", meeting.pk), _url("meeting_print", meeting.pk)):
        assert client.get(url).status_code == 404
    assert client.get(_url("item", item.pk)).status_code == 404
    assert _url("meeting", meeting.pk) not in _page(client.get(_url("meetings")))

    svc.marac_meeting_publish_agenda(by=chair_a, meeting=meeting)
    page = _page(client.get(_url("meetings")))
    assert _url("meeting", meeting.pk) in page
    assert _url("actions") in page
    page = _page(client.get(_url("meeting", meeting.pk)))
    assert referral.case.display_name in page
    assert "Ex-partner" in page  # the perpetrator, for research
    assert _url("research", item.pk) in page
    assert "Through her caseworker only" not in page  # safe contact is for the chair only
    assert reverse("casework:case", args=[referral.case.pk]) not in page
    assert _url("referral", referral.pk) not in page

    page = _page(client.get(_url("item", item.pk)))
    assert _url("research", item.pk) in page
    for private in ("Through her caseworker only", "Visible high risk", "consents"):
        assert private not in page
    assert reverse("casework:case", args=[referral.case.pk]) not in page

    # A meeting the police are not invited to stays hidden, even once published.
    other = svc.marac_meetings_schedule(
        by=chair_a,
        area=area,
        first_starts_at=datetime.datetime(2026, 3, 16, 10, 0, tzinfo=LONDON),
    )[0]
    svc.marac_meeting_invite(
        by=chair_a, meeting=other, agencies=[health], expected_version=other.version
    )
    other_item = svc.marac_meeting_list_case(by=chair_a, meeting=other, referral=make_referral())
    svc.marac_meeting_publish_agenda(by=chair_a, meeting=other)
    assert client.get(_url("meeting", other.pk)).status_code == 404
    assert client.get(_url("meeting_print", other.pk)).status_code == 404
    assert client.get(_url("item", other_item.pk)).status_code == 404
    assert _url("meeting", other.pk) not in _page(client.get(_url("meetings")))


def test_a_partner_gets_404_on_an_item_withheld_from_their_agency(
    client, chair_a, meeting, make_referral, police, police_officer
):
    shared = svc.marac_meeting_list_case(by=chair_a, meeting=meeting, referral=make_referral())
    withheld_referral = make_referral()
    withheld_referral.withheld_from.add(police)
    withheld = svc.marac_meeting_list_case(by=chair_a, meeting=meeting, referral=withheld_referral)
    svc.marac_meeting_publish_agenda(by=chair_a, meeting=meeting)
    client.force_login(police_officer)
    assert client.get(_url("item", withheld.pk)).status_code == 404
    assert client.get(_url("item", shared.pk)).status_code == 200
    page = _page(client.get(_url("meeting", meeting.pk)))
    assert shared.referral.case.display_name in page
    assert withheld_referral.case.display_name not in page
    printed = _page(client.get(_url("meeting_print", meeting.pk)))
    assert "MARAC agenda" in printed and printed.count("OFFICIAL-SENSITIVE") == 2
    assert shared.referral.case.display_name in printed
    assert withheld_referral.case.display_name not in printed
    # Only the case shown was read.
    assert _read_cases(police_officer) == {shared.referral.case.pk}


def test_a_partner_never_reaches_the_referral_or_the_case(client, approved, police_officer):
    client.force_login(police_officer)
    referral = approved.referral
    assert client.get(_url("referral", referral.pk)).status_code == 404
    assert client.get(reverse("casework:case", args=[referral.case.pk])).status_code == 404
    for name in ("item_discussion", "item_unlist", "action_new"):
        assert client.post(_url(name, approved.pk), {"summary": "x"}).status_code == 404
    for name in ("meeting_edit", "meeting_list_case", "attendance", "meeting_notes"):
        assert client.post(_url(name, approved.meeting_id), {"notes": "x"}).status_code == 404


def test_a_partner_sees_only_their_own_agencys_actions_in_the_minutes(
    client, approved, police_officer, health_visitor
):
    meeting = approved.meeting
    client.force_login(police_officer)
    for url in (_url("meeting", meeting.pk), _url("meeting_print", meeting.pk)):
        page = _page(client.get(url))
        assert "Discussed the risk from the ex-partner" in page
        assert "Flag the address" in page
        assert "Tell the GP surgery" not in page
        assert "1 action for other agencies is not shown." in page
    page = _page(client.get(_url("item", approved.pk)))
    assert "Flag the address" in page and "Tell the GP surgery" not in page
    assert "2 callouts" in page  # their own agency's research

    client.force_login(health_visitor)
    page = _page(client.get(_url("meeting", meeting.pk)))
    assert "Tell the GP surgery" in page and "Flag the address" not in page
    assert "2 callouts" not in _page(client.get(_url("item", approved.pk)))


# --- Outsiders ------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["manager_b", "caseworker_b", "caseworker_a", "manager_a"])
def test_staff_without_a_marac_role_get_404_on_meeting_pages(
    client, request, approved, who, make_user, org_b
):
    client.force_login(request.getfixturevalue(who))
    meeting = approved.meeting
    for url in (
        _url("meetings"),
        _url("meeting", meeting.pk),
        _url("meeting_print", meeting.pk),
        _url("item", approved.pk),
    ):
        assert client.get(url).status_code == 404, url


def test_another_organisations_chair_gets_404(client, approved, make_user, org_b):
    client.force_login(make_user(org_b, "marac_chair", username="chair.b"))
    assert client.get(_url("meeting", approved.meeting_id)).status_code == 404
    assert client.get(_url("item", approved.pk)).status_code == 404
    assert client.get(_url("referral", approved.referral_id)).status_code == 404
    assert _url("meeting", approved.meeting_id) not in _page(client.get(_url("meetings")))


# --- Reads are logged ---------------------------------------------------------------------------


def test_pages_that_show_survivors_log_a_read_of_each_case(client, chair_a, meeting, make_referral):
    first, second = make_referral(), make_referral()
    svc.marac_meeting_list_case(by=chair_a, meeting=meeting, referral=first)
    client.force_login(chair_a)
    client.get(_url("meeting", meeting.pk))
    # The agenda shows the first; the list of waiting referrals shows the second.
    assert _read_cases(chair_a) == {first.case.pk, second.case.pk}
    entry = AccessLogEntry.objects.filter(actor=chair_a, object_id=first.case.pk).first()
    assert entry.path == _url("meeting", meeting.pk) and entry.basis == "MARAC chair"

    mark = _last_entry()
    client.get(_url("referral", second.pk))
    assert _read_cases(chair_a, after=mark) == {second.case.pk}

    # The list of meetings names nobody.
    mark = _last_entry()
    client.get(_url("meetings"))
    assert _last_entry() == mark


def test_the_item_and_print_pages_log_their_reads(client, approved, chair_a):
    client.force_login(chair_a)
    client.get(_url("item", approved.pk))
    client.get(_url("meeting_print", approved.meeting_id))
    paths = set(
        AccessLogEntry.objects.filter(
            actor=chair_a, object_id=approved.referral.case_id
        ).values_list("path", flat=True)
    )
    assert paths == {_url("item", approved.pk), _url("meeting_print", approved.meeting_id)}


# --- The list of meetings ------------------------------------------------------------------------


def test_the_list_of_meetings_marks_an_overdue_agenda(client, chair_a, meeting, time_machine):
    client.force_login(chair_a)
    page = _page(client.get(_url("meetings")))
    assert "Overdue" not in page and "Due today" in page  # due 2 March for 9 March
    assert _url("areas") in page and _url("actions") in page
    time_machine.move_to(datetime.datetime(2026, 3, 4, 9, 0, tzinfo=LONDON), tick=False)
    client.force_login(chair_a)
    assert "Overdue" in _page(client.get(_url("meetings")))


def test_the_list_of_meetings_reads_a_fixed_number_of_queries(
    client,
    chair_a,
    area,
    police,
    health,
    police_officer,
    make_referral,
    django_assert_max_num_queries,
):
    meetings = svc.marac_meetings_schedule(
        by=chair_a,
        area=area,
        first_starts_at=datetime.datetime(2026, 3, 9, 10, 0, tzinfo=LONDON),
        count=6,
    )
    for meeting in meetings[:4]:
        svc.marac_meeting_list_case(by=chair_a, meeting=meeting, referral=make_referral())
        svc.marac_meeting_publish_agenda(by=chair_a, meeting=meeting)
    svc.marac_meeting_cancel(by=chair_a, meeting=meetings[5], reason="Holiday")
    for user in (chair_a, police_officer):
        client.force_login(user)
        with django_assert_max_num_queries(12):
            response = client.get(_url("meetings"))
        assert response.status_code == 200
    page = _page(response)
    assert page.count('href="/marac/meetings/') == 4  # the partner: published ones only


def test_a_partner_sees_the_agenda_of_a_held_meeting_without_draft_minutes(
    client, time_machine, chair_a, meeting, make_referral, police_officer
):
    item = svc.marac_meeting_list_case(by=chair_a, meeting=meeting, referral=make_referral())
    svc.marac_meeting_publish_agenda(by=chair_a, meeting=meeting)
    on_meeting_day(time_machine)
    svc.marac_meeting_hold(by=chair_a, meeting=meeting)
    svc.meeting_case_hear(by=chair_a, item=item, summary="Draft words")
    client.force_login(police_officer)
    for url in (
        _url("meeting", meeting.pk),
        _url("meeting_print", meeting.pk),
        _url("item", item.pk),
    ):
        page = _page(client.get(url))
        assert "Draft words" not in page
