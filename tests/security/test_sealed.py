"""Sealed cases: only the people named on them may open them; nobody else finds them in a list,
a search, a calendar or a dashboard; emergency access never opens them; each change is on the
timeline and in the history."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from carepath import policy
from carepath.audit.models import TimelineEvent
from carepath.pathway import PathwayError
from carepath.people.models import Role
from carepath.reporting.filters import ReportFilter
from carepath.reporting.tables import TOTAL
from casework.models import Appointment, Case, CaseState, EmergencyAccess, SealedCaseMember
from casework.selectors.calendar import Week, team_week_for, week_for
from casework.selectors.cases import case_search, caseload_for, service_dashboard
from casework.selectors.service_report import service_report
from casework.services import access as services
from casework.services.cases import case_reopen
from tests.factories import CaseFactory


@pytest.fixture
def other_manager(make_user, org_a):
    return make_user(org_a, Role.SERVICE_MANAGER, username="manager.two")


@pytest.fixture
def teammate(make_user, org_a, team_a):
    """In the case's team, but not named."""
    return make_user(org_a, Role.CASEWORKER, username="teammate", teams=[team_a])


@pytest.fixture
def case(team_a, manager_a, caseworker_a):
    case = CaseFactory(team=team_a, by=manager_a, given_name="Marta", family_name="Nowak")
    # Allocated and in support, so it shows on caseloads, calendars and the dashboard.
    Case.objects.filter(pk=case.pk).update(caseworker=caseworker_a, state=CaseState.SUPPORTED)
    return Case.objects.get(pk=case.pk)


@pytest.fixture
def sealed(case, manager_a, caseworker_a):
    return services.case_seal(
        case=case, by=manager_a, members=[caseworker_a], reason="The person is known to staff."
    )


def _opens(client, user, case) -> int:
    client.force_login(user)
    return client.get(reverse("casework:case", args=[case.pk])).status_code


class TestWhoOpensIt:
    def test_only_the_people_named_open_a_sealed_case(
        self, client, sealed, manager_a, caseworker_a, other_manager, teammate, manager_b
    ):
        assert _opens(client, manager_a, sealed) == 200
        assert _opens(client, caseworker_a, sealed) == 200
        for stranger in (other_manager, teammate, manager_b):
            assert _opens(client, stranger, sealed) == 404
            client.force_login(stranger)
            history = reverse("casework:case_history", args=[sealed.pk])
            assert client.get(history).status_code == 404
            assert not policy.can(stranger, "case.edit", sealed)
            assert not policy.can(stranger, "case.allocate", sealed)

    def test_a_named_person_needs_a_role_that_opens_cases(
        self, sealed, manager_a, make_user, org_a, team_a
    ):
        # Someone named while a caseworker who has since lost the role.
        former = make_user(org_a, Role.CASEWORKER, teams=[team_a])
        services.case_seal_member_add(case=sealed, by=manager_a, person=former)
        former.role_assignments.all().delete()
        former.role_assignments.create(role=Role.ACCOMMODATION_MANAGER)
        former = type(former).objects.get(pk=former.pk)
        assert policy.basis(former, "case.view", sealed) is None
        assert not policy.visible(former, "case.view", Case.objects.all()).exists()

    def test_a_named_caseworker_of_another_team_opens_it(
        self, client, sealed, manager_a, caseworker_b
    ):
        assert _opens(client, caseworker_b, sealed) == 404
        services.case_seal_member_add(case=sealed, by=manager_a, person=caseworker_b)
        assert _opens(client, caseworker_b, sealed) == 200
        assert policy.basis(caseworker_b, "case.view", sealed) == "caseworker: named on sealed case"

    def test_a_new_episode_of_a_sealed_case_is_sealed_to_the_same_people(
        self, client, sealed, manager_a, caseworker_a, teammate, other_manager
    ):
        Case.objects.filter(pk=sealed.pk).update(state=CaseState.CLOSED)
        episode = case_reopen(
            by=manager_a, case=Case.objects.get(pk=sealed.pk), reason="Referred again"
        )

        assert episode.sealed
        assert set(episode.seal_members.values_list("user", flat=True)) == {
            manager_a.pk,
            caseworker_a.pk,
        }
        assert _opens(client, teammate, episode) == 404
        assert _opens(client, other_manager, episode) == 404
        assert _opens(client, caseworker_a, episode) == 200

    def test_emergency_access_never_opens_a_sealed_case(self, client, sealed, caseworker_b):
        with pytest.raises(services.EmergencyAccessRefused):
            services.emergency_access_start(
                user=caseworker_b,
                reference=sealed.reference,
                reason="The survivor is in danger and nobody else is available now.",
            )
        # Even a grant written by hand does not open it.
        now = timezone.now()
        EmergencyAccess.objects.create(
            organisation_id=sealed.organisation_id,
            case=sealed,
            user=caseworker_b,
            reason="written directly",
            started_at=now,
            expires_at=now + datetime.timedelta(hours=1),
        )
        assert _opens(client, caseworker_b, sealed) == 404


class TestLists:
    def test_unnamed_people_do_not_find_it_anywhere(
        self, client, sealed, manager_a, caseworker_a, other_manager, teammate, time_machine
    ):
        time_machine.move_to("2026-03-02 09:00Z", tick=False)
        Appointment.objects.create(
            case=sealed,
            kind="health",
            starts_at=timezone.now() + datetime.timedelta(hours=2),
            with_whom="GP",
            created_by=manager_a,
        )
        week = Week.containing(timezone.localdate())
        # The named caseworker has it everywhere ...
        assert [r["case"] for r in caseload_for(caseworker_a)] == [sealed]
        assert case_search(caseworker_a, text=sealed.reference) == [sealed]
        assert case_search(caseworker_a, text="Nowak") == [sealed]
        assert sum(len(d.appointments) for d in week_for(caseworker_a, week=week)) == 1
        # ... the teammate and the unnamed manager nowhere.
        assert case_search(teammate, text=sealed.reference) == []
        assert sum(len(d.appointments) for d in team_week_for(teammate, week=week)) == 0
        assert case_search(other_manager, text="Nowak") == []
        assert sum(len(d.appointments) for d in team_week_for(other_manager, week=week)) == 0
        Case.objects.filter(pk=sealed.pk).update(
            state=CaseState.MISSING, missing_since=timezone.now()
        )
        assert list(service_dashboard(manager_a)["missing"]) == [sealed]
        assert list(service_dashboard(other_manager)["missing"]) == []
        client.force_login(other_manager)
        dashboard = client.get(reverse("casework:dashboard")).content.decode()
        assert sealed.reference not in dashboard

    def test_an_unallocated_sealed_referral_leaves_the_unnamed_managers_dashboard(
        self, client, team_a, manager_a, other_manager
    ):
        referral = CaseFactory(team=team_a, by=manager_a)
        services.case_seal(case=referral, by=manager_a, members=[], reason="High-profile case.")
        assert list(service_dashboard(manager_a)["unallocated"]) == [referral]
        assert list(service_dashboard(other_manager)["unallocated"]) == []

    def test_the_unnamed_caseworker_loses_it_from_their_caseload(
        self, client, case, manager_a, caseworker_a
    ):
        services.case_seal(case=case, by=manager_a, members=[], reason="Known to staff.")
        assert caseload_for(caseworker_a) == []
        client.force_login(caseworker_a)
        assert case.reference not in client.get(reverse("casework:caseload")).content.decode()

    def test_reports_still_count_it(self, sealed, org_a):
        filters = ReportFilter(
            since=datetime.date(2026, 1, 1),
            until=datetime.date(2026, 1, 31),
            organisations=(org_a.pk,),
        )
        table = service_report(filters).table("new_referrals")
        assert table.total_row[TOTAL] == 1

    def test_lists_take_the_same_number_of_queries_however_many_cases_are_sealed(
        self, team_a, manager_a, caseworker_a, teammate
    ):
        def queries(user) -> int:
            with CaptureQueriesContext(connection) as captured:
                caseload_for(user)
                case_search(user, text="Example")
            return len(captured)

        def add_sealed(n):
            for _ in range(n):
                new = CaseFactory(team=team_a, by=manager_a)
                Case.objects.filter(pk=new.pk).update(
                    caseworker=caseworker_a, state=CaseState.SUPPORTED
                )
                services.case_seal(
                    case=Case.objects.get(pk=new.pk),
                    by=manager_a,
                    members=[caseworker_a],
                    reason="Known to staff.",
                )

        add_sealed(1)
        queries(caseworker_a), queries(teammate)  # roles, teams and content types now cached
        one = (queries(caseworker_a), queries(teammate))
        add_sealed(4)
        assert (queries(caseworker_a), queries(teammate)) == one
        assert len(caseload_for(caseworker_a)) == 5 and caseload_for(teammate) == []


class TestSealingPages:
    def test_a_service_manager_seals_a_case_naming_who_may_open_it(
        self, client, case, manager_a, caseworker_a, teammate
    ):
        client.force_login(manager_a)
        url = reverse("casework:case_seal", args=[case.pk])
        page = client.get(reverse("casework:case", args=[case.pk])).content.decode()
        assert url in page
        form = client.get(url)
        # The allocated caseworker is offered, ticked.
        assert form.context["form"]["members"].initial == [caseworker_a.pk]
        assert client.post(url, {"action": "seal", "members": [caseworker_a.pk]}).status_code == 200
        assert not Case.objects.get(pk=case.pk).sealed  # a reason is required
        response = client.post(
            url,
            {
                "action": "seal",
                "members": [caseworker_a.pk],
                "reason": "The person is known to staff.",
            },
        )
        assert response.status_code == 302
        case.refresh_from_db()
        assert case.sealed
        assert set(SealedCaseMember.objects.values_list("user", flat=True)) == {
            manager_a.pk,
            caseworker_a.pk,
        }
        event = TimelineEvent.objects.get(kind="case.sealed", subject_id=case.pk)
        assert event.actor == manager_a and event.reason == "The person is known to staff."
        latest = case.history.latest()
        assert latest.sealed and latest.history_user == manager_a
        assert _opens(client, teammate, case) == 404

    def test_people_are_named_and_removed_then_the_case_unsealed(
        self, client, sealed, manager_a, caseworker_a, teammate
    ):
        client.force_login(manager_a)
        url = reverse("casework:case_seal", args=[sealed.pk])
        assert client.post(url, {"action": "add", "person": teammate.pk}).status_code == 302
        assert _opens(client, teammate, sealed) == 200

        client.force_login(manager_a)
        page = client.get(url)
        assert [m.user for m in page.context["members"]] == sorted(
            [manager_a, caseworker_a, teammate], key=lambda u: (u.first_name, u.last_name)
        )
        assert client.post(url, {"action": "remove", "person": teammate.pk}).status_code == 302
        assert _opens(client, teammate, sealed) == 404
        removed = SealedCaseMember.history.filter(user_id=teammate.pk, history_type="-").get()
        assert removed.history_user == manager_a

        # Nobody removes themselves (another named manager can).
        client.force_login(manager_a)
        client.post(url, {"action": "remove", "person": manager_a.pk})
        assert SealedCaseMember.objects.filter(case=sealed, user=manager_a).exists()

        assert client.post(url, {"action": "unseal"}).status_code == 200  # reason required
        unseal = client.post(url, {"action": "unseal", "reason": "No longer needed."})
        assert unseal.status_code == 302
        sealed.refresh_from_db()
        assert not sealed.sealed
        assert not SealedCaseMember.objects.filter(case=sealed).exists()
        assert _opens(client, teammate, sealed) == 200
        kinds = list(
            TimelineEvent.objects.filter(subject_id=sealed.pk, kind__startswith="case.")
            .exclude(kind="case.referred")
            .order_by("pk")
            .values_list("kind", flat=True)
        )
        assert kinds == [
            "case.sealed",
            "case.seal_member_added",
            "case.seal_member_removed",
            "case.unsealed",
        ]

    def test_only_a_manager_who_may_open_the_case_manages_the_seal(
        self, client, sealed, caseworker_a, other_manager, manager_b, teammate
    ):
        url = reverse("casework:case_seal", args=[sealed.pk])
        for person in (caseworker_a, other_manager, manager_b):
            client.force_login(person)
            assert client.get(url).status_code == 404
            assert client.post(url, {"action": "add", "person": teammate.pk}).status_code == 404
            assert client.post(url, {"action": "unseal", "reason": "Let me in"}).status_code == 404
        sealed.refresh_from_db()
        assert sealed.sealed
        assert not SealedCaseMember.objects.filter(user=teammate).exists()
        client.force_login(caseworker_a)
        page = client.get(reverse("casework:case", args=[sealed.pk])).content.decode()
        assert "Sealed case: only the people named on it can open it." in page
        assert url not in page

    def test_only_active_case_staff_of_the_organisation_can_be_named(
        self, sealed, manager_a, make_user, org_a, org_b
    ):
        for person in (
            make_user(org_a, Role.ACCOMMODATION_MANAGER),
            make_user(org_a, Role.CASEWORKER, is_active=False),
            make_user(org_b, Role.SERVICE_MANAGER),
        ):
            with pytest.raises(PathwayError):
                services.case_seal_member_add(case=sealed, by=manager_a, person=person)
        assert SealedCaseMember.objects.filter(case=sealed).count() == 2
