import pytest
from django.http import Http404
from django.urls import reverse

from carepath import policy
from carepath.people.models import Role, Team, User


def test_a_permission_without_a_rule_allows_nothing(admin_a):
    assert policy.basis(admin_a, "no.such.permission") is None
    assert not policy.visible(admin_a, "no.such.permission", User.objects.all()).exists()
    with pytest.raises(policy.PolicyDenied):
        policy.require(admin_a, "no.such.permission")


def test_scope_and_check_agree_on_organisation(admin_a, admin_b, team_a):
    visible = policy.visible(admin_a, "people.team.manage", Team.objects.all())
    assert list(visible) == [team_a]
    assert policy.can(admin_a, "people.team.manage", team_a)
    assert not policy.can(admin_b, "people.team.manage", team_a)
    assert not policy.visible(admin_b, "people.team.manage", Team.objects.all()).exists()


def test_get_or_404_hides_another_organisations_record(admin_a, admin_b):
    with pytest.raises(Http404):
        policy.get_or_404(admin_a, "people.user.manage", User.objects.all(), pk=admin_b.pk)
    obj, why = policy.get_or_404(admin_a, "people.user.manage", User.objects.all(), pk=admin_a.pk)
    assert obj == admin_a
    assert why == "organisation administrator"


def test_the_wrong_role_sees_nothing_even_in_its_own_organisation(make_user, org_a, admin_a):
    caseworker = make_user(org_a, Role.CASEWORKER)
    with pytest.raises(Http404):
        policy.get_or_404(caseworker, "people.user.manage", User.objects.all(), pk=admin_a.pk)


def test_inactive_people_and_people_without_an_organisation_are_denied(make_user, org_a, db):
    inactive = make_user(org_a, Role.ADMINISTRATOR, is_active=False)
    homeless = make_user(None, Role.ADMINISTRATOR)
    for user in (inactive, homeless):
        assert not policy.can(user, "people.user.manage")
        assert not policy.visible(user, "people.user.manage", User.objects.all()).exists()


@pytest.mark.parametrize(
    "url_name",
    ["people:user", "people:team"],
)
def test_organisation_a_gets_404_for_organisation_b_objects(
    client, admin_a, org_b, make_user, url_name
):
    other_user = make_user(org_b, Role.CASEWORKER)
    other_team = Team.objects.create(organisation=org_b, name="B team")
    target = other_user if url_name == "people:user" else other_team
    client.force_login(admin_a)
    response = client.get(reverse(url_name, args=[target.pk]))
    assert response.status_code == 404
    response = client.post(reverse(url_name, args=[target.pk]), {"name": "Renamed"})
    assert response.status_code == 404
    other_team.refresh_from_db()
    assert other_team.name == "B team"


# --- Sealed cases and emergency access ------------------------------------------------------


@pytest.fixture
def sealed_world(team_a, manager_a, caseworker_a, caseworker_b, make_user, org_a):
    from casework.services.access import case_seal
    from tests.factories import CaseFactory

    open_case = CaseFactory(team=team_a, by=manager_a)
    sealed = CaseFactory(team=team_a, by=manager_a)
    case_seal(case=sealed, by=manager_a, members=[caseworker_b], reason="Known to staff")
    unnamed_manager = make_user(org_a, Role.SERVICE_MANAGER)
    return open_case, sealed, unnamed_manager


def test_scope_and_check_agree_on_sealed_cases(sealed_world, manager_a, caseworker_a, caseworker_b):
    from casework.models import Case

    open_case, sealed, unnamed_manager = sealed_world
    for user in (manager_a, caseworker_a, caseworker_b, unnamed_manager):
        visible = set(policy.visible(user, "case.view", Case.objects.all()))
        allowed = {c for c in (open_case, sealed) if policy.can(user, "case.view", c)}
        assert visible == allowed
    assert sealed in policy.visible(caseworker_b, "case.view", Case.objects.all())
    assert sealed not in policy.visible(caseworker_a, "case.view", Case.objects.all())
    assert sealed not in policy.visible(unnamed_manager, "case.view", Case.objects.all())


def test_an_emergency_grant_reaches_one_page_but_no_list(sealed_world, admin_a):
    from casework.models import Case
    from casework.services.access import emergency_access_start

    open_case, _sealed, _manager = sealed_world
    grant = emergency_access_start(
        user=admin_a, reference=open_case.reference, reason="A crisis call came in overnight."
    )
    assert not policy.visible(admin_a, "case.view", Case.objects.all()).exists()
    obj, why = policy.get_or_404(admin_a, "case.view", Case.objects.all(), pk=open_case.pk)
    assert obj == open_case
    assert isinstance(why, policy.EmergencyBasis)
    assert why == "emergency access" and why.emergency_access_id == grant.pk
    assert policy.require(admin_a, "case.view", open_case).emergency_access_id == grant.pk
    with pytest.raises(policy.PolicyDenied):
        policy.require(admin_a, "case.edit", open_case)


def test_an_emergency_basis_files_the_read_under_its_grant(sealed_world, admin_a):
    from carepath.audit import access_log
    from casework.services.access import emergency_access_start

    open_case, _sealed, _manager = sealed_world
    grant = emergency_access_start(
        user=admin_a, reference=open_case.reference, reason="A crisis call came in overnight."
    )
    why = policy.basis(admin_a, "case.view", open_case)
    one = access_log.record(open_case, by=admin_a, basis=why)
    access_log.record_many([open_case], by=admin_a, basis=why, action="view")
    plain = access_log.record(open_case, by=admin_a, basis="emergency access")
    assert one.emergency_access_id == grant.pk
    assert grant.reads.count() == 2
    assert plain.emergency_access_id is None
