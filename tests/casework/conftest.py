import datetime

import pytest

from casework.models import ConsentRecord
from tests.factories import CaseFactory


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
