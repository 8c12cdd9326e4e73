import datetime
from zoneinfo import ZoneInfo

import pytest

from marac.models import Answer, MaracArea, RiskChecklist
from tests.factories import CaseFactory

TODAY = datetime.date(2026, 3, 2)


@pytest.fixture(autouse=True)
def frozen_today(time_machine):
    time_machine.move_to(
        datetime.datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Europe/London")), tick=False
    )


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
