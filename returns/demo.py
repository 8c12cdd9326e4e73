"""Demo exit pathways for each demo organisation, through the real services so their timelines
and history are what real ones would have, with dates relative to today:

- a voluntary return in progress: the risk of return assessed, applied for, eligible, travel
  documents ready and the travel booked, the departure in about ten days (on the caseload);
- a completed resettlement in the UK: leave applied for and granted, housing, an income, and
  settled five days ago, which closed that case with the reason "moved on".

Both are on supported cases of the demo caseworker of people who are not UK nationals; men are
chosen first, so the women's accommodation demo keeps its residents.
"""

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from accommodation.models import Placement, PlacementState
from carepath.people.models import Organisation, User
from casework.models import Case, CaseState
from returns.models import ResettlementPlan, ReturnPlan
from returns.services.resettlement import resettlement_start, resettlement_transition
from returns.services.returns import return_plan_start, return_plan_update, return_transition

SLUGS = ("clyde", "taff")
UK = "GB"


@transaction.atomic
def seed_returns() -> int:
    """Adds one return in progress and one completed resettlement to each demo organisation
    that has neither returns nor resettlements yet. Returns how many plans were added."""
    added = 0
    today = timezone.localdate()
    for slug in SLUGS:
        organisation = Organisation.objects.filter(slug=slug).first()
        caseworker = User.objects.filter(username=f"caseworker.{slug}").first()
        if organisation is None or caseworker is None:
            continue
        if (
            ReturnPlan.objects.filter(case__organisation=organisation).exists()
            or ResettlementPlan.objects.filter(case__organisation=organisation).exists()
        ):
            continue
        cases = _candidates(organisation, caseworker)
        if len(cases) < 2:
            continue
        resettled, returning = cases[0], cases[1]
        _settled(resettled, by=caseworker, today=today)
        _travel_booked(returning, by=caseworker, today=today)
        added += 2
    return added


def _candidates(organisation: Organisation, caseworker: User) -> list[Case]:
    """Supported adults of the caseworker who are not UK nationals and could close (nobody
    living in a place), longest supported first, men first."""
    housed = Placement.objects.filter(
        state__in=[PlacementState.ACCEPTED, PlacementState.MOVED_IN]
    ).values("case_id")
    cases = (
        Case.objects.filter(
            organisation=organisation, caseworker=caseworker, state=CaseState.SUPPORTED
        )
        .exclude(claimed_nationality__in=["", UK])
        .exclude(pk__in=housed)
        .order_by("referral_date", "pk")
    )
    adults = [case for case in cases if not case.is_child]
    return sorted(adults, key=lambda case: case.gender != "male")


def _settled(case: Case, *, by: User, today: date) -> None:
    def day(days_ago: int) -> date:
        # Never before the referral: the case cannot close before it began.
        return max(today - timedelta(days=days_ago), case.referral_date)

    plan = resettlement_start(by=by, case=case, leave_applied_on=day(60))
    steps = [
        ("grant_leave", {"on": day(40)}),
        ("secure_housing", {"on": day(25), "housing": "Housing association flat (demo)"}),
        ("secure_income", {"on": day(12), "income": "Part-time work as a kitchen porter"}),
        ("settle", {"on": day(5), "outcomes": ["feels_safe", "exited_exploitation", "employment"]}),
    ]
    for name, values in steps:
        resettlement_transition(
            by=by, plan=plan, name=name, expected_version=plan.version, values=values
        )


def _travel_booked(case: Case, *, by: User, today: date) -> None:
    def day(days_ago: int) -> date:
        return max(today - timedelta(days=days_ago), case.referral_date)

    plan = return_plan_start(
        by=by,
        case=case,
        country=case.claimed_nationality.code,
        wishes="Wants to go home to their mother and sisters, and to finish a trade course.",
    )
    return_plan_update(
        by=by,
        plan=plan,
        expected_version=plan.version,
        values={
            "risk_assessed_on": day(20),
            "retrafficking_risk": "medium",
            "exploiters_can_reach": "unknown",
            "safety_on_arrival": (
                "Met at the airport by the partner organisation; staying with family away "
                "from the town where they were recruited."
            ),
            "follow_up_consent": True,
        },
    )
    steps = [
        ("apply", {"on": day(15), "programme": "iom"}),
        (
            "find_eligible",
            {"on": day(10), "reasons": "Meets the criteria; reintegration support offered."},
        ),
        ("documents_ready", {"travel_document": "issued", "passport_held_by": "The caseworker"}),
        (
            "book_travel",
            {
                "booked_on": day(3),
                "departs_on": today + timedelta(days=10),
                "flight": "Demo Air DA 123",
                "departure_point": "London Heathrow, Terminal 5",
                "escort": "IOM escort to the airport",
                "arrival_reception": "Partner organisation at arrivals",
            },
        ),
    ]
    for name, values in steps:
        return_transition(by=by, plan=plan, name=name, expected_version=plan.version, values=values)
