"""The long lists of the main pages come a page at a time, and the dashboard's breached targets,
narrowed in the database before each case's deadlines are worked out, are exactly those the
deadlines give."""

from datetime import timedelta

import pytest
import time_machine
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accommodation import views as accommodation_views
from carepath.bench import seed_bench
from carepath.people.models import User
from casework.models import CaseState
from casework.models.case import OPEN_STATES
from casework.selectors.cases import (
    cases_visible_to,
    overdue_of,
    service_dashboard,
    with_deadline_data,
)
from casework.views import cases as case_views
from tests.performance.conftest import MADE_AT

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def bench(django_db_setup, django_db_blocker):
    """Bench data built once for the module, rolled back at its end; each test runs in a
    savepoint of it."""
    with (
        django_db_blocker.unblock(),
        time_machine.travel(MADE_AT, tick=False),
        transaction.atomic(),
    ):
        try:
            yield seed_bench(cases=400, seed=11)
        finally:
            transaction.set_rollback(True)


def _overdue(found) -> dict:
    return {case.pk: [(str(d.label), d.due) for d in deadlines] for case, deadlines in found}


@pytest.mark.parametrize("days", [-90, 0, 40, 400])
@pytest.mark.parametrize("manager", ["bench.service.manager.1", "bench.service.manager.2"])
def test_the_breached_targets_are_those_of_every_case(bench, manager, days):
    user = User.objects.get(username=manager)
    today = timezone.localdate() + timedelta(days=days)
    every_case = with_deadline_data(
        cases_visible_to(user).filter(state__in=OPEN_STATES).exclude(state=CaseState.REFERRED)
    )
    expected = _overdue(overdue_of(every_case, today=today))
    narrowed = service_dashboard(user, today=today)["breached"]
    assert expected
    assert _overdue(overdue_of(narrowed, today=today)) == expected
    # The narrowing leaves out most cases with nothing overdue.
    assert narrowed.count() - len(expected) < every_case.count() - len(expected)


def test_the_dashboard_lists_come_a_page_at_a_time(bench, client, monkeypatch):
    monkeypatch.setattr(case_views, "DASHBOARD_PER_PAGE", 2)
    client.force_login(User.objects.get(username="bench.service.manager.1"))
    url = reverse("casework:dashboard")
    first = client.get(url)
    for name in ("unallocated", "breached", "workers"):
        assert first.context["pages"][name].has_next(), name
        assert len(first.context[name]) == 2
    assert 'href="?breached_page=2#breached-title"' in first.content.decode()
    second = client.get(url, {"unallocated_page": 2})
    assert second.context["pages"]["unallocated"].number == 2
    shown = {case.pk for case in first.context["unallocated"]}
    assert shown.isdisjoint(case.pk for case in second.context["unallocated"])


def test_the_dashboard_counts_each_caseworkers_open_cases(bench, client):
    manager = User.objects.get(username="bench.service.manager.1")
    client.force_login(manager)
    workers = client.get(reverse("casework:dashboard")).context["workers"]
    assert workers
    for worker in workers:
        open_cases = worker.caseload.filter(state__in=OPEN_STATES).count()
        assert worker.open_cases == open_cases
        assert worker.organisation_id == manager.organisation_id


def test_the_caseload_comes_a_page_at_a_time(bench, client, monkeypatch):
    monkeypatch.setattr(case_views, "CASELOAD_PER_PAGE", 3)
    worker = User.objects.get(username="bench.caseworker.1")
    client.force_login(worker)
    first = client.get(reverse("casework:caseload"))
    assert len(first.context["rows"]) == 3
    assert (
        first.context["page"].paginator.count
        == worker.caseload.filter(state__in=OPEN_STATES).count()
    )
    assert 'href="?page=2"' in first.content.decode()


def test_the_vacancy_board_comes_a_page_at_a_time_and_keeps_its_filter(bench, client, monkeypatch):
    monkeypatch.setattr(accommodation_views, "VACANCIES_PER_PAGE", 2)
    client.force_login(User.objects.get(username="bench.caseworker.1"))
    first = client.get(reverse("accommodation:vacancies"), {"kind": "refuge"})
    assert len(first.context["rows"]) == 2
    assert {row["property"]["kind"] for row in first.context["rows"]} == {"refuge"}
    assert "kind=refuge&amp;page=2" in first.content.decode()
