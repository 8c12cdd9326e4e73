"""The demo exit pathways seed_demo adds: per demo organisation, one voluntary return with the
travel booked and one resettlement settled, which closed its case."""

import datetime
from datetime import date, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from carepath.audit.models import TimelineEvent
from carepath.people.models import User
from casework.models import Case, CaseState
from casework.selectors.cases import caseload_for
from returns.demo import seed_returns
from returns.models import ResettlementPlan, ResettlementState, ReturnPlan, ReturnState

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 20)


@pytest.fixture(scope="module")
def seeded(module_transaction):
    with time_machine.travel(
        datetime.datetime(2026, 11, 20, 10, 0, tzinfo=datetime.UTC), tick=False
    ):
        yield _seed_twice()


def _seed_twice():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "Demo returns and resettlements added: 4" in out.getvalue()
    counts = (ReturnPlan.objects.count(), ResettlementPlan.objects.count())
    events = TimelineEvent.objects.count()
    again = StringIO()
    call_command("seed_demo", stdout=again)
    assert "Demo returns and resettlements added: 0" in again.getvalue()
    assert (ReturnPlan.objects.count(), ResettlementPlan.objects.count()) == counts
    assert TimelineEvent.objects.count() == events
    assert seed_returns() == 0


@pytest.mark.parametrize("slug", ["clyde", "taff"])
def test_one_return_with_the_travel_booked(seeded, slug):
    [plan] = ReturnPlan.objects.filter(case__organisation__slug=slug)
    assert plan.state == ReturnState.TRAVEL_BOOKED
    assert plan.departs_on == TODAY + timedelta(days=10)
    assert plan.risk_assessed_on is not None and plan.applied_on is not None
    assert plan.country == plan.case.claimed_nationality
    assert plan.country != "GB"
    assert plan.case.state == CaseState.SUPPORTED
    worker = User.objects.get(username=f"caseworker.{slug}")
    assert plan.case.caseworker == worker
    kinds = set(
        TimelineEvent.objects.filter(
            subject_id=plan.case_id, kind__startswith="return."
        ).values_list("kind", flat=True)
    )
    assert {"return.started", "return.apply", "return.book_travel"} <= kinds
    # The departure is on the caseworker's caseload.
    [row] = [row for row in caseload_for(worker, today=TODAY) if row["case"].pk == plan.case_id]
    assert [(str(d.label), d.due) for d in row["deadlines"] if d.kind == "return"] == [
        ("Departure", TODAY + timedelta(days=10))
    ]


@pytest.mark.parametrize("slug", ["clyde", "taff"])
def test_one_settled_resettlement_that_closed_its_case(seeded, slug):
    [plan] = ResettlementPlan.objects.filter(case__organisation__slug=slug)
    assert plan.state == ResettlementState.SETTLED
    assert plan.settled_on == TODAY - timedelta(days=5)
    assert (
        plan.leave_applied_on
        <= plan.leave_granted_on
        <= plan.housing_secured_on
        <= plan.income_in_place_on
        <= plan.settled_on
    )
    case = Case.objects.get(pk=plan.case_id)
    assert case.state == CaseState.CLOSED
    assert case.closure_reason == "moved_on"
    assert case.closed_on == plan.settled_on
    assert case.outcomes
    assert ReturnPlan.objects.filter(case=case).count() == 0


def test_the_demo_pages_open(seeded, client):
    worker = User.objects.get(username="caseworker.clyde")
    client.force_login(worker)
    plan = ReturnPlan.objects.get(case__organisation__slug="clyde")
    settled = ResettlementPlan.objects.get(case__organisation__slug="clyde")
    page = client.get(reverse("casework:case", args=[plan.case_id])).content.decode()
    assert reverse("returns:return", args=[plan.case_id, plan.pk]) in page
    response = client.get(reverse("returns:resettlement", args=[settled.case_id, settled.pk]))
    assert response.status_code == 200
    assert "The person is settled" in response.content.decode()
    client.force_login(User.objects.get(username="service.manager.clyde"))
    report = client.get(reverse("returns:report"))
    assert report.context["report"].total == 1
