"""The dashboard's breached targets come a page at a time: every case with something overdue is
on one of the pages, in the order of the list, and every page but the last is full."""

import datetime
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from carepath.clocks.selectors import all_period_rules
from casework.models import Case, ConsentRecord, NrmRecord
from casework.selectors import cases as case_selectors
from casework.selectors.cases import breached_page, service_dashboard
from casework.services import cases as case_services
from casework.services import nrm as nrm_services
from casework.services.records import case_record_add
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db
TODAY = date(2026, 4, 15)


@pytest.fixture(autouse=True)
def today(time_machine):
    time_machine.move_to(datetime.datetime(2026, 4, 15, 12), tick=False)


def _with_goal(team, manager, caseworker, *, referred: date, review: date) -> Case:
    case = CaseFactory(team=team, by=manager, referral_date=referred)
    case_services.case_accept(
        by=manager, case=case, caseworker=caseworker, expected_version=case.version
    )
    case_record_add(
        by=caseworker,
        case=case,
        kind="goal",
        values={
            "area": "safety",
            "description": "Agreed with the person",
            "owner": "Caseworker",
            "review_date": review,
        },
    )
    return case


@pytest.fixture
def overdue(team_a, manager_a, caseworker_a) -> list[Case]:
    """Five cases with a review overdue, latest referred first, and one with none."""
    _with_goal(team_a, manager_a, caseworker_a, referred=date(2026, 4, 1), review=date(2026, 5, 1))
    cases = [
        _with_goal(
            team_a, manager_a, caseworker_a, referred=date(2026, 3, day), review=date(2026, 4, 1)
        )
        for day in (2, 9, 9, 20, 27)
    ]
    return sorted(cases, key=lambda case: (case.referral_date, case.pk), reverse=True)


def _page(manager, number, per_page=2):
    return breached_page(
        service_dashboard(manager, today=TODAY)["breached"],
        number,
        per_page=per_page,
        today=TODAY,
        rules=all_period_rules(),
    )


def _pks(page) -> list[int]:
    return [case.pk for case, _overdue in page]


def test_the_pages_hold_every_breached_case_in_order(overdue, manager_a):
    pages = [_page(manager_a, number) for number in (1, 2, 3)]
    assert [_pks(page) for page in pages] == [
        [case.pk for case in overdue[0:2]],
        [case.pk for case in overdue[2:4]],
        [overdue[4].pk],
    ]
    assert [page.number for page in pages] == [1, 2, 3]
    assert [(page.has_previous(), page.has_next()) for page in pages] == [
        (False, True),
        (True, True),
        (True, False),
    ]
    # Each with its overdue deadlines.
    case, deadlines = pages[0].object_list[0]
    assert [(d.label, d.status) for d in deadlines] == [("Support plan review: Safety", "overdue")]


def test_a_page_past_the_end_or_not_a_number_is_the_last_or_the_first(overdue, manager_a):
    for number in (4, 9, "99999999999999999999"):
        page = _page(manager_a, number)
        assert (page.number, _pks(page), page.has_next()) == (3, [overdue[4].pk], False)
    assert _pks(_page(manager_a, 4, per_page=5)) == [case.pk for case in overdue]
    for number in (None, "", "two", "0", "-1", "1.5", "9" * 5000):
        page = _page(manager_a, number)
        assert page.number == 1
        assert _pks(page) == [case.pk for case in overdue[0:2]]


def test_nothing_overdue_is_one_empty_page(team_a, manager_a, caseworker_a):
    _with_goal(team_a, manager_a, caseworker_a, referred=date(2026, 4, 1), review=date(2026, 5, 1))
    for number in (1, 2):
        page = _page(manager_a, number)
        assert (list(page), page.number, page.has_other_pages()) == ([], 1, False)


# Submitted on this day, the decision is not yet due on TODAY; the indexes cannot tell that.
SUBMITTED = date(2026, 4, 9)


def _submitted_to_the_nrm(team, manager, caseworker, *, referred: date, on: date) -> Case:
    """A case whose NRM referral was made on ``on``: the indexes cannot tell that its decision
    is not yet due, so it is worked out with the others and left off the list."""
    case = CaseFactory(team=team, by=manager, referral_date=referred)
    case_services.case_accept(
        by=manager, case=case, caseworker=caseworker, expected_version=case.version
    )
    ConsentRecord.objects.create(
        case=case, scope="nrm_referral", given_on=referred, method="verbal", recorded_by=manager
    )
    nrm = NrmRecord.objects.get(case=case)
    nrm_services.nrm_submit(
        by=manager, nrm=nrm, expected_version=nrm.version, submitted_on=on, first_responder=None
    )
    return case


@pytest.mark.parametrize("batch", [500, 2], ids=["one batch", "batches of two"])
def test_cases_with_nothing_overdue_leave_no_gap_in_the_pages(
    overdue, team_a, manager_a, caseworker_a, monkeypatch, batch
):
    """Cases the indexes let through with nothing overdue, among those with something: every
    page is still full, and every case with something overdue is on one."""
    monkeypatch.setattr(case_selectors, "BREACHED_BATCH_MAX", batch)
    not_yet = [
        _submitted_to_the_nrm(
            team_a, manager_a, caseworker_a, referred=referred, on=date(2026, 4, 9)
        )
        for referred in (date(2026, 4, 2), date(2026, 3, 9), date(2026, 3, 1))
    ]
    breached = service_dashboard(manager_a, today=TODAY)["breached"]
    assert set(not_yet) <= set(breached)  # what the pages below must leave out
    pages = [_page(manager_a, number, per_page=1) for number in range(1, 7)]
    assert [_pks(page) for page in pages] == [[case.pk] for case in overdue] + [[overdue[4].pk]]
    assert [page.number for page in pages] == [1, 2, 3, 4, 5, 5]
    assert [page.has_next() for page in pages] == [True, True, True, True, False, False]


def test_the_first_page_takes_a_fixed_number_of_queries(overdue, manager_a):
    breached = service_dashboard(manager_a, today=TODAY)["breached"]
    rules = all_period_rules()
    with CaptureQueriesContext(connection) as queries:
        page = breached_page(breached, 1, per_page=2, today=TODAY, rules=rules)
        assert page.has_next()
    # The candidates' ids, then their cases with their NRM records in the same query, and their
    # goals, legal matters (with steps) and return plans.
    assert len(queries) == 5


def test_the_dashboard_shows_the_breached_page_asked_for(client, overdue, manager_a, monkeypatch):
    from casework.views import cases as case_views

    monkeypatch.setattr(case_views, "DASHBOARD_PER_PAGE", 2)
    client.force_login(manager_a)
    response = client.get(reverse("casework:dashboard"), {"breached_page": 2})
    assert _pks(response.context["breached"]) == [case.pk for case in overdue[2:4]]
    page = response.content.decode()
    assert "Page 2<" in page
    assert 'href="?breached_page=1#breached-title"' in page
    assert 'href="?breached_page=3#breached-title"' in page


def test_paging_one_list_keeps_the_others_pages(client, overdue, manager_a, monkeypatch):
    from casework.views import cases as case_views

    monkeypatch.setattr(case_views, "DASHBOARD_PER_PAGE", 2)
    client.force_login(manager_a)
    response = client.get(
        reverse("casework:dashboard"), {"workers_page": "1", "breached_page": "2"}
    )
    page = response.content.decode()
    assert 'href="?workers_page=1&amp;breached_page=3#breached-title"' in page
