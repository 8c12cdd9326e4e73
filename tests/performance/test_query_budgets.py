"""Each main page answers with a fixed number of queries, however much data there is.

The bench data (``seed_bench``) is made at two sizes, SMALL and LARGE cases, and every page is
asked for at both as the person who uses it: the counts must be equal and within the page's
budget. A caseworker's caseload stays about the same size however large the service, so it is
measured on the large data set and again with more cases allocated to them; the case page on
the richest case, again after more of everything was added to it; the MARAC agenda again
after more cases were put on it. A budget is the count measured when it was
set: a page that needs more queries fails here until it is looked at.
"""

import pytest
import time_machine
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from carepath.audit.models import TimelineEvent
from carepath.bench import seed_bench
from carepath.people.models import User
from carepath.sms.models import Reminder
from casework.models import (
    Appointment,
    Case,
    CaseNote,
    CaseState,
    ConsentRecord,
    LegalStep,
    SupportGoal,
)
from casework.models.case import OPEN_STATES
from casework.selectors.cases import service_dashboard
from casework.selectors.deadlines import RETURN_FOLLOWING_UP
from marac.models import MaracMeeting, MeetingState, RiskAssessment
from returns.models import ReturnState
from tests.performance.conftest import MADE_AT
from tests.performance.pages import main_pages, richest_case

pytestmark = pytest.mark.django_db

SEED = 12
# The smallest data set with something in every section of every page, and twice that.
SMALL, LARGE = 300, 600

BUDGETS = {
    "caseload": 15,
    "case": 38,
    "timeline": 11,
    "dashboard": 19,
    "vacancy board": 17,
    "vacancies": 11,
    "matching": 13,
    "marac agenda": 16,
    "marac agenda (partner)": 17,
    "marac minutes": 13,
    "nrm report": 17,
}
# Pages of one record, measured on the large data set and again after more rows were added
# to that record (the others grow with the data set itself).
GROWN_PAGES = ("caseload", "case", "timeline", "marac agenda", "marac agenda (partner)")


def _count(page) -> tuple[int, int]:
    client = Client()
    client.force_login(User.objects.get(username=page.username))
    client.get(page.url, **page.headers)  # the first request of a session records the session
    with CaptureQueriesContext(connection) as queries:
        response = client.get(page.url, **page.headers)
    return response.status_code, len(queries)


def _more_of_everything(case) -> None:
    """Copies of the case's appointments, timeline, notes, goals, consents, assessments, legal
    steps and texts: several times the rows on every section of its page."""
    for model, rows in (
        (Appointment, Appointment.objects.filter(case=case)),
        (
            TimelineEvent,
            TimelineEvent.objects.filter(subject_type__model="case", subject_id=case.pk),
        ),
        (CaseNote, CaseNote.objects.filter(case=case)),
        (SupportGoal, SupportGoal.objects.filter(case=case)),
        (ConsentRecord, ConsentRecord.objects.filter(case=case)),
        (RiskAssessment, RiskAssessment.objects.filter(case=case)),
        (LegalStep, LegalStep.objects.filter(matter__case=case)),
        (Reminder, Reminder.objects.filter(subject_id=case.pk, subject_type__model="case")),
    ):
        copies = []
        for row in rows:
            for _ in range(3):
                row.pk = None
                copies.append(
                    model(
                        **{f.attname: getattr(row, f.attname) for f in model._meta.concrete_fields}
                    )
                )
        model._base_manager.bulk_create(copies)


def _more_on_the_agenda() -> None:
    """More cases on the next meeting's agenda, each with the first one's research."""
    meeting = MaracMeeting.objects.get(
        area__organisation__slug="bench-1", state=MeetingState.AGENDA_PUBLISHED
    )
    first = meeting.cases.select_related("referral").order_by("position").first()
    research = list(first.research.all())
    cases = Case.objects.filter(
        organisation__slug="bench-1", marac_referrals__isnull=True
    ).order_by("pk")[:12]
    for position, case in enumerate(cases, start=first.position + 1):
        referral = _copy(first.referral, case_id=case.pk)
        item = _copy(first, referral_id=referral.pk, position=position)
        for row in research:
            _copy(row, meeting_case_id=item.pk)


def _allocate(cases) -> None:
    worker = User.objects.get(username="bench.caseworker.1")
    Case.objects.filter(pk__in=cases.values("pk")).update(
        caseworker=worker, team=worker.teams.get()
    )


def _every_kind_for_the_caseworker() -> None:
    """The caseworker's caseload has a case with a legal matter and one with a voluntary
    return under way, so that every part of its deadlines is read."""
    open_cases = Case.objects.filter(organisation__slug="bench-1", state__in=OPEN_STATES).exclude(
        state=CaseState.REFERRED
    )
    with_matter = open_cases.filter(legal_matters__steps__isnull=False).order_by("pk")[:1]
    returning = open_cases.filter(
        return_plans__state__in=[ReturnState.TRAVEL_BOOKED, *RETURN_FOLLOWING_UP]
    ).order_by("pk")[:1]
    assert with_matter and returning, "no such case: change SEED or LARGE"
    _allocate(with_matter)
    _allocate(returning)


def _every_kind_on_the_dashboard() -> None:
    """The first page of breached targets has a case with a legal matter and one with a
    voluntary return under way (the most recently referred come first)."""
    manager = User.objects.get(username="bench.service.manager.1")
    breached = service_dashboard(manager)["breached"]
    with_matter = breached.filter(legal_matters__isnull=False).order_by("pk")[:1]
    returning = breached.filter(
        return_plans__state__in=[ReturnState.TRAVEL_BOOKED, *RETURN_FOLLOWING_UP]
    ).order_by("pk")[:1]
    assert with_matter and returning, "no such case: change SEED or SMALL"
    for cases in (with_matter, returning):
        Case.objects.filter(pk__in=cases.values("pk")).update(referral_date=timezone.localdate())


def _more_for_the_caseworker() -> None:
    """A caseload as long as a page: every open case of the organisation is theirs."""
    _allocate(
        Case.objects.filter(organisation__slug="bench-1", state__in=OPEN_STATES).exclude(
            state=CaseState.REFERRED
        )
    )


def _copy(row, **changes):
    model = type(row)
    values = {f.attname: getattr(row, f.attname) for f in model._meta.concrete_fields}
    return model._base_manager.create(**{**values, "id": None, **changes})


def _measure(size: int) -> dict:
    counts = {}
    with transaction.atomic():
        seed_bench(cases=size, seed=SEED)
        _every_kind_on_the_dashboard()
        if size == LARGE:
            _every_kind_for_the_caseworker()
        pages = main_pages()
        for page in pages:
            counts[page.name] = _count(page)
        if size == LARGE:
            case = richest_case(strict=True)
            assert case is not None, "no case has every section: change SEED or LARGE"
            _more_of_everything(case)
            _more_on_the_agenda()
            # After the case page: the case may change hands.
            grown = [page for page in pages if page.name in GROWN_PAGES]
            for page in sorted(grown, key=lambda page: page.name == "caseload"):
                if page.name == "caseload":
                    _more_for_the_caseworker()
                counts[f"{page.name} (more rows)"] = _count(page)
        transaction.set_rollback(True)
    return counts


@pytest.fixture(scope="module")
def counts(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), time_machine.travel(MADE_AT, tick=False):
        return {SMALL: _measure(SMALL), LARGE: _measure(LARGE)}


@pytest.mark.parametrize("name", sorted(BUDGETS))
def test_the_page_has_a_fixed_query_budget(counts, name):
    if name in GROWN_PAGES:
        small, large = counts[LARGE][name], counts[LARGE][f"{name} (more rows)"]
    else:
        small, large = counts[SMALL][name], counts[LARGE][name]
    assert small[0] == large[0] == 200
    assert large[1] == small[1], f"{name}: {small[1]} queries, then {large[1]} with more data"
    assert large[1] <= BUDGETS[name], f"{name}: {large[1]} queries, budget {BUDGETS[name]}"
