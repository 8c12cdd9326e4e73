"""Through the pages, as the case's caseworker: a return from exploring to departure and the
follow-ups after it; the case stays open until the last follow-up is recorded, then closes
with the reason "returned home". Bad input gets a clear form error and changes nothing."""

import datetime

import pytest
from django.urls import reverse

from casework.models import Case, CaseState
from casework.services import cases as case_services
from returns.models import ReturnPlan
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def _at(time_machine, client, user, day: datetime.date) -> None:
    """Days and months pass between the steps: the caseworker signs in again (sessions expire)."""
    time_machine.move_to(
        datetime.datetime(day.year, day.month, day.day, 10, 0, tzinfo=datetime.UTC), tick=False
    )
    client.force_login(user)


def _post(client, url, data, *, expect=302):
    response = client.post(url, data)
    assert response.status_code == expect, response.content.decode()[:3000]
    return response


@pytest.fixture
def case(team_a, manager_a, caseworker_a):
    case = CaseFactory(team=team_a, by=manager_a)
    return case_services.case_accept(
        by=manager_a, case=case, caseworker=caseworker_a, expected_version=case.version
    )


def test_a_caseworker_takes_a_return_to_departure_and_the_last_follow_up_closes_the_case(
    case, caseworker_a, client, time_machine
):
    _at(time_machine, client, caseworker_a, datetime.date(2026, 2, 2))
    _post(
        client,
        reverse("returns:return_new", args=[case.pk]),
        {"country": "AL", "wishes": "To go home to her mother in Tirana."},
    )
    plan = ReturnPlan.objects.get(case=case)
    plan_url = reverse("returns:return", args=[case.pk, plan.pk])

    def action(name: str) -> str:
        return reverse("returns:return_action", args=[case.pk, plan.pk, name])

    def version() -> int:
        return ReturnPlan.objects.get(pk=plan.pk).version

    page = client.get(plan_url).content.decode()
    assert "Record the risk-of-return assessment first." in page

    # The risk of return, and consent to contact after return.
    _post(
        client,
        reverse("returns:return_edit", args=[case.pk, plan.pk]),
        {
            "version": version(),
            "wishes": "To go home to her mother in Tirana.",
            "risk_assessed_on": "2026-02-02",
            "retrafficking_risk": "medium",
            "exploiters_can_reach": "no",
            "safety_on_arrival": "Her mother's home; the exploiters are in custody in the UK.",
            "best_interests_decided_on": "",
            "best_interests_by": "",
            "passport_held_by": "",
            "follow_up_consent": "on",
        },
    )
    page = client.get(plan_url).content.decode()
    assert action("apply") in page
    assert "Record the risk-of-return assessment first." not in page

    _post(client, action("apply"), {"version": version(), "on": "2026-02-02", "programme": "iom"})
    _post(
        client,
        action("find_eligible"),
        {"version": version(), "on": "2026-02-02", "reasons": "Meets the IOM criteria."},
    )
    _post(
        client,
        action("documents_ready"),
        {"version": version(), "travel_document": "issued", "passport_held_by": "IOM office"},
    )

    booking = {
        "booked_on": "2026-02-02",
        "flight": "W6 5702",
        "departure_point": "London Luton",
        "escort": "IOM escort",
        "arrival_reception": "IOM Tirana at the airport",
    }
    # A departure date before the booking: a clear error, and nothing changes.
    refused = _post(
        client,
        action("book_travel"),
        {**booking, "version": version(), "departs_on": "2026-02-01"},
        expect=200,
    ).content.decode()
    assert (
        "The departure date cannot be before the date the travel was booked (2 February 2026)."
        in refused
    )
    assert ReturnPlan.objects.get(pk=plan.pk).state == "documents_ready"
    _post(
        client, action("book_travel"), {**booking, "version": version(), "departs_on": "2026-02-09"}
    )

    _at(time_machine, client, caseworker_a, datetime.date(2026, 2, 9))
    # A departure recorded before the travel was booked is refused too.
    refused = _post(
        client, action("depart"), {"version": version(), "on": "2026-02-01"}, expect=200
    ).content.decode()
    assert "The date of departure cannot be before the date the travel was booked" in refused
    assert ReturnPlan.objects.get(pk=plan.pk).state == "travel_booked"
    _post(client, action("depart"), {"version": version(), "on": "2026-02-09"})
    plan = ReturnPlan.objects.get(pk=plan.pk)
    assert plan.state == "departed"
    first, second, last = plan.follow_ups.all()
    assert [f.due_on for f in (first, second, last)] == [
        datetime.date(2026, 3, 9),
        datetime.date(2026, 5, 9),
        datetime.date(2026, 8, 9),
    ]

    _post(
        client,
        action("arrive"),
        {"version": version(), "on": "2026-02-09", "partner_organisation": "Different and Equal"},
    )
    _at(time_machine, client, caseworker_a, datetime.date(2026, 2, 12))
    _post(
        client,
        action("reintegrate"),
        {
            "version": version(),
            "grant_amount": "1500",
            "business_start_up": "on",
            "vocational_training": "",
            "notes": "Start-up grant for a tailoring business.",
        },
    )

    def follow_up_url(follow_up) -> str:
        return reverse("returns:follow_up", args=[case.pk, plan.pk, follow_up.pk])

    # A follow-up before the departure: a clear error, and nothing changes.
    refused = _post(
        client,
        follow_up_url(first),
        {"done_on": "2026-02-08", "contact_made": "on", "outcome": "Spoke by phone."},
        expect=200,
    ).content.decode()
    assert "A follow-up cannot be before the departure (9 February 2026)." in refused
    first.refresh_from_db()
    assert first.done_on is None

    _at(time_machine, client, caseworker_a, datetime.date(2026, 3, 10))
    _post(
        client,
        follow_up_url(first),
        {"done_on": "2026-03-10", "contact_made": "on", "outcome": "Safe, living with her mother."},
    )
    case = Case.objects.get(pk=case.pk)
    assert case.state == CaseState.ASSESSING
    assert ReturnPlan.objects.get(pk=plan.pk).state == "reintegrating"
    page = client.get(plan_url).content.decode()
    assert "2 follow-up contacts are still to be recorded." in page
    assert "the case closes with the reason" in page

    _at(time_machine, client, caseworker_a, datetime.date(2026, 5, 11))
    _post(
        client,
        follow_up_url(second),
        {"done_on": "2026-05-11", "contact_made": "on", "outcome": "Business open."},
    )
    assert Case.objects.get(pk=case.pk).state == CaseState.ASSESSING

    _at(time_machine, client, caseworker_a, datetime.date(2026, 8, 10))
    response = client.post(
        follow_up_url(last),
        {"done_on": "2026-08-10", "contact_made": "on", "outcome": "Settled and safe."},
        follow=True,
    )
    assert "the case is closed (returned home)" in response.content.decode()
    case = Case.objects.get(pk=case.pk)
    assert case.state == CaseState.CLOSED
    assert (case.closure_reason, case.closed_on) == ("returned_home", datetime.date(2026, 8, 10))
    assert "safe_return" in case.outcomes
    assert ReturnPlan.objects.get(pk=plan.pk).state == "completed"
    page = client.get(plan_url).content.decode()
    assert "The return is complete" in page
