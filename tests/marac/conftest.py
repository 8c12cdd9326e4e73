import datetime
from zoneinfo import ZoneInfo

import pytest

from marac.models import Answer, MaracArea, PartnerAgency, RiskChecklist
from marac.services.meetings import marac_meetings_schedule
from marac.services.risk import marac_referral_create, risk_assessment_record
from tests.factories import CaseFactory

TODAY = datetime.date(2026, 3, 2)
NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Europe/London"))


@pytest.fixture(autouse=True)
def frozen_today(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def case_a(team_a, manager_a):
    return CaseFactory(team=team_a, by=manager_a)


@pytest.fixture
def dash(db):
    return RiskChecklist.objects.get(slug="dash", version=1)


@pytest.fixture
def area(org_a):
    return MaracArea.objects.create(organisation=org_a, name="Northtown MARAC")


def answers_with(yes: int, total: int = 24) -> dict[str, str]:
    """``yes`` questions answered yes, the rest alternately no and not known."""
    return {
        str(n): Answer.YES if n <= yes else (Answer.NO if n % 2 else Answer.NOT_KNOWN)
        for n in range(1, total + 1)
    }


REFERRAL_VALUES = {
    "referring_agency": "idva",
    "survivor_knows": True,
    "survivor_consents": True,
    "safe_contact": "Through her caseworker only",
    "fears": "Ex-partner",
    "perpetrators": "Ex-partner",
    "children_in_household": 2,
}


@pytest.fixture
def chair_a(make_user, org_a):
    return make_user(org_a, "marac_chair", username="chair.a")


@pytest.fixture
def police(area):
    return PartnerAgency.objects.create(area=area, name="Northtown Police", kind="police")


@pytest.fixture
def health(area):
    return PartnerAgency.objects.create(area=area, name="Northtown Health", kind="health")


@pytest.fixture
def police_officer(make_user, org_a, police):
    user = make_user(org_a, "marac_partner", username="officer.a")
    police.members.add(user)
    return user


@pytest.fixture
def health_visitor(make_user, org_a, health):
    user = make_user(org_a, "marac_partner", username="health.a")
    health.members.add(user)
    return user


@pytest.fixture
def make_referral(manager_a, dash, area, team_a):
    """A new case with a high-risk assessment, referred to ``area``."""

    def make(case=None, *, to=None, **values):
        case = case or CaseFactory(team=team_a, by=manager_a)
        risk_assessment_record(
            by=manager_a, case=case, checklist=dash, assessed_on=TODAY, answers=answers_with(15)
        )
        return marac_referral_create(
            by=manager_a,
            case=case,
            area=to or area,
            referred_on=TODAY,
            values={**REFERRAL_VALUES, **values},
        )

    return make


@pytest.fixture
def meeting(chair_a, area, police, health):
    """A meeting a week ahead, with both agencies invited."""
    starts_at = datetime.datetime(2026, 3, 9, 10, 0, tzinfo=ZoneInfo("Europe/London"))
    return marac_meetings_schedule(by=chair_a, area=area, first_starts_at=starts_at)[0]


def on_meeting_day(time_machine):
    time_machine.move_to(
        datetime.datetime(2026, 3, 9, 10, 30, tzinfo=ZoneInfo("Europe/London")), tick=False
    )
