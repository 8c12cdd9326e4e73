import datetime
from zoneinfo import ZoneInfo

import pytest

from carepath.people.models import Role
from casework.models import Appointment
from casework.services import cases as case_services
from tests.factories import CaseFactory, TeamFactory

LONDON = ZoneInfo("Europe/London")


def london(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=LONDON)


@pytest.fixture
def team_other_org(org_b):
    return TeamFactory(organisation=org_b, name="Team Elsewhere")


@pytest.fixture
def teammate_a(make_user, org_a, team_a):
    return make_user(org_a, Role.CASEWORKER, username="teammate.a", teams=[team_a])


@pytest.fixture
def caseworker_other_org(make_user, org_b, team_other_org):
    return make_user(org_b, Role.CASEWORKER, username="worker.elsewhere", teams=[team_other_org])


@pytest.fixture
def allocated_case(manager_a):
    """A case recorded and allocated through the services."""

    def make(team, caseworker, **values):
        case = CaseFactory(team=team, by=manager_a, **values)
        return case_services.case_accept(
            by=manager_a, case=case, caseworker=caseworker, expected_version=case.version
        )

    return make


@pytest.fixture
def appointment(manager_a):
    def make(case, starts_at, *, state="booked", kind="gp", **values):
        values.setdefault("with_whom", "Dr X")
        return Appointment.objects.create(
            case=case,
            kind=kind,
            state=state,
            starts_at=starts_at,
            created_by=manager_a,
            **values,
        )

    return make
