"""Legal deadlines at their boundaries, with time frozen (DESIGN.md "Legal and compensation").

Each deadline is checked on its last day (due, not overdue) and on the day after (overdue).
"""

import datetime
from datetime import date
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from carepath.clocks.selectors import all_period_rules
from carepath.people.models import Jurisdiction
from carepath.sms.models import Channel, Reminder
from casework.models import (
    Case,
    CicaClaim,
    CicaState,
    CivilMatter,
    CivilState,
    CriminalJusticeMatter,
    ImmigrationMatter,
    ImmigrationState,
    JusticeState,
    LegalMatter,
    LegalStep,
    StepKind,
)
from casework.selectors.deadlines import case_deadlines
from casework.selectors.legal import cica_application_deadline
from casework.services import cases as case_services
from casework.services.staff_reminders import staff_reminders_plan
from tests.factories import CaseFactory

LONDON = ZoneInfo("Europe/London")
EW = Jurisdiction.ENGLAND_WALES
SCT = Jurisdiction.SCOTLAND
NI = Jurisdiction.NORTHERN_IRELAND

APPLY = "Apply for compensation"
REVIEW = "Ask CICA for a review"
APPEAL = "Appeal to the First-tier Tribunal"
IMMIGRATION_APPEAL = "Appeal the refusal"
EXTEND = "Apply to extend leave"
EXPIRES = "Leave expires"
POLICE = "Update from the police (Victims' Code: at least monthly)"

DETAIL = {
    "cica": CicaClaim,
    "immigration": ImmigrationMatter,
    "criminal_justice": CriminalJusticeMatter,
    "civil": CivilMatter,
}


@pytest.fixture
def at(time_machine):
    """Freeze time at midday, London time, on ``day``."""

    def move(day: date) -> None:
        time_machine.move_to(
            datetime.datetime(day.year, day.month, day.day, 12, 0, tzinfo=LONDON), tick=False
        )

    return move


@pytest.fixture
def person(team_a, manager_a):
    """A referred case in ``jurisdiction``; by default an adult born in 1990."""

    def make(jurisdiction: str = EW, **values) -> Case:
        return CaseFactory(team=team_a, by=manager_a, jurisdiction=jurisdiction, **values)

    return make


@pytest.fixture
def matter(manager_a):
    """A legal matter of ``kind`` on ``case`` with its kind's record, straight into the ORM."""

    def make(case, kind, title, *, opened_on=date(2026, 1, 6), **detail) -> LegalMatter:
        created = LegalMatter.objects.create(
            case=case, kind=kind, title=title, opened_on=opened_on, created_by=manager_a
        )
        DETAIL[kind].objects.create(matter=created, **detail)
        return created

    return make


@pytest.fixture
def step(manager_a):
    def make(matter, kind=StepKind.DEADLINE, description="Something due", **dates) -> LegalStep:
        return LegalStep.objects.create(
            matter=matter, kind=kind, description=description, created_by=manager_a, **dates
        )

    return make


def legal(case) -> list[tuple[str, date, str]]:
    """(label, due, status) of the case's legal deadlines today, read afresh."""
    fresh = Case.objects.get(pk=case.pk)
    return [
        (str(d.label), d.due, d.status)
        for d in case_deadlines(fresh, today=timezone.localdate())
        if d.kind == "legal"
    ]


def claim(matter, title=APPLY) -> str:
    return f"{matter.title}: {title}"


def accepted(case, manager, caseworker) -> Case:
    case_services.case_accept(
        by=manager, case=case, caseworker=caseworker, expected_version=case.version
    )
    return Case.objects.get(pk=case.pk)


# --- Criminal injuries compensation: applying ------------------------------------------------


def test_an_adult_has_two_years_from_the_incident_and_is_due_on_the_last_day(at, person, matter):
    at(date(2026, 3, 15))
    case = person()
    cica = matter(case, "cica", "CICA claim 2024 assault", incident_on=date(2024, 3, 15))

    assert legal(case) == [(claim(cica), date(2026, 3, 15), "due")]

    at(date(2026, 3, 16))
    assert legal(case) == [(claim(cica), date(2026, 3, 15), "overdue")]


def test_an_incident_on_29_february_has_until_28_february_two_years_on(at, person, matter):
    at(date(2026, 2, 28))
    case = person()
    cica = matter(case, "cica", "Leap day claim", incident_on=date(2024, 2, 29))
    assert cica_application_deadline(cica.cica, case, rules=all_period_rules()) == date(2026, 2, 28)
    assert legal(case) == [(claim(cica), date(2026, 2, 28), "due")]

    at(date(2026, 3, 1))
    assert legal(case) == [(claim(cica), date(2026, 2, 28), "overdue")]


def test_a_child_reported_before_18_has_until_the_20th_birthday(at, person, matter):
    # CICS 2012 para 88: "the period ending on the 20th birthday": the birthday is the last day.
    at(date(2028, 6, 10))
    case = person(date_of_birth=date(2008, 6, 10))
    cica = matter(
        case,
        "cica",
        "Childhood claim",
        incident_on=date(2024, 1, 1),  # aged 15
        reported_on=date(2024, 2, 1),
    )
    # Not two years after the incident (1 January 2026): the 20th birthday rule.
    assert legal(case) == [(claim(cica), date(2028, 6, 10), "due")]

    at(date(2028, 6, 11))
    assert legal(case) == [(claim(cica), date(2028, 6, 10), "overdue")]


def test_a_child_incident_still_open_two_years_later_is_not_overdue(at, person, matter):
    at(date(2026, 1, 6))  # past two years from the incident
    case = person(date_of_birth=date(2008, 6, 10))
    matter(case, "cica", "Childhood claim", incident_on=date(2024, 1, 1), reported_on=None)
    [(_label, due, status)] = legal(case)
    assert (due, status) == (date(2028, 6, 10), "upcoming")


def test_an_incident_at_17_reported_at_18_has_two_years_from_the_report(at, person, matter):
    at(date(2026, 10, 1))
    case = person(date_of_birth=date(2006, 9, 1))
    cica = matter(
        case,
        "cica",
        "Reported late",
        incident_on=date(2024, 5, 1),  # aged 17
        reported_on=date(2024, 10, 1),  # aged 18
    )
    assert legal(case) == [(claim(cica), date(2026, 10, 1), "due")]

    at(date(2026, 10, 2))
    assert legal(case) == [(claim(cica), date(2026, 10, 1), "overdue")]


@pytest.mark.parametrize(
    ("reported_on", "last_day"),
    [
        # The day before the 18th birthday: still reported as a child, so the 20th birthday rule.
        (date(2024, 8, 31), date(2026, 9, 1)),
        # On the 18th birthday: reported as an adult, so two years from the report (which
        # happens to fall on the 20th birthday).
        (date(2024, 9, 1), date(2026, 9, 1)),
        # The day after: two years from the report, a day after the 20th birthday.
        (date(2024, 9, 2), date(2026, 9, 2)),
    ],
    ids=[
        "reported-the-day-before-18",
        "reported-on-the-18th-birthday",
        "reported-the-day-after-18",
    ],
)
def test_the_18th_birthday_decides_which_rule_applies(at, person, matter, reported_on, last_day):
    at(date(2026, 6, 1))
    case = person(date_of_birth=date(2006, 9, 1))
    cica = matter(case, "cica", "Near 18", incident_on=date(2024, 5, 1), reported_on=reported_on)
    assert legal(case) == [(claim(cica), last_day, "upcoming")]


def test_a_child_born_on_29_february(at, person, matter):
    at(date(2026, 6, 1))
    case = person(date_of_birth=date(2008, 2, 29))
    cica = matter(
        case,
        "cica",
        "Leap year birthday",
        incident_on=date(2025, 6, 1),
        reported_on=date(2026, 2, 28),
    )
    # The 20th birthday falls on 29 February 2028: the last day is the 28th.
    assert legal(case) == [(claim(cica), date(2028, 2, 28), "upcoming")]


def test_a_verified_date_of_birth_is_used_before_the_claimed_one(at, person, matter):
    at(date(2026, 6, 1))
    case = person(date_of_birth=date(1990, 1, 1), verified_date_of_birth=date(2008, 6, 10))
    cica = matter(
        case, "cica", "Verified age", incident_on=date(2024, 1, 1), reported_on=date(2024, 2, 1)
    )
    assert legal(case) == [(claim(cica), date(2028, 6, 10), "upcoming")]


def test_an_unknown_date_of_birth_is_treated_as_an_adult(at, person, matter):
    at(date(2026, 5, 1))
    case = person(date_of_birth=None)
    cica = matter(
        case, "cica", "Age unknown", incident_on=date(2024, 5, 1), reported_on=date(2024, 10, 1)
    )
    assert legal(case) == [(claim(cica), date(2026, 5, 1), "due")]


def test_an_accepted_extension_replaces_the_application_deadline(at, person, matter):
    at(date(2026, 6, 1))
    case = person()
    cica = matter(
        case,
        "cica",
        "Late claim",
        incident_on=date(2024, 3, 15),
        extended_to=date(2026, 9, 30),
        extension_reason="In the NRM and in hospital for most of the two years.",
    )
    assert legal(case) == [(claim(cica), date(2026, 9, 30), "upcoming")]

    at(date(2026, 10, 1))
    assert legal(case) == [(claim(cica), date(2026, 9, 30), "overdue")]


def test_once_applied_there_is_no_application_deadline(at, person, matter):
    at(date(2026, 3, 16))
    case = person()
    matter(
        case,
        "cica",
        "Applied in time",
        state=CicaState.APPLIED,
        incident_on=date(2024, 3, 15),
        applied_on=date(2026, 3, 1),
    )
    assert legal(case) == []


# --- Criminal injuries compensation: review and appeal ---------------------------------------


def test_a_review_is_due_56_days_after_the_decision(at, person, matter):
    at(date(2026, 3, 7))
    case = person()
    cica = matter(
        case,
        "cica",
        "Decided claim",
        state=CicaState.DECIDED,
        incident_on=date(2024, 3, 15),
        applied_on=date(2024, 6, 1),
        decided_on=date(2026, 1, 10),
    )
    assert legal(case) == [(claim(cica, REVIEW), date(2026, 3, 7), "due")]

    at(date(2026, 3, 8))
    assert legal(case) == [(claim(cica, REVIEW), date(2026, 3, 7), "overdue")]


def test_a_review_requested_has_no_deadline_until_it_is_decided(at, person, matter):
    at(date(2026, 3, 8))
    case = person()
    matter(
        case,
        "cica",
        "Under review",
        state=CicaState.REVIEW_REQUESTED,
        incident_on=date(2024, 3, 15),
        decided_on=date(2026, 1, 10),
        review_requested_on=date(2026, 2, 1),
    )
    assert legal(case) == []


def test_an_appeal_is_due_90_days_after_the_review_decision(at, person, matter):
    at(date(2026, 4, 10))
    case = person()
    cica = matter(
        case,
        "cica",
        "Reviewed claim",
        state=CicaState.REVIEWED,
        incident_on=date(2024, 3, 15),
        decided_on=date(2025, 10, 1),
        review_requested_on=date(2025, 10, 20),
        review_decided_on=date(2026, 1, 10),
    )
    assert legal(case) == [(claim(cica, APPEAL), date(2026, 4, 10), "due")]

    at(date(2026, 4, 11))
    assert legal(case) == [(claim(cica, APPEAL), date(2026, 4, 10), "overdue")]


@pytest.mark.parametrize("state", [CicaState.CLOSED, CicaState.WITHDRAWN])
def test_a_closed_or_withdrawn_claim_has_no_deadline(at, person, matter, step, state):
    at(date(2026, 3, 16))
    case = person()
    cica = matter(case, "cica", "Ended claim", state=state, incident_on=date(2024, 3, 15))
    step(cica, due_on=date(2026, 3, 20))
    assert legal(case) == []


# --- Immigration -------------------------------------------------------------------------------


def test_a_refusal_can_be_appealed_within_14_days(at, person, matter):
    at(date(2026, 3, 15))
    case = person()
    refused = matter(
        case,
        "immigration",
        "TPS-VT application",
        route="tps_vt",
        state=ImmigrationState.REFUSED,
        applied_on=date(2025, 11, 1),
        decided_on=date(2026, 3, 1),
    )
    assert legal(case) == [(claim(refused, IMMIGRATION_APPEAL), date(2026, 3, 15), "due")]

    at(date(2026, 3, 16))
    assert legal(case) == [(claim(refused, IMMIGRATION_APPEAL), date(2026, 3, 15), "overdue")]


def test_leave_granted_shows_when_to_apply_to_extend_and_when_it_expires(at, person, matter):
    at(date(2026, 9, 1))
    case = person()
    granted = matter(
        case,
        "immigration",
        "TPS-VT leave",
        route="tps_vt",
        state=ImmigrationState.GRANTED,
        applied_on=date(2025, 11, 1),
        decided_on=date(2026, 1, 1),
        leave_granted="TPS-VT for 12 months",
        leave_expires_on=date(2026, 12, 31),
    )
    # Three calendar months before 31 December is 30 September (no 31 September).
    assert legal(case) == [
        (claim(granted, EXTEND), date(2026, 9, 30), "upcoming"),
        (claim(granted, EXPIRES), date(2026, 12, 31), "upcoming"),
    ]

    at(date(2026, 10, 1))
    assert [status for _label, _due, status in legal(case)] == ["overdue", "upcoming"]


# --- Criminal justice ------------------------------------------------------------------------


def test_a_police_update_is_due_a_month_after_opening_and_a_missed_month_is_overdue(
    at, person, matter
):
    at(date(2026, 2, 10))
    case = person()
    justice = matter(case, "criminal_justice", "Police investigation", opened_on=date(2026, 1, 10))
    assert legal(case) == [(claim(justice, POLICE), date(2026, 2, 10), "due")]

    at(date(2026, 2, 11))
    assert legal(case) == [(claim(justice, POLICE), date(2026, 2, 10), "overdue")]


def test_the_last_police_update_restarts_the_month(at, person, matter, step):
    at(date(2026, 3, 9))
    case = person()
    justice = matter(
        case,
        "criminal_justice",
        "Police investigation",
        opened_on=date(2026, 1, 10),
        state=JusticeState.INVESTIGATING,
    )
    step(justice, StepKind.POLICE_UPDATE, "Call from the officer", done_on=date(2026, 1, 20))
    step(justice, StepKind.POLICE_UPDATE, "Visit from the officer", done_on=date(2026, 2, 9))
    # Neither an update still to come nor a different kind of step counts as an update.
    step(justice, StepKind.INTERVIEW, "Interview", done_on=date(2026, 3, 1))
    step(justice, StepKind.POLICE_UPDATE, "Next update", due_on=date(2026, 3, 20))
    assert legal(case) == [
        (claim(justice, POLICE), date(2026, 3, 9), "due"),
        (claim(justice, "Next update"), date(2026, 3, 20), "upcoming"),
    ]

    at(date(2026, 3, 10))
    assert legal(case)[0] == (claim(justice, POLICE), date(2026, 3, 9), "overdue")


@pytest.mark.parametrize("state", [JusticeState.CONCLUDED, JusticeState.NO_FURTHER_ACTION])
def test_a_finished_criminal_case_expects_no_more_updates(at, person, matter, state):
    at(date(2026, 6, 1))
    case = person()
    matter(case, "criminal_justice", "Finished", opened_on=date(2026, 1, 10), state=state)
    assert legal(case) == []


# --- Civil and other ---------------------------------------------------------------------------


def test_a_civil_step_due_shows_until_it_is_done(at, person, matter, step):
    at(date(2026, 4, 1))
    case = person()
    civil = matter(case, "civil", "Unpaid wages", civil_kind="employment_tribunal")
    due = step(civil, description="Send the ET1 claim form", due_on=date(2026, 4, 1))
    step(
        civil,
        description="ACAS early conciliation",
        due_on=date(2026, 3, 1),
        done_on=date(2026, 3, 1),
    )
    step(civil, StepKind.HEARING, "Preliminary hearing", done_on=date(2026, 3, 20))
    assert legal(case) == [(claim(civil, "Send the ET1 claim form"), date(2026, 4, 1), "due")]

    due.done_on = date(2026, 4, 1)
    due.save()
    assert legal(case) == []


def test_a_closed_civil_matter_shows_no_steps(at, person, matter, step):
    at(date(2026, 4, 1))
    case = person()
    civil = matter(
        case,
        "civil",
        "Old tenancy",
        civil_kind="tenancy",
        state=CivilState.CLOSED,
        closed_on=date(2026, 3, 1),
    )
    step(civil, description="Return the keys", due_on=date(2026, 3, 15))
    assert legal(case) == []


# --- Northern Ireland --------------------------------------------------------------------------


def test_northern_ireland_has_an_application_deadline_but_no_review_deadline_yet(
    at, person, matter
):
    at(date(2026, 3, 1))
    case = person(NI)
    applying = matter(case, "cica", "NI claim", incident_on=date(2024, 3, 15))
    matter(
        case,
        "cica",
        "NI decided claim",
        state=CicaState.DECIDED,
        incident_on=date(2023, 5, 1),
        decided_on=date(2026, 1, 10),
    )
    # Criminal Injuries Compensation Scheme (Northern Ireland) 2009: two years. No review
    # period is configured for Northern Ireland, so nothing is shown rather than a GB date.
    assert legal(case) == [(claim(applying), date(2026, 3, 15), "upcoming")]

    england = person(EW)
    matter(
        england,
        "cica",
        "GB decided claim",
        state=CicaState.DECIDED,
        incident_on=date(2023, 5, 1),
        decided_on=date(2026, 1, 10),
    )
    assert [due for _label, due, _status in legal(england)] == [date(2026, 3, 7)]


def test_a_northern_ireland_child_claim_shows_no_date_until_its_rule_is_configured(
    at, person, matter
):
    at(date(2026, 3, 1))
    case = person(NI, date_of_birth=date(2008, 6, 10))
    matter(
        case, "cica", "NI child claim", incident_on=date(2024, 1, 1), reported_on=date(2024, 2, 1)
    )
    assert legal(case) == []


# --- Where the deadlines show ------------------------------------------------------------------


def test_legal_deadlines_are_on_the_case_deadline_list_with_the_matter_title(
    at, person, matter, step
):
    at(date(2026, 3, 1))
    case = person()
    decided_claim(case, matter)
    civil = matter(case, "civil", "Debt in her name", civil_kind="debt")
    step(civil, description="Reply to the creditor", due_on=date(2026, 3, 3))
    found = case_deadlines(Case.objects.get(pk=case.pk), today=timezone.localdate())
    assert [(d.kind, str(d.label), d.due) for d in found] == [
        ("legal", "Debt in her name: Reply to the creditor", date(2026, 3, 3)),
        ("legal", "CICA claim 2024 assault: Ask CICA for a review", date(2026, 3, 7)),
    ]


def decided_claim(case, matter, title="CICA claim 2024 assault"):
    return matter(
        case,
        "cica",
        title,
        state=CicaState.DECIDED,
        incident_on=date(2024, 3, 15),
        applied_on=date(2024, 6, 1),
        decided_on=date(2026, 1, 10),
    )


def test_the_review_deadline_is_on_the_caseworkers_caseload(
    at, client, person, matter, manager_a, caseworker_a
):
    at(date(2026, 3, 1))
    case = accepted(person(), manager_a, caseworker_a)
    decided_claim(case, matter)
    client.force_login(caseworker_a)
    page = client.get(reverse("casework:caseload")).content.decode()
    assert "CICA claim 2024 assault: Ask CICA for a review" in page
    assert 'datetime="2026-03-07"' in page


def test_an_overdue_legal_deadline_is_breached_on_the_managers_dashboard(
    at, client, person, matter, manager_a, caseworker_a
):
    at(date(2026, 3, 7))
    case = accepted(person(), manager_a, caseworker_a)
    decided_claim(case, matter)
    client.force_login(manager_a)
    url = reverse("casework:dashboard")
    breached = client.get(url).context["breached"]
    assert breached == []

    at(date(2026, 3, 8))
    client.force_login(manager_a)  # the session has gone idle overnight
    response = client.get(url)
    [(shown, overdue)] = response.context["breached"]
    assert shown.pk == case.pk
    assert [(str(d.label), d.due) for d in overdue] == [
        ("CICA claim 2024 assault: Ask CICA for a review", date(2026, 3, 7))
    ]
    assert "CICA claim 2024 assault: Ask CICA for a review" in response.content.decode()


def _case_with_every_kind(person, matter, step, manager, caseworker) -> Case:
    case = accepted(person(), manager, caseworker)
    decided_claim(case, matter)
    matter(case, "cica", "Old claim", incident_on=date(2024, 1, 1))
    matter(
        case,
        "immigration",
        "TPS-VT leave",
        route="tps_vt",
        state=ImmigrationState.GRANTED,
        leave_expires_on=date(2026, 12, 31),
    )
    justice = matter(case, "criminal_justice", "Police investigation", opened_on=date(2026, 1, 10))
    step(justice, StepKind.POLICE_UPDATE, "Call", done_on=date(2026, 1, 20))
    civil = matter(case, "civil", "Unpaid wages", civil_kind="employment_tribunal")
    step(civil, description="Send the ET1 claim form", due_on=date(2026, 3, 1))
    return case


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_caseload_and_dashboard_queries_do_not_grow_with_legal_matters(
    at, client, person, matter, step, manager_a, caseworker_a, django_assert_max_num_queries
):
    at(date(2026, 3, 10))
    _case_with_every_kind(person, matter, step, manager_a, caseworker_a)
    client.force_login(caseworker_a)
    caseload = _queries(client, reverse("casework:caseload"))
    client.force_login(manager_a)
    dashboard = _queries(client, reverse("casework:dashboard"))

    for _ in range(4):
        _case_with_every_kind(person, matter, step, manager_a, caseworker_a)
    client.force_login(caseworker_a)
    with django_assert_max_num_queries(caseload):
        page = client.get(reverse("casework:caseload"))
    # The caseload shows each case's soonest deadline: the adult's claim overdue since 1 January.
    assert page.content.decode().count("Old claim: Apply for compensation") == 5
    client.force_login(manager_a)
    with django_assert_max_num_queries(dashboard):
        page = client.get(reverse("casework:dashboard"))
    assert len(page.context["breached"]) == 5


# --- Reminders ---------------------------------------------------------------------------------


def test_the_caseworker_is_emailed_three_days_before_applying_to_extend_leave_once(
    at, person, matter, manager_a, caseworker_a
):
    at(date(2026, 9, 1))
    case = accepted(person(), manager_a, caseworker_a)
    granted = matter(
        case,
        "immigration",
        "TPS-VT leave",
        route="tps_vt",
        state=ImmigrationState.GRANTED,
        decided_on=date(2026, 1, 1),
        leave_granted="TPS-VT for 12 months",
        leave_expires_on=date(2026, 12, 31),
    )

    at(date(2026, 9, 26))  # four days before 30 September
    assert staff_reminders_plan(today=date(2026, 9, 26)) == 0

    at(date(2026, 9, 27))  # three days before
    assert staff_reminders_plan(today=date(2026, 9, 27)) == 1
    assert staff_reminders_plan(today=date(2026, 9, 27)) == 0
    at(date(2026, 9, 28))
    assert staff_reminders_plan(today=date(2026, 9, 28)) == 0

    reminder = Reminder.objects.get()
    assert (reminder.staff, reminder.channel) == (caseworker_a, Channel.EMAIL)
    assert reminder.subject_id == case.pk
    assert reminder.context["key"].startswith(f"{claim(granted, EXTEND)}|2026-09-30|")


def test_a_child_never_reported_and_now_an_adult_has_no_date_yet(at, person, matter):
    # CICS 2012 para 88: two years from a first report that has not happened yet.
    at(date(2026, 3, 2))
    case = person(date_of_birth=date(2000, 6, 1))
    matter(case, "cica", "Old childhood claim", incident_on=date(2013, 1, 1), reported_on=None)
    assert legal(case) == []
