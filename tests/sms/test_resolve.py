"""A text whose outcome was lost is settled by a person who checked: never by sending it again."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from carepath.audit.models import TimelineEvent
from carepath.pathway import ConflictError, PathwayError
from carepath.policy import PolicyDenied
from carepath.sms import backends, services
from carepath.sms.models import Reminder, ReminderState
from casework.models import Appointment, Case
from tests.factories import CaseFactory
from tests.sms.conftest import NOW

pytestmark = pytest.mark.django_db
NOTE = "Asked her at the drop-in: the text came through."


@pytest.fixture
def unknown(reminder, memory_backend):
    """A reminder sent into a timeout: the provider may or may not have sent it."""
    services.reminders_claim_due()
    memory_backend.fail_with = backends.OutcomeUnknown("No answer from the provider")
    assert services.reminder_send(reminder_id=reminder.pk) == "needs_review"
    memory_backend.fail_with = None
    reminder.refresh_from_db()
    assert (reminder.state, reminder.needs_review) == (ReminderState.SENDING, True)
    return reminder


def _resolve(reminder, *, by, outcome="sent", note=NOTE, version=None):
    return services.reminder_resolve(
        by=by,
        reminder=reminder,
        expected_version=reminder.version if version is None else version,
        outcome=outcome,
        note=note,
    )


def _assert_never_sent_again(reminder, memory_backend):
    assert services.reminders_dispatch() == 0
    assert services.reminder_send(reminder_id=reminder.pk) == "skipped"
    assert services.reminders_sweep_stuck(now=NOW + datetime.timedelta(days=1)) == {
        "requeued": 0,
        "flagged": 0,
    }
    assert memory_backend.sent == []


class TestService:
    def test_received_marks_it_sent_and_records_who_checked(
        self, unknown, caseworker_a, case, memory_backend
    ):
        resolved = _resolve(unknown, by=caseworker_a, outcome="sent")

        reminder = Reminder.objects.get(pk=unknown.pk)
        assert resolved.state == reminder.state == ReminderState.SENT
        assert not reminder.needs_review
        assert reminder.provider_id == "checked by staff"
        assert reminder.sent_at == reminder.attempt_started_at == NOW
        assert reminder.outcome == "Checked by staff: the person received it"
        event = TimelineEvent.objects.get(kind="reminder.resolved")
        assert (event.subject_type, event.subject_id) == (
            ContentType.objects.get_for_model(Case),
            case.pk,
        )
        assert (event.actor, event.reason) == (caseworker_a, NOTE)
        assert event.detail == {"reminder": unknown.pk, "outcome": "sent"}
        assert reminder.history.first().history_user == caseworker_a
        _assert_never_sent_again(reminder, memory_backend)

    def test_received_keeps_the_providers_id_so_a_late_report_still_lands(
        self, unknown, caseworker_a
    ):
        Reminder.objects.filter(pk=unknown.pk).update(provider_id="SM" + "c" * 32)
        unknown.refresh_from_db()
        _resolve(unknown, by=caseworker_a, outcome="sent")
        assert services.reminder_status_update(provider_id="SM" + "c" * 32, status="delivered")
        unknown.refresh_from_db()
        assert (unknown.state, unknown.provider_id) == (ReminderState.DELIVERED, "SM" + "c" * 32)

    def test_did_not_arrive_marks_it_failed_with_the_note(
        self, unknown, caseworker_a, memory_backend
    ):
        _resolve(unknown, by=caseworker_a, outcome="failed", note="She never got it.")

        reminder = Reminder.objects.get(pk=unknown.pk)
        assert (reminder.state, reminder.outcome) == (ReminderState.FAILED, "She never got it.")
        assert (reminder.finished_at, reminder.provider_id, reminder.needs_review) == (
            NOW,
            "",
            False,
        )
        event = TimelineEvent.objects.get(kind="reminder.resolved")
        assert (event.reason, event.detail["outcome"]) == ("She never got it.", "failed")
        _assert_never_sent_again(reminder, memory_backend)

    def test_a_reminder_that_does_not_need_checking_is_refused(self, reminder, caseworker_a):
        with pytest.raises(PathwayError, match="does not need checking: it is “Scheduled”"):
            _resolve(reminder, by=caseworker_a)
        # Sending, but not (yet) flagged: the dispatcher may still be working on it.
        services.reminders_claim_due()
        reminder.refresh_from_db()
        with pytest.raises(PathwayError, match="does not need checking"):
            _resolve(reminder, by=caseworker_a)
        reminder.refresh_from_db()
        assert reminder.state == ReminderState.SENDING
        assert not TimelineEvent.objects.filter(kind="reminder.resolved").exists()

    def test_a_resolved_reminder_cannot_be_resolved_again(self, unknown, caseworker_a):
        _resolve(unknown, by=caseworker_a, outcome="failed")
        unknown.refresh_from_db()
        with pytest.raises(PathwayError, match="it is “Failed”"):
            _resolve(unknown, by=caseworker_a, outcome="sent")
        assert TimelineEvent.objects.filter(kind="reminder.resolved").count() == 1

    @pytest.mark.parametrize("note", ["", "   \n"])
    def test_a_note_is_required(self, unknown, caseworker_a, note):
        with pytest.raises(PathwayError, match="Say how you checked"):
            _resolve(unknown, by=caseworker_a, note=note)
        unknown.refresh_from_db()
        assert (unknown.state, unknown.needs_review) == (ReminderState.SENDING, True)

    def test_an_outcome_other_than_sent_or_failed_is_refused(self, unknown, caseworker_a):
        with pytest.raises(PathwayError, match="received the text or not"):
            _resolve(unknown, by=caseworker_a, outcome="delivered")
        unknown.refresh_from_db()
        assert unknown.state == ReminderState.SENDING

    def test_a_stale_version_is_a_conflict(self, unknown, caseworker_a):
        with pytest.raises(ConflictError):
            _resolve(unknown, by=caseworker_a, version=unknown.version - 1)
        unknown.refresh_from_db()
        assert (unknown.state, unknown.needs_review) == (ReminderState.SENDING, True)
        assert not TimelineEvent.objects.filter(kind="reminder.resolved").exists()

    def test_someone_who_may_not_edit_the_case_is_refused(self, unknown, caseworker_b):
        with pytest.raises(PolicyDenied):
            _resolve(unknown, by=caseworker_b)
        unknown.refresh_from_db()
        assert unknown.needs_review


def _url(case, reminder) -> str:
    return reverse("casework:reminder_resolve", args=[case.pk, reminder.pk])


def _post(client, case, reminder, **values):
    data = {"version": reminder.version, "outcome": "failed", "note": "Did not arrive", **values}
    return client.post(_url(case, reminder), data)


def _needing_review(case, **values) -> Reminder:
    return Reminder.objects.create(
        organisation=case.organisation,
        subject_type=ContentType.objects.get_for_model(Case),
        subject_id=case.pk,
        purpose="appointment",
        due_at=NOW,
        state=ReminderState.SENDING,
        needs_review=True,
        outcome="Outcome unknown: check before sending again",
        **values,
    )


class TestPage:
    def test_the_caseworker_checks_and_resolves_it(self, client, unknown, case, caseworker_a):
        client.force_login(caseworker_a)
        response = client.get(_url(case, unknown))
        assert response.status_code == 200
        body = response.content.decode()
        assert "Check the text due 2 Mar 2026 09:59" in body
        assert "The person received it" in body and "It did not arrive" in body

        response = _post(client, case, unknown, outcome="sent", note=NOTE)
        assert response.status_code == 302
        assert response.url == reverse("casework:case", args=[case.pk])
        unknown.refresh_from_db()
        assert (unknown.state, unknown.needs_review) == (ReminderState.SENT, False)
        # Settled: the page is gone.
        assert client.get(_url(case, unknown)).status_code == 404

    def test_without_a_note_nothing_changes(self, client, unknown, case, caseworker_a):
        client.force_login(caseworker_a)
        response = _post(client, case, unknown, note="")
        assert response.status_code == 200
        assert "This field is required." in response.content.decode()
        unknown.refresh_from_db()
        assert unknown.needs_review

    def test_a_stale_form_is_a_conflict(self, client, unknown, case, caseworker_a):
        client.force_login(caseworker_a)
        response = _post(client, case, unknown, version=unknown.version - 1)
        assert response.status_code == 409
        assert "Someone else changed this record" in response.content.decode()
        unknown.refresh_from_db()
        assert unknown.needs_review

    def test_another_teams_caseworker_gets_404(self, client, unknown, case, caseworker_b):
        client.force_login(caseworker_b)
        assert client.get(_url(case, unknown)).status_code == 404
        assert _post(client, case, unknown).status_code == 404
        unknown.refresh_from_db()
        assert unknown.needs_review

    def test_another_cases_reminder_through_this_case_is_404(
        self, client, case, team_a, manager_a, caseworker_a
    ):
        other = _needing_review(CaseFactory(team=team_a, by=manager_a))
        client.force_login(caseworker_a)
        assert client.get(_url(case, other)).status_code == 404
        assert _post(client, case, other).status_code == 404
        other.refresh_from_db()
        assert other.needs_review
        # The control: through its own case the page exists.
        assert client.get(_url(Case.objects.get(pk=other.subject_id), other)).status_code == 200

    def test_a_reminder_that_does_not_need_checking_is_404(
        self, client, reminder, case, caseworker_a
    ):
        client.force_login(caseworker_a)
        assert client.get(_url(case, reminder)).status_code == 404
        assert _post(client, case, reminder).status_code == 404

    def test_the_case_page_offers_the_link(self, client, unknown, case, caseworker_a):
        client.force_login(caseworker_a)
        body = client.get(reverse("casework:case", args=[case.pk])).content.decode()
        assert "needs checking" in body
        assert f'href="{_url(case, unknown)}">Check and resolve' in body

        _resolve(unknown, by=caseworker_a, outcome="failed")
        body = client.get(reverse("casework:case", args=[case.pk])).content.decode()
        assert "Check and resolve" not in body

    def test_the_appointment_page_offers_the_link(self, client, case, caseworker_a, manager_a):
        appointment = Appointment.objects.create(
            case=case,
            kind="gp",
            state="booked",
            starts_at=NOW + datetime.timedelta(days=1),
            with_whom="Dr Example",
            created_by=manager_a,
        )
        reminder = _needing_review(
            case,
            source_type=ContentType.objects.get_for_model(Appointment),
            source_id=appointment.pk,
        )
        client.force_login(caseworker_a)
        response = client.get(reverse("casework:appointment", args=[case.pk, appointment.pk]))
        assert response.status_code == 200
        assert f'href="{_url(case, reminder)}">Check and resolve' in response.content.decode()
