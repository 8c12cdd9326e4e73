"""A voluntary return: every step taken from the right state with sensible values, and refused
from a wrong state or with dates that cannot be (in the future, or before the step they follow);
the follow-ups planned at departure with consent only, and the case closing with the last one,
not before; and who may reach the pages."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from carepath.audit.models import TimelineEvent
from carepath.pathway import ConflictError, PathwayError
from carepath.policy import PolicyDenied
from casework.models import Case, CaseState, CriminalJusticeMatter, LegalMatter
from casework.services import cases as case_services
from returns.models import FollowUp, ReturnPlan
from returns.services.returns import (
    follow_up_record,
    return_plan_start,
    return_plan_update,
    return_transition,
)
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 2)
TOMORROW = TODAY + datetime.timedelta(days=1)

ASSESSED = datetime.date(2026, 1, 20)
APPLIED = datetime.date(2026, 1, 26)
DECIDED = datetime.date(2026, 2, 5)
BOOKED = datetime.date(2026, 2, 10)
DEPARTS = datetime.date(2026, 2, 16)
DEPARTED = datetime.date(2026, 2, 16)
ARRIVED = datetime.date(2026, 2, 17)

WRONG_STATE = "cannot be done while the return is"
NO_RISK = "Record the risk-of-return assessment first."
NO_BEST_INTERESTS = "A child's return needs the local authority's best-interests decision first."

RISK = {
    "risk_assessed_on": ASSESSED,
    "retrafficking_risk": "medium",
    "exploiters_can_reach": "no",
    "safety_on_arrival": "Lives with her sister in Tirana; the exploiters are in prison.",
}
# The fields a plan has in each state, as if every step before it had been taken.
STATES = {
    "exploring": RISK,
    "applied": {"applied_on": APPLIED, "programme": "iom"},
    "eligible": {"eligibility_decided_on": DECIDED, "eligibility_reasons": "Meets the criteria"},
    "documents_ready": {"travel_document": "issued", "passport_held_by": "IOM office"},
    "travel_booked": {
        "booked_on": BOOKED,
        "departs_on": DEPARTS,
        "flight": "W6 5702",
        "departure_point": "London Luton",
    },
    "departed": {"departed_on": DEPARTED},
    "arrived": {"arrived_on": ARRIVED, "partner_organisation": "Different and Equal"},
    "reintegrating": {"grant_amount": Decimal("1500"), "business_start_up": True},
}


@pytest.fixture(autouse=True)
def today(time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC), tick=False)


@pytest.fixture
def case(team_a, manager_a, caseworker_a):
    case = CaseFactory(team=team_a, by=manager_a)
    return case_services.case_accept(
        by=manager_a, case=case, caseworker=caseworker_a, expected_version=case.version
    )


@pytest.fixture
def child_case(team_a, manager_a, caseworker_a):
    case = CaseFactory(team=team_a, by=manager_a, date_of_birth=datetime.date(2010, 4, 1))
    return case_services.case_accept(
        by=manager_a, case=case, caseworker=caseworker_a, expected_version=case.version
    )


def _fields(state: str) -> dict:
    fields = {}
    chain = state if state not in ("ineligible", "withdrawn", "completed") else "eligible"
    if state == "completed":
        chain = "reintegrating"
    for name, values in STATES.items():
        fields.update(values)
        if name == chain:
            break
    return fields


def make_plan(case: Case, by, state: str = "exploring", *, follow_ups=(), **fields):
    """A plan built directly in the state a test needs; ``follow_ups`` are the months after
    departure of the follow-ups planned (with consent)."""
    plan = ReturnPlan.objects.create(
        case=case,
        country="AL",
        state=state,
        created_by=by,
        **{"follow_up_consent": bool(follow_ups), **_fields(state), **fields},
    )
    for months in follow_ups:
        FollowUp.objects.create(
            plan=plan,
            months_after=months,
            due_on=DEPARTED + datetime.timedelta(days=30 * months),
        )
    return ReturnPlan.objects.select_related("case").get(pk=plan.pk)


def take(plan: ReturnPlan, by, name: str, **values) -> ReturnPlan:
    return return_transition(
        by=by, plan=plan, name=name, expected_version=plan.version, values=values
    )


def fresh(plan: ReturnPlan) -> ReturnPlan:
    return ReturnPlan.objects.select_related("case").get(pk=plan.pk)


def events(case: Case) -> list[str]:
    return list(
        TimelineEvent.objects.filter(
            subject_type=ContentType.objects.get_for_model(Case), subject_id=case.pk
        )
        .order_by("pk")
        .values_list("kind", flat=True)
    )


# --- Starting a return --------------------------------------------------------------------


def test_a_caseworker_starts_a_return_to_a_country_outside_the_uk(case, caseworker_a):
    plan = return_plan_start(by=caseworker_a, case=case, country="AL", wishes="Go home to Tirana")
    assert plan.state == "exploring"
    assert plan.country.code == "AL"
    assert plan.history.first().history_user == caseworker_a
    assert events(case)[-1] == "return.started"


@pytest.mark.parametrize(
    ("country", "said"),
    [("GB", "outside the UK"), ("", "Choose the country"), ("XX", "from the list")],
)
def test_a_return_needs_a_country_outside_the_uk(case, caseworker_a, country, said):
    with pytest.raises(PathwayError, match=said):
        return_plan_start(by=caseworker_a, case=case, country=country)
    assert not ReturnPlan.objects.exists()


def test_only_one_return_at_a_time_until_the_first_is_withdrawn(case, caseworker_a):
    first = make_plan(case, caseworker_a, "travel_booked")
    with pytest.raises(PathwayError, match="already has a return in progress"):
        return_plan_start(by=caseworker_a, case=case, country="VN")
    take(first, caseworker_a, "withdraw", reason="Changed her mind")
    assert return_plan_start(by=caseworker_a, case=case, country="VN").state == "exploring"


def test_a_return_is_not_started_on_a_closed_case(case, caseworker_a):
    case = case_services.case_close(
        by=caseworker_a,
        case=case,
        expected_version=case.version,
        closure_reason="disengaged",
        outcomes=[],
        none_achieved=True,
        closed_on=TODAY,
    )
    with pytest.raises(PathwayError, match="open case"):
        return_plan_start(by=caseworker_a, case=case, country="AL")


def test_another_teams_caseworker_cannot_start_or_change_a_return(case, caseworker_b):
    with pytest.raises(PolicyDenied):
        return_plan_start(by=caseworker_b, case=case, country="AL")
    plan = make_plan(case, case.caseworker)
    with pytest.raises(PolicyDenied):
        take(plan, caseworker_b, "withdraw", reason="No")
    with pytest.raises(PolicyDenied):
        return_plan_update(
            by=caseworker_b, plan=plan, expected_version=plan.version, values={"wishes": "x"}
        )


# --- The details: risk of return, best interests, consent ---------------------------------


def test_the_risk_of_return_assessment_is_recorded_with_its_three_answers(case, caseworker_a):
    plan = make_plan(case, caseworker_a, risk_assessed_on=None, **dict.fromkeys(list(RISK)[1:], ""))
    plan = return_plan_update(
        by=caseworker_a, plan=plan, expected_version=plan.version, values=RISK
    )
    assert fresh(plan).risk_assessed_on == ASSESSED
    assert events(case)[-1] == "return.updated"


@pytest.mark.parametrize(
    ("values", "said"),
    [
        ({**RISK, "risk_assessed_on": TOMORROW}, "cannot be dated in the future"),
        ({**RISK, "retrafficking_risk": ""}, "risk of re-trafficking"),
        ({**RISK, "exploiters_can_reach": ""}, "exploiters can reach"),
        ({**RISK, "safety_on_arrival": " "}, "safe the person will be on arrival"),
        ({**RISK, "risk_assessed_on": None}, "Enter the date the risk of return was assessed"),
    ],
)
def test_an_incomplete_or_future_risk_assessment_is_refused(case, caseworker_a, values, said):
    plan = make_plan(case, caseworker_a, risk_assessed_on=None, **dict.fromkeys(list(RISK)[1:], ""))
    with pytest.raises(PathwayError, match=said):
        return_plan_update(by=caseworker_a, plan=plan, expected_version=plan.version, values=values)
    assert fresh(plan).risk_assessed_on is None


def test_the_best_interests_decision_needs_its_date_and_local_authority(child_case, caseworker_a):
    plan = make_plan(child_case, caseworker_a)
    for values, said in (
        ({"best_interests_decided_on": DECIDED}, "which local authority"),
        ({"best_interests_by": "Glasgow City Council"}, "Enter the date"),
        (
            {"best_interests_decided_on": TOMORROW, "best_interests_by": "Glasgow"},
            "in the future",
        ),
    ):
        with pytest.raises(PathwayError, match=said):
            return_plan_update(
                by=caseworker_a, plan=plan, expected_version=plan.version, values=values
            )
    return_plan_update(
        by=caseworker_a,
        plan=plan,
        expected_version=plan.version,
        values={"best_interests_decided_on": DECIDED, "best_interests_by": "Glasgow City Council"},
    )
    assert fresh(plan).best_interests_by == "Glasgow City Council"


def test_a_stale_version_is_a_conflict(case, caseworker_a):
    plan = make_plan(case, caseworker_a)
    stale = plan.version
    return_plan_update(by=caseworker_a, plan=plan, expected_version=stale, values={"wishes": "A"})
    with pytest.raises(ConflictError):
        return_plan_update(
            by=caseworker_a, plan=fresh(plan), expected_version=stale, values={"wishes": "B"}
        )
    with pytest.raises(ConflictError):
        return_transition(
            by=caseworker_a,
            plan=fresh(plan),
            name="apply",
            expected_version=stale,
            values={"on": APPLIED, "programme": "iom"},
        )
    assert fresh(plan).wishes == "A"


def test_the_details_cannot_change_after_completion(case, caseworker_a):
    plan = make_plan(case, caseworker_a, "completed")
    with pytest.raises(PathwayError, match="can no longer be changed"):
        return_plan_update(
            by=caseworker_a, plan=plan, expected_version=plan.version, values={"wishes": "x"}
        )


def test_consent_to_follow_up_cannot_change_after_departure(case, caseworker_a):
    plan = make_plan(case, caseworker_a, "departed")
    with pytest.raises(PathwayError, match="settled at departure"):
        return_plan_update(
            by=caseworker_a,
            plan=plan,
            expected_version=plan.version,
            values={"follow_up_consent": True},
        )


# --- Applying -----------------------------------------------------------------------------


def test_apply_with_a_risk_assessment(case, caseworker_a):
    plan = take(make_plan(case, caseworker_a), caseworker_a, "apply", on=APPLIED, programme="iom")
    plan = fresh(plan)
    assert (plan.state, plan.applied_on, plan.programme) == ("applied", APPLIED, "iom")
    assert events(case)[-1] == "return.apply"


def test_apply_is_refused_without_a_risk_of_return_assessment(case, caseworker_a):
    plan = make_plan(case, caseworker_a, risk_assessed_on=None)
    with pytest.raises(PathwayError, match=NO_RISK):
        take(plan, caseworker_a, "apply", on=APPLIED, programme="iom")
    assert fresh(plan).state == "exploring"


def test_a_childs_return_is_refused_without_a_best_interests_decision(child_case, caseworker_a):
    plan = make_plan(child_case, caseworker_a)
    with pytest.raises(PathwayError, match=NO_BEST_INTERESTS):
        take(plan, caseworker_a, "apply", on=APPLIED, programme="iom")
    assert fresh(plan).state == "exploring"


def test_a_childs_return_is_applied_for_with_a_best_interests_decision(child_case, caseworker_a):
    plan = make_plan(
        child_case,
        caseworker_a,
        best_interests_decided_on=ASSESSED,
        best_interests_by="Glasgow City Council",
    )
    assert fresh(take(plan, caseworker_a, "apply", on=APPLIED, programme="iom")).state == "applied"


@pytest.mark.parametrize(
    ("state", "values", "said"),
    [
        ("eligible", {"on": APPLIED, "programme": "iom"}, WRONG_STATE),
        ("exploring", {"on": TOMORROW, "programme": "iom"}, "cannot be in the future"),
        ("exploring", {"on": APPLIED, "programme": ""}, "Choose the programme"),
    ],
)
def test_apply_is_refused(case, caseworker_a, state, values, said):
    plan = make_plan(case, caseworker_a, state)
    with pytest.raises(PathwayError, match=said):
        take(plan, caseworker_a, "apply", **values)
    assert fresh(plan).state == state


# --- The eligibility decision -------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "target"), [("find_eligible", "eligible"), ("find_ineligible", "ineligible")]
)
def test_the_eligibility_decision(case, caseworker_a, name, target):
    plan = take(
        make_plan(case, caseworker_a, "applied"), caseworker_a, name, on=DECIDED, reasons="R"
    )
    plan = fresh(plan)
    assert (plan.state, plan.eligibility_decided_on, plan.eligibility_reasons) == (
        target,
        DECIDED,
        "R",
    )


@pytest.mark.parametrize("name", ["find_eligible", "find_ineligible"])
@pytest.mark.parametrize(
    ("state", "on", "reasons", "said"),
    [
        ("exploring", DECIDED, "R", WRONG_STATE),
        ("eligible", DECIDED, "R", WRONG_STATE),
        ("applied", APPLIED - datetime.timedelta(days=1), "R", "before the application"),
        ("applied", TOMORROW, "R", "cannot be in the future"),
        ("applied", DECIDED, " ", "Give the reasons"),
    ],
)
def test_the_eligibility_decision_is_refused(case, caseworker_a, name, state, on, reasons, said):
    plan = make_plan(case, caseworker_a, state)
    with pytest.raises(PathwayError, match=said):
        take(plan, caseworker_a, name, on=on, reasons=reasons)
    assert fresh(plan).state == state


# --- Travel documents ---------------------------------------------------------------------


def test_documents_ready(case, caseworker_a):
    plan = make_plan(case, caseworker_a, "eligible")
    take(plan, caseworker_a, "documents_ready", travel_document="held", passport_held_by="Her")
    plan = fresh(plan)
    assert (plan.state, plan.travel_document, plan.passport_held_by) == (
        "documents_ready",
        "held",
        "Her",
    )


@pytest.mark.parametrize(
    ("state", "document", "said"),
    [("applied", "issued", WRONG_STATE), ("eligible", "needed", "only once issued or held")],
)
def test_documents_ready_is_refused(case, caseworker_a, state, document, said):
    plan = make_plan(case, caseworker_a, state)
    with pytest.raises(PathwayError, match=said):
        take(plan, caseworker_a, "documents_ready", travel_document=document)
    assert fresh(plan).state == state


# --- Booking travel -----------------------------------------------------------------------

BOOKING = {
    "booked_on": BOOKED,
    "departs_on": TODAY + datetime.timedelta(days=14),
    "flight": "W6 5702",
    "departure_point": "London Luton",
    "escort": "IOM escort",
    "arrival_reception": "IOM Tirana at the airport",
}


def test_book_travel_with_a_departure_still_to_come(case, caseworker_a):
    plan = take(
        make_plan(case, caseworker_a, "documents_ready"), caseworker_a, "book_travel", **BOOKING
    )
    plan = fresh(plan)
    assert (plan.state, plan.booked_on, plan.departs_on) == (
        "travel_booked",
        BOOKED,
        BOOKING["departs_on"],
    )
    assert plan.escort == "IOM escort"


@pytest.mark.parametrize(
    ("state", "values", "said"),
    [
        ("eligible", {}, WRONG_STATE),
        ("documents_ready", {"booked_on": TOMORROW}, "booked cannot be in the future"),
        (
            "documents_ready",
            {"booked_on": DECIDED - datetime.timedelta(days=1)},
            "before the eligibility decision",
        ),
        (
            "documents_ready",
            {"departs_on": BOOKED - datetime.timedelta(days=1)},
            "The departure date cannot be before the date the travel was booked",
        ),
    ],
)
def test_book_travel_is_refused(case, caseworker_a, state, values, said):
    plan = make_plan(case, caseworker_a, state)
    with pytest.raises(PathwayError, match=said):
        take(plan, caseworker_a, "book_travel", **{**BOOKING, **values})
    assert fresh(plan).state == state


# --- Departure and the follow-ups it plans ------------------------------------------------


def test_departure_with_consent_plans_the_follow_ups(case, caseworker_a, settings):
    settings.RETURN_FOLLOW_UP_MONTHS = (1, 3, 6)
    plan = make_plan(case, caseworker_a, "travel_booked", follow_up_consent=True)
    take(plan, caseworker_a, "depart", on=DEPARTED)
    plan = fresh(plan)
    assert plan.state == "departed"
    assert [(f.months_after, f.due_on, f.done_on) for f in plan.follow_ups.all()] == [
        (1, datetime.date(2026, 3, 16), None),
        (3, datetime.date(2026, 5, 16), None),
        (6, datetime.date(2026, 8, 16), None),
    ]
    assert events(case)[-1] == "return.depart"


def test_a_month_end_departure_is_followed_up_at_the_end_of_the_month(case, caseworker_a):
    plan = make_plan(
        case,
        caseworker_a,
        "travel_booked",
        booked_on=datetime.date(2025, 12, 1),
        follow_up_consent=True,
    )
    take(plan, caseworker_a, "depart", on=datetime.date(2025, 12, 31))
    assert list(fresh(plan).follow_ups.values_list("due_on", flat=True)) == [
        datetime.date(2026, 1, 31),
        datetime.date(2026, 3, 31),
        datetime.date(2026, 6, 30),
    ]


def test_departure_without_consent_plans_no_follow_ups(case, caseworker_a):
    plan = take(make_plan(case, caseworker_a, "travel_booked"), caseworker_a, "depart", on=DEPARTED)
    assert fresh(plan).state == "departed"
    assert not FollowUp.objects.exists()


@pytest.mark.parametrize(
    ("state", "on", "said"),
    [
        ("documents_ready", DEPARTED, WRONG_STATE),
        (
            "travel_booked",
            BOOKED - datetime.timedelta(days=1),
            "before the date the travel was booked",
        ),
        ("travel_booked", TOMORROW, "cannot be in the future"),
    ],
)
def test_departure_is_refused(case, caseworker_a, state, on, said):
    plan = make_plan(case, caseworker_a, state, follow_up_consent=True)
    with pytest.raises(PathwayError, match=said):
        take(plan, caseworker_a, "depart", on=on)
    assert fresh(plan).state == state
    assert not FollowUp.objects.exists()


# --- Arrival and reintegration ------------------------------------------------------------


def test_arrival(case, caseworker_a):
    plan = make_plan(case, caseworker_a, "departed")
    take(plan, caseworker_a, "arrive", on=ARRIVED, partner_organisation="Different and Equal")
    plan = fresh(plan)
    assert (plan.state, plan.arrived_on, plan.partner_organisation) == (
        "arrived",
        ARRIVED,
        "Different and Equal",
    )


@pytest.mark.parametrize(
    ("state", "on", "said"),
    [
        ("travel_booked", ARRIVED, WRONG_STATE),
        ("departed", DEPARTED - datetime.timedelta(days=1), "before the departure"),
        ("departed", TOMORROW, "cannot be in the future"),
    ],
)
def test_arrival_is_refused(case, caseworker_a, state, on, said):
    plan = make_plan(case, caseworker_a, state)
    with pytest.raises(PathwayError, match=said):
        take(plan, caseworker_a, "arrive", on=on)
    assert fresh(plan).state == state


def test_reintegration_support(case, caseworker_a):
    plan = make_plan(case, caseworker_a, "arrived")
    take(
        plan,
        caseworker_a,
        "reintegrate",
        grant_amount=Decimal("2000.50"),
        business_start_up=False,
        vocational_training=True,
        education=True,
        notes="Tailoring course",
    )
    plan = fresh(plan)
    assert plan.state == "reintegrating"
    assert (plan.grant_amount, plan.vocational_training, plan.reintegration_notes) == (
        Decimal("2000.50"),
        True,
        "Tailoring course",
    )


@pytest.mark.parametrize(
    ("state", "grant", "said"),
    [("departed", None, WRONG_STATE), ("arrived", Decimal("-1"), "less than £0")],
)
def test_reintegration_is_refused(case, caseworker_a, state, grant, said):
    plan = make_plan(case, caseworker_a, state)
    with pytest.raises(PathwayError, match=said):
        take(plan, caseworker_a, "reintegrate", grant_amount=grant)
    assert fresh(plan).state == state


# --- Withdrawing --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "state",
    ["exploring", "applied", "eligible", "ineligible", "documents_ready", "travel_booked"],
)
def test_a_return_is_withdrawn_before_departure(case, caseworker_a, state):
    plan = take(make_plan(case, caseworker_a, state), caseworker_a, "withdraw", reason="Staying")
    plan = fresh(plan)
    assert (plan.state, plan.state_reason) == ("withdrawn", "Staying")
    assert events(case)[-1] == "return.withdraw"
    assert fresh(plan).case.state == CaseState.ASSESSING


@pytest.mark.parametrize(
    ("state", "reason", "said"),
    [
        ("departed", "Too late", WRONG_STATE),
        ("withdrawn", "Again", WRONG_STATE),
        ("exploring", "  ", "Give the reason"),
    ],
)
def test_withdrawal_is_refused(case, caseworker_a, state, reason, said):
    plan = make_plan(case, caseworker_a, state)
    with pytest.raises(PathwayError, match=said):
        take(plan, caseworker_a, "withdraw", reason=reason)
    assert fresh(plan).state == state


def test_complete_is_not_a_step_a_person_takes(case, caseworker_a):
    plan = make_plan(case, caseworker_a, "reintegrating")
    with pytest.raises(PathwayError, match="does not apply"):
        take(plan, caseworker_a, "complete")
    assert fresh(plan).state == "reintegrating"


# --- Follow-ups and the end of the case ---------------------------------------------------


def record(follow_up: FollowUp, by, on, *, outcome="Safe and working", contact_made=True):
    return follow_up_record(
        by=by, follow_up=follow_up, done_on=on, contact_made=contact_made, outcome=outcome
    )


def test_the_case_closes_only_when_the_last_follow_up_is_recorded(case, caseworker_a):
    matter = LegalMatter.objects.create(
        case=case,
        kind="criminal_justice",
        title="Prosecution",
        opened_on=BOOKED,
        created_by=caseworker_a,
    )
    CriminalJusticeMatter.objects.create(matter=matter, state="investigating")
    plan = make_plan(case, caseworker_a, "reintegrating", follow_ups=(1, 3, 6))
    first, second, last = plan.follow_ups.all()
    record(first, caseworker_a, datetime.date(2026, 2, 20))
    case.refresh_from_db()
    assert (fresh(plan).state, case.state) == ("reintegrating", CaseState.ASSESSING)
    record(last, caseworker_a, datetime.date(2026, 3, 1))
    case.refresh_from_db()
    assert (fresh(plan).state, case.state) == ("reintegrating", CaseState.ASSESSING)
    record(second, caseworker_a, datetime.date(2026, 2, 27))
    case.refresh_from_db()
    assert fresh(plan).state == "completed"
    assert case.state == CaseState.CLOSED
    assert (case.closure_reason, case.outcomes) == ("returned_home", ["safe_return"])
    # The last of the follow-ups, not the one recorded last.
    assert case.closed_on == datetime.date(2026, 3, 1)
    assert events(case)[-3:] == ["return.follow_up", "return.complete", "case.closed"]
    # Legal matters continue after a return.
    matter = LegalMatter.objects.get(pk=matter.pk)
    assert matter.is_open and matter.detail.state == "investigating"


def test_follow_ups_all_done_while_arrived_do_not_complete_until_reintegration(case, caseworker_a):
    plan = make_plan(case, caseworker_a, "arrived", follow_ups=(1,))
    record(plan.follow_ups.get(), caseworker_a, datetime.date(2026, 2, 25))
    case.refresh_from_db()
    assert (fresh(plan).state, case.state) == ("arrived", CaseState.ASSESSING)
    take(fresh(plan), caseworker_a, "reintegrate", grant_amount=None)
    case.refresh_from_db()
    assert fresh(plan).state == "completed"
    assert (case.state, case.closed_on) == (CaseState.CLOSED, datetime.date(2026, 2, 25))


def test_without_follow_ups_nothing_closes_the_case(case, caseworker_a):
    plan = make_plan(case, caseworker_a, "arrived")
    take(plan, caseworker_a, "reintegrate", grant_amount=Decimal("500"))
    case.refresh_from_db()
    assert (fresh(plan).state, case.state) == ("reintegrating", CaseState.ASSESSING)


@pytest.mark.parametrize(
    ("on", "outcome", "said"),
    [
        (
            DEPARTED - datetime.timedelta(days=1),
            "Fine",
            "A follow-up cannot be before the departure",
        ),
        (TOMORROW, "Fine", "cannot be in the future"),
        (None, "Fine", "Enter the date of the follow-up"),
        (TODAY, " ", "Describe the outcome"),
    ],
)
def test_a_follow_up_is_refused(case, caseworker_a, on, outcome, said):
    plan = make_plan(case, caseworker_a, "reintegrating", follow_ups=(1,))
    with pytest.raises(PathwayError, match=said):
        record(plan.follow_ups.get(), caseworker_a, on, outcome=outcome)
    assert plan.follow_ups.get().done_on is None
    assert fresh(plan).state == "reintegrating"


def test_a_follow_up_is_corrected_until_the_return_completes(case, caseworker_a):
    plan = make_plan(case, caseworker_a, "reintegrating", follow_ups=(1, 3))
    first, last = plan.follow_ups.all()
    record(first, caseworker_a, datetime.date(2026, 2, 20), contact_made=False, outcome="No answer")
    record(first, caseworker_a, datetime.date(2026, 2, 21), outcome="Reached her the next day")
    first.refresh_from_db()
    assert (first.done_on, first.contact_made) == (datetime.date(2026, 2, 21), True)
    record(last, caseworker_a, TODAY)
    with pytest.raises(PathwayError, match="can no longer be changed"):
        record(first, caseworker_a, datetime.date(2026, 2, 22))


def test_a_follow_up_by_another_teams_caseworker_is_refused(case, caseworker_a, caseworker_b):
    plan = make_plan(case, caseworker_a, "reintegrating", follow_ups=(1,))
    with pytest.raises(PolicyDenied):
        record(plan.follow_ups.get(), caseworker_b, TODAY)


# --- The pages: who may reach them, and a lost race ---------------------------------------


def _urls(plan: ReturnPlan) -> list[str]:
    follow_up = plan.follow_ups.first()
    return [
        reverse("returns:return_new", args=[plan.case_id]),
        reverse("returns:return", args=[plan.case_id, plan.pk]),
        reverse("returns:return_edit", args=[plan.case_id, plan.pk]),
        reverse("returns:return_action", args=[plan.case_id, plan.pk, "arrive"]),
        reverse("returns:return_action", args=[plan.case_id, plan.pk, "withdraw"]),
        reverse("returns:follow_up", args=[plan.case_id, plan.pk, follow_up.pk]),
    ]


def test_another_teams_caseworker_gets_404_on_every_returns_page(
    case, caseworker_a, caseworker_b, client
):
    plan = make_plan(case, caseworker_a, "departed", follow_ups=(1,))
    client.force_login(caseworker_b)
    for url in _urls(plan):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"version": plan.version, "on": "2026-02-20"}).status_code == 404
    assert fresh(plan).state == "departed"
    client.force_login(caseworker_a)
    for url in _urls(plan):
        assert client.get(url).status_code == 200, url


def test_a_plan_of_another_case_is_not_found(case, caseworker_a, client, team_a, manager_a):
    other = CaseFactory(team=team_a, by=manager_a)
    plan = make_plan(other, caseworker_a, "departed", follow_ups=(1,))
    client.force_login(caseworker_a)
    assert client.get(reverse("returns:return", args=[case.pk, plan.pk])).status_code == 404
    follow_up = plan.follow_ups.get()
    url = reverse("returns:follow_up", args=[case.pk, plan.pk, follow_up.pk])
    assert client.get(url).status_code == 404
    # The hidden step has no page.
    url = reverse("returns:return_action", args=[other.pk, plan.pk, "complete"])
    assert client.get(url).status_code == 404


def test_a_stale_form_is_a_409_and_changes_nothing(case, caseworker_a, client):
    plan = make_plan(case, caseworker_a, "departed")
    stale = plan.version
    return_plan_update(by=caseworker_a, plan=plan, expected_version=stale, values={"wishes": "A"})
    client.force_login(caseworker_a)
    response = client.post(
        reverse("returns:return_action", args=[case.pk, plan.pk, "arrive"]),
        {"version": stale, "on": "2026-02-17", "partner_organisation": ""},
    )
    assert response.status_code == 409
    assert "Someone else changed this record" in response.content.decode()
    response = client.post(
        reverse("returns:return_edit", args=[case.pk, plan.pk]),
        {"version": stale, "wishes": "B"},
    )
    assert response.status_code == 409
    plan = fresh(plan)
    assert (plan.state, plan.wishes) == ("departed", "A")


def test_the_page_says_why_applying_is_blocked(case, caseworker_a, client):
    plan = make_plan(case, caseworker_a, risk_assessed_on=None)
    client.force_login(caseworker_a)
    page = client.get(reverse("returns:return", args=[case.pk, plan.pk])).content.decode()
    assert NO_RISK in page
    page = client.get(
        reverse("returns:return_action", args=[case.pk, plan.pk, "apply"])
    ).content.decode()
    assert NO_RISK in page


def test_the_page_says_nothing_closes_the_case_without_follow_ups(case, caseworker_a, client):
    plan = make_plan(case, caseworker_a, "reintegrating")
    client.force_login(caseworker_a)
    page = client.get(reverse("returns:return", args=[case.pk, plan.pk])).content.decode()
    assert "nothing closes the case automatically" in page


def test_a_closed_case_carries_on_with_no_return_step_but_withdrawal(case, caseworker_a):
    plan = make_plan(case, caseworker_a, "exploring", risk_assessed_on=datetime.date(2026, 2, 1))
    case_services.case_close(
        by=caseworker_a,
        case=case,
        expected_version=case.version,
        closure_reason="disengaged",
        outcomes=[],
        none_achieved=True,
        closed_on=datetime.date(2026, 3, 1),
    )
    plan = fresh(plan)
    with pytest.raises(PathwayError, match="case is closed"):
        take(plan, caseworker_a, "apply", on=datetime.date(2026, 3, 1), programme="iom")
    with pytest.raises(PathwayError, match="case is closed"):
        return_plan_update(
            by=caseworker_a, plan=plan, expected_version=plan.version, values={"wishes": "x"}
        )
    take(plan, caseworker_a, "withdraw", reason="Support ended")
    assert fresh(plan).state == "withdrawn"


def test_a_return_is_not_applied_for_before_the_case_is_taken_on(team_a, manager_a, caseworker_a):
    referred = CaseFactory(team=team_a, by=manager_a)
    plan = make_plan(
        referred, caseworker_a, "exploring", risk_assessed_on=datetime.date(2026, 2, 1)
    )
    with pytest.raises(PathwayError, match="Take the case on first"):
        take(plan, caseworker_a, "apply", on=datetime.date(2026, 3, 1), programme="iom")
    assert fresh(plan).state == "exploring"
