"""Resettlement in the UK: leave applied for, leave granted, housing secured, income, work or
study in place, settled (which closes the case with the outcomes achieved); withdrawn."""

import datetime
from datetime import date
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from accommodation.models import Placement, PlacementState
from carepath.audit.models import TimelineEvent
from carepath.pathway import ConflictError, PathwayError
from carepath.policy import PolicyDenied
from casework.models import Case, CaseState, ConsentRecord
from casework.services import cases as case_services
from returns.models import ResettlementPlan, ResettlementState, ReturnPlan
from returns.services.resettlement import resettlement_start, resettlement_transition
from tests.factories import CaseFactory

LONDON = ZoneInfo("Europe/London")
TODAY = date(2026, 3, 10)


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 10, 12, 0, tzinfo=LONDON), tick=False)


def _supported(team, manager, caseworker, **values) -> Case:
    case = CaseFactory(team=team, by=manager, **values)
    case_services.case_accept(
        by=manager, case=case, caseworker=caseworker, expected_version=case.version
    )
    ConsentRecord.objects.create(
        case=case, scope="support", given_on=date(2026, 1, 6), method="verbal", recorded_by=manager
    )
    case_services.case_start_support(by=caseworker, case=case, expected_version=case.version)
    return Case.objects.get(pk=case.pk)


@pytest.fixture
def case(team_a, manager_a, caseworker_a) -> Case:
    return _supported(team_a, manager_a, caseworker_a, claimed_nationality="ER")


@pytest.fixture
def plan(case, caseworker_a) -> ResettlementPlan:
    return resettlement_start(by=caseworker_a, case=case, leave_applied_on=date(2026, 1, 20))


def step(plan, by, name, **values):
    return resettlement_transition(
        by=by, plan=plan, name=name, expected_version=plan.version, values=values
    )


def _at(plan, by, state):
    """Move a fresh plan on to ``state`` through the real steps."""
    path = [
        ("grant_leave", {"on": date(2026, 2, 1)}),
        ("secure_housing", {"on": date(2026, 2, 10), "housing": "Housing association flat"}),
        ("secure_income", {"on": date(2026, 2, 20), "income": "Universal Credit"}),
    ]
    order = [
        ResettlementState.LEAVE_APPLIED,
        ResettlementState.LEAVE_GRANTED,
        ResettlementState.HOUSING_SECURED,
        ResettlementState.INCOME_IN_PLACE,
    ]
    for name, values in path[: order.index(state)]:
        step(plan, by, name, **values)
    assert plan.state == state
    return plan


def _events(case) -> list[str]:
    return list(
        TimelineEvent.objects.filter(subject_id=case.pk)
        .order_by("pk")
        .values_list("kind", flat=True)
    )


# --- Starting --------------------------------------------------------------------------------


class TestStart:
    def test_starts_when_leave_is_applied_for(self, case, caseworker_a):
        plan = resettlement_start(by=caseworker_a, case=case, leave_applied_on=date(2026, 1, 20))
        assert plan.state == ResettlementState.LEAVE_APPLIED
        assert plan.leave_applied_on == date(2026, 1, 20)
        assert plan.created_by == caseworker_a
        assert plan.history.get().history_user == caseworker_a
        assert _events(case)[-1] == "resettlement.started"

    def test_one_at_a_time(self, plan, case, caseworker_a):
        with pytest.raises(PathwayError, match="already has a resettlement in progress"):
            resettlement_start(by=caseworker_a, case=case, leave_applied_on=date(2026, 2, 1))

    def test_another_once_the_first_is_withdrawn(self, plan, case, caseworker_a):
        step(plan, caseworker_a, "withdraw", reason="Chose to return home instead")
        again = resettlement_start(by=caseworker_a, case=case, leave_applied_on=date(2026, 2, 1))
        assert again.state == ResettlementState.LEAVE_APPLIED

    def test_not_in_the_future(self, case, caseworker_a):
        with pytest.raises(PathwayError, match="cannot be in the future"):
            resettlement_start(by=caseworker_a, case=case, leave_applied_on=date(2026, 3, 11))

    def test_not_on_a_closed_case(self, case, caseworker_a):
        case_services.case_close(
            by=caseworker_a,
            case=case,
            expected_version=case.version,
            closure_reason="disengaged",
            outcomes=[],
            none_achieved=True,
            closed_on=TODAY,
        )
        with pytest.raises(PathwayError, match="open case"):
            resettlement_start(by=caseworker_a, case=case, leave_applied_on=date(2026, 1, 20))

    def test_not_by_another_team(self, case, caseworker_b):
        with pytest.raises(PolicyDenied):
            resettlement_start(by=caseworker_b, case=case, leave_applied_on=date(2026, 1, 20))
        assert not ResettlementPlan.objects.exists()


# --- The steps ---------------------------------------------------------------------------------


class TestGrantLeave:
    def test_allowed(self, plan, case, caseworker_a):
        step(plan, caseworker_a, "grant_leave", on=date(2026, 2, 1))
        plan.refresh_from_db()
        assert (plan.state, plan.leave_granted_on) == (
            ResettlementState.LEAVE_GRANTED,
            date(2026, 2, 1),
        )
        assert _events(case)[-1] == "resettlement.grant_leave"

    def test_on_the_day_of_the_application(self, plan, caseworker_a):
        step(plan, caseworker_a, "grant_leave", on=date(2026, 1, 20))
        assert plan.state == ResettlementState.LEAVE_GRANTED

    def test_not_before_the_application(self, plan, caseworker_a):
        with pytest.raises(PathwayError, match="before the application for leave \\(20 January"):
            step(plan, caseworker_a, "grant_leave", on=date(2026, 1, 19))
        plan.refresh_from_db()
        assert plan.state == ResettlementState.LEAVE_APPLIED

    def test_not_in_the_future(self, plan, caseworker_a):
        with pytest.raises(PathwayError, match="cannot be in the future"):
            step(plan, caseworker_a, "grant_leave", on=date(2026, 3, 11))

    def test_needs_a_date(self, plan, caseworker_a):
        with pytest.raises(PathwayError, match="Enter the date leave was granted"):
            step(plan, caseworker_a, "grant_leave", on=None)

    def test_only_once(self, plan, caseworker_a):
        step(plan, caseworker_a, "grant_leave", on=date(2026, 2, 1))
        with pytest.raises(PathwayError, match="while the resettlement is “Leave granted”"):
            step(plan, caseworker_a, "grant_leave", on=date(2026, 2, 2))


class TestSecureHousing:
    def test_allowed(self, plan, caseworker_a):
        _at(plan, caseworker_a, ResettlementState.LEAVE_GRANTED)
        step(plan, caseworker_a, "secure_housing", on=date(2026, 2, 1), housing=" Council flat ")
        plan.refresh_from_db()
        assert plan.state == ResettlementState.HOUSING_SECURED
        assert (plan.housing_secured_on, plan.housing) == (date(2026, 2, 1), "Council flat")

    def test_not_before_leave_is_granted(self, plan, caseworker_a):
        with pytest.raises(PathwayError, match="while the resettlement is “Leave applied for”"):
            step(plan, caseworker_a, "secure_housing", on=date(2026, 2, 1), housing="Flat")

    def test_not_dated_before_the_grant(self, plan, caseworker_a):
        _at(plan, caseworker_a, ResettlementState.LEAVE_GRANTED)
        with pytest.raises(PathwayError, match="before the grant of leave \\(1 February 2026\\)"):
            step(plan, caseworker_a, "secure_housing", on=date(2026, 1, 31), housing="Flat")

    def test_needs_the_housing(self, plan, caseworker_a):
        _at(plan, caseworker_a, ResettlementState.LEAVE_GRANTED)
        with pytest.raises(PathwayError, match="Say what housing"):
            step(plan, caseworker_a, "secure_housing", on=date(2026, 2, 2), housing="  ")

    def test_not_in_the_future(self, plan, caseworker_a):
        _at(plan, caseworker_a, ResettlementState.LEAVE_GRANTED)
        with pytest.raises(PathwayError, match="cannot be in the future"):
            step(plan, caseworker_a, "secure_housing", on=date(2026, 3, 11), housing="Flat")


class TestSecureIncome:
    def test_allowed(self, plan, caseworker_a):
        _at(plan, caseworker_a, ResettlementState.HOUSING_SECURED)
        step(plan, caseworker_a, "secure_income", on=date(2026, 2, 10), income="Care assistant")
        plan.refresh_from_db()
        assert plan.state == ResettlementState.INCOME_IN_PLACE
        assert (plan.income_in_place_on, plan.income) == (date(2026, 2, 10), "Care assistant")

    def test_not_before_housing(self, plan, caseworker_a):
        _at(plan, caseworker_a, ResettlementState.LEAVE_GRANTED)
        with pytest.raises(PathwayError, match="while the resettlement is “Leave granted”"):
            step(plan, caseworker_a, "secure_income", on=date(2026, 2, 10), income="Job")

    def test_not_dated_before_the_housing(self, plan, caseworker_a):
        _at(plan, caseworker_a, ResettlementState.HOUSING_SECURED)
        with pytest.raises(PathwayError, match="before the housing \\(10 February 2026\\)"):
            step(plan, caseworker_a, "secure_income", on=date(2026, 2, 9), income="Job")

    def test_needs_the_income(self, plan, caseworker_a):
        _at(plan, caseworker_a, ResettlementState.HOUSING_SECURED)
        with pytest.raises(PathwayError, match="Say what income, work or study"):
            step(plan, caseworker_a, "secure_income", on=date(2026, 2, 10), income="")

    def test_too_long(self, plan, caseworker_a):
        _at(plan, caseworker_a, ResettlementState.HOUSING_SECURED)
        with pytest.raises(PathwayError, match="at most 200 characters"):
            step(plan, caseworker_a, "secure_income", on=date(2026, 2, 10), income="x" * 201)


class TestSettle:
    def test_settling_closes_the_case_with_the_outcomes(self, plan, case, caseworker_a):
        _at(plan, caseworker_a, ResettlementState.INCOME_IN_PLACE)
        step(
            plan, caseworker_a, "settle", on=date(2026, 3, 1), outcomes=["employment", "feels_safe"]
        )
        plan.refresh_from_db()
        assert (plan.state, plan.settled_on) == (ResettlementState.SETTLED, date(2026, 3, 1))
        case.refresh_from_db()
        assert case.state == CaseState.CLOSED
        assert case.closure_reason == "moved_on"
        assert case.outcomes == ["employment", "feels_safe"]
        assert case.closed_on == date(2026, 3, 1)
        assert _events(case)[-2:] == ["resettlement.settle", "case.closed"]
        closed = TimelineEvent.objects.filter(subject_id=case.pk, kind="case.closed").get()
        assert closed.reason == "Resettled in the UK"

    def test_not_before_the_income(self, plan, case, caseworker_a):
        _at(plan, caseworker_a, ResettlementState.INCOME_IN_PLACE)
        with pytest.raises(PathwayError, match="before the income, work or study in place"):
            step(plan, caseworker_a, "settle", on=date(2026, 2, 19), outcomes=["employment"])
        case.refresh_from_db()
        assert case.state == CaseState.SUPPORTED

    def test_needs_an_outcome(self, plan, case, caseworker_a):
        _at(plan, caseworker_a, ResettlementState.INCOME_IN_PLACE)
        with pytest.raises(PathwayError, match="at least one outcome"):
            step(plan, caseworker_a, "settle", on=date(2026, 3, 1), outcomes=[])
        with pytest.raises(PathwayError, match="from the list"):
            step(plan, caseworker_a, "settle", on=date(2026, 3, 1), outcomes=["rich"])
        plan.refresh_from_db()
        assert plan.state == ResettlementState.INCOME_IN_PLACE

    def test_not_before_the_income_is_in_place(self, plan, caseworker_a):
        _at(plan, caseworker_a, ResettlementState.HOUSING_SECURED)
        with pytest.raises(PathwayError, match="while the resettlement is “Housing secured”"):
            step(plan, caseworker_a, "settle", on=date(2026, 3, 1), outcomes=["employment"])

    def test_not_in_the_future(self, plan, caseworker_a):
        _at(plan, caseworker_a, ResettlementState.INCOME_IN_PLACE)
        with pytest.raises(PathwayError, match="cannot be in the future"):
            step(plan, caseworker_a, "settle", on=date(2026, 3, 11), outcomes=["employment"])

    def test_refused_whole_when_the_case_cannot_close(self, plan, case, caseworker_a, org_a):
        _at(plan, caseworker_a, ResettlementState.INCOME_IN_PLACE)
        Placement.objects.create(
            case=case,
            provider=org_a,
            state=PlacementState.MOVED_IN,
            known_as="Selam",
            gender="female",
            requested_by=caseworker_a,
            moved_in_on=date(2026, 2, 1),
        )
        with pytest.raises(PathwayError, match="This person has a place: record the move-out"):
            step(plan, caseworker_a, "settle", on=date(2026, 3, 1), outcomes=["employment"])
        plan.refresh_from_db()
        case.refresh_from_db()
        assert plan.state == ResettlementState.INCOME_IN_PLACE
        assert plan.settled_on is None
        assert case.state == CaseState.SUPPORTED
        assert "resettlement.settle" not in _events(case)

    def test_refused_on_a_referral_not_taken_on(self, team_a, manager_a, caseworker_a):
        referred = CaseFactory(team=team_a, by=manager_a)
        plan = resettlement_start(by=manager_a, case=referred, leave_applied_on=date(2026, 1, 20))
        _at(plan, manager_a, ResettlementState.INCOME_IN_PLACE)
        with pytest.raises(PathwayError, match="cannot close yet"):
            step(plan, manager_a, "settle", on=date(2026, 3, 1), outcomes=["employment"])
        plan.refresh_from_db()
        assert plan.state == ResettlementState.INCOME_IN_PLACE

    def test_closing_before_the_referral_is_refused(self, team_a, manager_a, caseworker_a):
        late = _supported(team_a, manager_a, caseworker_a, referral_date=date(2026, 2, 25))
        plan = resettlement_start(by=caseworker_a, case=late, leave_applied_on=date(2026, 1, 20))
        _at(plan, caseworker_a, ResettlementState.INCOME_IN_PLACE)
        with pytest.raises(PathwayError, match="cannot close before it was referred"):
            step(plan, caseworker_a, "settle", on=date(2026, 2, 24), outcomes=["employment"])
        plan.refresh_from_db()
        assert plan.state == ResettlementState.INCOME_IN_PLACE


class TestWithdraw:
    @pytest.mark.parametrize(
        "state",
        [
            ResettlementState.LEAVE_APPLIED,
            ResettlementState.LEAVE_GRANTED,
            ResettlementState.HOUSING_SECURED,
            ResettlementState.INCOME_IN_PLACE,
        ],
    )
    def test_allowed_before_settled(self, plan, case, caseworker_a, state):
        _at(plan, caseworker_a, state)
        step(plan, caseworker_a, "withdraw", reason="Leave refused; appealing")
        plan.refresh_from_db()
        assert (plan.state, plan.state_reason) == (
            ResettlementState.WITHDRAWN,
            "Leave refused; appealing",
        )
        assert _events(case)[-1] == "resettlement.withdraw"
        assert Case.objects.get(pk=case.pk).state == CaseState.SUPPORTED

    def test_needs_a_reason(self, plan, caseworker_a):
        with pytest.raises(PathwayError, match="Give the reason"):
            step(plan, caseworker_a, "withdraw", reason=" ")

    def test_not_once_settled(self, plan, caseworker_a):
        _at(plan, caseworker_a, ResettlementState.INCOME_IN_PLACE)
        step(plan, caseworker_a, "settle", on=date(2026, 3, 1), outcomes=["employment"])
        with pytest.raises(PathwayError, match="while the resettlement is “Settled”"):
            step(plan, caseworker_a, "withdraw", reason="Changed mind")


class TestEveryStep:
    def test_a_stale_version_is_a_conflict(self, plan, caseworker_a):
        stale = plan.version
        step(plan, caseworker_a, "grant_leave", on=date(2026, 2, 1))
        old = ResettlementPlan.objects.get(pk=plan.pk)
        with pytest.raises(ConflictError):
            resettlement_transition(
                by=caseworker_a,
                plan=old,
                name="secure_housing",
                expected_version=stale,
                values={"on": date(2026, 2, 2), "housing": "Flat"},
            )

    def test_another_team_is_refused(self, plan, caseworker_b):
        with pytest.raises(PolicyDenied):
            step(plan, caseworker_b, "grant_leave", on=date(2026, 2, 1))

    def test_an_unknown_step(self, plan, caseworker_a):
        with pytest.raises(PathwayError, match="does not apply"):
            step(plan, caseworker_a, "emigrate")

    def test_steps_stop_when_the_case_is_closed_but_withdrawing_does_not(
        self, plan, case, caseworker_a
    ):
        case_services.case_close(
            by=caseworker_a,
            case=case,
            expected_version=case.version,
            closure_reason="disengaged",
            outcomes=[],
            none_achieved=True,
            closed_on=TODAY,
        )
        plan.refresh_from_db()
        with pytest.raises(PathwayError, match="re-open it"):
            step(plan, caseworker_a, "grant_leave", on=date(2026, 2, 1))
        step(plan, caseworker_a, "withdraw", reason="The person disengaged")
        assert plan.state == ResettlementState.WITHDRAWN


# --- Pages ---------------------------------------------------------------------------------------


def _url(name, *args) -> str:
    return reverse(f"returns:{name}", args=args)


@pytest.fixture
def worker(client, caseworker_a):
    client.force_login(caseworker_a)
    return client


class TestPages:
    def test_start_from_the_case_page(self, worker, case):
        page = worker.get(reverse("casework:case", args=[case.pk])).content.decode()
        assert _url("resettlement_new", case.pk) in page
        response = worker.post(
            _url("resettlement_new", case.pk), {"leave_applied_on": "2026-01-20"}
        )
        plan = ResettlementPlan.objects.get()
        assert response.status_code == 302
        assert response["Location"] == _url("resettlement", case.pk, plan.pk)

    def test_a_future_application_is_a_form_error(self, worker, case):
        response = worker.post(
            _url("resettlement_new", case.pk), {"leave_applied_on": "2026-04-01"}
        )
        assert response.status_code == 200
        assert "cannot be in the future" in response.content.decode()
        assert not ResettlementPlan.objects.exists()

    def test_the_page_offers_the_next_steps(self, worker, plan):
        page = worker.get(_url("resettlement", plan.case_id, plan.pk)).content.decode()
        assert _url("resettlement_action", plan.case_id, plan.pk, "grant_leave") in page
        assert _url("resettlement_action", plan.case_id, plan.pk, "withdraw") in page
        assert _url("resettlement_action", plan.case_id, plan.pk, "secure_housing") not in page
        assert "Leave applied for" in page

    def test_a_step_before_the_one_it_follows_is_a_form_error(self, worker, plan):
        url = _url("resettlement_action", plan.case_id, plan.pk, "grant_leave")
        response = worker.post(url, {"version": plan.version, "on": "2026-01-02"})
        assert response.status_code == 200
        assert "cannot be before the application for leave" in response.content.decode()

    def test_a_step_not_open_now_says_so(self, worker, plan):
        url = _url("resettlement_action", plan.case_id, plan.pk, "secure_income")
        page = worker.get(url).content.decode()
        assert "cannot be taken while the resettlement is “Leave applied for”" in page

    def test_settle_with_the_outcomes_closes_the_case(self, worker, plan, case, caseworker_a):
        _at(plan, caseworker_a, ResettlementState.INCOME_IN_PLACE)
        url = _url("resettlement_action", case.pk, plan.pk, "settle")
        page = worker.get(url).content.decode()
        assert 'type="checkbox" name="outcomes" value="employment"' in page
        assert "closes the case" in page
        refused = worker.post(url, {"version": plan.version, "on": "2026-03-01"})
        assert "Choose at least one outcome" in refused.content.decode()
        response = worker.post(
            url, {"version": plan.version, "on": "2026-03-01", "outcomes": ["employment"]}
        )
        assert response.status_code == 302
        case.refresh_from_db()
        assert (case.state, case.closure_reason, case.outcomes) == (
            "closed",
            "moved_on",
            ["employment"],
        )
        page = worker.get(response["Location"]).content.decode()
        assert "Moved on / resettled" in page

    def test_a_stale_form_is_a_conflict(self, worker, plan, caseworker_a):
        stale = plan.version
        step(plan, caseworker_a, "grant_leave", on=date(2026, 2, 1))
        url = _url("resettlement_action", plan.case_id, plan.pk, "withdraw")
        response = worker.post(url, {"version": stale, "reason": "No longer wanted"})
        assert response.status_code == 409

    def test_an_unknown_step_is_not_found(self, worker, plan):
        url = _url("resettlement_action", plan.case_id, plan.pk, "emigrate")
        assert worker.get(url).status_code == 404

    def test_another_cases_plan_is_not_found(self, worker, plan, team_a, manager_a, caseworker_a):
        other = _supported(team_a, manager_a, caseworker_a)
        assert worker.get(_url("resettlement", other.pk, plan.pk)).status_code == 404
        url = _url("resettlement_action", other.pk, plan.pk, "grant_leave")
        assert worker.get(url).status_code == 404

    def test_another_team_is_told_nothing_exists(self, client, plan, caseworker_b):
        client.force_login(caseworker_b)
        case_pk = plan.case_id
        for url in (
            _url("resettlement_new", case_pk),
            _url("resettlement", case_pk, plan.pk),
            _url("resettlement_action", case_pk, plan.pk, "grant_leave"),
        ):
            assert client.get(url).status_code == 404, url
        response = client.post(
            _url("resettlement_action", case_pk, plan.pk, "grant_leave"),
            {"version": plan.version, "on": "2026-02-01"},
        )
        assert response.status_code == 404
        plan.refresh_from_db()
        assert plan.state == ResettlementState.LEAVE_APPLIED

    def test_another_organisation_is_told_nothing_exists(self, client, plan, manager_b):
        client.force_login(manager_b)
        assert client.get(_url("resettlement", plan.case_id, plan.pk)).status_code == 404


def test_settling_waits_for_a_return_in_progress_to_be_withdrawn(plan, caseworker_a):
    _at(plan, caseworker_a, ResettlementState.INCOME_IN_PLACE)
    ReturnPlan.objects.create(case=plan.case, country="AL", created_by=caseworker_a)
    with pytest.raises(PathwayError, match="voluntary return is in progress"):
        step(plan, caseworker_a, "settle", on=date(2026, 2, 25), outcomes=["employment"])
    plan.refresh_from_db()
    assert plan.state == ResettlementState.INCOME_IN_PLACE
    assert plan.case.state != CaseState.CLOSED
