import datetime

import pytest

from carepath.people.models import Role
from casework.models import ConsentRecord
from tests.factories import CaseFactory, TeamFactory


@pytest.fixture
def team_b(org_a):
    return TeamFactory(organisation=org_a, name="Team B")


@pytest.fixture
def caseworker_a(make_user, org_a, team_a):
    return make_user(org_a, Role.CASEWORKER, username="worker.a", teams=[team_a])


@pytest.fixture
def caseworker_b(make_user, org_a, team_b):
    return make_user(org_a, Role.CASEWORKER, username="worker.b", teams=[team_b])


@pytest.fixture
def case_a(team_a, manager_a):
    return CaseFactory(team=team_a, by=manager_a)


@pytest.fixture
def case_b(team_b, manager_a):
    return CaseFactory(team=team_b, by=manager_a, given_name="Bea", aliases="Bee\nBeatrix")


@pytest.fixture
def consent():
    def give(case, scope="support", by=None):
        return ConsentRecord.objects.create(
            case=case,
            scope=scope,
            given_on=datetime.date(2026, 1, 6),
            method="verbal",
            recorded_by=by or case.caseworker or case.team.organisation.users.first(),
        )

    return give
