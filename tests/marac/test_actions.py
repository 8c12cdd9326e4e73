import datetime
from importlib import import_module
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.conf import settings
from django.core import mail
from django.urls import reverse

from carepath.audit.models import AccessLogEntry
from carepath.sms.forms import MessageTemplateForm
from carepath.sms.models import Channel, MessageTemplate, Reminder, ReminderState
from carepath.sms.services import reminders_dispatch, render_text
from marac import tasks
from marac.models import ActionState, AgencyResearch, PartnerAgency
from marac.services import meetings as svc
from marac.services.actions import (
    ACTION_PURPOSE,
    marac_action_reminders_plan,
    marac_action_resolve,
)
from tests.marac.conftest import on_meeting_day

shipped = import_module("marac.migrations.0005_marac_message_templates")

LONDON = ZoneInfo("Europe/London")
DUE = datetime.date(2026, 3, 20)


def _move(time_machine, day: datetime.date, hour: int = 7):
    time_machine.move_to(
        datetime.datetime(day.year, day.month, day.day, hour, 0, tzinfo=LONDON), tick=False
    )


def _published(chair, meeting, *referrals):
    items = [
        svc.marac_meeting_list_case(by=chair, meeting=meeting, referral=referral)
        for referral in referrals
    ]
    svc.marac_meeting_publish_agenda(by=chair, meeting=meeting)
    return items


def _heard(time_machine, chair, meeting, *referrals):
    """The referrals on the meeting's agenda, the agenda out, the meeting held, each heard."""
    items = _published(chair, meeting, *referrals)
    on_meeting_day(time_machine)
    svc.marac_meeting_hold(by=chair, meeting=meeting)
    for item in items:
        svc.meeting_case_hear(by=chair, item=item, summary="Discussed")
    return items


def _action(chair, item, agency, *, due_on=DUE, description="Flag the address"):
    return svc.marac_action_create(
        by=chair,
        item=item,
        description=description,
        owner_agency=agency,
        owner_person="DS Ray",
        due_on=due_on,
    )


def _approve(chair, meeting):
    """Attendance recorded and the minutes approved: the actions are agreed."""
    agency = meeting.invited.order_by("pk").first()
    svc.attendance_record(
        by=chair, meeting=meeting, agency=agency, person="DS Ray", status="present"
    )
    svc.marac_meeting_approve_minutes(by=chair, meeting=meeting)


@pytest.fixture
def police_action(time_machine, chair_a, meeting, make_referral, police):
    (item,) = _heard(time_machine, chair_a, meeting, make_referral())
    action = _action(chair_a, item, police)
    _approve(chair_a, meeting)
    action.refresh_from_db()
    return action


# --- Resolving actions in the browser ----------------------------------------------------------


def test_a_partner_resolves_their_agencys_action(client, police_action, police_officer):
    client.force_login(police_officer)
    listing = client.get(reverse("marac:actions")).content.decode()
    assert "Flag the address" in listing
    page = client.get(reverse("marac:action", args=[police_action.pk])).content.decode()
    assert "Record what became of the action" in page
    response = client.post(
        reverse("marac:action_resolve", args=[police_action.pk]),
        {"state": "done", "outcome": "Flag added", "version": police_action.version},
    )
    assert response.status_code == 302
    police_action.refresh_from_db()
    assert police_action.state == ActionState.DONE
    assert police_action.resolved_by == police_officer
    assert police_action.outcome == "Flag added"
    page = client.get(reverse("marac:action", args=[police_action.pk])).content.decode()
    assert "Flag added" in page and "Record what became of the action" not in page


def test_a_partner_of_another_agency_gets_a_404(client, police_action, health_visitor):
    client.force_login(health_visitor)
    assert client.get(reverse("marac:action", args=[police_action.pk])).status_code == 404
    response = client.post(
        reverse("marac:action_resolve", args=[police_action.pk]),
        {"state": "done", "outcome": "", "version": police_action.version},
    )
    assert response.status_code == 404
    assert "Flag the address" not in client.get(reverse("marac:actions")).content.decode()
    police_action.refresh_from_db()
    assert police_action.state == ActionState.OPEN


def test_the_chair_resolves_and_sees_the_survivors_name(client, police_action, chair_a):
    case = police_action.meeting_case.referral.case
    client.force_login(chair_a)
    listing = client.get(reverse("marac:actions")).content.decode()
    assert case.display_name in listing
    assert AccessLogEntry.objects.filter(actor=chair_a, object_id=case.pk).exists()
    response = client.post(
        reverse("marac:action_resolve", args=[police_action.pk]),
        {"state": "not_possible", "outcome": "Moved away", "version": police_action.version},
    )
    assert response.status_code == 302
    police_action.refresh_from_db()
    assert police_action.state == ActionState.NOT_POSSIBLE
    assert police_action.resolved_by == chair_a


@pytest.mark.parametrize("state", ["not_possible", "not_undertaken"])
def test_a_reason_is_needed_unless_done(client, police_action, police_officer, state):
    client.force_login(police_officer)
    response = client.post(
        reverse("marac:action_resolve", args=[police_action.pk]),
        {"state": state, "outcome": "  ", "version": police_action.version},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "error-summary" in body and "Give the reason the action was not done." in body
    before = police_action.version
    police_action.refresh_from_db()
    assert police_action.state == ActionState.OPEN and police_action.version == before


def test_a_stale_version_is_refused_with_a_conflict_message(
    client, police_action, police_officer, chair_a
):
    drawn_at = police_action.version
    marac_action_resolve(by=chair_a, action=police_action, state="done", outcome="Done by chair")
    client.force_login(police_officer)
    response = client.post(
        reverse("marac:action_resolve", args=[police_action.pk]),
        {"state": "not_undertaken", "outcome": "No time", "version": drawn_at},
    )
    assert response.status_code == 409
    assert "Someone else changed this record" in response.content.decode()
    police_action.refresh_from_db()
    assert police_action.state == ActionState.DONE and police_action.outcome == "Done by chair"


# --- The list ----------------------------------------------------------------------------------


def test_overdue_open_actions_are_marked_and_can_be_filtered(
    client, time_machine, chair_a, meeting, make_referral, police
):
    (item,) = _heard(time_machine, chair_a, meeting, make_referral())
    _action(chair_a, item, police, due_on=datetime.date(2026, 3, 10), description="Visit soon")
    _action(chair_a, item, police, due_on=datetime.date(2026, 3, 30), description="Review later")
    _approve(chair_a, meeting)
    _move(time_machine, datetime.date(2026, 3, 12), hour=9)
    client.force_login(chair_a)
    body = client.get(reverse("marac:actions")).content.decode()
    assert body.count('<strong class="tag tag--overdue">Overdue</strong>') == 1
    row = body[body.index("Visit soon") :].split("</tr>")[0]
    assert "Overdue" in row
    body = client.get(reverse("marac:actions"), {"overdue": "on"}).content.decode()
    assert "Visit soon" in body and "Review later" not in body


def test_the_list_shows_open_actions_unless_asked_and_filters_by_agency(
    client, time_machine, chair_a, meeting, make_referral, police, health
):
    (item,) = _heard(time_machine, chair_a, meeting, make_referral())
    done = _action(chair_a, item, police, description="Already done")
    _action(chair_a, item, health, description="GP check")
    _approve(chair_a, meeting)
    done.refresh_from_db()
    marac_action_resolve(by=chair_a, action=done, state="done", outcome="")
    client.force_login(chair_a)
    body = client.get(reverse("marac:actions")).content.decode()
    assert "GP check" in body and "Already done" not in body
    body = client.get(reverse("marac:actions"), {"state": "any"}).content.decode()
    assert "GP check" in body and "Already done" in body
    body = client.get(
        reverse("marac:actions"), {"state": "any", "agency": police.pk}
    ).content.decode()
    assert "GP check" not in body and "Already done" in body


def test_a_partner_sees_a_neutral_label_for_a_case_withheld_from_their_agency(
    client, time_machine, chair_a, meeting, make_referral, police, police_officer
):
    shared, withheld = _heard(time_machine, chair_a, meeting, make_referral(), make_referral())
    _action(chair_a, shared, police, description="Shared case action")
    _action(chair_a, withheld, police, description="Withheld case action")
    _approve(chair_a, meeting)
    withheld.referral.withheld_from.add(police)
    client.force_login(police_officer)
    body = client.get(reverse("marac:actions")).content.decode()
    assert shared.referral.case.display_name in body
    assert withheld.referral.case.display_name not in body
    assert "Case on the agenda of 9 Mar 2026" in body
    logged = set(AccessLogEntry.objects.filter(actor=police_officer).values_list("object_id"))
    assert logged == {(shared.referral.case_id,)}


def test_the_list_does_not_grow_its_queries_with_the_actions(
    client,
    time_machine,
    chair_a,
    meeting,
    make_referral,
    police,
    health,
    police_officer,
    django_assert_max_num_queries,
):
    items = _heard(time_machine, chair_a, meeting, *[make_referral() for _ in range(6)])
    for item in items:
        for n in range(4):
            _action(chair_a, item, police if n % 2 else health, description=f"Step {n}")
    _approve(chair_a, meeting)
    items[0].referral.withheld_from.add(police)
    client.force_login(chair_a)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("marac:actions"))
    assert response.content.decode().count("Step ") == 24
    client.force_login(police_officer)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("marac:actions"))
    assert response.content.decode().count("Step ") == 12


# --- Research before the meeting ---------------------------------------------------------------


def test_a_partner_records_research_on_a_published_case(
    client, time_machine, chair_a, meeting, make_referral, police, police_officer
):
    referral = make_referral(perpetrators="Mr Example")
    item = svc.marac_meeting_list_case(by=chair_a, meeting=meeting, referral=referral)
    url = reverse("marac:research", args=[item.pk])
    client.force_login(police_officer)
    assert client.get(url).status_code == 404  # the agenda is not out yet
    svc.marac_meeting_publish_agenda(by=chair_a, meeting=meeting)

    page = client.get(url).content.decode()
    assert referral.case.display_name in page and "Mr Example" in page
    assert "1 May 1990" in page and "IDVA or specialist domestic abuse service" in page
    assert AccessLogEntry.objects.filter(
        actor=police_officer, object_id=referral.case_id, path=url
    ).exists()

    response = client.post(url, {})
    assert "Record what the agency holds, or tick" in response.content.decode()
    response = client.post(url, {"nothing_held": "on", "findings": "Two callouts"})
    assert response.status_code == 200
    assert "Either say the agency holds nothing" in response.content.decode()
    assert not AgencyResearch.objects.exists()

    response = client.post(url, {"findings": "Two callouts in January"})
    assert response.status_code == 302
    research = AgencyResearch.objects.get()
    assert (research.agency, research.findings) == (police, "Two callouts in January")
    assert "Two callouts in January" in client.get(url).content.decode()

    on_meeting_day(time_machine)
    svc.marac_meeting_hold(by=chair_a, meeting=meeting)
    client.force_login(police_officer)  # a week on, the session has timed out
    page = client.get(url).content.decode()
    assert "research can no longer be changed" in page
    assert "Two callouts in January" in page and "<textarea" not in page
    client.post(url, {"findings": "Changed afterwards"})
    research.refresh_from_db()
    assert research.findings == "Two callouts in January"


def test_research_is_a_404_for_an_agency_not_invited_or_withheld_from(
    client, chair_a, meeting, make_referral, area, health, health_visitor, make_user, org_a
):
    housing = PartnerAgency.objects.create(area=area, name="Northtown Housing", kind="housing")
    housing_officer = make_user(org_a, "marac_partner", username="housing.a")
    housing.members.add(housing_officer)  # housing joined after the meeting was scheduled
    shared, withheld = _published(chair_a, meeting, make_referral(), make_referral())
    withheld.referral.withheld_from.add(health)

    client.force_login(housing_officer)
    assert client.get(reverse("marac:research", args=[shared.pk])).status_code == 404
    client.force_login(health_visitor)
    assert client.get(reverse("marac:research", args=[shared.pk])).status_code == 200
    url = reverse("marac:research", args=[withheld.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"nothing_held": "on"}).status_code == 404
    assert not AgencyResearch.objects.exists()


def test_a_partner_of_two_agencies_chooses_which_one_they_record_for(
    client, chair_a, meeting, make_referral, police, health, police_officer
):
    health.members.add(police_officer)
    (item,) = _published(chair_a, meeting, make_referral())
    url = reverse("marac:research", args=[item.pk])
    client.force_login(police_officer)
    page = client.get(url).content.decode()
    assert "Northtown Health" in page and "Northtown Police" in page
    response = client.post(f"{url}?agency={health.pk}", {"nothing_held": "on"})
    assert response.status_code == 302
    assert AgencyResearch.objects.get().agency == health
    assert client.get(f"{url}?agency=999999").status_code == 404


# --- Reminders ---------------------------------------------------------------------------------


def _action_reminders():
    return Reminder.objects.filter(purpose=ACTION_PURPOSE)


def test_reminders_go_three_days_ahead_and_once_more_when_overdue(
    time_machine, police_action, police_officer
):
    _move(time_machine, datetime.date(2026, 3, 16))  # due in four days
    assert marac_action_reminders_plan() == 0
    _move(time_machine, datetime.date(2026, 3, 17))  # due in three days
    assert marac_action_reminders_plan() == 1
    assert marac_action_reminders_plan() == 0
    reminder = _action_reminders().get()
    assert reminder.staff == police_officer and reminder.channel == Channel.EMAIL
    assert reminder.source == police_action
    _move(time_machine, DUE)  # due today: already reminded
    assert marac_action_reminders_plan() == 0
    _move(time_machine, DUE + datetime.timedelta(days=1))
    assert marac_action_reminders_plan() == 1
    assert marac_action_reminders_plan() == 0
    _move(time_machine, DUE + datetime.timedelta(days=5))
    assert marac_action_reminders_plan() == 0
    assert _action_reminders().count() == 2


def test_the_reminder_text_names_no_case(
    time_machine, police_action, police_officer, django_capture_on_commit_callbacks
):
    case = police_action.meeting_case.referral.case
    _move(time_machine, datetime.date(2026, 3, 17))
    assert tasks.marac_action_reminders_plan() == 1
    text = render_text(_action_reminders().get())
    assert text == "A MARAC action is due on Friday 20 March. Sign in to see it."
    with django_capture_on_commit_callbacks(execute=True):
        reminders_dispatch()
    (email,) = [m for m in mail.outbox if m.body == text]
    assert email.to == [police_officer.email]
    for detail in (case.given_name, case.family_name, case.reference, "Flag the address"):
        assert detail not in email.body and detail not in email.subject


def test_resolving_an_action_cancels_its_pending_reminders(
    time_machine, police_action, police_officer
):
    _move(time_machine, datetime.date(2026, 3, 17))
    marac_action_reminders_plan()
    marac_action_resolve(by=police_officer, action=police_action, state="done", outcome="")
    assert _action_reminders().get().state == ReminderState.CANCELLED
    _move(time_machine, DUE + datetime.timedelta(days=1))
    assert marac_action_reminders_plan() == 0


def test_the_reminders_are_planned_every_morning():
    entries = [e["task"] for e in settings.CELERY_BEAT_SCHEDULE.values()]
    assert "marac.tasks.marac_action_reminders_plan" in entries


@pytest.mark.django_db
def test_the_marac_emails_ship_in_english_and_welsh_and_pass_the_checks(org_a):
    for key in ("staff.marac_action", "staff.marac_agenda"):
        for language in ("en", "cy"):
            template = MessageTemplate.objects.get(key=key, language=language)
            assert "{date}" in template.body
            form = MessageTemplateForm(
                {"key": key, "language": language, "body": template.body}, instance=template
            )
            assert form.is_valid(), form.errors
            assert [row.history_type for row in template.history.all()] == ["+"]


@pytest.mark.django_db
def test_reversing_the_migration_removes_the_marac_texts_and_reapplying_restores_them():
    keys = ["staff.marac_action", "staff.marac_agenda"]
    shipped.remove(apps, None)
    assert not MessageTemplate.objects.filter(key__in=keys).exists()
    assert MessageTemplate.objects.filter(key="staff.deadline").count() == 2
    shipped.ship(apps, None)
    assert MessageTemplate.objects.filter(key__in=keys).count() == 4
