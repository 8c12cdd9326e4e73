"""Returns on the caseload and the case page: a booked departure and the follow-up contacts
after return are deadlines of the case (and so reach the caseworker through the outbox); the
case page lists the plans and tells a non-UK national's caseworker to explain a voluntary
return."""

import datetime
from datetime import date
from zoneinfo import ZoneInfo

import pytest
from dateutil.relativedelta import relativedelta
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from carepath.sms.models import Channel, Reminder, ReminderState
from carepath.sms.services import reminders_dispatch
from casework.models import Case, ConsentRecord
from casework.selectors.deadlines import case_deadlines
from casework.services import cases as case_services
from casework.services.staff_reminders import staff_reminders_plan
from returns.models import FollowUp, ResettlementPlan, ReturnPlan, ReturnState
from tests.factories import CaseFactory

LONDON = ZoneInfo("Europe/London")
DEPARTURE = "Departure"


@pytest.fixture
def at(time_machine):
    def move(day: date) -> None:
        time_machine.move_to(
            datetime.datetime(day.year, day.month, day.day, 12, 0, tzinfo=LONDON), tick=False
        )

    move(date(2026, 3, 10))
    return move


@pytest.fixture
def supported(at, team_a, manager_a, caseworker_a):
    def make(**values) -> Case:
        values.setdefault("claimed_nationality", "AL")
        case = CaseFactory(team=team_a, by=manager_a, **values)
        case_services.case_accept(
            by=manager_a, case=case, caseworker=caseworker_a, expected_version=case.version
        )
        ConsentRecord.objects.create(
            case=case,
            scope="support",
            given_on=date(2026, 1, 6),
            method="verbal",
            recorded_by=manager_a,
        )
        case_services.case_start_support(by=caseworker_a, case=case, expected_version=case.version)
        return Case.objects.get(pk=case.pk)

    return make


@pytest.fixture
def return_plan(manager_a):
    """A return plan in ``state``, straight into the ORM, with follow-ups due 1, 3 and 6 months
    after ``departed_on`` when given."""

    def make(case, state, *, departed_on=None, done=(), **values) -> ReturnPlan:
        plan = ReturnPlan.objects.create(
            case=case,
            country="AL",
            state=state,
            created_by=manager_a,
            departed_on=departed_on,
            **values,
        )
        if departed_on is not None:
            for months in (1, 3, 6):
                due = departed_on + relativedelta(months=months)
                FollowUp.objects.create(
                    plan=plan,
                    months_after=months,
                    due_on=due,
                    done_on=due if months in done else None,
                    contact_made=months in done,
                )
        return plan

    return make


def returns_of(case) -> list[tuple[str, date, str]]:
    """(label, due, status) of the case's return deadlines today, read afresh."""
    fresh = Case.objects.get(pk=case.pk)
    today = timezone.localdate()
    return [
        (str(d.label), d.due, d.status)
        for d in case_deadlines(fresh, today=today)
        if d.kind == "return"
    ]


# --- Deadlines -----------------------------------------------------------------------------


def test_a_booked_departure_is_upcoming_then_due_then_overdue(at, supported, return_plan):
    case = supported()
    return_plan(
        case, ReturnState.TRAVEL_BOOKED, booked_on=date(2026, 3, 1), departs_on=date(2026, 3, 20)
    )
    assert returns_of(case) == [(DEPARTURE, date(2026, 3, 20), "upcoming")]
    at(date(2026, 3, 13))
    assert returns_of(case) == [(DEPARTURE, date(2026, 3, 20), "due")]
    at(date(2026, 3, 20))
    assert returns_of(case) == [(DEPARTURE, date(2026, 3, 20), "due")]
    at(date(2026, 3, 21))  # the departure is not recorded yet
    assert returns_of(case) == [(DEPARTURE, date(2026, 3, 20), "overdue")]


@pytest.mark.parametrize(
    "state",
    [
        ReturnState.EXPLORING,
        ReturnState.APPLIED,
        ReturnState.ELIGIBLE,
        ReturnState.DOCUMENTS_READY,
        ReturnState.WITHDRAWN,
    ],
)
def test_no_departure_before_the_travel_is_booked(supported, return_plan, state):
    case = supported()
    return_plan(case, state, departs_on=date(2026, 3, 20))
    assert returns_of(case) == []


@pytest.mark.parametrize(
    "state", [ReturnState.DEPARTED, ReturnState.ARRIVED, ReturnState.REINTEGRATING]
)
def test_follow_ups_not_done_are_due_after_departure(at, supported, return_plan, state):
    case = supported()
    return_plan(case, state, departed_on=date(2026, 1, 15), done=(1,))
    at(date(2026, 4, 12))
    assert returns_of(case) == [
        ("Follow-up contact after return (3 months)", date(2026, 4, 15), "due"),
        ("Follow-up contact after return (6 months)", date(2026, 7, 15), "upcoming"),
    ]
    at(date(2026, 4, 16))
    assert returns_of(case)[0][2] == "overdue"


def test_a_one_month_follow_up_is_named_in_the_singular(supported, return_plan):
    case = supported()
    return_plan(case, ReturnState.DEPARTED, departed_on=date(2026, 2, 14))
    assert returns_of(case)[0] == (
        "Follow-up contact after return (1 month)",
        date(2026, 3, 14),
        "due",
    )


def test_no_follow_ups_once_the_return_is_complete(supported, return_plan):
    case = supported()
    return_plan(case, ReturnState.COMPLETED, departed_on=date(2026, 1, 15))
    assert returns_of(case) == []


def test_the_caseload_shows_the_departure(at, client, supported, return_plan, caseworker_a):
    case = supported()
    return_plan(
        case, ReturnState.TRAVEL_BOOKED, booked_on=date(2026, 3, 1), departs_on=date(2026, 3, 12)
    )
    client.force_login(caseworker_a)
    page = client.get(reverse("casework:caseload"))
    [row] = page.context["rows"]
    assert (str(row["next"].label), row["next"].due, row["next"].status) == (
        DEPARTURE,
        date(2026, 3, 12),
        "due",
    )
    assert 'Departure: <time datetime="2026-03-12">12 Mar 2026</time>' in page.content.decode()


def test_the_caseload_shows_a_follow_up_due(at, client, supported, return_plan, caseworker_a):
    case = supported()
    return_plan(case, ReturnState.ARRIVED, departed_on=date(2026, 2, 9))
    client.force_login(caseworker_a)
    page = client.get(reverse("casework:caseload")).content.decode()
    assert "Follow-up contact after return (1 month)" in page
    assert "9 Mar 2026" in page


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _case_with_returns(supported, return_plan):
    case = supported()
    return_plan(
        case, ReturnState.TRAVEL_BOOKED, booked_on=date(2026, 3, 1), departs_on=date(2026, 3, 20)
    )
    return_plan(case, ReturnState.REINTEGRATING, departed_on=date(2026, 1, 15), done=(1,))
    return_plan(case, ReturnState.COMPLETED, departed_on=date(2025, 1, 15), done=(1, 3, 6))
    return case


def test_caseload_and_dashboard_queries_do_not_grow_with_returns(
    client, supported, return_plan, caseworker_a, manager_a, django_assert_max_num_queries
):
    _case_with_returns(supported, return_plan)
    client.force_login(caseworker_a)
    caseload = _queries(client, reverse("casework:caseload"))
    client.force_login(manager_a)
    dashboard = _queries(client, reverse("casework:dashboard"))

    for _ in range(4):
        _case_with_returns(supported, return_plan)
    client.force_login(caseworker_a)
    with django_assert_max_num_queries(caseload):
        page = client.get(reverse("casework:caseload"))
    rows = page.context["rows"]
    assert len(rows) == 5
    for row in rows:
        assert [(str(d.label), d.due) for d in row["deadlines"] if d.kind == "return"] == [
            (DEPARTURE, date(2026, 3, 20)),
            ("Follow-up contact after return (3 months)", date(2026, 4, 15)),
            ("Follow-up contact after return (6 months)", date(2026, 7, 15)),
        ]
    client.force_login(manager_a)
    with django_assert_max_num_queries(dashboard):
        assert client.get(reverse("casework:dashboard")).status_code == 200


# --- Staff reminders ---------------------------------------------------------------------------


def test_a_follow_up_due_in_three_days_emails_the_caseworker_once(
    at, supported, return_plan, caseworker_a, django_capture_on_commit_callbacks
):
    case = supported()
    return_plan(case, ReturnState.ARRIVED, departed_on=date(2026, 2, 13))  # 1 month: 13 March
    at(date(2026, 3, 9))  # four days before
    assert staff_reminders_plan(today=date(2026, 3, 9)) == 0
    at(date(2026, 3, 10))  # three days before
    assert staff_reminders_plan(today=date(2026, 3, 10)) == 1
    assert staff_reminders_plan(today=date(2026, 3, 10)) == 0

    reminder = Reminder.objects.get()
    assert (reminder.staff, reminder.channel) == (caseworker_a, Channel.EMAIL)
    assert reminder.subject_id == case.pk
    assert reminder.context["key"].startswith(
        "Follow-up contact after return (1 month)|2026-03-13|"
    )
    with django_capture_on_commit_callbacks(execute=True):
        reminders_dispatch()
    reminder.refresh_from_db()
    assert reminder.state == ReminderState.SENT
    assert mail.outbox[0].to == [caseworker_a.email]
    assert case.given_name not in mail.outbox[0].body


def test_a_departure_in_three_days_emails_the_caseworker(at, supported, return_plan, caseworker_a):
    case = supported()
    return_plan(
        case, ReturnState.TRAVEL_BOOKED, booked_on=date(2026, 3, 1), departs_on=date(2026, 3, 13)
    )
    assert staff_reminders_plan(today=date(2026, 3, 10)) == 1
    assert Reminder.objects.get().context["key"].startswith("Departure|2026-03-13|")


# --- The case page -----------------------------------------------------------------------------


def _case_page(client, user, case):
    client.force_login(user)
    response = client.get(reverse("casework:case", args=[case.pk]))
    assert response.status_code == 200
    return response.content.decode()


PROMPT = "Tell the person about assisted voluntary return."


def test_a_non_uk_national_without_a_return_is_told_about_voluntary_return(
    client, supported, caseworker_a
):
    case = supported(claimed_nationality="ER")
    page = _case_page(client, caseworker_a, case)
    assert PROMPT in page
    assert reverse("returns:return_new", args=[case.pk]) in page
    assert reverse("returns:resettlement_new", args=[case.pk]) in page


def test_no_prompt_for_a_uk_national(client, supported, caseworker_a):
    page = _case_page(client, caseworker_a, supported(claimed_nationality="GB"))
    assert PROMPT not in page


def test_no_prompt_once_a_return_is_planned(client, supported, return_plan, caseworker_a):
    case = supported(claimed_nationality="ER")
    return_plan(case, ReturnState.WITHDRAWN)
    assert PROMPT not in _case_page(client, caseworker_a, case)


def test_the_case_page_lists_the_plans_with_their_next_step(
    at, client, supported, return_plan, caseworker_a, manager_a
):
    case = supported()
    at(date(2026, 4, 12))
    plan = return_plan(case, ReturnState.REINTEGRATING, departed_on=date(2026, 1, 15), done=(1,))
    settled = ResettlementPlan.objects.create(
        case=case, leave_applied_on=date(2026, 1, 20), created_by=manager_a
    )
    page = _case_page(client, caseworker_a, case)
    assert reverse("returns:return", args=[case.pk, plan.pk]) in page
    assert "Voluntary return to Albania" in page
    assert "Reintegrating" in page
    assert "Record the follow-up contacts" in page
    assert "Follow-up contact after return (3 months)" in page
    assert "15 Apr 2026" in page
    assert reverse("returns:resettlement", args=[case.pk, settled.pk]) in page
    assert "Record the grant of leave" in page
    # One at a time: both are in progress, so neither can be started again.
    assert reverse("returns:return_new", args=[case.pk]) not in page
    assert reverse("returns:resettlement_new", args=[case.pk]) not in page


def test_a_closed_case_offers_no_new_plan(client, supported, caseworker_a):
    case = supported(claimed_nationality="ER")
    case_services.case_close(
        by=caseworker_a,
        case=case,
        expected_version=case.version,
        closure_reason="disengaged",
        outcomes=[],
        none_achieved=True,
        closed_on=date(2026, 3, 1),
    )
    page = _case_page(client, caseworker_a, case)
    assert reverse("returns:return_new", args=[case.pk]) not in page
    assert reverse("returns:resettlement_new", args=[case.pk]) not in page
    assert PROMPT not in page


def test_the_case_page_queries_do_not_grow_with_plans(
    client, supported, return_plan, caseworker_a, manager_a, django_assert_max_num_queries
):
    case = supported()
    return_plan(case, ReturnState.REINTEGRATING, departed_on=date(2026, 1, 15))
    ResettlementPlan.objects.create(
        case=case, leave_applied_on=date(2026, 1, 20), created_by=manager_a, state="withdrawn"
    )
    client.force_login(caseworker_a)
    url = reverse("casework:case", args=[case.pk])
    one = _queries(client, url)
    for _ in range(3):
        return_plan(case, ReturnState.WITHDRAWN)
        return_plan(case, ReturnState.COMPLETED, departed_on=date(2025, 1, 15), done=(1, 3, 6))
        ResettlementPlan.objects.create(
            case=case, leave_applied_on=date(2026, 1, 20), created_by=manager_a, state="withdrawn"
        )
    with django_assert_max_num_queries(one):
        page = client.get(url)
    assert len(page.context["exit_plans"].returns) == 7
    assert len(page.context["exit_plans"].resettlements) == 4
