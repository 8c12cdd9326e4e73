"""Emergency ("break-glass") access: asked for with a reason, time-limited, every read logged
under the grant, the service managers told, reviewed afterwards."""

import datetime
import re

import pytest
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from carepath import policy
from carepath.audit.models import AccessLogEntry, TimelineEvent
from carepath.pathway import PathwayError
from carepath.people.models import Role
from casework.models import Case, EmergencyAccess
from casework.selectors.cases import case_for
from casework.services import access as services
from casework.services.appointments import appointment_create
from tests.factories import CaseFactory, TeamFactory

REASON = "The survivor phoned the out-of-hours line in crisis and their caseworker is away."
REFUSED = "No case with that reference can be opened with emergency access."


@pytest.fixture
def case(team_a, manager_a):
    return CaseFactory(team=team_a, by=manager_a, given_name="Zofia", family_name="Kowalczyk")


@pytest.fixture
def outsider(caseworker_b):
    """A caseworker of another team of the same organisation: the case is not theirs."""
    return caseworker_b


def _ask(client, reference, reason=REASON, confirm=True):
    data = {"reference": reference, "reason": reason}
    if confirm:
        data["confirm"] = "on"
    return client.post(reverse("casework:emergency_access"), data)


def _start(user, case, reason=REASON):
    return services.emergency_access_start(user=user, reference=case.reference, reason=reason)


class TestAsking:
    def test_an_administrators_grant_opens_the_case_and_its_appointments_to_read(
        self, client, case, admin_a, manager_a
    ):
        appointment = appointment_create(
            by=manager_a, case=case, values={"kind": "gp", "with_whom": "Dr Adeyemi"}, book=False
        )
        client.force_login(admin_a)
        grant = _start(admin_a, case)
        page = client.get(reverse("casework:appointment", args=[case.pk, appointment.pk]))

        assert client.get(reverse("casework:case", args=[case.pk])).status_code == 200
        assert page.status_code == 200
        assert "Dr Adeyemi" in page.content.decode()
        assert reverse("casework:interpreter_new", args=[case.pk, appointment.pk]) not in (
            page.content.decode()
        )
        reads = AccessLogEntry.objects.filter(actor=admin_a, object_id=case.pk)
        assert set(reads.values_list("emergency_access_id", flat=True)) == {grant.pk}

    def test_a_grant_opens_the_case_for_reading_and_every_read_is_logged_under_it(
        self, client, case, outsider, settings, time_machine
    ):
        time_machine.move_to("2026-03-02 10:00Z", tick=False)
        client.force_login(outsider)
        assert client.get(reverse("casework:case", args=[case.pk])).status_code == 404

        response = _ask(client, case.reference.lower())  # the reference in any case
        assert response.status_code == 302
        assert response.url == reverse("casework:case", args=[case.pk])
        grant = EmergencyAccess.objects.get()
        assert (grant.user, grant.case, grant.organisation_id) == (
            outsider,
            case,
            case.organisation_id,
        )
        assert grant.reason == REASON
        assert grant.expires_at - grant.started_at == datetime.timedelta(
            minutes=settings.EMERGENCY_ACCESS_MINUTES
        )

        page = client.get(reverse("casework:case", args=[case.pk]))
        assert page.status_code == 200
        body = page.content.decode()
        assert "You are reading this case under emergency access until" in body
        assert "End emergency access now" in body
        assert client.get(reverse("casework:case_history", args=[case.pk])).status_code == 200

        reads = AccessLogEntry.objects.filter(actor=outsider, object_id=case.pk)
        assert reads.count() == 2
        assert set(reads.values_list("emergency_access_id", flat=True)) == {grant.pk}
        assert set(reads.values_list("basis", flat=True)) == {"emergency access"}

        event = TimelineEvent.objects.get(kind="emergency_access.started", subject_id=case.pk)
        assert event.actor == outsider
        assert event.detail["emergency_access"] == grant.pk
        assert REASON not in str(event.detail) and event.reason == ""

    def test_a_grant_reads_but_never_changes(self, client, case, outsider):
        _start(outsider, case)
        assert isinstance(policy.basis(outsider, "case.view", case), policy.EmergencyBasis)
        for permission in ("case.edit", "case.transition", "case.allocate", "case.seal"):
            assert not policy.can(outsider, permission, case)
        client.force_login(outsider)
        assert client.get(reverse("casework:case_edit", args=[case.pk])).status_code == 404
        page = client.get(reverse("casework:case", args=[case.pk])).content.decode()
        assert reverse("casework:case_edit", args=[case.pk]) not in page

    def test_a_granted_case_stays_out_of_searches_and_lists(self, client, case, outsider):
        _start(outsider, case)
        client.force_login(outsider)
        found = client.post(reverse("casework:search"), {"q": case.reference})
        assert found.context["results"] == []
        assert not AccessLogEntry.objects.filter(
            action=AccessLogEntry.Action.SEARCH, object_id=case.pk
        ).exists()

    def test_reads_outside_the_case_page_are_logged_under_the_grant_too(self, case, admin_a):
        # An administrator sees no case content except through a grant.
        with pytest.raises(Http404):
            case_for(admin_a, pk=case.pk)
        grant = _start(admin_a, case)
        assert case_for(admin_a, pk=case.pk, path="/somewhere/") == case
        entry = AccessLogEntry.objects.get(actor=admin_a)
        assert entry.emergency_access == grant
        assert entry.path == "/somewhere/"

    def test_the_service_managers_are_told_without_personal_data(
        self, client, case, outsider, manager_a, make_user, org_a, mailoutbox,
        django_capture_on_commit_callbacks, settings,
    ):  # fmt: skip
        second = make_user(org_a, Role.SERVICE_MANAGER, email="second.manager@example.org")
        lead = make_user(org_a, Role.DATA_PROTECTION, email="dp.lead@example.org")
        make_user(org_a, Role.SERVICE_MANAGER, email="gone@example.org", is_active=False)
        settings.SITE_URL = "https://carepath.example.org/"
        client.force_login(outsider)
        with django_capture_on_commit_callbacks(execute=True):
            _ask(client, case.reference)
        grant = EmergencyAccess.objects.get()
        assert len(mailoutbox) == 1
        mail = mailoutbox[0]
        assert {manager_a.email, second.email, lead.email} <= set(mail.to)
        assert "gone@example.org" not in mail.to
        assert case.reference in mail.subject
        review = reverse("casework:emergency_review", args=[grant.pk])
        assert f"https://carepath.example.org{review}" in mail.body
        text = mail.subject + mail.body
        for personal in ("Zofia", "Kowalczyk", REASON, outsider.last_name, outsider.username):
            assert personal not in text

    def test_a_reason_is_required_and_nothing_is_created_without_it(self, client, case, outsider):
        client.force_login(outsider)
        short = _ask(client, case.reference, reason="urgent")
        assert short.status_code == 200
        assert "at least 20 characters" in short.content.decode()
        unconfirmed = _ask(client, case.reference, confirm=False)
        assert unconfirmed.status_code == 200
        assert not EmergencyAccess.objects.exists()
        with pytest.raises(PathwayError):
            _start(outsider, case, reason="   too short       ")

    def test_someone_who_can_already_open_the_case_gets_no_grant(self, client, case, caseworker_a):
        client.force_login(caseworker_a)
        response = _ask(client, case.reference)
        assert response.status_code == 302
        assert response.url == reverse("casework:case", args=[case.pk])
        assert not EmergencyAccess.objects.exists()

    @pytest.mark.parametrize("role", [Role.MARAC_PARTNER, Role.DATA_PROTECTION])
    def test_roles_without_case_work_cannot_ask(self, client, make_user, org_a, case, role):
        person = make_user(org_a, role)
        client.force_login(person)
        assert client.get(reverse("casework:emergency_access")).status_code == 404
        assert _ask(client, case.reference).status_code == 404
        with pytest.raises(policy.PolicyDenied):
            _start(person, case)
        assert not EmergencyAccess.objects.exists()


class TestRefusals:
    def test_unknown_sealed_and_other_organisations_cases_are_refused_alike(
        self, client, case, outsider, manager_a, org_b, manager_b
    ):
        sealed = CaseFactory(team=case.team, by=manager_a)
        services.case_seal(case=sealed, by=manager_a, members=[], reason="Known to staff")
        elsewhere = CaseFactory(team=TeamFactory(organisation=org_b), by=manager_b)
        # Same shape of reference as a real one of the organisation.
        unknown = re.sub(r"\d{4}$", "9999", case.reference)
        client.force_login(outsider)

        bodies = []
        for reference in (unknown, sealed.reference, elsewhere.reference):
            response = _ask(client, reference)
            assert response.status_code == 200
            body = response.content.decode()
            assert REFUSED in body
            body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body)
            bodies.append(body.replace(reference, "REFERENCE"))
        assert bodies[0] == bodies[1] == bodies[2]
        assert not EmergencyAccess.objects.exists()
        assert not TimelineEvent.objects.filter(kind__startswith="emergency_access").exists()

    def test_a_case_sealed_after_the_grant_closes_to_it(self, client, case, outsider, manager_a):
        _start(outsider, case)
        services.case_seal(case=case, by=manager_a, members=[], reason="Known to staff")
        client.force_login(outsider)
        assert client.get(reverse("casework:case", args=[case.pk])).status_code == 404
        assert policy.basis(outsider, "case.view", Case.objects.get(pk=case.pk)) is None


class TestEnding:
    def test_the_case_is_a_404_again_once_the_grant_expires(
        self, client, case, outsider, time_machine
    ):
        time_machine.move_to("2026-03-02 10:00Z", tick=False)
        grant = _start(outsider, case)
        url = reverse("casework:case", args=[case.pk])
        # Signed in afresh after each jump: an idle session would have expired meanwhile.
        time_machine.move_to(grant.expires_at - datetime.timedelta(seconds=1), tick=False)
        client.force_login(outsider)
        assert client.get(url).status_code == 200
        time_machine.move_to(grant.expires_at, tick=False)
        client.force_login(outsider)
        assert client.get(url).status_code == 404
        assert client.get(reverse("casework:case_history", args=[case.pk])).status_code == 404
        # After expiry the same person may ask again; the old grant stays as it was.
        assert _ask(client, case.reference).status_code == 302
        assert EmergencyAccess.objects.count() == 2

    def test_ending_early_closes_the_case_and_is_on_the_timeline(
        self, client, case, outsider, caseworker_a
    ):
        grant = _start(outsider, case)
        client.force_login(caseworker_a)  # not theirs to end
        assert client.post(reverse("casework:emergency_end", args=[grant.pk])).status_code == 404
        client.force_login(outsider)
        own = client.get(reverse("casework:emergency_access")).content.decode()
        assert case.reference in own and "End now" in own
        response = client.post(reverse("casework:emergency_end", args=[grant.pk]))
        assert response.status_code == 302
        grant.refresh_from_db()
        assert grant.ended_at is not None
        assert client.get(reverse("casework:case", args=[case.pk])).status_code == 404
        assert TimelineEvent.objects.filter(kind="emergency_access.ended", actor=outsider).exists()
        with pytest.raises(PathwayError):
            services.emergency_access_end(grant=grant, by=outsider)


class TestReview:
    @pytest.fixture
    def grant(self, case, outsider):
        grant = _start(outsider, case)
        case_for(outsider, pk=case.pk, path="/cases/")
        case_for(outsider, pk=case.pk, path="/cases/history/")
        return grant

    def test_service_managers_see_grants_awaiting_review_first_with_their_reads(
        self, client, grant, manager_a, case, outsider, caseworker_a
    ):
        reviewed = _start(caseworker_a, CaseFactory(team=outsider.teams.get(), by=manager_a))
        services.emergency_access_review(grant=reviewed, by=manager_a, outcome="justified")
        client.force_login(manager_a)
        nav = client.get(reverse("casework:emergency_reviews")).content.decode()
        assert "Emergency access reviews (1 waiting)" in nav
        listing = client.get(reverse("casework:emergency_reviews"))
        page = listing.context["page"]
        assert [g.pk for g in page] == [grant.pk, reviewed.pk]
        assert page[0].read_count == 2
        body = listing.content.decode()
        assert REASON in body and str(outsider) in body

        detail = client.get(reverse("casework:emergency_review", args=[grant.pk]))
        assert [e.path for e in detail.context["reads"]] == ["/cases/history/", "/cases/"]

    def test_a_review_is_recorded_once(self, client, grant, manager_a, case):
        client.force_login(manager_a)
        url = reverse("casework:emergency_review", args=[grant.pk])
        response = client.post(url, {"outcome": "justified", "note": "Crisis call."})
        assert response.status_code == 302
        grant.refresh_from_db()
        assert (grant.reviewed_by, grant.review_outcome, grant.review_note) == (
            manager_a,
            EmergencyAccess.Review.JUSTIFIED,
            "Crisis call.",
        )
        assert grant.history.latest().history_user == manager_a
        assert TimelineEvent.objects.filter(
            kind="emergency_access.reviewed", subject_id=case.pk
        ).exists()
        with pytest.raises(PathwayError):
            services.emergency_access_review(grant=grant, by=manager_a, outcome="not_justified")

    def test_not_justified_needs_a_note_and_ends_a_running_grant(
        self, client, grant, manager_a, case, outsider
    ):
        client.force_login(manager_a)
        url = reverse("casework:emergency_review", args=[grant.pk])
        assert client.post(url, {"outcome": "not_justified"}).status_code == 200
        assert EmergencyAccess.objects.get(pk=grant.pk).reviewed_at is None
        client.post(url, {"outcome": "not_justified", "note": "Could have waited."})
        grant.refresh_from_db()
        assert grant.review_outcome == EmergencyAccess.Review.NOT_JUSTIFIED
        assert grant.ended_at is not None
        client.force_login(outsider)
        assert client.get(reverse("casework:case", args=[case.pk])).status_code == 404

    def test_nobody_reviews_their_own_grant(self, client, case, make_user, org_a, team_b):
        # A data protection lead who also holds a caseload in another team.
        lead = make_user(org_a, Role.CASEWORKER, Role.DATA_PROTECTION, teams=[team_b])
        grant = _start(lead, case)
        with pytest.raises(PathwayError):
            services.emergency_access_review(grant=grant, by=lead, outcome="justified")
        client.force_login(lead)
        url = reverse("casework:emergency_review", args=[grant.pk])
        page = client.get(url)
        assert "someone else must review it" in page.content.decode()
        assert not page.context["may_review"]
        response = client.post(url, {"outcome": "justified"})
        assert response.status_code == 200
        assert "Someone else must review your own emergency access." in response.content.decode()
        assert EmergencyAccess.objects.get(pk=grant.pk).reviewed_at is None

    def test_the_data_protection_lead_reviews_too(self, client, grant, make_user, org_a):
        lead = make_user(org_a, Role.DATA_PROTECTION)
        client.force_login(lead)
        assert client.get(reverse("casework:emergency_reviews")).status_code == 200
        client.post(reverse("casework:emergency_review", args=[grant.pk]), {"outcome": "justified"})
        assert EmergencyAccess.objects.get(pk=grant.pk).reviewed_by == lead

    def test_another_organisation_sees_none_of_it(self, client, grant, manager_b):
        client.force_login(manager_b)
        assert not list(client.get(reverse("casework:emergency_reviews")).context["page"])
        url = reverse("casework:emergency_review", args=[grant.pk])
        assert client.get(url).status_code == 404
        assert client.post(url, {"outcome": "justified"}).status_code == 404
        assert EmergencyAccess.objects.get(pk=grant.pk).reviewed_at is None

    @pytest.mark.parametrize("role", [Role.CASEWORKER, Role.ADMINISTRATOR, Role.MARAC_CHAIR])
    def test_other_roles_cannot_review(self, client, grant, make_user, org_a, role):
        client.force_login(make_user(org_a, role))
        assert client.get(reverse("casework:emergency_reviews")).status_code == 404
        url = reverse("casework:emergency_review", args=[grant.pk])
        assert client.get(url).status_code == 404


def test_staff_who_may_ask_find_it_in_the_navigation(client, make_user, org_a):
    for role in policy.EMERGENCY_ACCESS_ROLES:
        client.force_login(make_user(org_a, role))
        page = client.get(reverse("casework:emergency_access"))
        assert page.status_code == 200
        assert reverse("casework:emergency_access") in [i["url"] for i in page.context["nav_items"]]


def test_expired_grants_show_as_expired_to_their_holder(client, case, outsider, time_machine):
    time_machine.move_to("2026-03-02 10:00Z", tick=False)
    _start(outsider, case)
    time_machine.move_to(timezone.now() + datetime.timedelta(days=1), tick=False)
    client.force_login(outsider)
    body = client.get(reverse("casework:emergency_access")).content.decode()
    assert "(expired)" in body and "End now" not in body


def test_a_basis_given_a_purpose_stays_filed_under_its_grant():
    grant_basis = policy.EmergencyBasis("emergency access", emergency_access_id=7)

    exported = policy.for_purpose(grant_basis, "duty to notify report")
    plain = policy.for_purpose("allocated caseworker", "duty to notify report")

    assert exported == "emergency access: duty to notify report"
    assert exported.emergency_access_id == 7
    assert plain == "allocated caseworker: duty to notify report"
    assert not hasattr(plain, "emergency_access_id")
