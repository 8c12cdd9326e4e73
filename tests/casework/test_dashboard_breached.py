"""The dashboard's breached targets come a page at a time, counted in the query that finds the
page: every case with something overdue is on one of the pages, in the order of the list."""

import datetime
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casework.models import Case
from casework.selectors.cases import breached_page, service_dashboard
from casework.services import cases as case_services
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
        service_dashboard(manager, today=TODAY)["breached"], number, per_page=per_page
    )


def test_the_pages_hold_every_breached_case_in_order(overdue, manager_a):
    pages = [_page(manager_a, number) for number in (1, 2, 3)]
    assert [[case.pk for case in page] for page in pages] == [
        [case.pk for case in overdue[0:2]],
        [case.pk for case in overdue[2:4]],
        [overdue[4].pk],
    ]
    assert {page.paginator.count for page in pages} == {5}
    assert [page.paginator.num_pages for page in pages] == [3, 3, 3]
    assert [(page.has_previous(), page.has_next()) for page in pages] == [
        (False, True),
        (True, True),
        (True, False),
    ]
    # Loaded with what their deadlines are worked out from.
    assert [str(goal) for goal in pages[0][0].support_goals.all()] == ["Safety"]


def test_a_page_past_the_end_or_not_a_number_is_the_last_or_the_first(overdue, manager_a):
    assert _page(manager_a, 9).number == 3
    assert [case.pk for case in _page(manager_a, 9)] == [overdue[4].pk]
    for number in (None, "", "two", "0", "-1"):
        page = _page(manager_a, number)
        assert page.number == 1
        assert [case.pk for case in page] == [case.pk for case in overdue[0:2]]


def test_nothing_overdue_is_one_empty_page(team_a, manager_a, caseworker_a):
    _with_goal(team_a, manager_a, caseworker_a, referred=date(2026, 4, 1), review=date(2026, 5, 1))
    for number in (1, 2):
        page = _page(manager_a, number)
        assert list(page) == []
        assert (page.number, page.paginator.count, page.paginator.num_pages) == (1, 0, 1)


def test_a_page_is_found_and_counted_in_one_query(overdue, manager_a):
    breached = service_dashboard(manager_a, today=TODAY)["breached"]
    with CaptureQueriesContext(connection) as queries:
        page = breached_page(breached, 2, per_page=2)
        assert page.paginator.num_pages == 3
    # The page's ids and the count, then the two cases, their NRM records in the same query, and
    # their goals, legal matters (with steps) and return plans.
    assert len(queries) == 5
    assert "OVER ()" in queries[0]["sql"]


def test_the_dashboard_shows_the_breached_page_asked_for(client, overdue, manager_a, monkeypatch):
    from casework.views import cases as case_views

    monkeypatch.setattr(case_views, "DASHBOARD_PER_PAGE", 2)
    client.force_login(manager_a)
    response = client.get(reverse("casework:dashboard"), {"breached_page": 2})
    assert [case.pk for case, _overdue in response.context["breached"]] == [
        case.pk for case in overdue[2:4]
    ]
    page = response.content.decode()
    assert "Page 2 of 3" in page
    assert 'href="?breached_page=1#breached-title"' in page
    assert 'href="?breached_page=3#breached-title"' in page
